/**
 * What is specific to Redis: the key layout and value format as Redis sees them, interop
 * with raw commands, limits, and the client's life cycle.
 */

import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '@statewire/test-redis-server';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRedisStore, safeRedisOptions, VALUE_MARKER } from '../src/index.js';
import { VERSION_HEADER_BYTES, VERSION_MARKER } from '../src/versioned-value.js';
import { rejection, standaloneStore, track, uniqueNamespace } from './support/stores.js';

let raw: Redis;
beforeAll(() => {
  raw = new Redis(inject('redisUrl'), { lazyConnect: false });
});
afterAll(() => raw.disconnect());

describe('redis: layout and value format', () => {
  it('set() writes <prefix><namespace length>:<namespace>:<key>', async () => {
    const namespace = uniqueNamespace();
    const store = standaloneStore({ namespace });
    await store.set('k', 'v');
    const key = `statewire:${namespace.length}:${namespace}:k`;
    expect(await raw.exists(key)).toBe(1);
    const bytes = await raw.getBuffer(key);
    expect(bytes?.[0]).toBe(VERSION_MARKER);
    expect(bytes?.[VERSION_HEADER_BYTES]).toBe(VALUE_MARKER);
  });

  it('set() of a safe integer stores its decimal string behind the version header', async () => {
    const namespace = uniqueNamespace();
    const store = standaloneStore({ namespace, prefix: 'app:' });
    await store.set('n', 41);
    const key = `app:${namespace.length}:${namespace}:n`;
    const bytes = (await raw.getBuffer(key)) as Buffer;
    expect(bytes[0]).toBe(VERSION_MARKER);
    expect(bytes.toString('latin1', VERSION_HEADER_BYTES)).toBe('41');
    expect(await store.increment('n')).toBe(42);
    // A counter of the previous release (a bare decimal, which INCRBY may have changed)
    // still reads and increments.
    await raw.set(key, '41');
    await raw.incrby(key, 1);
    expect(await store.get('n')).toBe(42);
    expect(await store.increment('n')).toBe(43);
  });

  it('set() with ttl uses PX', async () => {
    const namespace = uniqueNamespace();
    const store = standaloneStore({ namespace });
    await store.set('t', 1, { ttl: 60_000 });
    const pttl = await raw.pttl(`statewire:${namespace.length}:${namespace}:t`);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(60_000);
  });

  it('increment() with ttl sets PEXPIRE only when it creates the key, in one script', async () => {
    const namespace = uniqueNamespace();
    const store = standaloneStore({ namespace });
    const key = (name: string): string => `statewire:${namespace.length}:${namespace}:${name}`;
    expect(await store.increment('new', 5, { ttl: 60_000 })).toBe(5);
    const pttl = await raw.pttl(key('new'));
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(60_000);
    // An existing key keeps its own expiry, or its lack of one.
    await store.set('old', 1);
    expect(await store.increment('old', 1, { ttl: 60_000 })).toBe(2);
    expect(await raw.pttl(key('old'))).toBe(-1);
    await raw.pexpire(key('new'), 500_000);
    expect(await store.increment('new', 1, { ttl: 60_000 })).toBe(6);
    expect(await raw.pttl(key('new'))).toBeGreaterThan(60_000);
  });

  it('get() of a value statewire did not write rejects PROTOCOL', async () => {
    const namespace = uniqueNamespace();
    const store = standaloneStore({ namespace });
    await raw.set(`statewire:${namespace.length}:${namespace}:foreign`, 'hello');
    await rejection(store.get('foreign'), 'PROTOCOL');
    await raw.hset(`statewire:${namespace.length}:${namespace}:hash`, 'f', 'v');
    await rejection(store.get('hash'), 'WRONG_TYPE');
    await rejection(store.increment('hash'), 'WRONG_TYPE');
  });

  it('a refused call in a batch fails alone; its neighbours apply in order', async () => {
    const namespace = uniqueNamespace();
    const store = standaloneStore({ namespace });
    await store.get('warm-up');
    await raw.hset(`statewire:${namespace.length}:${namespace}:hash`, 'f', 'v');
    const results = await Promise.allSettled([
      store.set('a', Buffer.from([0xc1, 0])),
      store.get('hash'),
      store.set('b', 'x', { ttl: 60_000 }),
      store.get('a'),
      store.get('b'),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    expect((results[1] as PromiseRejectedResult).reason.code).toBe('WRONG_TYPE');
    expect((results[3] as PromiseFulfilledResult<unknown>).value).toStrictEqual(
      Buffer.from([0xc1, 0]),
    );
    expect((results[4] as PromiseFulfilledResult<unknown>).value).toBe('x');
  });

  it('keys() and clear() treat glob characters in the prefix literally', async () => {
    const namespace = 'shared';
    const tag = uniqueNamespace();
    const glob = standaloneStore({ namespace, prefix: `${tag}*` });
    const other = standaloneStore({ namespace, prefix: `${tag}X` });
    const bracket = standaloneStore({ namespace, prefix: `${tag}[X]` });
    await other.set('keep', 1);
    await bracket.set('keep', 2);
    await glob.set('mine', 3);
    expect(await glob.keys()).toEqual(['mine']);
    await glob.clear();
    await bracket.clear();
    expect(await other.get('keep')).toBe(1);
    expect(await glob.keys()).toEqual([]);
    await other.clear();
  });
});

describe('redis: when calls are written', () => {
  it('a call made while nothing is in flight is written at once; calls made meanwhile wait and leave together', async () => {
    const store = standaloneStore();
    await store.get('warm-up');
    const first = store.get('a');
    // Written in this turn: counted in flight before any turn of the event loop.
    expect(store.stats()).toMatchObject({ inflight: 1, queued: 0 });
    const rest = [store.get('b'), store.set('c', 1), store.get('c')];
    expect(store.stats()).toMatchObject({ inflight: 1, queued: 3 });
    expect(await Promise.all([first, ...rest])).toEqual([undefined, undefined, undefined, 1]);
    expect(store.stats()).toMatchObject({ pending: 0, inflight: 0, queued: 0 });
  });

  it('calls issued as the replies of a batch settle wait for one flush together', async () => {
    const store = standaloneStore();
    await store.get('warm-up');
    const seen: { inflight: number; queued: number }[] = [];
    const followUps: Promise<unknown>[] = [];
    const onReply = (): void => {
      followUps.push(store.get('d'));
      const { inflight, queued } = store.stats();
      seen.push({ inflight, queued });
    };
    const first = store.get('a');
    // Made while `a` is in flight: one MGET at the next flush, whose one reply settles both.
    const batch = [store.get('b').then(onReply), store.get('c').then(onReply)];
    await Promise.all([first, ...batch]);
    // Without the hold, the first follow-up would have left alone (in flight at once).
    expect(seen).toEqual([
      { inflight: 0, queued: 1 },
      { inflight: 0, queued: 2 },
    ]);
    await Promise.all(followUps);
  });
});

describe('redis: limits', () => {
  it('set() over maxValueBytes rejects TOO_LARGE before anything is sent', async () => {
    const namespace = uniqueNamespace();
    const store = standaloneStore({ namespace, maxValueBytes: 1024 });
    await rejection(store.set('big', 'x'.repeat(2000)), 'TOO_LARGE');
    await rejection(store.setIfAbsent('big', 'x'.repeat(2000)), 'TOO_LARGE');
    expect(await raw.exists(`statewire:${namespace.length}:${namespace}:big`)).toBe(0);
    await store.set('small', 'x'.repeat(1000));
  });

  it('set() of a 64 MiB Buffer round-trips (just under the default limit); 64 MiB + 1 is TOO_LARGE', async () => {
    const store = standaloneStore();
    const limit = store.capabilities.maxValueBytes;
    const bytes = randomBytes(limit - 16);
    await store.set('huge', bytes);
    const back = (await store.get('huge')) as Buffer;
    expect(back.length).toBe(bytes.length);
    expect(back.equals(bytes)).toBe(true);
    await rejection(store.set('over', Buffer.alloc(limit)), 'TOO_LARGE');
  });

  it('a 1 MiB Buffer is stored as about 1 MiB (no base64 or JSON blow-up)', async () => {
    const namespace = uniqueNamespace();
    const store = standaloneStore({ namespace });
    await store.set('blob', randomBytes(1024 * 1024));
    const length = await raw.strlen(`statewire:${namespace.length}:${namespace}:blob`);
    // The version header, the value marker and msgpack's bin32 header on top of the bytes.
    expect(length).toBeLessThan(1024 * 1024 + VERSION_HEADER_BYTES + 16);
  });

  it('calls over maxPending reject OVERLOADED at once', async () => {
    const store = standaloneStore({ maxPending: 10 });
    const calls = Array.from({ length: 11 }, (_, i) => store.set(`k${i}`, i));
    await rejection(calls[10] as Promise<void>, 'OVERLOADED');
    await Promise.all(calls.slice(0, 10));
  });
});

describe('redis: client life cycle', () => {
  it('close() leaves an injected client open, or quits it with closeClient', async () => {
    const client = new Redis(inject('redisUrl'), { ...safeRedisOptions });
    const store = track(createRedisStore({ client, namespace: uniqueNamespace() }));
    await store.set('k', 1);
    await store.close();
    expect(client.status).toBe('ready');
    expect(await client.ping()).toBe('PONG');
    const owning = track(
      createRedisStore({ client, closeClient: true, namespace: uniqueNamespace() }),
    );
    await owning.get('k');
    await owning.close();
    expect(client.status).toBe('end');
  });

  it('many stores can share one injected client without listener warnings', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const client = new Redis(inject('redisUrl'), { ...safeRedisOptions });
    try {
      const stores = Array.from({ length: 25 }, (_, i) =>
        track(createRedisStore({ client, namespace: `shared-${i}-${uniqueNamespace()}` })),
      );
      await Promise.all(stores.map((store, i) => store.set('k', i)));
      expect(await Promise.all(stores.map((store) => store.get('k')))).toEqual(
        stores.map((_, i) => i),
      );
      await Promise.all(stores.map((store) => store.close()));
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
      expect(client.listenerCount('ready')).toBe(0);
    } finally {
      process.off('warning', onWarning);
      client.disconnect();
    }
  });

  it('close() quits a client the store created', async () => {
    const store = standaloneStore();
    await store.get('k');
    await store.close();
    expect(store.client.status).toBe('end');
  });

  it('the first call on an injected lazyConnect client connects it', async () => {
    const client = new Redis(inject('redisUrl'), { ...safeRedisOptions, lazyConnect: true });
    const store = track(
      createRedisStore({ client, closeClient: true, namespace: uniqueNamespace() }),
    );
    await store.set('k', 1);
    expect(await store.get('k')).toBe(1);
  });

  for (const mode of ['connected', 'down'] as const) {
    it(`a process that closed its store exits by itself (${mode === 'down' ? 'Redis unreachable' : 'connected'})`, async () => {
      const fixture = fileURLToPath(new URL('./fixtures/close-and-exit.mjs', import.meta.url));
      expect(
        existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url))),
        'run `npx tsc -b` first',
      ).toBe(true);
      const url = mode === 'down' ? `redis://127.0.0.1:${await freePort()}` : inject('redisUrl');
      const child = fork(fixture, [url, uniqueNamespace(), mode], { stdio: 'inherit' });
      const code = await new Promise<number | null>((resolve, reject) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error('the child did not exit within 30 s after close()'));
        }, 30_000);
        child.on('exit', (exitCode) => {
          clearTimeout(timer);
          resolve(exitCode);
        });
      });
      expect(code).toBe(0);
    });
  }
});
