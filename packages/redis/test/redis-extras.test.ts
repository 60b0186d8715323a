import { describeConformance } from '@statewire/conformance';
import { createMemoryStore, jsonCodec, StateError } from '@statewire/core';
import { msgpackCodec } from '@statewire/core/msgpack';

import { Cluster, Redis } from 'ioredis';
import { describe, expect, inject, it, vi } from 'vitest';
import { createRedisStore, safeClusterOptions, safeRedisOptions } from '../src/index.js';
import { msgpackCapabilities, rejection, standaloneStore } from './support/stores.js';

const MiB = 1024 * 1024;

// What conformance.test.ts runs on stores over a client the store made, here on stores over a
// client the application made and passed in: they must not differ. The same manifest and
// large values as the msgpack stores there.
describeConformance(
  'redis standalone (injected client)',
  ({ namespace }) =>
    createRedisStore({
      client: new Redis(inject('redisUrl'), { ...safeRedisOptions }),
      closeClient: true,
      namespace,
    }),
  msgpackCapabilities,
  { largeValueBytes: [MiB, 16 * MiB] },
);

describeConformance(
  'redis Cluster (3 masters, injected client)',
  ({ namespace }) =>
    createRedisStore({
      client: new Cluster(inject('clusterNodes'), { ...safeClusterOptions }),
      closeClient: true,
      namespace,
    }),
  msgpackCapabilities,
  { largeValueBytes: [MiB, 16 * MiB] },
);

// What only the Redis store does: it keeps a safe integer as its plain decimal string (so
// that INCRBY works on it) and marks every other value with a leading marker byte.
describe('redis: values that look like its layout', () => {
  for (const [name, codec] of [
    ['msgpack', undefined],
    ['jsonCodec', jsonCodec],
  ] as const) {
    it(`set() of strings that look like stored integers or the marker reads back strings (${name})`, async () => {
      const store = standaloneStore(codec ? { codec } : {});
      const texts = ['42', '-7', '0', '007', '9007199254740993', '\u00c1', '\u00c1x'];
      for (const [i, text] of texts.entries()) await store.set(`k${i}`, text);
      expect(await store.getMany(texts.map((_, i) => `k${i}`))).toStrictEqual(texts);
    });
  }

  it('set() of Buffers that start with or hold the marker byte round-trips byte-exact', async () => {
    const store = standaloneStore();
    const buffers = [Buffer.from([0xc1]), Buffer.from([0xc1, 0x31]), Buffer.from([0, 0xc1, 255])];
    for (const [i, buffer] of buffers.entries()) await store.set(`b${i}`, buffer);
    expect(await store.getMany(buffers.map((_, i) => `b${i}`))).toStrictEqual(buffers);
  });

  it('set() of a string with a lone surrogate keeps it with jsonCodec and rejects it with msgpack', async () => {
    const text = 'a\ud800b';
    const json = standaloneStore({ codec: jsonCodec });
    await json.set('k', text);
    expect(await json.get('k')).toBe(text);
    const msgpack = standaloneStore();
    await rejection(msgpack.set('k', text), 'INVALID_VALUE');
    expect(await msgpack.has('k')).toBe(false);
  });
});

describe('redis: close()', () => {
  it('close() rejects the calls of its tick CLOSED, unsent, and leaves nothing pending', async () => {
    const store = standaloneStore();
    await store.set('k', 1);
    const pending = [store.get('k'), store.set('k', 2), store.increment('n')].map((call) =>
      rejection(call, 'CLOSED'),
    );
    await store.close();
    await store.close();
    const errors = await Promise.all(pending);
    expect(errors[1]?.maybeApplied, 'the set() was never sent').toBe(false);
    await rejection(store.get('k'), 'CLOSED');
    expect(store.stats().pending).toBe(0);
  });
});

describe('redis: scan() cursors', () => {
  it("a cursor of another store, or of another prefix, rejects INVALID_VALUE instead of being read as a position in this store's scan", async () => {
    const a = standaloneStore();
    const b = standaloneStore();
    await a.setMany(Array.from({ length: 300 }, (_, i) => ({ key: `k${i}`, value: i })));
    await b.setMany(Array.from({ length: 300 }, (_, i) => ({ key: `k${i}`, value: i })));
    const { cursor } = await a.scan('', { count: 10 });
    expect(cursor).toBeTypeOf('string');
    await rejection(b.scan('', { cursor: cursor as string, count: 10 }), 'INVALID_VALUE');
    await rejection(a.scan('k1', { cursor: cursor as string, count: 10 }), 'INVALID_VALUE');
    // Its own store and prefix read it, and the scan goes on to the end.
    const seen = new Set<string>();
    let next: string | undefined = cursor as string;
    while (next !== undefined) {
      const page = await a.scan('', { cursor: next, count: 50 });
      for (const key of page.keys) seen.add(key);
      next = page.cursor;
    }
    expect(seen.size).toBeGreaterThan(250);
  });
});

