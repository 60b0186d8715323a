import { type Encoded, ErrorCode, StateError, type ValueCodec } from '@statewire/core';
import { msgpackCodec } from '@statewire/core/msgpack';
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

/**
 * `value` (well-formed, at least {@link LONG_VALUE} characters) as the byte
 * {@link VALUE_MARKER} and the msgpack `str` msgpackr writes for it (`str 16` or `str 32`,
 * then the UTF-8 bytes), written at once into a buffer with room for the version header and
 * a `SET` command's framing around it (`set-frame.ts`). For a 64 KiB string this replaces
 * msgpackr's write into a fresh buffer three times the string's size, the copy of those
 * bytes behind the marker, and ioredis's copy of the whole command.
 */
function packLongString(value: string): Buffer {
  const size = Buffer.byteLength(value, 'utf8');
  const head = size <= 0xffff ? 3 : 5;
  const packed = allocWithRoom(1 + head + size, FRAME_ROOM);
  packed[0] = VALUE_MARKER;
  if (head === 3) {
    packed[1] = 0xda;
    packed.writeUInt16BE(size, 2);
  } else {
    packed[1] = 0xdb;
    packed.writeUInt32BE(size, 2);
  }
  packed.write(value, 1 + head, size, 'utf8');
  return packed;
}

/**
 * The string in `bytes` when they hold exactly {@link VALUE_MARKER} and one msgpack
 * `str 16` or `str 32` of at least {@link LONG_VALUE} bytes (what {@link packLongString}
 * writes), decoded from UTF-8 by Node at once; otherwise `undefined`, and msgpack decodes
 * them.
 */
function unpackLongString(bytes: Buffer): string | undefined {
  const type = bytes[1];
  if (
    type === 0xda &&
    bytes.length >= 3 + LONG_VALUE &&
    bytes.readUInt16BE(2) === bytes.length - 4
  ) {
    return bytes.toString('utf8', 4);
  }
  if (
    type === 0xdb &&
    bytes.length >= 6 + LONG_VALUE &&
    bytes.readUInt32BE(2) === bytes.length - 6
  ) {
    return bytes.toString('utf8', 6);
  }
  return undefined;
}

/**
 * `value` (a plain Buffer of at least {@link LONG_VALUE} bytes) as the byte
 * {@link VALUE_MARKER} and the msgpack `bin 16` or `bin 32` msgpackr writes for it, copied
 * once into a buffer with room for the version header and a `SET` command's framing.
 */
function packLongBuffer(value: Buffer): Buffer {
  const size = value.length;
  const head = size <= 0xffff ? 3 : 5;
  const packed = allocWithRoom(1 + head + size, FRAME_ROOM);
  packed[0] = VALUE_MARKER;
  if (head === 3) {
    packed[1] = 0xc5;
    packed.writeUInt16BE(size, 2);
  } else {
    packed[1] = 0xc6;
    packed.writeUInt32BE(size, 2);
  }
  packed.set(value, 1 + head);
  return packed;
}

/**
 * The Buffer in `bytes` when they hold exactly {@link VALUE_MARKER} and one msgpack
 * `bin 16` or `bin 32` of at least {@link LONG_VALUE} bytes (what {@link packLongBuffer}
 * writes); otherwise `undefined`, and msgpack decodes them.
 *
 * The Buffer is a copy, unless `view` says the bytes are a reply ioredis read for this one
 * value and never reuses: then it is a view of them when they are most of their allocation
 * (a view of a small part would keep the rest of a larger read alive as long as the caller
 * keeps the value). A 64 KiB copy costs about as much as reading the reply.
 */
function unpackLongBuffer(bytes: Buffer, view: boolean): Buffer | undefined {
  const type = bytes[1];
  let start: number;
  if (
    type === 0xc5 &&
    bytes.length >= 3 + LONG_VALUE &&
    bytes.readUInt16BE(2) === bytes.length - 4
  ) {
    start = 4;
  } else if (
    type === 0xc6 &&
    bytes.length >= 6 + LONG_VALUE &&
    bytes.readUInt32BE(2) === bytes.length - 6
  ) {
    start = 6;
  } else {
    return undefined;
  }
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
