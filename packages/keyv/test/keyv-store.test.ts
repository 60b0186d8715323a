import { randomUUID } from 'node:crypto';
import { createMemoryStore, jsonCodec, StateError } from '@statewire/core';
import { MemoryBackend } from '@statewire/core/transport';
import Keyv from 'keyv';
import { describe, expect, it } from 'vitest';
import { createKeyvStore } from '../src/index.js';
import { useTransports } from './support/transports.js';

/** Keyv's iterator, which it only defines for adapters it considers iterable. */
function iterate(keyv: Keyv): AsyncIterable<[string, unknown]> {
  if (typeof keyv.iterator !== 'function') throw new Error('keyv.iterator is not defined');
  return (keyv.iterator as unknown as () => AsyncIterable<[string, unknown]>)();
}

for (const transport of useTransports()) {
  describe(`KeyvStatewireStore on ${transport.name}`, () => {
    // A namespace of this test's own, so that tests never see each other's keys.
    const fresh = () => {
      const base = randomUUID();
      return createKeyvStore({
        open: (namespace) => transport.open(`${base}/${namespace}`),
        closeOnDisconnect: false,
      });
    };

    it("clear() of namespace 'a' leaves namespace 'a:b' alone", async () => {
      const adapter = fresh();
      const a = new Keyv({ store: adapter, namespace: 'a' });
      await a.set('k', 'in a');
      const ab = new Keyv({ store: adapter, namespace: 'a:b' });
      await ab.set('k', 'in a:b');
      a.namespace = 'a';
      await a.clear();
      expect(await a.get('k')).toBeUndefined();
      ab.namespace = 'a:b';
      expect(await ab.get('k')).toBe('in a:b');
    });

    it('iterator() of a Keyv over the adapter yields the namespace, Keyv 5 allowlist or not', async () => {
      const keyv = new Keyv({ store: fresh(), namespace: 'it' });
      expect(typeof keyv.iterator).toBe('function');
      await keyv.set('x', 1);
      await keyv.set('y', { z: [2] });
      const seen = new Map<string, unknown>();
      for await (const [key, value] of iterate(keyv)) seen.set(key, value);
      expect(seen).toEqual(
        new Map<string, unknown>([
          ['x', 1],
          ['y', { z: [2] }],
        ]),
      );
    });

    it('a negative ttl leaves nothing behind: has() and hasMany() do not find the entry', async () => {
      const adapter = fresh();
      const keyv = new Keyv({ store: adapter, namespace: 'neg' });
      await keyv.set('neg', 'v', -1);
      await keyv.setMany([
        { key: 'negMany', value: 'v', ttl: -5000 },
        { key: 'kept', value: 'v' },
      ]);
      expect(await keyv.has('neg')).toBe(false);
      expect(await keyv.hasMany(['neg', 'negMany', 'kept'])).toEqual([false, false, true]);
      expect(await keyv.get('neg')).toBeUndefined();
      // Nothing stays in the store either (Keyv 5 keys carry the namespace).
      expect((await adapter.store('neg').keys()).map((key) => key.replace(/^neg:/, ''))).toEqual([
        'kept',
      ]);
    });

    // The expired entries were deleted after the live ones were set, whatever their order:
    // a key set and then expired in one batch stayed, and one expired and then set was gone.
    it('setMany() with a key given more than once ends as its last entry says', async () => {
      const keyv = new Keyv({ store: fresh(), namespace: 'dup' });
      await keyv.setMany([
        { key: 'revived', value: 'old', ttl: -5000 },
        { key: 'revived', value: 'new' },
        { key: 'expired', value: 'v' },
        { key: 'expired', value: 'v', ttl: -5000 },
      ]);
      expect(await keyv.get('revived')).toBe('new');
      expect(await keyv.has('expired')).toBe(false);
    });

    it('a ttl of Infinity stores the value with no expiry', async () => {
      const errors: unknown[] = [];
      const keyv = new Keyv({
        store: fresh(),
        namespace: 'forever',
        ttl: Number.POSITIVE_INFINITY,
      });
      keyv.on('error', (error: unknown) => errors.push(error));
      expect(await keyv.set('k', 'v')).toBe(true);
      expect(await keyv.set('k2', 'v2', Number.POSITIVE_INFINITY)).toBe(true);
      expect(await keyv.getMany(['k', 'k2'])).toEqual(['v', 'v2']);
      expect(errors).toEqual([]);
    });

    it('raw mode (no serializer) stores the envelope without undefined fields', async () => {
      const keyv = new Keyv({
        store: fresh(),
        namespace: 'raw',
        serialize: undefined,
        deserialize: undefined,
      });
      const errors: unknown[] = [];
      keyv.on('error', (error: unknown) => errors.push(error));
      expect(await keyv.set('plain', { n: 1 })).toBe(true);
      expect(await keyv.set('timed', 'v', 60_000)).toBe(true);
      expect(await keyv.get('plain')).toEqual({ n: 1 });
      expect(await keyv.get('timed')).toBe('v');
      expect(await keyv.get('plain', { raw: true })).toEqual({ value: { n: 1 } });
      expect(errors).toEqual([]);
    });
  });
}

