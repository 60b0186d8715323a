import { jsonCodec, StateError } from '@statewire/core';
import { msgpackCodec } from '@statewire/core/msgpack';
import { describe, expect, it } from 'vitest';
import { redisValueCodec, VALUE_MARKER } from '../src/index.js';

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

  it('keeps the inner codec capabilities and names itself after it', () => {
    expect(codec.keeps).toEqual({ binary: true, structured: true });
    expect(json.keeps).toEqual({ binary: false, structured: false });
    expect(codec.name).toBe('redis+msgpack');
  });
});
