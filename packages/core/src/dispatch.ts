import type { Backend } from './backend.js';
import { type Encoded, encodedSize, type ValueCodec } from './codec.js';
import { ErrorCode, StateError } from './errors.js';
import { checkKey, checkPrefix } from './keys.js';
import {
  MutationKind,
  Op,
  type OpCode,
  opNames,
  type WireCheck,
  type WireMutation,
} from './operations.js';
import { MAX_SCAN_COUNT, MAX_SCAN_CURSOR_LENGTH, scanPageBytes } from './scan.js';
import { isExpectedVersion, maxAtomicSteps } from './versions.js';
import { wireBytes } from './wire-size.js';

/** Limits the holder enforces on every call, whatever the client checked. */
export interface DispatchLimits {
  maxKeyBytes: number;
  maxValueBytes: number;
  /** Most keys or entries in one `getMany` / `setMany` / `deleteMany`. */
  maxBatchKeys: number;
  /**
   * The largest answer to one call (see `wireBytes`): `getMany` and `keys` stop collecting
   * and reject `TOO_LARGE` past it, and `scan()` pages end before it.
   * @default no limit
   */
  maxReplyBytes?: number;
}

/** The holder's view of one call: the backend, the namespace, and limits. */
export interface DispatchContext {
  backend: Backend;
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
  // An index loop, not map(): map() skips the holes of a sparse list, which would reach
  // the backend unchecked.
  const keys: string[] = [];
  for (let i = 0; i < value.length; i++) keys.push(key(context, value[i]));
  return keys;
}

function replyLimit(context: DispatchContext, op: string, answer: unknown): void {
  const maxBytes = context.limits.maxReplyBytes;
  if (maxBytes !== undefined && wireBytes(answer) > maxBytes) {
    throw new StateError(
      ErrorCode.TOO_LARGE,
      `${op}() would answer more than ${maxBytes} bytes; ask for fewer keys at once`,
    );
  }
}

function by(value: unknown): number {
  if (!Number.isSafeInteger(value))
    throw new StateError(ErrorCode.INVALID_VALUE, 'increment() takes a safe integer');
  return value as number;
}

