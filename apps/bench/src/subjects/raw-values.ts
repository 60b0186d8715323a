import { isBinary, type ValueKind } from '../values.js';

/**
 * How the raw JSON baselines carry values, written as a user who knows their schema would:
 * a Buffer travels as a base64 string (a third larger, one native call each way) instead of
 * JSON's `{ type: 'Buffer', data: [...] }` (an array of numbers, ~3.6 bytes per byte), and a
 * get decodes by the kind of value it knows it stored, as the ioredis baseline does.
 */
export function toJsonValue(value: unknown): unknown {
  return Buffer.isBuffer(value) ? value.toString('base64') : value;
}

/** The value a raw JSON baseline read back, as the kind that was stored. */
export function fromJsonValue(value: unknown, kind: ValueKind): unknown {
  return isBinary(kind) && typeof value === 'string' ? Buffer.from(value, 'base64') : value;
}

/**
 * What a user of `serialization: 'advanced'` does to get a Buffer back: the v8 serializer
 * hands it back as a plain Uint8Array.
 */
export function fromAdvancedValue(value: unknown): unknown {
  if (value instanceof Uint8Array && !Buffer.isBuffer(value))
    return Buffer.from(value.buffer, value.byteOffset, value.length);
  return value;
}
