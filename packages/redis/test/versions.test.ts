/**
 * Versions, compare-and-set and atomic commits on real servers (issue 15): the standalone
 * server and the 3-master Cluster. Redis specifics: versions live in the value (TTLs and
 * plain reads unaffected), values of the previous release still read, and a Cluster refuses
 * a commit whose keys span slots before sending anything.
 */
import { msgpackCodec } from '@statewire/core/msgpack';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PREFIX, RedisKeyLayout, type RedisStore, redisValueCodec } from '../src/index.js';
import { slotOf } from '../src/redis-slot.js';
import { UNVERSIONED, VERSION_MARKER } from '../src/versioned-value.js';
import {
  clusterStore,
  rejection,
  sleep,
  standaloneStore,
  uniqueNamespace,
} from './support/stores.js';

type Factory = (namespace?: string) => RedisStore;

const previousRelease = redisValueCodec(msgpackCodec);

function redisKey(namespace: string, key: string): string {
  return new RedisKeyLayout(DEFAULT_PREFIX, namespace).toRedis(key);
}

async function versionOf(store: RedisStore, key: string): Promise<string> {
  const entry = await store.getEntry(key);
  expect(entry, `${key} exists`).toBeDefined();
  return entry?.version as string;
}

async function conflict(call: Promise<unknown>): Promise<void> {
  const error = await rejection(call, 'CONFLICT');
  expect(error.maybeApplied).toBe(false);
}

