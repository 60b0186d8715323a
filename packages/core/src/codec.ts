import type { Capabilities } from './capabilities.js';

/** A value as a codec encodes it: text or bytes. The holder stores it as it is. */
export type Encoded = string | Uint8Array;

/**
 * The deepest a value may nest: at most this many levels of arrays, objects, Maps and Sets
 * inside one another, where the msgpack codec counts a Set as two levels (msgpack stores its
 * items in an array inside it, so 500 nested Sets at most). Both codecs refuse a deeper
 * value with `INVALID_VALUE` before anything is sent, so that a value one process or thread
 * can write, every other can write back (how deep the encoders could go otherwise depends on
 * each one's stack).
 */
export const MAX_VALUE_DEPTH = 1000;

/**
 * Turns values into {@link Encoded} form and back. A codec declares what it keeps; it
 * never silently changes a value: `encode` throws a `StateError` with `INVALID_VALUE` for
 * anything that would not decode to an equal value of the same types.
 */
export interface ValueCodec {
  /** The codec's name, compared in the handshake (for example `json`, `msgpack`). */
  readonly name: string;
  /** What the codec keeps, copied into a store's capabilities. */
  readonly keeps: Pick<Capabilities, 'binary' | 'structured'>;
  /**
   * Encodes one value.
   * @throws StateError `INVALID_VALUE` when the value would not round-trip exactly
   */
  encode(value: unknown): Encoded;
  /** Decodes what `encode` produced. */
  decode(encoded: Encoded): unknown;
  /** Whether `data` has this codec's encoded form (the holder checks frames with it). */
  isEncoded(data: unknown): data is Encoded;
}

/**
 * `codec` when it has a codec's shape (a name, `keeps`, and the three methods).
 * @throws TypeError naming `option` otherwise
 */
export function checkCodec(codec: unknown, option: string): ValueCodec {
  const c = codec as Partial<ValueCodec> | null;
  if (
    typeof c !== 'object' ||
    c === null ||
    typeof c.name !== 'string' ||
    typeof c.keeps !== 'object' ||
    c.keeps === null ||
    typeof c.encode !== 'function' ||
    typeof c.decode !== 'function' ||
    typeof c.isEncoded !== 'function'
  ) {
    throw new TypeError(
      `${option} must be a value codec (jsonCodec, msgpackCodec, or one with name, keeps, encode, decode and isEncoded)`,
    );
  }
  return c as ValueCodec;
}

/** The size of an encoded value in bytes (UTF-8 for text). */
export function encodedSize(encoded: Encoded): number {
  return typeof encoded === 'string' ? Buffer.byteLength(encoded, 'utf8') : encoded.byteLength;
}
