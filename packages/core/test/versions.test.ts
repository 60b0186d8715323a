// Versions, compare-and-set and atomic commits (issue 15) on the memory store and on the
// client and host engines over loopback: the same rules on both.
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStore, jsonCodec, MAX_ATOMIC_STEPS, type Store } from '../src/index.js';
import { type LoopbackHost, serveLoopback } from '../src/testing.js';
import { MemoryBackend } from '../src/transport.js';
import { caught, manualClock, rejectsWith } from './helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Holder {
  /** A store on the holder; every store of one holder shares its data. */
  store(): Store;
}

function memoryHolder(options: { maxBytes?: number; now?: () => number } = {}): Holder {
  const backend = new MemoryBackend({ codec: jsonCodec, ...options });
  cleanups.push(() => backend.close());
  return {
    store() {
      const store = createMemoryStore({ backend });
      cleanups.push(() => store.close());
      return store;
    },
  };
}

function loopbackHolder(options: { maxBytes?: number; now?: () => number } = {}): Holder {
  const host: LoopbackHost = serveLoopback(options);
  cleanups.push(() => host.close());
  return {
    store() {
      const store = host.connect();
      cleanups.push(() => store.close());
      return store;
    },
  };
}

describe.each([
  ['memory store', memoryHolder],
  ['loopback client and host', loopbackHolder],
])('%s', (_name, holder) => {
  describe('getEntry() and getEntries()', () => {
    it('getEntry() of a missing key resolves undefined; of a set key, its value and a version string', async () => {
      const store = holder().store();
      expect(store.capabilities.versions).toBe(true);
      expect(await store.getEntry('k')).toBeUndefined();
      await store.set('k', { n: 1 });
      const entry = await store.getEntry('k');
      expect(entry).toEqual({ value: { n: 1 }, version: expect.any(String) });
      expect(entry?.version).not.toBe('');
    });

    it('getEntries() is aligned with the keys, undefined where missing', async () => {
      const store = holder().store();
      await store.set('a', 1);
      await store.set('__proto__', null);
      const entries = await store.getEntries(['a', 'missing', '__proto__']);
      expect(entries).toEqual([
        { value: 1, version: expect.any(String) },
        undefined,
        { value: null, version: expect.any(String) },
      ]);
      expect(await store.getEntries([])).toEqual([]);
      expect(entries[0]?.version).toBe((await store.getEntry('a'))?.version);
    });

    it('reads do not change a version; every kind of write does', async () => {
      const store = holder().store();
      await store.set('k', 1);
      const seen = new Set<string>();
      const version = async () => {
        const entry = await store.getEntry('k');
        expect(entry).toBeDefined();
        return entry?.version as string;
      };
      const first = await version();
      seen.add(first);
      await store.get('k');
      await store.has('k');
      await store.getMany(['k']);
      await store.keys();
      expect(await store.setIfAbsent('k', 5)).toBe(false);
      expect(await version()).toBe(first);
      const writes: (() => Promise<unknown>)[] = [
        () => store.set('k', 1),
        () => store.setMany([{ key: 'k', value: 1 }]),
        () => store.increment('k', 0),
        () => store.atomic().set('k', 1).commit(),
        () => store.atomic().increment('k', 1).commit(),
        () => store.delete('k').then(() => store.setIfAbsent('k', 1)),
      ];
      for (const write of writes) {
        await write();
        const next = await version();
        expect(seen.has(next)).toBe(false);
        seen.add(next);
      }
    });

    it('10,000 writes give 10,000 distinct versions', async () => {
      const store = holder().store();
      const versions = new Set<string>();
      for (let batch = 0; batch < 20; batch++) {
        // Calls of one client apply in order: each getEntry reads the write just before it.
        const reads = [];
        for (let i = 0; i < 500; i++) {
          void store.set('k', i % 2);
          reads.push(store.getEntry('k'));
        }
        for (const entry of await Promise.all(reads)) versions.add(entry?.version as string);
      }
      expect(versions.size).toBe(10_000);
    });

    it('an expired entry is missing: getEntry() resolves undefined and a null check passes', async () => {
      const clock = manualClock();
      const store = holder({ now: clock.now }).store();
      await store.set('k', 1, { ttl: 1000 });
      expect(await store.getEntry('k')).toBeDefined();
      clock.advance(1000);
      expect(await store.getEntry('k')).toBeUndefined();
      await store.set('k', 2, { ifVersion: null });
      expect(await store.get('k')).toBe(2);
    });
  });

  describe('set() and delete() with ifVersion', () => {
    it('set() with the current version writes; with a stale one rejects CONFLICT and writes nothing', async () => {
      const store = holder().store();
      await store.set('k', 'a');
      const read = await store.getEntry('k');
      await store.set('k', 'b', { ifVersion: read?.version as string });
      const after = await store.getEntry('k');
      expect(after?.value).toBe('b');
      expect(after?.version).not.toBe(read?.version);
      const error = await rejectsWith(
        store.set('k', 'c', { ifVersion: read?.version as string }),
        'CONFLICT',
      );
      expect(error.maybeApplied).toBe(false);
      expect(await store.getEntry('k')).toEqual(after);
    });

    it('set() with ifVersion null creates the key only if it is missing', async () => {
      const store = holder().store();
      await store.set('k', 1, { ifVersion: null });
      expect(await store.get('k')).toBe(1);
      const before = await store.getEntry('k');
      await rejectsWith(store.set('k', 2, { ifVersion: null }), 'CONFLICT');
      expect(await store.getEntry('k')).toEqual(before);
    });

    it('set() with ifVersion undefined is a plain set', async () => {
      const store = holder().store();
      await store.set('k', 1);
      await store.set('k', 2, { ifVersion: undefined });
      expect(await store.get('k')).toBe(2);
    });

    it('set() with ifVersion keeps its ttl', async () => {
      const clock = manualClock();
      const store = holder({ now: clock.now }).store();
      await store.set('k', 1, { ifVersion: null, ttl: 500 });
      clock.advance(499);
      expect(await store.get('k')).toBe(1);
      clock.advance(1);
      expect(await store.get('k')).toBeUndefined();
    });

    it('ABA: delete and re-create of the same value gives a new version; the old one conflicts', async () => {
      const store = holder().store();
      await store.set('k', 'same');
      const old = await store.getEntry('k');
      await store.delete('k');
      await store.set('k', 'same');
      const renewed = await store.getEntry('k');
      expect(renewed?.version).not.toBe(old?.version);
      await rejectsWith(store.set('k', 'other', { ifVersion: old?.version as string }), 'CONFLICT');
      await rejectsWith(store.delete('k', { ifVersion: old?.version as string }), 'CONFLICT');
      expect(await store.get('k')).toBe('same');
    });

    it('delete() with ifVersion: true when the version matched, false for null on a missing key, CONFLICT otherwise', async () => {
      const store = holder().store();
      expect(await store.delete('k', { ifVersion: null })).toBe(false);
      await store.set('k', 1);
      await rejectsWith(store.delete('k', { ifVersion: null }), 'CONFLICT');
      const entry = await store.getEntry('k');
      const error = await rejectsWith(store.delete('k', { ifVersion: 'no such' }), 'CONFLICT');
      expect(error.maybeApplied).toBe(false);
      expect(await store.getEntry('k')).toEqual(entry);
      expect(await store.delete('k', { ifVersion: entry?.version as string })).toBe(true);
      expect(await store.has('k')).toBe(false);
    });

    it('a malformed ifVersion is a TypeError, applied nothing', async () => {
      const store = holder().store();
      for (const ifVersion of [1, {}, 'x'.repeat(257), false]) {
        const error = await caught(store.set('k', 1, { ifVersion: ifVersion as never }));
        expect(error).toBeInstanceOf(TypeError);
        expect(await caught(store.delete('k', { ifVersion: ifVersion as never }))).toBeInstanceOf(
          TypeError,
        );
      }
      expect(await store.has('k')).toBe(false);
      await rejectsWith(store.set('k', 1, { ifVersion: 'x'.repeat(256) }), 'CONFLICT');
    });

    it('CAS-increment loops of several clients lose no update', async () => {
      const shared = holder();
      const stores = [shared.store(), shared.store(), shared.store(), shared.store()];
      let successes = 0;
      let conflicts = 0;
      await Promise.all(
        stores.map(async (store) => {
          for (let done = 0; done < 25; ) {
            const entry = await store.getEntry('counter');
            const value = (entry?.value as number | undefined) ?? 0;
            try {
              await store.set('counter', value + 1, { ifVersion: entry?.version ?? null });
              done++;
              successes++;
            } catch (error) {
              expect((error as { code?: string }).code).toBe('CONFLICT');
              conflicts++;
            }
          }
        }),
      );
      expect(successes).toBe(100);
      expect(await stores[0]?.get('counter')).toBe(100);
      expect(conflicts).toBeGreaterThanOrEqual(0);
    });
  });

  describe('atomic()', () => {
    it('commit() applies the mutations in order and resolves each key’s last version', async () => {
      const store = holder().store();
      await store.set('gone', 1);
      const result = await store
        .atomic()
        .check('new', null)
        .set('new', 1)
        .increment('new', 4)
        .set('__proto__', 'plain')
        .delete('gone')
        .increment('fresh')
        .commit();
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(Object.getPrototypeOf(result.versions)).toBeNull();
      expect(Object.keys(result.versions).sort()).toEqual(['__proto__', 'fresh', 'new']);
      expect(await store.getEntries(['new', '__proto__', 'gone', 'fresh'])).toEqual([
        { value: 5, version: result.versions.new },
        {
          value: 'plain',
          version: Object.getOwnPropertyDescriptor(result.versions, '__proto__')?.value,
        },
        undefined,
        { value: 1, version: result.versions.fresh },
      ]);
    });

    it('a key deleted last is absent from versions; set after delete is present', async () => {
      const store = holder().store();
      const result = await store.atomic().set('a', 1).delete('a').delete('b').set('b', 2).commit();
      expect(result.ok && Object.keys(result.versions)).toEqual(['b']);
      expect(await store.getMany(['a', 'b'])).toEqual([undefined, 2]);
    });

    it('an empty commit resolves ok with no versions', async () => {
      const store = holder().store();
      const result = await store.atomic().commit();
      expect(result).toEqual({ ok: true, versions: {} });
    });

    it('a failed check resolves { ok: false, failed } and mutates nothing (getEntry shows the same version)', async () => {
      const store = holder().store();
      await store.set('a', 1);
      await store.set('b', 1);
      const a = await store.getEntry('a');
      const b = await store.getEntry('b');
      await store.set('b', 2);
      const bNow = await store.getEntry('b');
      const result = await store
        .atomic()
        .check('a', a?.version as string)
        .check('b', b?.version as string)
        .check('c', null)
        .set('a', 'changed')
        .increment('b')
        .set('c', 'created')
        .commit();
      expect(result).toEqual({ ok: false, failed: ['b'] });
      expect(await store.getEntries(['a', 'b', 'c'])).toEqual([a, bNow, undefined]);
    });

    it('an increment of a value that is not a number fails the whole commit with WRONG_TYPE, applying nothing', async () => {
      const store = holder().store();
      await store.set('text', 'x');
      await store.set('n', 1);
      const before = await store.getEntries(['text', 'n']);
      const error = await rejectsWith(
        store.atomic().set('a', 1).increment('n').increment('text').delete('n').commit(),
        'WRONG_TYPE',
      );
      expect(error.maybeApplied).toBe(false);
      expect(await store.getEntries(['text', 'n'])).toEqual(before);
      expect(await store.has('a')).toBe(false);
    });

    it('an increment sees the commit’s own earlier mutations', async () => {
      const store = holder().store();
      await store.set('k', 10);
      await rejectsWith(store.atomic().set('k', 'x').increment('k').commit(), 'WRONG_TYPE');
      expect(await store.get('k')).toBe(10);
      await store.set('s', 'text');
      const result = await store.atomic().delete('s').increment('s', 3).commit();
      expect(result.ok).toBe(true);
      expect(await store.get('s')).toBe(3);
      await rejectsWith(
        store.atomic().set('big', Number.MAX_SAFE_INTEGER).increment('big').commit(),
        'INVALID_VALUE',
      );
      expect(await store.has('big')).toBe(false);
    });

    it(`past ${MAX_ATOMIC_STEPS} steps commit() rejects TOO_LARGE; at the limit it applies`, async () => {
      const store = holder().store();
      const over = store.atomic().check('c', null);
      for (let i = 0; i < MAX_ATOMIC_STEPS; i++) over.set(`k${i}`, i);
      const error = await rejectsWith(over.commit(), 'TOO_LARGE');
      expect(error.maybeApplied).toBe(false);
      expect(await store.keys()).toEqual([]);
      const at = store.atomic().check('c', null);
      for (let i = 1; i < MAX_ATOMIC_STEPS; i++) at.set(`k${i}`, i);
      expect((await at.commit()).ok).toBe(true);
      expect((await store.keys()).length).toBe(MAX_ATOMIC_STEPS - 1);
    });

    it('a value over the holder’s maxBytes rejects TOO_LARGE and applies nothing', async () => {
      const store = holder({ maxBytes: 1000 }).store();
      await rejectsWith(
        store.atomic().set('small', 1).set('big', 'x'.repeat(2000)).commit(),
        'TOO_LARGE',
      );
      expect(await store.has('small')).toBe(false);
    });

    it('commit() validates every step and rejects, never throws: nothing is applied', async () => {
      const store = holder().store();
      const bad: [string, () => Promise<unknown>, string][] = [
        [
          'INVALID_KEY',
          () =>
            store
              .atomic()
              .set('a', 1)
              .set('' as string, 1)
              .commit(),
          'a',
        ],
        ['INVALID_VALUE', () => store.atomic().set('a', 1).set('b', undefined).commit(), 'a'],
        ['INVALID_VALUE', () => store.atomic().set('a', 1).increment('b', 1.5).commit(), 'a'],
        [
          'INVALID_KEY',
          () =>
            store
              .atomic()
              .set('a', 1)
              .check(7 as never, null)
              .commit(),
          'a',
        ],
      ];
      for (const [code, commit, key] of bad) {
        let promise: Promise<unknown> | undefined;
        expect(() => {
          promise = commit();
        }).not.toThrow();
        const error = await rejectsWith(promise as Promise<unknown>, code as never);
        expect(error.maybeApplied).toBe(false);
        expect(await store.has(key)).toBe(false);
      }
      expect(
        await caught(
          store
            .atomic()
            .check('a', 5 as never)
            .commit(),
        ),
      ).toBeInstanceOf(TypeError);
      expect(await caught(store.atomic().set('a', 1, { ttl: -1 }).commit())).toBeInstanceOf(
        TypeError,
      );
      expect(await store.has('a')).toBe(false);
    });

    it('a builder commits what it recorded when commit() is called', async () => {
      const store = holder().store();
      const builder = store.atomic().set('a', 1);
      expect((await builder.commit()).ok).toBe(true);
      builder.set('b', 2);
      expect((await builder.commit()).ok).toBe(true);
      expect(await store.getMany(['a', 'b'])).toEqual([1, 2]);
    });
  });

  it('a restarted holder (a new backend) never matches an old version', async () => {
    const before = holder().store();
    await before.set('k', 'v');
    const old = await before.getEntry('k');
    const after = holder().store();
    await after.set('k', 'v');
    expect((await after.getEntry('k'))?.version).not.toBe(old?.version);
    await rejectsWith(after.set('k', 'w', { ifVersion: old?.version as string }), 'CONFLICT');
    expect(
      await after
        .atomic()
        .check('k', old?.version as string)
        .commit(),
    ).toEqual({
      ok: false,
      failed: ['k'],
    });
  });
});

describe('atomic() over a stalled host', () => {
  it('commit() that times out rejects TIMEOUT with maybeApplied: true; a later read shows all of its mutations or none', async () => {
    const host = serveLoopback();
    cleanups.push(() => host.close());
    const store = host.connect();
    cleanups.push(() => store.close());
    await store.set('a', 0);
    store.pair.host.stall(true);
    const error = await rejectsWith(
      store.atomic().set('a', 1).set('b', 1).commit({ timeout: 50 }),
      'TIMEOUT',
    );
    expect(error.maybeApplied).toBe(true);
    store.pair.host.stall(false);
    const [a, b] = await store.getMany(['a', 'b']);
    expect([a, b === undefined ? 0 : b]).toEqual(a === 1 ? [1, 1] : [0, 0]);
  });
});