function describeVersions(name: string, make: Factory): void {
  describe(`redis versions: ${name}`, () => {
    it('capabilities declare versions and atomic', () => {
      const store = make();
      expect(store.capabilities.versions).toBe(true);
      expect(store.capabilities.atomic).toBe(true);
    });

    it('getEntry() resolves the value and its version; get() and getMany() see no header', async () => {
      const namespace = uniqueNamespace();
      const store = make(namespace);
      expect(await store.getEntry('missing')).toBeUndefined();
      for (const value of [42, 'text', { a: [1] }, Buffer.from([VERSION_MARKER, 0xc1]), null]) {
        await store.set('k', value);
        const entry = await store.getEntry('k');
        expect(entry?.value).toStrictEqual(value);
        expect(entry?.version).toMatch(/^[A-Za-z0-9_-]{20}$/);
        expect(await store.get('k')).toStrictEqual(value);
        expect(await store.getMany(['k', 'missing'])).toStrictEqual([value, undefined]);
      }
      // The version is in the stored value itself: one key, nothing else.
      const raw = await store.client.getBuffer(redisKey(namespace, 'k'));
      expect(raw?.[0]).toBe(VERSION_MARKER);
      expect(await store.keys()).toEqual(['k']);
    });

    it('getEntries() is aligned with its keys, duplicates and missing included', async () => {
      const store = make();
      await store.setMany([
        { key: 'a', value: 1 },
        { key: 'b', value: 'two' },
      ]);
      const entries = await store.getEntries(['b', 'missing', 'a', 'b']);
      expect(entries.map((entry) => entry?.value)).toEqual(['two', undefined, 1, 'two']);
      expect(entries[0]?.version).toBe(entries[3]?.version);
      expect(entries[0]?.version).not.toBe(entries[2]?.version);
      const many = Array.from({ length: 300 }, (_, i) => `many:${i}`);
      await store.setMany(many.map((key, i) => ({ key, value: i })));
      const read = await store.getEntries(many);
      expect(read.map((entry) => entry?.value)).toEqual(many.map((_, i) => i));
      expect(new Set(read.map((entry) => entry?.version)).size).toBe(300);
    });

    it('set() with ifVersion writes at that version only; CONFLICT writes nothing', async () => {
      const store = make();
      await store.set('k', 1);
      const first = await versionOf(store, 'k');
      await store.set('k', 2, { ifVersion: first });
      const second = await versionOf(store, 'k');
      expect(second).not.toBe(first);
      await conflict(store.set('k', 3, { ifVersion: first }));
      await conflict(store.set('k', 3, { ifVersion: null }));
      await conflict(store.set('k', 3, { ifVersion: '' }));
      expect(await store.getEntry('k')).toEqual({ value: 2, version: second });
      await conflict(store.set('new', 1, { ifVersion: second }));
      await store.set('new', 1, { ifVersion: null });
      expect(await store.get('new')).toBe(1);
    });

    it('delete() with ifVersion deletes at that version only', async () => {
      const store = make();
      await store.set('k', 'v');
      const version = await versionOf(store, 'k');
      await conflict(store.delete('k', { ifVersion: null }));
      await store.set('k', 'v');
      await conflict(store.delete('k', { ifVersion: version }));
      expect(await store.get('k')).toBe('v');
      expect(await store.delete('k', { ifVersion: await versionOf(store, 'k') })).toBe(true);
      expect(await store.has('k')).toBe(false);
      expect(await store.delete('k', { ifVersion: null })).toBe(false);
    });

    it('no ABA: delete and re-create of the same value gives a new version', async () => {
      const namespace = uniqueNamespace();
      const store = make(namespace);
      const other = make(namespace);
      await store.set('k', 'same');
      const before = await versionOf(store, 'k');
      await other.delete('k');
      await other.set('k', 'same');
      const after = await versionOf(store, 'k');
      expect(after).not.toBe(before);
      await conflict(store.set('k', 'mine', { ifVersion: before }));
      await store.set('k', 'mine', { ifVersion: after });
    });

    it('every kind of write gives a new version; reads and refused writes do not', async () => {
      const store = make();
      const seen: string[] = [];
      const next = async (): Promise<void> => {
        const version = await versionOf(store, 'k');
        expect(seen).not.toContain(version);
        seen.push(version);
      };
      await store.set('k', 1);
      await next();
      await store.setMany([{ key: 'k', value: 2 }]);
      await next();
      await store.setMany([
        { key: 'k', value: 3, ttl: 60_000 },
        { key: 'other', value: 1 },
      ]);
      await next();
      await store.increment('k');
      await next();
      await store.delete('k');
      expect(await store.setIfAbsent('k', 5)).toBe(true);
      await next();
      expect(await store.setIfAbsent('k', 6)).toBe(false);
      await store.get('k');
      await store.getEntries(['k', 'k']);
      await rejection(store.set('k', 7, { ifVersion: 'stale' }), 'CONFLICT');
      expect(await versionOf(store, 'k')).toBe(seen.at(-1));
      const commit = await store.atomic().set('k', 8).commit();
      await next();
      expect(commit).toEqual({ ok: true, versions: { k: seen.at(-1) } });
      await store.atomic().increment('k', 2).commit();
      await next();
      expect(await store.get('k')).toBe(10);
    });

    it('10,000 writes of one key give 10,000 distinct versions', async () => {
      const store = make();
      const versions = new Set<string>();
      const CHUNK = 500;
      for (let start = 0; start < 10_000; start += CHUNK) {
        const reads: Promise<{ version: string } | undefined>[] = [];
        for (let i = start; i < start + CHUNK; i++) {
          // Calls of one store apply in the order made: each read sees the write before it.
          if (i % 4 === 0) void store.set('k', i);
          else if (i % 4 === 1) void store.increment('k');
          else if (i % 4 === 2) void store.setMany([{ key: 'k', value: i }]);
          else void store.atomic().set('k', i, { ttl: 60_000 }).commit();
          reads.push(store.getEntry('k'));
        }
        for (const entry of await Promise.all(reads)) versions.add(entry?.version as string);
      }
      expect(versions.size).toBe(10_000);
    });

    it('atomic(): checks pass → every mutation applies in order, versions as getEntry reads them', async () => {
      const store = make();
      await store.set('{t}a', 'old');
      const a = await versionOf(store, '{t}a');
      const result = await store
        .atomic()
        .check('{t}a', a)
        .check('{t}b', null)
        .set('{t}a', 'new')
        .increment('{t}b', 2)
        .increment('{t}b', 3)
        .set('{t}gone', 1)
        .delete('{t}gone')
        .commit();
      expect(result.ok).toBe(true);
      const versions = (result as { versions: Record<string, string> }).versions;
      expect(Object.keys(versions).sort()).toEqual(['{t}a', '{t}b']);
      expect(await store.getEntry('{t}a')).toEqual({ value: 'new', version: versions['{t}a'] });
      expect(await store.getEntry('{t}b')).toEqual({ value: 5, version: versions['{t}b'] });
      expect(await store.has('{t}gone')).toBe(false);
    });

    it('atomic(): a failed check → ok false with the keys, and nothing written (getEntry shows it)', async () => {
      const store = make();
      await store.set('{t}a', 1);
      const a = await versionOf(store, '{t}a');
      await store.set('{t}b', 2);
      const b = await versionOf(store, '{t}b');
      const result = await store
        .atomic()
        .check('{t}a', a)
        .check('{t}b', a)
        .set('{t}a', 10)
        .delete('{t}b')
        .set('{t}c', 1)
        .commit();
      expect(result).toEqual({ ok: false, failed: ['{t}b'] });
      expect(await store.getEntries(['{t}a', '{t}b', '{t}c'])).toEqual([
        { value: 1, version: a },
        { value: 2, version: b },
        undefined,
      ]);
    });

    it('atomic(): an increment of a non-number fails the whole commit with WRONG_TYPE', async () => {
      const store = make();
      await store.set('{t}text', 'x');
      const text = await versionOf(store, '{t}text');
      const error = await rejection(
        store.atomic().set('{t}a', 1).increment('{t}n', 1).increment('{t}text', 1).commit(),
        'WRONG_TYPE',
      );
      expect(error.maybeApplied).toBe(false);
      expect(await store.getEntries(['{t}a', '{t}n', '{t}text'])).toEqual([
        undefined,
        undefined,
        { value: 'x', version: text },
      ]);
      await rejection(
        store.atomic().set('{t}n', 5).increment('{t}n', Number.MAX_SAFE_INTEGER).commit(),
        'INVALID_VALUE',
      );
      expect(await store.has('{t}n')).toBe(false);
    });

    it('TTLs: a conditional set applies its ttl, increments keep it, expiry is missing', async () => {
      const namespace = uniqueNamespace();
      const store = make(namespace);
      const pttl = (key: string) => store.client.pttl(redisKey(namespace, key));
      await store.set('k', 1, { ifVersion: null, ttl: 60_000 });
      expect(await pttl('k')).toBeGreaterThan(0);
      const before = await versionOf(store, 'k');
      expect(await store.increment('k')).toBe(2);
      expect(await pttl('k')).toBeGreaterThan(0);
      await store.atomic().increment('k', 1).commit();
      expect(await pttl('k')).toBeGreaterThan(0);
      expect(await versionOf(store, 'k')).not.toBe(before);
      // A set without ttl replaces the expiry, with or without ifVersion (like set()).
      await store.set('k', 4, { ifVersion: await versionOf(store, 'k') });
      expect(await pttl('k')).toBe(-1);

      await store.set('short', 'v', { ttl: 150 });
      const short = await versionOf(store, 'short');
      await sleep(400);
      expect(await store.getEntry('short')).toBeUndefined();
      await conflict(store.set('short', 'w', { ifVersion: short }));
      await store.set('short', 'w', { ifVersion: null });
      expect(await versionOf(store, 'short')).not.toBe(short);
    });

    it('a value written by the previous release reads, and takes part in compare-and-set', async () => {
      const namespace = uniqueNamespace();
      const store = make(namespace);
      const old = async (key: string, value: unknown): Promise<void> => {
        const bytes = Buffer.from(previousRelease.encode(value) as Uint8Array);
        await store.client.set(redisKey(namespace, key), bytes);
      };
      await old('n', 41);
      await old('obj', { a: 1 });
      expect(await store.get('obj')).toEqual({ a: 1 });
      expect(await store.getMany(['n', 'obj'])).toEqual([41, { a: 1 }]);
      expect(await store.getEntry('obj')).toEqual({ value: { a: 1 }, version: UNVERSIONED });
      expect(await store.increment('n')).toBe(42);
      expect(await versionOf(store, 'n')).not.toBe(UNVERSIONED);
      await conflict(store.set('obj', 'x', { ifVersion: 'another' }));
      await store.set('obj', { a: 2 }, { ifVersion: UNVERSIONED });
      const entry = await store.getEntry('obj');
      expect(entry?.value).toEqual({ a: 2 });
      expect(entry?.version).not.toBe(UNVERSIONED);
      await old('gone', 'x');
      expect(await store.delete('gone', { ifVersion: UNVERSIONED })).toBe(true);
    });
  });
}

