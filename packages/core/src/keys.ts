import { ErrorCode, StateError } from './errors.js';

/**
 * Checks one key against the rules every transport shares: a non-empty string that is
 * well-formed UTF-16 (so that no two keys can collapse into one on a UTF-8 backend) and at
 * most `maxKeyBytes` bytes of UTF-8. Prototype-named keys such as `__proto__` are ordinary
 * keys.
 *
 * @returns `undefined` when the key is valid, otherwise the `StateError` to reject with
 *   (`INVALID_KEY` or `TOO_LARGE`).
 */
export function checkKey(key: unknown, maxKeyBytes: number): StateError | undefined {
  if (typeof key !== 'string') {
    return new StateError(ErrorCode.INVALID_KEY, `key must be a string, got ${describeType(key)}`);
  }
  if (key.length === 0) return new StateError(ErrorCode.INVALID_KEY, 'key must not be empty');
  // Each UTF-16 unit is at most 3 UTF-8 bytes, so short keys skip the exact count.
  if (key.length * 3 > maxKeyBytes && Buffer.byteLength(key, 'utf8') > maxKeyBytes) {
    return new StateError(ErrorCode.TOO_LARGE, `key is over the ${maxKeyBytes}-byte limit`);
  }
  if (!key.isWellFormed()) {
    return new StateError(ErrorCode.INVALID_KEY, 'key is not well-formed UTF-16 (lone surrogate)');
  }
  return undefined;
}

/**
 * Checks a key prefix given to `keys(prefix)`: a string, possibly empty, well-formed.
 * @returns `undefined` when valid, otherwise the `StateError` to reject with.
 */
export function checkPrefix(prefix: unknown, maxKeyBytes: number): StateError | undefined {
  if (prefix === '') return undefined;
  return checkKey(prefix, maxKeyBytes);
}

/**
 * Checks a namespace name: any well-formed string up to `maxKeyBytes` bytes, the empty
 * string being the default namespace. Throws `TypeError`: a namespace is an option.
 */
export function assertNamespace(
  namespace: unknown,
  maxKeyBytes: number,
): asserts namespace is string {
  if (typeof namespace !== 'string' || !namespace.isWellFormed()) {
    throw new TypeError('namespace must be a well-formed string');
  }
  if (Buffer.byteLength(namespace, 'utf8') > maxKeyBytes) {
    throw new TypeError(`namespace is over the ${maxKeyBytes}-byte limit`);
  }
}

/**
 * Text for an error message from a field of a received frame. Never throws: a frame can
 * carry `{ toString: 1 }`, which `String()` cannot convert.
 */
export function frameText(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number'
    ? String(value)
    : describeType(value);
}

/** A short, value-free description of a value's type, for error messages. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)
      ?.constructor?.name;
    return typeof name === 'string' && name !== '' ? name : 'object';
  }
  return typeof value;
}
