/**
 * Redis Cluster keeps one client's calls in order through every retry path, or fails them
 * with a code (issue 12, items 13 and 14): a half-migrated slot (TRYAGAIN), a master
 * stopped or killed (CLUSTERDOWN, a lost node), and one node's connection closing while
 * calls wait on another. These tests stop, kill and reconfigure masters, so they run on a
 * cluster of their own (with a short node timeout) rather than the shared test Cluster.
 */
import { StateError } from '@statewire/core';
import { type RedisCluster, rawCommand, startRedisCluster } from '@statewire/test-redis-server';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore, type RedisStore, safeClusterOptions } from '../src/index.js';
import { slotOf } from '../src/redis-slot.js';
import { sleep, track, uniqueNamespace } from './support/stores.js';

let servers: RedisCluster;
let raw: Cluster;

beforeAll(async () => {
  servers = await startRedisCluster(3, { nodeTimeout: 1000 });
  raw = new Cluster(nodes());
  await raw.ping();
});
afterAll(async () => {
  raw?.disconnect();
  for (const admin of admins.values()) admin.disconnect();
  await servers?.stop();
});

function nodes(): { host: string; port: number }[] {
  return servers.nodes.map((node) => ({ host: '127.0.0.1', port: node.port }));
}

function store(namespace = uniqueNamespace()): RedisStore {
  return track(createRedisStore({ cluster: { nodes: nodes() }, namespace }));
}

function redisKey(namespace: string, key: string): string {
  return `statewire:${namespace.length}:${namespace}:${key}`;
}

const admins = new Map<number, Redis>();

/** A direct (not cluster-routed) connection to the server on `port`, for admin commands. */
function master(port: number): Redis {
  let admin = admins.get(port);
  if (!admin) {
    admin = new Redis(port, '127.0.0.1');
    admin.on('error', () => {});
    admins.set(port, admin);
  }
  return admin;
}

async function ownerPort(slot: number): Promise<number> {
  const ranges = (await raw.cluster('SLOTS')) as unknown as [number, number, [string, number]][];
  const range = ranges.find(([from, to]) => slot >= from && slot <= to);
  if (!range) throw new Error(`slot ${slot} has no owner`);
  return range[2][1];
}

/** `count` keys of the store whose slots are on other masters than the one on `port`. */
async function keysAwayFrom(namespace: string, port: number, count: number): Promise<string[]> {
  const keys: string[] = [];
  for (let i = 0; keys.length < count; i++) {
    if ((await ownerPort(slotOf(redisKey(namespace, `k${i}`)))) !== port) keys.push(`k${i}`);
  }
  return keys;
}

