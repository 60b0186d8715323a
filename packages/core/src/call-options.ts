import type { CallOptions, SetOptions } from './store.js';

/** The default timeout of every call, in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 5000;

// setTimeout's ceiling; a longer timeout would fire at once.
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Validates a timeout option (a positive finite number of milliseconds, at most 2^31-1).
 * @throws TypeError when malformed
 */
export function readTimeout(timeout: unknown, name = 'timeout'): number {
  if (typeof timeout !== 'number' || !(timeout > 0) || timeout > MAX_TIMEOUT_MS) {
    throw new TypeError(`${name} must be a number of milliseconds in (0, ${MAX_TIMEOUT_MS}]`);
  }
  return timeout;
}

/**
 * Validates the common options of a call.
 * @throws TypeError when an option is malformed
 */
export function readCallOptions(
  opts: CallOptions | undefined,
  defaultTimeout: number,
): { timeout: number; signal: AbortSignal | undefined } {
  if (opts === undefined) return { timeout: defaultTimeout, signal: undefined };
  if (typeof opts !== 'object' || opts === null) throw new TypeError('options must be an object');
  const timeout = opts.timeout === undefined ? defaultTimeout : readTimeout(opts.timeout);
  const signal = opts.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError('signal must be an AbortSignal');
  }
  return { timeout, signal };
}

/**
 * Validates a `ttl` (a positive finite number of milliseconds) and rounds it up to whole
 * milliseconds; `undefined` is 0, meaning no expiry.
 * @throws TypeError when malformed
 */
export function readTtl(ttl: SetOptions['ttl']): number {
  if (ttl === undefined) return 0;
  if (typeof ttl !== 'number' || !(ttl > 0) || !Number.isFinite(ttl)) {
    throw new TypeError('ttl must be a positive finite number of milliseconds');
  }
  return Math.min(Math.ceil(ttl), Number.MAX_SAFE_INTEGER);
}
