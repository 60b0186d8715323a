import { type Encoded, ErrorCode, StateError, type ValueCodec } from '@statewire/core';
import { msgpackCodec } from '@statewire/core/msgpack';
import { encodedSize } from '@statewire/core/transport';
import { allocWithRoom, type Room } from './buffer-room.js';
import { SET_FRAME_AFTER, SET_FRAME_BEFORE } from './set-frame.js';
import { VERSION_HEADER_BYTES } from './versioned-value.js';

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

// Room for the version header (every marked value), and for the header and a `SET`
// command's framing around it (long strings, large Buffers, any value encoded to 1 KiB or more).
const HEADER_ROOM: Room = Object.freeze({ before: VERSION_HEADER_BYTES, after: 0 });
const FRAME_ROOM: Room = Object.freeze({
  before: VERSION_HEADER_BYTES + SET_FRAME_BEFORE,
  after: SET_FRAME_AFTER,
});

// Strings from this many characters, and Buffers from this many bytes, skip msgpackr when
// the inner codec is msgpack (see `packLongString`, `packLongBuffer`); shorter ones cost
// less through msgpackr than the native calls below. Any other value whose encoding is this
// long gets room for a `SET` command's framing too.
const LONG_VALUE = 1024;

function roomFor(bytes: number): Room {
  return bytes >= LONG_VALUE ? FRAME_ROOM : HEADER_ROOM;
}

// msgpack's `str 16` and `bin 16` type bytes; the 32-bit form of each is the next byte.
const STR_16 = 0xda;
const BIN_16 = 0xc5;

/**
 * A buffer of the byte {@link VALUE_MARKER} and the msgpack header msgpackr writes for
 * `size` bytes of `str` or `bin` (`type16`, or its 32-bit form past 64 KiB), with room for
 * the version header and a `SET` command's framing around it (`set-frame.ts`); the caller
 * writes the bytes into its last `size` bytes.
 */
function markedItem(size: number, type16: number): Buffer {
  const wide = size > 0xffff;
  const packed = allocWithRoom((wide ? 6 : 4) + size, FRAME_ROOM);
  packed[0] = VALUE_MARKER;
  packed[1] = wide ? type16 + 1 : type16;
  if (wide) packed.writeUInt32BE(size, 2);
  else packed.writeUInt16BE(size, 2);
  return packed;
}

/**
 * Where the payload starts when `bytes` hold exactly {@link VALUE_MARKER} and one msgpack
 * item of type `type16` (or its 32-bit form) of at least {@link LONG_VALUE} bytes, what
 * {@link markedItem} makes; otherwise -1, and msgpack decodes them.
 */
function longItemStart(bytes: Buffer, type16: number): number {
  const type = bytes[1];
  if (
    type === type16 &&
    bytes.length - 4 >= LONG_VALUE &&
    bytes.readUInt16BE(2) === bytes.length - 4
  ) {
    return 4;
  }
  if (
    type === type16 + 1 &&
    bytes.length - 6 >= LONG_VALUE &&
    bytes.readUInt32BE(2) === bytes.length - 6
  ) {
    return 6;
  }
  return -1;
}

/**
 * `value` (well-formed, at least {@link LONG_VALUE} characters) as {@link VALUE_MARKER} and
 * the msgpack `str` msgpackr writes for it, its UTF-8 bytes written at once into a
 * {@link markedItem}. For a 64 KiB string this replaces msgpackr's write into a fresh buffer
 * three times the string's size, the copy of those bytes behind the marker, and ioredis's
 * copy of the whole command.
 */
function packLongString(value: string): Buffer {
  const size = Buffer.byteLength(value, 'utf8');
  const packed = markedItem(size, STR_16);
  packed.write(value, packed.length - size, size, 'utf8');
  return packed;
}

/** The long string {@link packLongString} wrote, decoded from UTF-8 by Node at once. */
function unpackLongString(bytes: Buffer): string | undefined {
  const start = longItemStart(bytes, STR_16);
  return start < 0 ? undefined : bytes.toString('utf8', start);
}

/**
 * `value` (a plain Buffer of at least {@link LONG_VALUE} bytes) as {@link VALUE_MARKER} and
 * the msgpack `bin` msgpackr writes for it, copied once into a {@link markedItem}.
 */
