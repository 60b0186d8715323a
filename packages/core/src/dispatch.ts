import { encodedSize, type ValueCodec } from './codec.js';
import { ErrorCode, StateError } from './errors.js';
import { checkKey, checkPrefix } from './keys.js';
import type { MemoryBackend } from './memory-backend.js';
import type { OpCode } from './operations.js';

/** Limits the holder enforces on every call, whatever the client checked. */
export interface DispatchLimits {
  maxKeyBytes: number;
  maxValueBytes: number;
  /** Most keys or entries in one `getMany` / `setMany` / `deleteMany`. */
  maxBatchKeys: number;
}

/** The holder's view of one call: the backend, the namespace, and limits. */
export interface DispatchContext {
  backend: MemoryBackend;
  codec: ValueCodec;
  namespace: string;
  limits: DispatchLimits;
}

type Handler = (context: DispatchContext, args: readonly unknown[]) => unknown;

function malformed(what: string): never {
  throw new StateError(ErrorCode.PROTOCOL, `malformed call: ${what}`);
}

function key(context: DispatchContext, value: unknown): string {
  const error = checkKey(value, context.limits.maxKeyBytes);
  if (error) throw error;
  return value as string;
}

function keyList(context: DispatchContext, value: unknown): string[] {
  if (!Array.isArray(value)) malformed('expected a key list');
  if (value.length > context.limits.maxBatchKeys) {
    throw new StateError(
      ErrorCode.TOO_LARGE,
      `more than ${context.limits.maxBatchKeys} keys in one call`,
    );
  }
  return value.map((item) => key(context, item));
}

function encoded(context: DispatchContext, value: unknown) {
  if (!context.codec.isEncoded(value)) malformed(`value is not ${context.codec.name}-encoded`);
  if (encodedSize(value) > context.limits.maxValueBytes) {
    throw new StateError(
      ErrorCode.TOO_LARGE,
      `value is over the ${context.limits.maxValueBytes}-byte limit`,
    );
  }
  return value;
}

function ttl(value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0)
    malformed('ttl is not a whole number of ms');
  return value as number;
}

// Indexed by wire op number (see Op). A frozen array, not an object: an op number that is
// not an index here (or a name such as "constructor") never reaches a function.
const handlers: readonly Handler[] = Object.freeze([
  (c, [k]) => c.backend.get(c.namespace, key(c, k)) ?? null,
  (c, [k, v, t]) => {
    c.backend.set(c.namespace, key(c, k), encoded(c, v), ttl(t));
    return null;
  },
  (c, [k]) => c.backend.delete(c.namespace, key(c, k)),
  (c, [k]) => c.backend.has(c.namespace, key(c, k)),
  (c, [prefix]) => {
    const error = checkPrefix(prefix, c.limits.maxKeyBytes);
    if (error) throw error;
    return c.backend.keys(c.namespace, prefix as string);
  },
  (c) => {
    c.backend.clear(c.namespace);
    return null;
  },
  (c, [ks]) => keyList(c, ks).map((k) => c.backend.get(c.namespace, k) ?? null),
  (c, [entries]) => {
    if (!Array.isArray(entries)) malformed('expected entries');
    if (entries.length > c.limits.maxBatchKeys) {
      throw new StateError(
        ErrorCode.TOO_LARGE,
        `more than ${c.limits.maxBatchKeys} entries in one call`,
      );
    }
    // Validate every entry before applying any, so that a bad entry applies nothing.
    const checked = entries.map((entry: unknown) => {
      if (!Array.isArray(entry)) malformed('entry is not [key, value, ttl]');
      return [key(c, entry[0]), encoded(c, entry[1]), ttl(entry[2])] as const;
    });
    for (const [k, v, t] of checked) c.backend.set(c.namespace, k, v, t);
    return null;
  },
  (c, [ks]) => {
    let existed = 0;
    for (const k of keyList(c, ks)) if (c.backend.delete(c.namespace, k)) existed++;
    return existed;
  },
  (c, [k, by]) => {
    if (!Number.isSafeInteger(by))
      throw new StateError(ErrorCode.INVALID_VALUE, 'increment() takes a safe integer');
    return c.backend.increment(c.namespace, key(c, k), by as number);
  },
  (c, [k, v, t]) => c.backend.setIfAbsent(c.namespace, key(c, k), encoded(c, v), ttl(t)),
]);

/** Whether `op` is a known operation number. */
export function isOpCode(op: unknown): op is OpCode {
  return typeof op === 'number' && Number.isInteger(op) && op >= 0 && op < handlers.length;
}

/**
 * Runs one call on the holder's backend after validating every argument again (the holder
 * never trusts a client). Synchronous: the memory backend applies each call atomically,
 * in the order calls arrive.
 *
 * @throws StateError with the code to reply with
 */
export function dispatch(context: DispatchContext, op: unknown, args: readonly unknown[]): unknown {
  if (!isOpCode(op)) malformed('unknown operation');
  // Handlers destructure their arguments: a string would be split, a number would throw.
  if (!Array.isArray(args)) malformed('arguments are not a list');
  return (handlers[op] as Handler)(context, args);
}
