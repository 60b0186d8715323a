import { describeConformance } from '@statewire/conformance';
import { jsonCodec } from '@statewire/core';

import { Cluster, Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
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
