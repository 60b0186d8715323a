import { checkOptionNames, optionNames } from './option-names.js';
import type {
  CallOptions,
  ConditionalSetOptions,
  DeleteOptions,
  Entry,
  IncrementOptions,
  ScanOptions,
  SetOptions,
} from './store.js';

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
 * The options each call of a store takes, by name. A call refuses any other (see
 * `checkOptionNames()`): a misspelt `ttl`, or an `ifVersion` where no condition runs, is a
 * `TypeError`, never ignored.
 */
export const OPTION_NAMES = Object.freeze({
  /** Every call: `timeout` and `signal`. */
  call: optionNames<CallOptions>({ timeout: true, signal: true }),
  set: optionNames<ConditionalSetOptions>({
    timeout: true,
    signal: true,
    ttl: true,
    ifVersion: true,
  }),
  setIfAbsent: optionNames<SetOptions>({ timeout: true, signal: true, ttl: true }),
  delete: optionNames<DeleteOptions>({ timeout: true, signal: true, ifVersion: true }),
  increment: optionNames<IncrementOptions>({ timeout: true, signal: true, ttl: true }),
  scan: optionNames<ScanOptions>({ timeout: true, signal: true, cursor: true, count: true }),
  scanIterator: optionNames<Omit<ScanOptions, 'cursor'>>({
    timeout: true,
    signal: true,
    count: true,
  }),
  /** One entry of `setMany`. */
  entry: optionNames<Entry<{ k: unknown }>>({ key: true, value: true, ttl: true }),
  /** The options of `atomic().set()`. */
  atomicSet: optionNames<{ ttl?: number | undefined }>({ ttl: true }),
});

/**
 * Validates the common options of a call.
 * @param of - names the call in messages, e.g. `"memory: get()"`
 * @param names - the options the call takes; any other is refused
 * @default names {@link OPTION_NAMES}`.call`
 * @throws TypeError when an option is malformed, or one the call does not take
 */
export function readCallOptions(
  opts: CallOptions | undefined,
  defaultTimeout: number,
  of = 'the call',
  names: ReadonlySet<string> = OPTION_NAMES.call,
): { timeout: number; signal: AbortSignal | undefined } {
  if (opts === undefined) return { timeout: defaultTimeout, signal: undefined };
  if (typeof opts !== 'object' || opts === null) {
    throw new TypeError(`${of}: options must be an object`);
  }
  checkOptionNames(of, opts, names);
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
