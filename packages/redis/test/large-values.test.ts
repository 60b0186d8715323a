/**
 * Large values leave differently from small ones: a long string, a large Buffer or any value
 * encoded to 1 KiB or more is encoded into a buffer with room around it, its `SET` goes out as
 * a ready-made frame (no copy by ioredis) whose memory is reused once Redis answered it, and a
 * large `set` is never merged into an `MSET` (nor a `get` into an `MGET` once the values
 * read lately are large). These tests check the bytes of a frame and
 * that, on a real server, a batch mixing large and small calls keeps its order and every
 * value.
 */
import { msgpackCodec } from '@statewire/core/msgpack';
import { Command, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { takeAllocation } from '../src/allocation-pool.js';
import { redisValueCodec } from '../src/index.js';
import { MERGE_MAX_VALUE_BYTES, ReadSizes } from '../src/merge-policy.js';
import { SET_FRAME_BEFORE, setFrame } from '../src/set-frame.js';
import { VersionGenerator } from '../src/version-generator.js';
import { payloadOf, versionedValue, versionOf } from '../src/versioned-value.js';
import { rejection, standaloneStore, uniqueNamespace } from './support/stores.js';

const codec = redisValueCodec(msgpackCodec);
const versions = new VersionGenerator();

function storedLongString(value: string): Buffer {
  return versionedValue(versions.next(), codec.encode(value));
}

describe('setFrame()', () => {
  it('writes the bytes ioredis writes for the same SET, around the stored value', () => {
    for (const key of ['k', 'statewire:3:abc:clé', 'x'.repeat(200)]) {
      for (const ttl of [0, 1, 60_000, 2 ** 40]) {
        const stored = storedLongString('v'.repeat(70_000));
        const args = ttl > 0 ? [key, stored, 'PX', String(ttl)] : [key, stored];
        const expected = new Command('set', args).toWritable({});
        const frame = setFrame(key, stored, ttl) as Buffer;
        expect(Buffer.compare(frame, expected as Buffer)).toBe(0);
        expect(frame.buffer).toBe(stored.buffer);
      }
    }
  });

  it('gives up, for the ordinary path, without room, once the room is spent, or for a long key', () => {
    const small = versionedValue(versions.next(), codec.encode({ a: 1 }));
    expect(setFrame('k', small, 0)).toBeUndefined();
    const stored = storedLongString('v'.repeat(2000));
    expect(setFrame('k', stored, 0)).toBeDefined();
    expect(setFrame('k', stored, 0)).toBeUndefined();
    const other = storedLongString('w'.repeat(2000));
    expect(setFrame('k'.repeat(SET_FRAME_BEFORE), other, 0)).toBeUndefined();
    // Giving up leaves the stored bytes as they were.
    expect(codec.decode(payloadOf(other))).toBe('w'.repeat(2000));
    expect(versionOf(other)).toHaveLength(20);
  });
});

describe('ReadSizes', () => {
  it('lets gets share an MGET while the values read lately are small', () => {
    const reads = new ReadSizes();
    expect(reads.small).toBe(true);
    for (let i = 0; i < 40; i++) reads.record(65_536);
    expect(reads.small).toBe(false);
    for (let i = 0; i < 100; i++) reads.record(100);
    expect(reads.small).toBe(true);
    // Misses count as empty values.
    for (let i = 0; i < 40; i++) reads.record(MERGE_MAX_VALUE_BYTES * 4);
    for (let i = 0; i < 100; i++) reads.record(0);
    expect(reads.small).toBe(true);
  });
});

let raw: Redis;
beforeAll(() => {
  raw = new Redis(inject('redisUrl'));
});
afterAll(() => raw.disconnect());

describe('redis: large and small values in one batch', () => {
  it('keep the order issued and every value, ttl and long keys included', async () => {
    const namespace = uniqueNamespace();
    const store = standaloneStore({ namespace });
    const big = (tag: string) => `${tag}${'x'.repeat(70_000)}é`;
    const bigBuffer = Buffer.alloc(70_000, 'z');
    const bigObject = { list: Array.from({ length: 500 }, (_, i) => `item ${i}`) };
    const longKey = 'k'.repeat(300);
    // The first call is in flight: the others wait and leave together in one batch.
    const first = store.set('a', 0);
    const calls = [
      store.set('a', 1),
      store.set('b', big('b1')),
      store.set('a', 2),
      store.get('a'),
      store.get('b'),
      store.set('b', big('b2')),
      store.set('c', { small: true }),
      store.get('b'),
      store.set('d', big('d'), { ttl: 60_000 }),
      store.set(longKey, big('long')),
      store.set('a', 3),
      store.get('a'),
      store.set('e', bigBuffer),
      store.set('f', bigObject),
    ];
    await first;
    const results = await Promise.all(calls);
    expect(results[3]).toBe(2);
    expect(results[4]).toBe(big('b1'));
    expect(results[7]).toBe(big('b2'));
    expect(results[11]).toBe(3);
    expect(await store.getMany(['a', 'b', 'c', 'd', longKey, 'e', 'f'])).toStrictEqual([
      3,
      big('b2'),
      { small: true },
      big('d'),
      big('long'),
      bigBuffer,
      bigObject,
    ]);
    expect(await store.get('e')).toStrictEqual(bigBuffer);
    const ttl = await raw.pttl(`statewire:${namespace.length}:${namespace}:d`);
    expect(ttl).toBeGreaterThan(0);
  });

  it('gets after large reads leave as separate GETs, in order with the sets around them', async () => {
    const store = standaloneStore();
    await store.set('big', 'q'.repeat(50_000));
    // The store's estimate of the values read is now large.
    for (let i = 0; i < 40; i++) expect(await store.get('big')).toHaveLength(50_000);
    const first = store.get('big');
    const calls = [
      store.get('s'),
      store.set('s', 1),
      store.get('s'),
      store.set('big', 'small now'),
      store.get('big'),
      store.get('s'),
    ];
    await first;
    expect(await Promise.all(calls)).toStrictEqual([
      undefined,
      undefined,
      1,
      undefined,
      'small now',
      1,
    ]);
  });

  it('a large value read back through getEntry() keeps the version its write got', async () => {
    const store = standaloneStore();
    const value = 'y'.repeat(100_000);
    await store.set('k', value);
    const entry = await store.getEntry('k');
    expect(entry?.value).toBe(value);
    await store.set('k', value, { ifVersion: entry?.version });
    const next = await store.getEntry('k');
    expect(next?.value).toBe(value);
    expect(next?.version).not.toBe(entry?.version);
  });
});

// The keys whose value read back differs from the one expected (compared as bytes or text:
// a deep equality of hundreds of 70 KB values would take a minute).
function mismatches(keys: string[], values: unknown[], expected: unknown[]): string[] {
  return keys.filter((_, i) => {
    const value = values[i];
    const wanted = expected[i];
    if (Buffer.isBuffer(wanted)) return !(Buffer.isBuffer(value) && value.equals(wanted));
    return value !== wanted;
  });
}

// Whether a newly taken allocation of `bytes` bytes is one a SET of `marker` used.
function reusesSetOf(marker: string, bytes: number): boolean {
  const memory = Buffer.from(takeAllocation(bytes).buffer);
  return memory.includes(`\r\nset\r\n`) && memory.includes(marker);
}

describe('redis: the memory of a large SET', () => {
  it('serves the next large write once Redis has answered the SET', async () => {
    const store = standaloneStore();
    // 100,000 characters: a 128 KiB allocation, a size class no other test here uses.
    const value = `answered${'a'.repeat(100_000)}`;
    await store.set('k', value);
    expect(reusesSetOf('answered', 100_000)).toBe(true);
    const buffer = Buffer.alloc(100_000, 'b');
    await store.set('k', buffer);
    expect(reusesSetOf('bbbbbbbb', 100_000)).toBe(true);
    expect(await store.get('k')).toStrictEqual(buffer);
  });

  it('is reused only once answered: large sets issued while others are still being written keep their bytes', async () => {
    const store = standaloneStore();
    const text = (i: number) => `${i}:${String.fromCharCode(97 + (i % 26)).repeat(70_000)}`;
    const bytes = (i: number) => Buffer.alloc(70_000 + (i % 7) * 1000, i % 251);
    const writes: Promise<unknown>[] = [];
    const keys: string[] = [];
    const expected: unknown[] = [];
    for (let wave = 0; wave < 4; wave++) {
      // A wave's 8 MiB leave in one flush and back up in the socket; the next wave is issued
      // (and encoded, into memory from the pool) while they are still being written.
      for (let i = 0; i < 60; i++) {
        const n = wave * 60 + i;
        writes.push(store.set(`t${n}`, text(n)), store.set(`b${n}`, bytes(n)));
        keys.push(`t${n}`, `b${n}`);
        expected.push(text(n), bytes(n));
      }
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(writes);
    expect(mismatches(keys, await store.getMany(keys), expected)).toStrictEqual([]);
    // And once more, now that the pool holds the memory of all of them.
    const rotated = keys.map((_, i) => expected[(i + 2) % keys.length]);
    await Promise.all(keys.map((key, i) => store.set(key, rotated[i])));
    expect(mismatches(keys, await store.getMany(keys), rotated)).toStrictEqual([]);
  });

  it('is never reused when the SET failed: it may still be queued or written', async () => {
    const user = `limited-${uniqueNamespace()}`;
    await raw.call('acl', 'setuser', user, 'on', '>secret', '~*', '+@all', '-set');
    try {
      const url = new URL(inject('redisUrl'));
      url.username = user;
      url.password = 'secret';
      const store = standaloneStore({ url: url.toString() });
      // 300,000 characters: a 512 KiB allocation, a size class no other test here uses.
      const value = `refused${'r'.repeat(300_000)}`;
      await rejection(store.set('k', value), 'NOPERM');
      expect(reusesSetOf('refused', 300_000)).toBe(false);
    } finally {
      await raw.call('acl', 'deluser', user);
    }
  });
});
