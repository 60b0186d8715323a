/**
 * One client's calls apply in the order they were made, also when a call settles early or
 * a command is retried (issue 12, items 1 and 4), on a real standalone server and the
 * shared 3-master test Cluster.
 */
import { type RedisServer, startRedisServer } from '@statewire/test-redis-server';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRedisStore, type RedisStore } from '../src/index.js';
import { clusterStore, rejection, track, uniqueNamespace } from './support/stores.js';

// CLIENT PAUSE and SCRIPT FLUSH reach every client of a server: the standalone tests use
// a server of their own, not the one other packages' tests may share.
let server: RedisServer;
let admin: Redis;
let cluster: Cluster;
beforeAll(async () => {
  server = await startRedisServer();
  admin = new Redis(server.url);
  cluster = new Cluster(inject('clusterNodes'));
  await Promise.all([admin.ping(), cluster.ping()]);
});
afterAll(async () => {
  admin?.disconnect();
  cluster?.disconnect();
  await server?.stop();
});

function standaloneStore(): RedisStore {
  return track(createRedisStore({ url: server.url, namespace: uniqueNamespace() }));
}

describe('redis ordering', () => {
  it('clear() that timed out never deletes a key set after it settled (issue 12, item 1)', async () => {
    const store = standaloneStore();
    await store.set('k', 1);
    // The SCAN of clear() reaches Redis, then waits out the pause; clear() times out
    // meanwhile, and set(k, 2) is sent behind the SCAN. The SCAN still finds k.
    await admin.call('CLIENT', 'PAUSE', '400', 'ALL');
    await rejection(store.clear({ timeout: 100 }), 'TIMEOUT');
    await store.set('k', 2);
    expect(await store.get('k')).toBe(2);
  });

  it('clear() that was aborted never deletes a key set after it settled (issue 12, item 1)', async () => {
    const store = standaloneStore();
    await store.set('k', 1);
    await admin.call('CLIENT', 'PAUSE', '400', 'ALL');
    const controller = new AbortController();
    const clearing = store.clear({ signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const error = await rejection(clearing, 'ABORTED');
    expect(error.maybeApplied).toBe(true);
    await store.set('k', 2);
    expect(await store.get('k')).toBe(2);
  });

  it('increment() after SCRIPT FLUSH applies before a set() made after it (issue 12, item 4)', async () => {
    const store = standaloneStore();
    expect(await store.increment('k')).toBe(1);
    await admin.call('SCRIPT', 'FLUSH');
    const [incremented] = await Promise.all([store.increment('k'), store.set('k', 100)]);
    expect(incremented).toBe(2);
    expect(await store.get('k')).toBe(100);
  });

  it('increment() after SCRIPT FLUSH keeps its order on the Cluster too (issue 12, item 4)', async () => {
    const store = clusterStore();
    expect(await store.increment('k')).toBe(1);
    await Promise.all(cluster.nodes('master').map((node) => node.call('SCRIPT', 'FLUSH')));
    const [incremented] = await Promise.all([store.increment('k'), store.set('k', 100)]);
    expect(incremented).toBe(2);
    expect(await store.get('k')).toBe(100);
  });

  it('set() with ifVersion and atomic() after SCRIPT FLUSH keep their order (issue 15)', async () => {
    const store = standaloneStore();
    await store.set('k', 1);
    const entry = await store.getEntry('k');
    await admin.call('SCRIPT', 'FLUSH');
    await Promise.all([
      store.set('k', 2, { ifVersion: entry?.version ?? null }),
      store.set('k', 3),
    ]);
    expect(await store.get('k')).toBe(3);
    await admin.call('SCRIPT', 'FLUSH');
    await Promise.all([store.atomic().set('k', 4).increment('n').commit(), store.set('k', 5)]);
    expect(await store.getMany(['k', 'n'])).toEqual([5, 1]);
  });
});
