import type { ScanOptions } from './store.js';

/** Keys one `scan()` page holds when `count` is not given. */
export const DEFAULT_SCAN_COUNT = 256;

/** The largest `count` a `scan()` call may ask for. */
export const MAX_SCAN_COUNT = 10_000;

/** The longest cursor a holder hands out, in characters (holders check what comes back). */
export const MAX_SCAN_CURSOR_LENGTH = 256;

/** Bytes of keys after which a `scan()` page ends, however large the reply limit. */
export const SCAN_PAGE_BYTES = 1024 * 1024;

// What a page's answer `[keys, cursor]` takes besides its keys, counted as `wireBytes`
// counts it: 8 bytes for each list, and the cursor.
const SCAN_REPLY_OVERHEAD_BYTES = 16 + MAX_SCAN_CURSOR_LENGTH;

/**
 * The bytes of keys one `scan()` page may hold (each key counted by its length, as
 * `wireBytes` counts it) so that the page's answer is not over `maxReplyBytes`: a holder
 * ends the page before the key that would pass it, and starts the next page with that key.
 * A page holds at least one key, whatever this is.
 */
export function scanPageBytes(maxReplyBytes: number): number {
  return Math.min(SCAN_PAGE_BYTES, maxReplyBytes - SCAN_REPLY_OVERHEAD_BYTES);
}

/**
 * Validates the scan-specific options of a `scan()` call: the cursor (as the previous page
 * gave it, or absent for the first page) and the page size hint.
 * @returns the cursor (`''` for the first page) and the count
 * @throws TypeError when `cursor` is not a string or `count` is not an integer in
 *   [1, {@link MAX_SCAN_COUNT}]
 */
export function readScanOptions(opts: ScanOptions | undefined): { cursor: string; count: number } {
  const cursor = opts?.cursor ?? '';
  if (typeof cursor !== 'string' || cursor.length > MAX_SCAN_CURSOR_LENGTH) {
    throw new TypeError('cursor must be the string a previous scan() page returned');
  }
  const count = opts?.count ?? DEFAULT_SCAN_COUNT;
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_SCAN_COUNT) {
    throw new TypeError(`count must be a whole number in [1, ${MAX_SCAN_COUNT}]`);
  }
  return { cursor, count };
}
