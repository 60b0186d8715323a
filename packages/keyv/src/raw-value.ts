/**
 * Drops the `undefined` fields of a plain object, one level deep.
 *
 * With serialization turned off (Keyv's raw mode: `serialize: undefined`) Keyv hands the
 * adapter its envelope object as is, `{ value, expires: undefined }` when there is no TTL.
 * A JSON store rejects `undefined` inside a value (`INVALID_VALUE`) rather than silently
 * dropping it, so the adapter drops it, as JSON serialization would have. Keyv reads a
 * missing `expires` the same as an undefined one. Anything deeper is the application's
 * value and is left for the store to accept or reject.
 */
export function withoutUndefinedFields(value: unknown): unknown {
  if (
    typeof value !== 'object' ||
    value === null ||
    Object.getPrototypeOf(value) !== Object.prototype
  ) {
    return value;
  }
  const record = value as Record<string, unknown>;
  if (!Object.values(record).includes(undefined)) return value;
  // fromEntries defines own properties, so a `__proto__` field stays an ordinary field.
  return Object.fromEntries(Object.entries(record).filter(([, field]) => field !== undefined));
}