// The checks and mutations of an atomic call, rebuilt from validated fields only. Both
// lists are bounded before either is walked: their lengths are whatever the sender claims.
function commit(c: DispatchContext, checks: unknown, mutations: unknown) {
  if (!Array.isArray(checks) || !Array.isArray(mutations))
    malformed('atomic() takes a list of checks and a list of mutations');
  const limit = maxAtomicSteps(c.limits.maxBatchKeys);
  if (checks.length + mutations.length > limit) {
    throw new StateError(
      ErrorCode.TOO_LARGE,
      `more than ${limit} checks and mutations in one atomic commit`,
    );
  }
  const checked: WireCheck[] = [];
  for (let i = 0; i < checks.length; i++) {
    const check: unknown = checks[i];
    if (!Array.isArray(check)) malformed('check is not [key, version]');
    if (!isExpectedVersion(check[1])) malformed('check version is not a short string or null');
    checked.push([key(c, check[0]), check[1]]);
  }
  const applied: WireMutation[] = [];
  for (let i = 0; i < mutations.length; i++) {
    const mutation: unknown = mutations[i];
    if (!Array.isArray(mutation)) malformed('mutation is not a list');
    switch (mutation[0]) {
      case MutationKind.set:
        applied.push([
          MutationKind.set,
          key(c, mutation[1]),
          encoded(c, mutation[2]),
          ttl(mutation[3]),
        ]);
        break;
      case MutationKind.delete:
        applied.push([MutationKind.delete, key(c, mutation[1])]);
        break;
      case MutationKind.increment:
        applied.push([MutationKind.increment, key(c, mutation[1]), by(mutation[2])]);
        break;
      default:
        malformed('mutation of unknown kind');
    }
  }
  return c.backend.atomic(c.namespace, checked, applied);
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

// Keyed by wire op number (see Op), on a null prototype and frozen: `satisfies` makes the
// compiler insist on one handler per operation, and `dispatch` looks a number up only after
// `isOpCode` checked it, so that a name from the wire (such as "constructor") never reaches
// a function.
const handlers = Object.freeze(
  Object.assign(Object.create(null) as object, {
    [Op.get]: (c, [k]) => c.backend.get(c.namespace, key(c, k)) ?? null,
    [Op.set]: (c, [k, v, t]) => {
      c.backend.set(c.namespace, key(c, k), encoded(c, v), ttl(t));
      return null;
    },
    [Op.delete]: (c, [k]) => c.backend.delete(c.namespace, key(c, k)),
    [Op.has]: (c, [k]) => c.backend.has(c.namespace, key(c, k)),
    [Op.keys]: (c, [prefix]) => {
      const error = checkPrefix(prefix, c.limits.maxKeyBytes);
      if (error) throw error;
      return c.backend.keys(c.namespace, prefix as string, c.limits.maxReplyBytes);
    },
    [Op.clear]: (c) => {
      c.backend.clear(c.namespace);
      return null;
    },
    [Op.getMany]: (c, [ks]) => {
      const keys = keyList(c, ks);
      const maxBytes = c.limits.maxReplyBytes ?? Number.POSITIVE_INFINITY;
      const values: unknown[] = [];
      let bytes = 8;
      for (const k of keys) {
        const value = c.backend.get(c.namespace, k) ?? null;
        // Counted as it is collected: a reply over the limit is never built.
        bytes += wireBytes(value);
        if (bytes > maxBytes) {
          throw new StateError(
            ErrorCode.TOO_LARGE,
            `getMany() would answer more than ${maxBytes} bytes; ask for fewer keys at once`,
          );
        }
        values.push(value);
      }
      return values;
    },
    [Op.setMany]: (c, [entries]) => {
      if (!Array.isArray(entries)) malformed('expected entries');
      if (entries.length > c.limits.maxBatchKeys) {
        throw new StateError(
          ErrorCode.TOO_LARGE,
          `more than ${c.limits.maxBatchKeys} entries in one call`,
        );
      }
      // Validate every entry before applying any, so that a bad entry applies nothing. An
      // index loop, not map(): map() skips the holes of a sparse list, which would reach the
      // backend unchecked (a worker thread's structured clone keeps holes).
      const checked: [string, Encoded, number][] = [];
      for (let i = 0; i < entries.length; i++) {
        const entry: unknown = entries[i];
        if (!Array.isArray(entry)) malformed('entry is not [key, value, ttl]');
        checked.push([key(c, entry[0]), encoded(c, entry[1]), ttl(entry[2])]);
      }
      // The backend checks its own limits (maxBytes) for every entry before applying any.
      c.backend.setMany(c.namespace, checked);
      return null;
    },
    [Op.deleteMany]: (c, [ks]) => {
      let existed = 0;
      for (const k of keyList(c, ks)) if (c.backend.delete(c.namespace, k)) existed++;
      return existed;
    },
    [Op.increment]: (c, [k, n, t]) => {
      const amount = by(n);
      // A client of an earlier minor version sends no ttl: it means none.
      return c.backend.increment(c.namespace, key(c, k), amount, t === undefined ? 0 : ttl(t));
    },
    [Op.setIfAbsent]: (c, [k, v, t]) =>
      c.backend.setIfAbsent(c.namespace, key(c, k), encoded(c, v), ttl(t)),
    [Op.scan]: (c, [prefix, cursor, count]) => {
      const error = checkPrefix(prefix, c.limits.maxKeyBytes);
      if (error) throw error;
      if (typeof cursor !== 'string' || cursor.length > MAX_SCAN_CURSOR_LENGTH)
        malformed('scan cursor is not a string');
      if (
        !Number.isSafeInteger(count) ||
        (count as number) < 1 ||
        (count as number) > MAX_SCAN_COUNT
      )
        malformed('scan count is out of range');
      return c.backend.scan(
        c.namespace,
        prefix as string,
        cursor,
        count as number,
        c.limits.maxReplyBytes === undefined ? undefined : scanPageBytes(c.limits.maxReplyBytes),
      );
    },
    [Op.getEntries]: (c, [ks]) => {
      // Every answer holds a value already stored and a short version: bounded by the batch
      // limit, then held to the reply limit before it is sent.
      const entries = c.backend.getEntries(c.namespace, keyList(c, ks));
      replyLimit(c, 'getEntries', entries);
      return entries;
    },
    [Op.atomic]: (c, [checks, mutations]) => commit(c, checks, mutations),
  } satisfies Record<OpCode, Handler>),
);

/** Whether `op` is a known operation number. */
export function isOpCode(op: unknown): op is OpCode {
  return typeof op === 'number' && Number.isInteger(op) && op >= 0 && op < opNames.length;
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
  return handlers[op](context, args);
}