describe('KeyvStatewireStore batches', () => {
  const batchStores = (maxBatchKeys: number) => {
    const backend = new MemoryBackend({ codec: jsonCodec });
    return (namespace: string) => createMemoryStore({ backend, namespace, maxBatchKeys });
  };

  it('getMany() and deleteMany() over the store batch limit are split into chunks', async () => {
    const keyv = new Keyv({ store: createKeyvStore({ open: batchStores(10) }) });
    const keys = Array.from({ length: 25 }, (_, i) => `k${i}`);
    for (const key of keys) await keyv.set(key, key.toUpperCase());
    expect(await keyv.getMany(keys)).toEqual(keys.map((key) => key.toUpperCase()));
    expect(await keyv.deleteMany(keys)).toBe(true);
    expect(await keyv.getMany(keys)).toEqual(keys.map(() => undefined));
    await keyv.disconnect();
  });

  it('setMany() and iteration over the store batch limit are split into chunks', async () => {
    const keyv = new Keyv({ store: createKeyvStore({ open: batchStores(10) }) });
    const entries = Array.from({ length: 25 }, (_, i) => ({ key: `k${i}`, value: i }));
    expect(await keyv.setMany(entries)).toEqual(entries.map(() => true));
    const seen: [string, unknown][] = [];
    for await (const entry of iterate(keyv)) seen.push(entry as [string, unknown]);
    expect(seen.sort(([a], [b]) => a.localeCompare(b))).toEqual(
      entries
        .map(({ key, value }) => [key, value])
        .sort(([a], [b]) => String(a).localeCompare(String(b))),
    );
    await keyv.disconnect();
  });

  it('getMany() and iteration of values too large together for one answer read them in smaller chunks', async () => {
    const backend = new MemoryBackend({ codec: jsonCodec });
    // 20 values of ~60 KB: ~1.2 MB, against a 256 KiB answer.
    const open = (namespace: string) =>
      createMemoryStore({
        backend,
        namespace,
        maxValueBytes: 64 * 1024,
        maxReplyBytes: 256 * 1024,
      });
    const keyv = new Keyv({ store: createKeyvStore({ open }) });
    const keys = Array.from({ length: 20 }, (_, i) => `big${i}`);
    for (const key of keys) await keyv.set(key, key.repeat(60_000 / key.length));
    const values = await keyv.getMany(keys);
    expect(values.map((value) => (value as string).slice(0, 5))).toEqual(
      keys.map((key) => key.repeat(2).slice(0, 5)),
    );
    let seen = 0;
    for await (const [key, value] of iterate(keyv)) {
      expect((value as string).startsWith(key.replace(/^keyv:/, ''))).toBe(true);
      seen++;
    }
    expect(seen).toBe(keys.length);
    await keyv.disconnect();
  });

  it('maxBatchKeys caps the chunk below the store limit', async () => {
    const open = batchStores(100_000);
    const calls: number[] = [];
    const adapter = createKeyvStore({
      open: (namespace) => {
        const store = open(namespace);
        const getMany = store.getMany.bind(store);
        store.getMany = (keys, opts) => {
          calls.push(keys.length);
          return getMany(keys, opts);
        };
        return store;
      },
      maxBatchKeys: 4,
    });
    const keyv = new Keyv({ store: adapter });
    await keyv.getMany(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']);
    expect(calls).toEqual([4, 4, 1]);
    await keyv.disconnect();
  });
});

describe('KeyvStatewireStore errors and lifecycle', () => {
  it("a failing get() reaches Keyv's error event instead of reading as a plain miss", async () => {
    const store = createMemoryStore();
    const keyv = new Keyv({ store: createKeyvStore({ open: () => store }) });
    const errors: unknown[] = [];
    keyv.on('error', (error: unknown) => errors.push(error));
    await keyv.set('k', 'v');
    await store.close();
    expect(await keyv.get('k')).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(StateError.is(errors[0], 'CLOSED')).toBe(true);
    // Keyv reports failed writes itself: once, not twice.
    expect(await keyv.set('k', 'w')).toBe(false);
    expect(errors).toHaveLength(2);
  });

  it('getMany(), has() and iteration reject and emit error too', async () => {
    const store = createMemoryStore();
    const adapter = createKeyvStore({ open: () => store });
    const keyv = new Keyv({ store: adapter, throwOnErrors: true });
    const errors: unknown[] = [];
    keyv.on('error', (error: unknown) => errors.push(error));
    await store.close();
    await expect(keyv.get('k')).rejects.toSatisfy((e) => StateError.is(e, 'CLOSED'));
    await expect(keyv.getMany(['a'])).rejects.toSatisfy((e) => StateError.is(e, 'CLOSED'));
    await expect(keyv.has('a')).rejects.toSatisfy((e) => StateError.is(e, 'CLOSED'));
    const drain = async () => {
      for await (const _ of iterate(keyv));
    };
    await expect(drain()).rejects.toSatisfy((e) => StateError.is(e, 'CLOSED'));
    expect(errors).toHaveLength(4);
  });

  it('after disconnect(), or when open() throws, failed reads still emit error (never a silent miss)', async () => {
    const keyv = new Keyv({ store: createKeyvStore({ open: () => createMemoryStore() }) });
    const errors: unknown[] = [];
    keyv.on('error', (error: unknown) => errors.push(error));
    await keyv.set('k', 1);
    await keyv.disconnect();
    expect(await keyv.get('k')).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(StateError.is(errors[0], 'CLOSED')).toBe(true);

    const refusing = createKeyvStore({
      open: () => {
        throw new StateError('UNAVAILABLE', 'no host serves this process', {});
      },
    });
    const failed: unknown[] = [];
    refusing.on('error', (error: unknown) => failed.push(error));
    const strict = new Keyv({ store: refusing, throwOnErrors: true });
    strict.on('error', () => {});
    for (const read of [
      () => strict.get('k'),
      () => strict.getMany(['k']),
      () => strict.has('k'),
    ]) {
      await expect(read()).rejects.toSatisfy((e) => StateError.is(e, 'UNAVAILABLE'));
    }
    const drain = async () => {
      for await (const _ of iterate(strict));
    };
    await expect(drain()).rejects.toSatisfy((e) => StateError.is(e, 'UNAVAILABLE'));
    expect(failed).toHaveLength(4);
  });

  it('disconnect() closes the stores it opened, by default', async () => {
    const store = createMemoryStore();
    const keyv = new Keyv({ store: createKeyvStore({ open: () => store }) });
    await keyv.set('k', 1);
    await keyv.disconnect();
    await expect(store.get('k')).rejects.toSatisfy((e) => StateError.is(e, 'CLOSED'));
  });

  it('disconnect() with closeOnDisconnect: false leaves a shared store open', async () => {
    const store = createMemoryStore();
    const adapter = createKeyvStore({ open: () => store, closeOnDisconnect: false });
    const keyv = new Keyv({ store: adapter });
    await keyv.set('k', 1);
    await keyv.disconnect();
    expect(await store.has('keyv:k')).toBe(true);
    await expect(adapter.get('keyv:k')).rejects.toSatisfy((e) => StateError.is(e, 'CLOSED'));
    await store.close();
  });

  it('the adapter opens one store per Keyv namespace, named after it', async () => {
    const opened: string[] = [];
    const adapter = createKeyvStore({
      open: (namespace) => {
        opened.push(namespace);
        return createMemoryStore({ namespace });
      },
    });
    const keyv = new Keyv({ store: adapter, namespace: 'users' });
    await keyv.set('a', 1);
    keyv.namespace = 'orders';
    await keyv.set('a', 2);
    keyv.namespace = 'users';
    expect(await keyv.get('a')).toBe(1);
    const bare = new Keyv({
      store: createKeyvStore({
        open: (namespace) => {
          opened.push(namespace);
          return createMemoryStore();
        },
      }),
      namespace: undefined,
    });
    await bare.set('a', 3);
    expect(opened).toEqual(['users', 'orders', '']);
    await keyv.disconnect();
    await bare.disconnect();
  });

  it('malformed options are TypeErrors naming the option', () => {
    const open = () => createMemoryStore();
    expect(() => createKeyvStore(undefined as never)).toThrow(TypeError);
    expect(() => createKeyvStore({} as never)).toThrow(/open/);
    expect(() => createKeyvStore({ open, closeOnDisconnect: 'yes' as never })).toThrow(
      /closeOnDisconnect/,
    );
    expect(() => createKeyvStore({ open, maxBatchKeys: 0 })).toThrow(/maxBatchKeys/);
    expect(() => createKeyvStore({ open, maxBatchKeys: 1.5 })).toThrow(/maxBatchKeys/);
  });

  // A `Map` from `open` kept the cache inside one process without a word; a promise of a
  // store failed every call with "store.set is not a function".
  it('open() returning something other than a store fails each call with a TypeError saying what it returned', async () => {
    for (const [made, problem] of [
      [new Map(), 'an object without close'],
      [Promise.resolve(createMemoryStore()), 'a promise'],
    ] as const) {
      const keyv = new Keyv({ store: createKeyvStore({ open: () => made as never }) });
      const errors: unknown[] = [];
      keyv.on('error', (error) => errors.push(error));
      await expect(keyv.store.set('k', 'v')).rejects.toThrow(
        `open("keyv") must return a statewire Store, got ${problem}`,
      );
      await expect(keyv.store.get('k')).rejects.toThrow(TypeError);
      expect(errors.length).toBeGreaterThan(0);
    }
  });
});
