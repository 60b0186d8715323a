import { type Encoded, ErrorCode, StateError, type ValueCodec } from '@statewire/core';

/**
 * The first byte of every value that is not stored as a decimal integer. `0xC1` is the one
 * byte msgpack never uses, it is not valid UTF-8 (so it never starts JSON text), and it is
 * neither a digit nor `-`, so a stored value is a decimal integer or marked, never both.
 */
export const VALUE_MARKER = 0xc1;

// What a safe integer is stored as (and INCRBY wrote for the previous release): no sign on
// zero, no leading zeros.
const DECIMAL = /^(?:0|-?[1-9][0-9]{0,15})$/;

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

/**
 * Wraps a value codec in the Redis value format, so that the `increment` script can read and
 * write counters as decimals while every value still round-trips exactly:
 *
 * - a safe integer (other than `-0`) is stored as its plain decimal string (`42`, `-7`); it
 *   reads back as a number;
 * - anything else is stored as the byte {@link VALUE_MARKER} followed by the inner codec's
 *   bytes (UTF-8 for a text codec) and decoded by that codec.
 *
 * Decoding goes by the explicit marker, never by guessing. A stored value in neither form
 * (written by something other than statewire) fails to decode: the store rejects the read
 * with `PROTOCOL`.
 *
 * The store keeps these bytes behind each write's version header (`versioned-value.ts`),
 * and strips the header before decoding; a value of the previous release is these bytes
 * alone.
 *
 * @param inner - the codec of non-integer values (msgpack or JSON).
 */
export function redisValueCodec(inner: ValueCodec): ValueCodec {
  return Object.freeze({
    name: `redis+${inner.name}`,
    keeps: inner.keeps,
    encode(value: unknown): Encoded {
      if (typeof value === 'number' && Number.isSafeInteger(value) && !Object.is(value, -0)) {
        return Buffer.from(String(value), 'latin1');
      }
      const encoded = inner.encode(value);
      const bytes = typeof encoded === 'string' ? Buffer.from(encoded, 'utf8') : toBuffer(encoded);
      const marked = Buffer.allocUnsafe(bytes.length + 1);
      marked[0] = VALUE_MARKER;
      bytes.copy(marked, 1);
      return marked;
    },
    decode(encoded: Encoded): unknown {
      const bytes = typeof encoded === 'string' ? Buffer.from(encoded, 'utf8') : toBuffer(encoded);
      if (bytes[0] === VALUE_MARKER) return inner.decode(bytes.subarray(1));
      // A decimal integer has at most 17 characters ('-' and 16 digits); anything longer is
      // not one of ours, and is never scanned as text.
      if (bytes.length > 0 && bytes.length <= 17) {
        const text = bytes.toString('latin1');
        if (DECIMAL.test(text)) {
          const number = Number(text);
          if (Number.isSafeInteger(number)) return number;
        }
      }
      throw new StateError(
        ErrorCode.PROTOCOL,
        'redis: the stored value was not written by statewire (no value marker, not a safe integer)',
      );
    },
    isEncoded(data: unknown): data is Encoded {
      return data instanceof Uint8Array;
    },
  });
}
