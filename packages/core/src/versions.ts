import { MAX_ATOMIC_STEPS } from './store.js';

/**
 * The longest version string a store accepts in `ifVersion` or `atomic().check()`, in
 * characters. Versions a store hands out are much shorter; the bound keeps what a client
 * may send (and a holder must read) small.
 */
export const MAX_VERSION_LENGTH = 256;

/**
 * Whether `value` can be an expected version: a string of at most
 * {@link MAX_VERSION_LENGTH} characters, or `null`. (A string no store handed out is
 * well-formed: it just never matches.)
 */
export function isExpectedVersion(value: unknown): value is string | null {
  return value === null || (typeof value === 'string' && value.length <= MAX_VERSION_LENGTH);
}

/**
 * The most checks and mutations one atomic commit may hold on a store whose batches hold at
 * most `maxBatchKeys` keys: {@link MAX_ATOMIC_STEPS}, or fewer when the batch limit is
 * lower, since every step carries a key and a commit travels as one call.
 */
export function maxAtomicSteps(maxBatchKeys: number): number {
  return Math.min(MAX_ATOMIC_STEPS, maxBatchKeys);
}
