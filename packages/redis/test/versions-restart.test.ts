/**
 * Versions across a restart of Redis with AOF (`appendonly yes`, `appendfsync always`):
 * versions are part of the stored value, so a key nobody wrote keeps its version through
 * the restart (its value did not change), and no write after the restart — by the same
 * store or by a new one, re-creating the same values — ever produces a version seen before
 * it: every old version of a key that changed never matches again.
 */
import { adoptRedisServer } from '@statewire/test-redis-server';
import { describe, expect, inject, it } from 'vitest';
import { createRedisStore } from '../src/index.js';
import { rejection, track, uniqueNamespace, whenReachable } from './support/stores.js';

describe('redis versions across an AOF restart', () => {
  it('versions survive kill -9 and restart with their values; no later write repeats one', async () => {
    const server = adoptRedisServer(inject('aofServer'));
    const namespace = uniqueNamespace();
    const before = track(createRedisStore({ url: server.url, namespace, persistent: true }));
    const seen = new Map<string, string[]>();
    const remember = async (key: string): Promise<string> => {
      const entry = await before.getEntry(key);
      const version = entry?.version as string;
      seen.set(key, [...(seen.get(key) ?? []), version]);
      return version;
    };
    for (let i = 0; i < 20; i++) {
      await before.set('changed', 'same');
      await remember('changed');
      await before.increment('counter');
      await remember('counter');
    }
    await before.set('kept', { untouched: true });
    const kept = await remember('kept');
    await server.kill();
    await server.restart();

    // The data and its versions were persisted: an unchanged key is at the same version.
    expect(await whenReachable(() => before.getEntry('kept', { timeout: 15_000 }))).toEqual({
      value: { untouched: true },
      version: kept,
    });

    // The store that lived through the restart and a new one (a restarted application)
    // write the same values again: every version is new.
    const after = track(createRedisStore({ url: server.url, namespace, persistent: true }));
    const fresh = new Set<string>();
    for (const store of [before, after]) {
      for (let i = 0; i < 10; i++) {
        await store.delete('changed');
        await store.set('changed', 'same');
        fresh.add((await store.getEntry('changed'))?.version as string);
        await store.increment('counter');
        fresh.add((await store.getEntry('counter'))?.version as string);
      }
    }
    expect(fresh.size).toBe(40);
    const old = [...(seen.get('changed') ?? []), ...(seen.get('counter') ?? [])];
    for (const version of old) expect(fresh.has(version)).toBe(false);
    for (const version of seen.get('changed') ?? []) {
      const error = await rejection(
        after.set('changed', 'lost', { ifVersion: version }),
        'CONFLICT',
      );
      expect(error.maybeApplied).toBe(false);
    }
    for (const version of seen.get('counter') ?? []) {
      const result = await after.atomic().check('counter', version).increment('counter').commit();
      expect(result).toEqual({ ok: false, failed: ['counter'] });
    }
    expect(await after.get('changed')).toBe('same');
    expect(await after.get('counter')).toBe(40);
    expect(await after.delete('kept', { ifVersion: kept })).toBe(true);
  });
});
