import { createHash } from 'node:crypto';

/**
 * Put before the digest that stands for a client key the store could not take as it is. A
 * client key that itself starts with it is hashed too, so that a hashed key never equals
 * one taken as it is.
 */
const DIGEST_MARKER = '#sha256:';

/**
 * UTF-8 bytes that a counter's key takes besides its prefix, at most: a hashed client key
 * (the marker and 43 characters of base64url), the `:` and the window's number.
 */
export const COUNTER_KEY_ROOM = DIGEST_MARKER.length + 43 + 1 + 20;

/**
 * The key of a client's counter in one window: the prefix, the client key and the window's
 * number. The client key comes from the request (an IP address, an API key header, a user
 * name), so it may be longer than the store's keys may be, or hold a lone surrogate, which
 * the store refuses. Then its SHA-256 digest (of its UTF-16 code units, so that every
 * distinct key has its own) stands in for it, instead of every request of that client
 * failing, or passing unlimited with `passOnStoreError`.
 */
export function counterKey(
  prefix: string,
  clientKey: string,
  window: number,
  maxKeyBytes: number,
): string {
  const key = `${prefix}${clientKey}:${window}`;
  if (
    key.isWellFormed() &&
    !clientKey.startsWith(DIGEST_MARKER) &&
    Buffer.byteLength(key) <= maxKeyBytes
  ) {
    return key;
  }
  const digest = createHash('sha256').update(clientKey, 'utf16le').digest('base64url');
  return `${prefix}${DIGEST_MARKER}${digest}:${window}`;
}
