import { jsonCodec, StateError } from '@statewire/core';
import { msgpackCodec } from '@statewire/core/msgpack';
import { describe, expect, it } from 'vitest';
import { redisValueCodec, VALUE_MARKER } from '../src/index.js';
import { replyValueCodec } from '../src/redis-value-codec.js';

const codec = redisValueCodec(msgpackCodec);
const json = redisValueCodec(jsonCodec);

function text(value: unknown): string {
  return Buffer.from(codec.encode(value) as Uint8Array).toString('latin1');
}

describe('redisValueCodec()', () => {
  it('encode() stores a safe integer as its plain decimal string', () => {
    expect(text(0)).toBe('0');
    expect(text(-7)).toBe('-7');
    expect(text(Number.MAX_SAFE_INTEGER)).toBe('9007199254740991');
    expect(text(Number.MIN_SAFE_INTEGER)).toBe('-9007199254740991');
  });

  it('encode() marks everything else, -0 and unsafe integers included', () => {
    for (const value of [1.5, 2 ** 60, 'text', '42', null, true, { a: 1 }, Buffer.from('x')]) {
      expect((codec.encode(value) as Uint8Array)[0]).toBe(VALUE_MARKER);
    }
    // -0 goes to the codec, which rejects it rather than storing 0.
    expect(() => codec.encode(-0)).toThrow(StateError);
    expect(() => json.encode(-0)).toThrow(StateError);
  });

  it('decode() inverts encode() with the same types', () => {
    for (const value of [0, 42, -42, 1.5, 'x', '42', null, [1, 'a'], new Map([[1, 2]]), 10n]) {
      expect(codec.decode(codec.encode(value))).toStrictEqual(value);
    }
    for (const value of [0, 42, 'x', '42', null, { a: [1] }]) {
      expect(json.decode(json.encode(value))).toStrictEqual(value);
    }
  });

  it('decode() reads what INCRBY writes', () => {
    expect(codec.decode(Buffer.from('123'))).toBe(123);
    expect(codec.decode(Buffer.from('-5'))).toBe(-5);
  });

  it('decode() refuses values statewire never writes, with PROTOCOL', () => {
    for (const raw of [
      '',
      'hello',
      '007',
      '-0',
      '1e3',
      '1.5',
      ' 1',
      '9007199254740993',
      '1'.repeat(40),
    ]) {
      let error: unknown;
      try {
        codec.decode(Buffer.from(raw, 'latin1'));
      } catch (caught) {
        error = caught;
      }
      expect(StateError.is(error, 'PROTOCOL'), raw).toBe(true);
    }
  });

  it('the marker byte is never the first byte of a decimal, msgpack or UTF-8 JSON', () => {
    expect('-0123456789'.split('').map((c) => c.charCodeAt(0))).not.toContain(VALUE_MARKER);
    expect(Buffer.from('\u00c1', 'utf8')[0]).not.toBe(VALUE_MARKER);
  });

  it('encode() of a long string writes the bytes msgpack writes for it, behind the marker', () => {
    const strings = [
      'a'.repeat(1024),
      'é'.repeat(1024),
      'x'.repeat(65_535),
      'x'.repeat(65_536),
      '\u{1F600}'.repeat(20_000),
      `${'x'.repeat(65_520)}0123456789abcdef`,
    ];
    for (const value of strings) {
      const encoded = Buffer.from(codec.encode(value) as Uint8Array);
      const expected = Buffer.concat([
        Buffer.of(VALUE_MARKER),
        msgpackCodec.encode(value) as Uint8Array,
      ]);
      expect(encoded.equals(expected), `${value.length} characters`).toBe(true);
      expect(codec.decode(encoded)).toBe(value);
    }
  });

  it('encode() of a long string with a lone surrogate rejects it, with INVALID_VALUE', () => {
    expect(() => codec.encode(`${'x'.repeat(2000)}\ud800`)).toThrow(
      expect.objectContaining({ code: 'INVALID_VALUE' }),
    );
  });

  it('decode() reads a long string msgpack wrote in any str form, and leaves the rest to it', () => {
    const value = 'y'.repeat(3000);
    const str8 = Buffer.concat([Buffer.of(VALUE_MARKER, 0xd9, 5), Buffer.from('hello')]);
    const str32 = Buffer.alloc(6 + value.length);
    str32[0] = VALUE_MARKER;
    str32[1] = 0xdb;
    str32.writeUInt32BE(value.length, 2);
    str32.write(value, 6, 'latin1');
    expect(codec.decode(str8)).toBe('hello');
    expect(codec.decode(str32)).toBe(value);
    // A long string inside an array is msgpack's to decode.
    expect(codec.decode(codec.encode([value]))).toStrictEqual([value]);
  });

  it('encode() of a large Buffer writes the bytes msgpack writes for it, behind the marker', () => {
    for (const size of [1024, 65_535, 65_536, 100_000]) {
      const value = Buffer.alloc(size, size % 251);
      const encoded = Buffer.from(codec.encode(value) as Uint8Array);
      const expected = Buffer.concat([
        Buffer.of(VALUE_MARKER),
        msgpackCodec.encode(value) as Uint8Array,
      ]);
      expect(encoded.equals(expected), `${size} bytes`).toBe(true);
      expect(codec.decode(encoded)).toStrictEqual(value);
    }
    // Other binary types keep theirs, through msgpack.
    const bytes = new Uint8Array(5000).fill(3);
    expect(codec.decode(codec.encode(bytes))).toStrictEqual(bytes);
    expect(codec.decode(codec.encode([Buffer.alloc(4000)]))).toStrictEqual([Buffer.alloc(4000)]);
  });

  it('decode() of a large Buffer gives a copy; the store decodes its own replies in place', () => {
    const value = Buffer.alloc(70_000, 9);
    const encoded = Buffer.from(codec.encode(value) as Uint8Array);
    const copy = codec.decode(encoded) as Buffer;
    expect(copy.buffer).not.toBe(encoded.buffer);
    const replies = replyValueCodec(msgpackCodec);
    const view = replies.decode(encoded) as Buffer;
    expect(view).toStrictEqual(value);
    expect(view.buffer).toBe(encoded.buffer);
    // Bytes that are a small part of a larger allocation are copied: a view would keep the
    // whole allocation alive.
    const inside = Buffer.concat([encoded, Buffer.alloc(200_000)]).subarray(0, encoded.length);
    const small = replies.decode(inside) as Buffer;
    expect(small).toStrictEqual(value);
    expect(small.buffer).not.toBe(inside.buffer);
  });

  it('encode() of a long string through JSON stays JSON text', () => {
    const value = 'z'.repeat(2000);
    const encoded = Buffer.from(json.encode(value) as Uint8Array);
    expect(encoded.subarray(1).toString('utf8')).toBe(JSON.stringify(value));
    expect(json.decode(encoded)).toBe(value);
  });

  it('keeps the inner codec capabilities and names itself after it', () => {
    expect(codec.keeps).toEqual({ binary: true, structured: true });
    expect(json.keeps).toEqual({ binary: false, structured: false });
    expect(codec.name).toBe('redis+msgpack');
  });
});