/** Moves `slot` and its keys from the master on `from` to the one on `to`, as resharding does. */
async function migrateSlot(slot: number, from: number, to: number): Promise<void> {
  const source = master(from);
  const destination = master(to);
  const sourceId = String(await source.call('CLUSTER', 'MYID'));
  const destinationId = String(await destination.call('CLUSTER', 'MYID'));
  await destination.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', sourceId);
  await source.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', destinationId);
  for (;;) {
    const keys = (await source.call('CLUSTER', 'GETKEYSINSLOT', slot, 10)) as string[];
    if (keys.length === 0) break;
    for (const key of keys) await source.call('MIGRATE', '127.0.0.1', to, key, 0, 5000);
    await sleep(20);
  }
  await destination.call('CLUSTER', 'SETSLOT', slot, 'NODE', destinationId);
  await source.call('CLUSTER', 'SETSLOT', slot, 'NODE', destinationId);
  for (const node of servers.nodes) {
    if (node.port !== from && node.port !== to) {
      await master(node.port).call('CLUSTER', 'SETSLOT', slot, 'NODE', destinationId);
    }
  }
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function clusterState(port: number): Promise<string> {
  const info = String(await master(port).call('CLUSTER', 'INFO'));
  return /cluster_state:(\w+)/.exec(info)?.[1] ?? '';
}

async function allOk(): Promise<boolean> {
  for (const node of servers.nodes) {
    const reply = await rawCommand(node.port, ['CLUSTER', 'INFO']);
    if (typeof reply !== 'string' || !reply.includes('cluster_state:ok')) return false;
  }
  return true;
}

/**
 * Writes increasing values to `key` and reads it after each acknowledged write until
 * `running()` turns false; returns the reads that went back behind an acknowledged write.
 */
async function writeReadLoop(
  target: RedisStore,
  key: string,
  running: () => boolean,
): Promise<{ backwards: string[]; acknowledged: number; codes: Set<string> }> {
  const backwards: string[] = [];
  const codes = new Set<string>();
  let acknowledged = 0;
  let n = 0;
  while (running()) {
    n++;
    try {
      await target.set(key, n, { timeout: 100 });
      acknowledged = n;
    } catch (error) {
      expect(StateError.is(error), String(error)).toBe(true);
      codes.add((error as StateError).code);
    }
    try {
      const value = (await target.get(key, { timeout: 100 })) as number | undefined;
      if (value !== undefined && value < acknowledged) {
        backwards.push(`read ${value} after ${acknowledged} was acknowledged`);
      }
    } catch (error) {
      expect(StateError.is(error), String(error)).toBe(true);
      codes.add((error as StateError).code);
    }
    await sleep(2);
  }
  return { backwards, acknowledged, codes };
}

describe('redis Cluster ordering', () => {
  it('a call refused with TRYAGAIN (slot half-migrated) fails at once and never applies after later calls', async () => {
    const namespace = uniqueNamespace();
    const target = store(namespace);
    const a = redisKey(namespace, '{t}a');
    const b = redisKey(namespace, '{t}b');
    const slot = slotOf(a);
    expect(slotOf(b)).toBe(slot);
    await target.setMany([
      { key: '{t}a', value: 1 },
      { key: '{t}b', value: 1 },
    ]);
    const sourcePort = await ownerPort(slot);
    const destinationPort = servers.nodes.find((node) => node.port !== sourcePort)?.port as number;
    const source = master(sourcePort);
    const destination = master(destinationPort);
    const sourceId = String(await source.call('CLUSTER', 'MYID'));
    const destinationId = String(await destination.call('CLUSTER', 'MYID'));
    await destination.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', sourceId);
    await source.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', destinationId);
    await source.call('MIGRATE', '127.0.0.1', destinationPort, a, 0, 5000);
    try {
      // UNLINK a b: one key moved, one not, so the source answers TRYAGAIN. The set, made
      // after it, follows an ASK to the destination and is applied there.
      const deleting = Promise.allSettled([target.deleteMany(['{t}a', '{t}b'])]);
      await target.set('{t}a', 2);
      // Finish the migration while a retry of the UNLINK could still be waiting.
      await source.call('MIGRATE', '127.0.0.1', destinationPort, b, 0, 5000);
      for (const node of servers.nodes) {
        await master(node.port).call('CLUSTER', 'SETSLOT', slot, 'NODE', destinationId);
      }
      const [outcome] = await deleting;
      if (outcome.status === 'rejected') {
        const error = outcome.reason as StateError;
        expect(error.code).toBe('BACKEND');
        expect(error.message).toContain('TRYAGAIN');
        expect(error.maybeApplied).toBe(false);
      }
      // Whatever the UNLINK did, it did not apply after the set that followed it.
      expect(await target.get('{t}a')).toBe(2);
      expect(outcome.status).toBe('rejected');
    } finally {
      for (const node of servers.nodes) {
        await master(node.port)
          .call('CLUSTER', 'SETSLOT', slot, 'STABLE')
          .catch(() => {});
      }
    }
  });

  it('a master stopped (SIGSTOP) under load: reads on a healthy master never go back behind an acknowledged write', async () => {
    const namespace = uniqueNamespace();
    const target = store(namespace);
    const stopped = servers.nodes[2] as (typeof servers.nodes)[number];
    const keys = await keysAwayFrom(namespace, stopped.port, 4);
    const healthy = await ownerPort(slotOf(redisKey(namespace, keys[0] as string)));
    let running = true;
    const load = Promise.all(keys.map((key) => writeReadLoop(target, key, () => running)));
    await sleep(200);
    stopped.signal('SIGSTOP');
    try {
      await until('the cluster to go down', async () => (await clusterState(healthy)) === 'fail');
      await sleep(500);
    } finally {
      stopped.signal('SIGCONT');
    }
    await until('the cluster to recover', allOk);
    await sleep(500);
    running = false;
    const results = await load;
    expect(results.flatMap((result) => result.backwards)).toEqual([]);
    expect(
      results.some((result) => result.codes.has('BACKEND')),
      'the loops met CLUSTERDOWN',
    ).toBe(true);
    for (const [i, key] of keys.entries()) {
      const value = await target.get(key, { timeout: 10_000 });
      expect(value).toBeGreaterThanOrEqual(results[i]?.acknowledged as number);
    }
  });

  it('a master killed under load: reads on a healthy master never go back behind an acknowledged write', async () => {
    const namespace = uniqueNamespace();
    const target = store(namespace);
    const killed = servers.nodes[1] as (typeof servers.nodes)[number];
    const keys = await keysAwayFrom(namespace, killed.port, 4);
    const healthy = await ownerPort(slotOf(redisKey(namespace, keys[0] as string)));
    let running = true;
    const load = Promise.all(keys.map((key) => writeReadLoop(target, key, () => running)));
    await sleep(200);
    await killed.kill();
    try {
      await until('the cluster to go down', async () => (await clusterState(healthy)) === 'fail');
      await sleep(500);
    } finally {
      await killed.restart();
    }
    await until('the cluster to recover', allOk);
    await sleep(500);
    running = false;
    const results = await load;
    expect(results.flatMap((result) => result.backwards)).toEqual([]);
    for (const [i, key] of keys.entries()) {
      const value = await target.get(key, { timeout: 10_000 });
      expect(value).toBeGreaterThanOrEqual(results[i]?.acknowledged as number);
    }
  });

  it('a slot migrated back and forth under load (MOVED, ASK): reads never go back behind an acknowledged write', async () => {
    const namespace = uniqueNamespace();
    const target = store(namespace);
    const keys = ['{m}1', '{m}2', '{m}3', '{m}4'];
    const slot = slotOf(redisKey(namespace, keys[0] as string));
    let running = true;
    const load = Promise.all(keys.map((key) => writeReadLoop(target, key, () => running)));
    const ports = servers.nodes.map((node) => node.port);
    for (let round = 0; round < 6; round++) {
      const from = await ownerPort(slot);
      const to = ports[(ports.indexOf(from) + 1) % ports.length] as number;
      await migrateSlot(slot, from, to);
      await sleep(100);
    }
    running = false;
    const results = await load;
    expect(results.flatMap((result) => result.backwards)).toEqual([]);
    for (const [i, key] of keys.entries()) {
      expect(await target.get(key)).toBeGreaterThanOrEqual(results[i]?.acknowledged as number);
    }
  });

  it('a call never overtakes an earlier one of its slot that comes back with MOVED after the slot map changed', async () => {
    const namespace = uniqueNamespace();
    const client = new Cluster(nodes(), { ...safeClusterOptions });
    const target = track(createRedisStore({ client, closeClient: true, namespace }));
    await target.set('k', 0);
    const slot = slotOf(redisKey(namespace, 'k'));
    const slots = (client as unknown as { slots: string[][] }).slots;
    const owner = slots[slot]?.[0] as string;
    const stale = servers.nodes.find(
      (node) => `127.0.0.1:${node.port}` !== owner,
    ) as (typeof servers.nodes)[number];
    // The first set goes to a master that no longer owns the slot (a stale map) and waits
    // there; meanwhile the map is refreshed and the second set goes to the owner.
    slots[slot] = [`127.0.0.1:${stale.port}`];
    stale.signal('SIGSTOP');
    let first: Promise<void>;
    try {
      first = target.set('k', 1);
      await sleep(50);
      slots[slot] = [owner];
      const second = target.set('k', 2);
      await sleep(300);
      stale.signal('SIGCONT');
      await Promise.all([first, second]);
    } finally {
      stale.signal('SIGCONT');
    }
    expect(await target.get('k')).toBe(2);
  });

  it("one node's connection closing does not fail calls in flight on another node", async () => {
    const namespace = uniqueNamespace();
    const target = store(namespace);
    const [first, second] = servers.nodes as [
      RedisCluster['nodes'][number],
      RedisCluster['nodes'][number],
    ];
    const keyOn = async (port: number): Promise<string> => {
      for (let i = 0; ; i++) {
        if ((await ownerPort(slotOf(redisKey(namespace, `k${i}`)))) === port) return `k${i}`;
      }
    };
    const closing = await keyOn(first.port);
    const waiting = await keyOn(second.port);
    // Both node connections open.
    await target.set(closing, 1);
    await target.set(waiting, 1);
    // The set on the second master waits out a pause; meanwhile the store's connection to
    // the first master is killed.
    await master(second.port).call('CLIENT', 'PAUSE', '500', 'WRITE');
    const write = target.set(waiting, 2);
    await sleep(100);
    await master(first.port).call('CLIENT', 'KILL', 'TYPE', 'normal');
    await write;
    expect(await target.get(waiting)).toBe(2);
  });
});
