import type { ScanOptions } from './store.js';

/** Keys one `scan()` page holds when `count` is not given. */
export const DEFAULT_SCAN_COUNT = 256;

/** The largest `count` a `scan()` call may ask for. */
export const MAX_SCAN_COUNT = 10_000;

/** The longest cursor a holder hands out, in characters (holders check what comes back). */
export const MAX_SCAN_CURSOR_LENGTH = 256;

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