describeVersions('standalone', (namespace = uniqueNamespace()) => standaloneStore({ namespace }));
describeVersions('Cluster (3 masters)', (namespace = uniqueNamespace()) =>
  clusterStore({ namespace }),
);

describe('redis versions: Cluster slots', () => {
  it('atomic() whose keys span slots rejects NOT_SUPPORTED up front and writes nothing', async () => {
    const namespace = uniqueNamespace();
    const store = clusterStore({ namespace });
    const layout = new RedisKeyLayout(DEFAULT_PREFIX, namespace);
    expect(slotOf(layout.toRedis('a'))).not.toBe(slotOf(layout.toRedis('b')));
    await store.set('a', 1);
    const a = await versionOf(store, 'a');
    for (const commit of [
      store.atomic().set('a', 2).set('b', 2).commit(),
      store.atomic().check('a', a).set('b', 2).commit(),
      store.atomic().check('a', a).check('b', null).commit(),
    ]) {
      const error = await rejection(commit, 'NOT_SUPPORTED');
      expect(error.maybeApplied).toBe(false);
      expect(error.message).toMatch(/hash tag/);
    }
    expect(await store.getEntries(['a', 'b'])).toEqual([{ value: 1, version: a }, undefined]);
    // Single-key compare-and-set is always one slot.
    await store.set('a', 3, { ifVersion: a });
    await store.delete('b', { ifVersion: null });
    expect(await store.get('a')).toBe(3);
  });

  it('atomic() of keys sharing a hash tag works on the Cluster, across several tags', async () => {
    const namespace = uniqueNamespace();
    const store = clusterStore({ namespace });
    const layout = new RedisKeyLayout(DEFAULT_PREFIX, namespace);
    const tags = ['{user:1}', '{user:2}', '{user:3}', '{user:4}', '{user:5}', '{user:6}'];
    const slots = new Set(tags.map((tag) => slotOf(layout.toRedis(`${tag}:name`))));
    expect(slots.size).toBeGreaterThan(1);
    for (const tag of tags) {
      expect(slotOf(layout.toRedis(`${tag}:name`))).toBe(slotOf(layout.toRedis(`${tag}:visits`)));
      const result = await store
        .atomic()
        .check(`${tag}:name`, null)
        .set(`${tag}:name`, tag)
        .increment(`${tag}:visits`, 1)
        .commit();
      expect(result.ok).toBe(true);
      expect(await store.getMany([`${tag}:name`, `${tag}:visits`])).toEqual([tag, 1]);
    }
  });

  it('a prefix with a hash tag puts every key in one slot: any atomic() works', async () => {
    const store = clusterStore({ prefix: '{app}:' });
    const result = await store.atomic().set('a', 1).set('b', 2).increment('c', 3).commit();
    expect(result.ok).toBe(true);
    expect(await store.getMany(['a', 'b', 'c'])).toEqual([1, 2, 3]);
  });
});

describe('redis versions: errors', () => {
  it('a key holding another Redis type: getEntry reads it as missing (MGET), a check rejects WRONG_TYPE', async () => {
    const namespace = uniqueNamespace();
    const store = standaloneStore({ namespace });
    await store.client.hset(redisKey(namespace, 'hash'), 'f', '1');
    expect(await store.getEntry('hash')).toBeUndefined();
    const error = await rejection(store.set('hash', 1, { ifVersion: null }), 'WRONG_TYPE');
    expect(error.maybeApplied).toBe(false);
    expect(await store.client.hget(redisKey(namespace, 'hash'), 'f')).toBe('1');
  });
});