function packLongBuffer(value: Buffer): Buffer {
  const packed = markedItem(value.length, BIN_16);
  packed.set(value, packed.length - value.length);
  return packed;
}

/**
 * The Buffer {@link packLongBuffer} wrote: a copy, unless `view` says the bytes are a reply
 * ioredis read for this one value and never reuses; then a view of them when they are most
 * of their allocation (a view of a small part would keep the rest of a larger read alive as
 * long as the caller keeps the value). A 64 KiB copy costs about as much as reading the reply.
 */
function unpackLongBuffer(bytes: Buffer, view: boolean): Buffer | undefined {
  const start = longItemStart(bytes, BIN_16);
  if (start < 0) return undefined;
  const value = bytes.subarray(start);
  return view && value.length * 2 >= value.buffer.byteLength ? value : Buffer.from(value);
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
 * Like the msgpack codec, it decodes binary values to copies, never to views of the bytes
 * it is given.
 *
 * @param inner - the codec of non-integer values (msgpack or JSON).
 */
export function redisValueCodec(inner: ValueCodec): ValueCodec {
  return valueCodec(inner, false);
}

/**
 * The store's own {@link redisValueCodec}: the same bytes, and it decodes a long Buffer to a
 * view of the bytes it is given when they are most of their allocation. For the store's
 * decoding of ioredis replies only: each is read for one call and never reused or kept.
 *
 * @param inner - the codec of non-integer values (msgpack or JSON).
 */
export function replyValueCodec(inner: ValueCodec): ValueCodec {
  return valueCodec(inner, true);
}

function valueCodec(inner: ValueCodec, viewsReplies: boolean): ValueCodec {
  const packsStrings = inner === msgpackCodec;
  return Object.freeze({
    name: `redis+${inner.name}`,
    keeps: inner.keeps,
    encode(value: unknown): Encoded {
      if (typeof value === 'number' && Number.isSafeInteger(value) && !Object.is(value, -0)) {
        return Buffer.from(String(value), 'latin1');
      }
      // A lone surrogate goes to msgpack's codec, which rejects it.
      if (
        packsStrings &&
        typeof value === 'string' &&
        value.length >= LONG_VALUE &&
        value.isWellFormed()
      ) {
        return packLongString(value);
      }
      if (
        packsStrings &&
        value instanceof Buffer &&
        value.constructor === Buffer &&
        value.length >= LONG_VALUE
      ) {
        return packLongBuffer(value);
      }
      const encoded = inner.encode(value);
      const bytes = typeof encoded === 'string' ? Buffer.from(encoded, 'utf8') : toBuffer(encoded);
      // Room for the version header in front: the store writes it there, without a copy.
      const marked = allocWithRoom(bytes.length + 1, roomFor(bytes.length + 1));
      marked[0] = VALUE_MARKER;
      bytes.copy(marked, 1);
      return marked;
    },
    decode(encoded: Encoded): unknown {
      const bytes = typeof encoded === 'string' ? Buffer.from(encoded, 'utf8') : toBuffer(encoded);
      if (bytes[0] === VALUE_MARKER) {
        const long = packsStrings
          ? (unpackLongString(bytes) ?? unpackLongBuffer(bytes, viewsReplies))
          : undefined;
        return long ?? inner.decode(bytes.subarray(1));
      }
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

/**
 * How many bytes of a value encoded by {@link redisValueCodec} over `inner` count against
 * `maxValueBytes`: those of `inner`'s encoding, as on every other transport. The value
 * marker is the store's own byte, like the version header; a safe integer, stored as its
 * decimal text, counts as `inner` encodes the number.
 *
 * @param inner - the codec of non-integer values (msgpack or JSON).
 */
export function innerValueBytes(inner: ValueCodec): (encoded: Encoded) => number {
  return (encoded) => {
    const bytes = typeof encoded === 'string' ? Buffer.from(encoded, 'utf8') : toBuffer(encoded);
    if (bytes[0] === VALUE_MARKER) return bytes.length - 1;
    return encodedSize(inner.encode(Number(bytes.toString('latin1'))));
  };
}