describe('redis: keys() and maxReplyBytes', () => {
  it('measures the answer as every transport does: exactly maxReplyBytes fits, one byte more is TOO_LARGE', async () => {
    // 100 keys of 10 characters: 8 bytes for the list and 1000 for the keys (wireBytes).
    const keys = Array.from({ length: 100 }, (_, i) => `key-${String(i).padStart(6, '0')}`);
    const fits = standaloneStore({ maxValueBytes: 100, maxReplyBytes: 1008 });
    const over = standaloneStore({ maxValueBytes: 100, maxReplyBytes: 1007 });
    for (const store of [fits, over]) await store.setMany(keys.map((key) => ({ key, value: 1 })));
    expect((await fits.keys()).sort()).toEqual(keys);
    await rejection(over.keys(), 'TOO_LARGE');
  });

  it('stops walking the keyspace once the keys found are over the limit', async () => {
    const store = standaloneStore({ maxReplyBytes: 4096, scanCount: 100 });
    const keys = Array.from(
      { length: 20_000 },
      (_, i) => `a-key-of-thirty-characters-${String(i).padStart(5, '0')}`,
    );
    for (let i = 0; i < keys.length; i += 1000) {
      await store.setMany(keys.slice(i, i + 1000).map((key) => ({ key, value: 0 })));
    }
    const call = vi.spyOn(store.client, 'call');
    await rejection(store.keys(), 'TOO_LARGE');
    const scans = call.mock.calls.filter(([command]) => command === 'scan').length;
    // ~130 keys fit in 4 KiB, a handful of SCANs of 100; the whole keyspace takes ~200.
    expect(scans).toBeGreaterThan(0);
    expect(scans).toBeLessThan(20);
    call.mockRestore();
    // The store keeps working, and the keys are all there to scan().
    let listed = 0;
    for await (const _ of store.scanIterator('', { count: 1000 })) listed++;
    expect(listed).toBe(keys.length);
  });
});

describe('redis: scan() pages and maxReplyBytes', () => {
  it('pages stay under the limit, counted as every transport counts them, and hold every key', async () => {
    const store = standaloneStore({ maxValueBytes: 32 * 1024, maxReplyBytes: 64 * 1024 });
    const keys = Array.from(
      { length: 100 },
      (_, i) => `${String(i).padStart(4, '0')}${'k'.repeat(996)}`,
    );
    await store.setMany(keys.map((key, i) => ({ key, value: i })));
    // At the default count (256), and with one SCAN asked for every key at once.
    for (const count of [undefined, 100]) {
      const seen = new Set<string>();
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.scan('', count === undefined ? { cursor } : { cursor, count });
        expect(page.keys.reduce((sum, key) => sum + key.length, 0)).toBeLessThanOrEqual(64 * 1024);
        for (const key of page.keys) seen.add(key);
        cursor = page.cursor;
        pages++;
      } while (cursor !== undefined);
      expect([...seen].sort()).toEqual(keys);
      expect(pages).toBeGreaterThan(1);
    }
  });
});

describe('redis: maxValueBytes counts the codec bytes, as on every transport', () => {
  // What each call does with these values on a memory store with the same limit and codec,
  // which counts the codec's bytes exactly: the Redis store must agree at the boundary.
  const outcome = (promise: Promise<unknown>) =>
    promise.then(
      () => 'ok',
      (error: unknown) => (StateError.is(error) ? error.code : String(error)),
    );
  for (const [name, codec] of [
    ['msgpack', msgpackCodec],
    ['jsonCodec', jsonCodec],
  ] as const) {
    it(`values of exactly maxValueBytes are stored, one byte more is TOO_LARGE (${name})`, async () => {
      const limit = 1000;
      const redis = standaloneStore({ maxValueBytes: limit, codec });
      const memory = createMemoryStore({ maxValueBytes: limit, codec });
      // Each at, then just over, the limit in the codec's own bytes.
      const cases: [string, unknown][] =
        name === 'msgpack'
          ? [
              ['997 characters (str 16)', 'x'.repeat(997)],
              ['998 characters', 'x'.repeat(998)],
              ['997-byte Buffer (bin 16)', Buffer.alloc(997, 7)],
              ['998-byte Buffer', Buffer.alloc(998, 7)],
              ['an object', { text: 'y'.repeat(990) }],
            ]
          : [
              ['499 × é (1000 bytes of JSON)', 'é'.repeat(499)],
              ['500 × é', 'é'.repeat(500)],
              ['998 characters (1000 bytes of JSON)', 'x'.repeat(998)],
              ['999 characters', 'x'.repeat(999)],
            ];
      for (const [label, value] of cases) {
        const expected = await outcome(memory.set('k', value));
        expect([label, await outcome(redis.set('k', value))]).toEqual([label, expected]);
        expect([label, await outcome(redis.atomic().set('k', value).commit())]).toEqual([
          label,
          await outcome(memory.atomic().set('k', value).commit()),
        ]);
        if (expected === 'ok') expect(await redis.get('k')).toStrictEqual(value);
      }
      expect(cases.map(([, value]) => value).length).toBeGreaterThan(0);
      await memory.close();
    });
  }

  it('setMany() totals the codec bytes: two values of half the limit fit', async () => {
    const redis = standaloneStore({ maxValueBytes: 1000 });
    // 497 characters are 500 bytes of msgpack (str 16): 1000 together.
    const half = 'x'.repeat(497);
    await redis.setMany([
      { key: 'a', value: half },
      { key: 'b', value: half },
    ]);
    expect(await redis.getMany(['a', 'b'])).toEqual([half, half]);
    await rejection(
      redis.setMany([
        { key: 'a', value: half },
        { key: 'b', value: `${half}x` },
      ]),
      'TOO_LARGE',
    );
  });

  it('a safe integer counts as its codec encodes it, not as the decimal text Redis keeps', async () => {
    // msgpack encodes 100000 in 5 bytes; its decimal text is 6.
    const redis = standaloneStore({ maxValueBytes: 5 });
    await redis.set('n', 100_000);
    expect(await redis.get('n')).toBe(100_000);
    await rejection(redis.set('n', 2 ** 40), 'TOO_LARGE');
  });
});
