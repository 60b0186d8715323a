/**
 * About how many bytes `value` takes in a frame: a string by its length, binary by its byte
 * length, a list by the sum of its items, anything else a few bytes. Engines cut frames by
 * this estimate, so it is cheap rather than exact. Frame contents are shallow (calls,
 * replies, encoded values), never user objects.
 */
export function wireBytes(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (value instanceof Uint8Array) return value.byteLength;
  if (Array.isArray(value)) {
    let bytes = 8;
    for (let i = 0; i < value.length; i++) bytes += wireBytes(value[i]);
    return bytes;
  }
  return 8;
}
