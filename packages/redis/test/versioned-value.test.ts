import { msgpackCodec } from '@statewire/core/msgpack';
import { describe, expect, it } from 'vitest';
import { redisValueCodec, VALUE_MARKER } from '../src/redis-value-codec.js';
import { COUNTER_LIMIT, VersionGenerator } from '../src/version-generator.js';
import {
  payloadOf,
  UNVERSIONED,
  VERSION_HEADER_BYTES,
  VERSION_LENGTH,
  VERSION_MARKER,
  versionedValue,
  versionOf,
} from '../src/versioned-value.js';

const codec = redisValueCodec(msgpackCodec);

describe('versioned value layout', () => {
  it('versionedValue() writes the marker, the version and the payload', () => {
    const version = new VersionGenerator().next();
    const stored = versionedValue(version, Buffer.from('42'));
    expect(stored[0]).toBe(VERSION_MARKER);
    expect(stored.length).toBe(VERSION_HEADER_BYTES + 2);
    expect(stored.toString('latin1', 1, VERSION_HEADER_BYTES)).toBe(version);
    expect(stored.toString('latin1', VERSION_HEADER_BYTES)).toBe('42');
    expect(versionedValue(version, 'é').subarray(VERSION_HEADER_BYTES)).toEqual(
      Buffer.from('é', 'utf8'),
    );
  });

  it('payloadOf() and versionOf() invert versionedValue() for every kind of value', () => {
    const versions = new VersionGenerator();
    for (const value of [0, -7, Number.MAX_SAFE_INTEGER, 1.5, 'text', null, { a: [1] }]) {
      const version = versions.next();
      const stored = versionedValue(version, codec.encode(value));
      expect(versionOf(stored)).toBe(version);
      expect(codec.decode(payloadOf(stored))).toStrictEqual(value);
    }
  });

  it('payloadOf() is a view of the stored bytes, not a copy', () => {
    const stored = versionedValue(new VersionGenerator().next(), codec.encode('x'.repeat(1000)));
    const payload = payloadOf(stored);
    expect(payload.buffer).toBe(stored.buffer);
    expect(payload.byteOffset).toBe(stored.byteOffset + VERSION_HEADER_BYTES);
  });

  it('versionedValue() writes the header into the room in front of an encoded value, once', () => {
    const versions = new VersionGenerator();
    for (const value of [{ a: 1 }, 'x'.repeat(5000)]) {
      const payload = codec.encode(value) as Buffer;
      const first = versions.next();
      const stored = versionedValue(first, payload);
      // No copy: the header went in front of the payload, in the same memory.
      expect(stored.buffer).toBe(payload.buffer);
      expect(stored.byteOffset).toBe(payload.byteOffset - VERSION_HEADER_BYTES);
      expect(versionOf(stored)).toBe(first);
      // The room is spent: a second write of the same payload copies it, and leaves the
      // first write's bytes as they were.
      const second = versions.next();
      const again = versionedValue(second, payload);
      expect(again.buffer === stored.buffer && again.byteOffset === stored.byteOffset).toBe(false);
      expect(versionOf(again)).toBe(second);
      expect(versionOf(stored)).toBe(first);
      expect(codec.decode(payloadOf(stored))).toStrictEqual(value);
      expect(codec.decode(payloadOf(again))).toStrictEqual(value);
    }
  });

  it('values of the previous release read unchanged, with the UNVERSIONED version', () => {
    for (const value of [42, -1, 'text', { a: 1 }, Buffer.from([0xc2, 1])]) {
      const old = Buffer.from(codec.encode(value) as Uint8Array);
      expect(versionOf(old)).toBe(UNVERSIONED);
      expect(payloadOf(old)).toBe(old);
      expect(codec.decode(payloadOf(old))).toStrictEqual(value);
    }
    // A value shorter than a header is never read as versioned, even with the marker.
    const short = Buffer.from([VERSION_MARKER, 0x31]);
    expect(versionOf(short)).toBe(UNVERSIONED);
    expect(payloadOf(short)).toBe(short);
  });

  it('the marker is neither a digit, "-" nor the value marker of the previous release', () => {
    expect('-0123456789'.split('').map((c) => c.charCodeAt(0))).not.toContain(VERSION_MARKER);
    expect(VERSION_MARKER).not.toBe(VALUE_MARKER);
  });
});

describe('VersionGenerator', () => {
  it('next() makes fixed-length ASCII versions, 10,000 of them distinct', () => {
    const versions = new VersionGenerator();
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const version = versions.next();
      expect(version).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(version.length).toBe(VERSION_LENGTH);
      seen.add(version);
    }
    expect(seen.size).toBe(10_000);
    expect(seen.has(UNVERSIONED)).toBe(false);
  });

  it('next() of two generators never collide (a new random part each)', () => {
    const one = new VersionGenerator();
    const two = new VersionGenerator();
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      seen.add(one.next());
      seen.add(two.next());
    }
    expect(seen.size).toBe(2000);
  });

  it('next() draws a new random part when the counter wraps', () => {
    const versions = new VersionGenerator(COUNTER_LIMIT - 2);
    const [a, b, c, d] = [versions.next(), versions.next(), versions.next(), versions.next()];
    expect(a?.slice(0, 12)).toBe(b?.slice(0, 12));
    expect(b?.slice(12)).toBe('zzzzzzzz');
    expect(c?.slice(0, 12)).not.toBe(b?.slice(0, 12));
    expect(c?.slice(12)).toBe('00000000');
    expect(d?.slice(12)).toBe('00000001');
    expect(new Set([a, b, c, d]).size).toBe(4);
  });
});
