/**
 * Listing a Cluster while a slot moves. The store walks the masters one after another; a
 * key that moved from a master not yet walked to one already walked was never visited:
 * scan() finished without error missing it (DESIGN: a key present for the whole scan is
 * returned at least once), and clear() resolved leaving it behind. A walk during which the
 * masters' slots changed is now done again.
 */
import { type RedisCluster, rawCommand, startRedisCluster } from '@statewire/test-redis-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisStore } from '../src/index.js';
import { track } from './support/stores.js';

const KEYS = 600;
let cluster: RedisCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

const address = (port: number) => `127.0.0.1:${port}`;
const cmd = (port: number, ...args: (string | number)[]) =>
  rawCommand(port, args.map(String), 5000);

/** A 3-master Cluster, a store on it holding k0…k599, and its masters in the order walked. */
async function filledCluster(namespace: string) {
  cluster = await startRedisCluster(3);
  const ports = cluster.nodes
    .map((node) => node.port)
    .sort((a, b) => (address(a) < address(b) ? -1 : 1));
  const store = track(
    createRedisStore({
      cluster: { nodes: [{ host: '127.0.0.1', port: ports[0] as number }] },
      namespace,
    }),
  );
  for (let i = 0; i < KEYS; i += 100) {
    await store.setMany(
      Array.from({ length: 100 }, (_, j) => ({ key: `k${i + j}`, value: i + j })),
    );
  }
  return { store, ports: ports as [number, number, number] };
}

/** Moves one slot that holds keys from the master at `from` to the one at `to`, whole. */
async function moveSlot(from: number, to: number): Promise<void> {
  const [fromId, toId] = [
    String(await cmd(from, 'CLUSTER', 'MYID')),
    String(await cmd(to, 'CLUSTER', 'MYID')),
  ];
  const ranges = (await cmd(from, 'CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
  const [first, last] = ranges.find((range) => Number(range[2][1]) === from) as [number, number];
  let slot = first;
  while (slot <= last && Number(await cmd(from, 'CLUSTER', 'COUNTKEYSINSLOT', slot)) === 0) slot++;
  await cmd(to, 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', fromId);
  await cmd(from, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', toId);
  const keys = (await cmd(from, 'CLUSTER', 'GETKEYSINSLOT', slot, 1000)) as string[];
  expect(keys.length).toBeGreaterThan(0);
  await cmd(from, 'MIGRATE', '127.0.0.1', to, '', 0, 5000, 'KEYS', ...keys);
  for (const node of cluster?.nodes ?? [])
    await cmd(node.port, 'CLUSTER', 'SETSLOT', slot, 'NODE', toId);
}

describe('redis Cluster: listing while a slot moves', () => {
  it('scan() returns every key present for the whole scan when a slot moves to a master it already walked', async () => {
    const { store, ports } = await filledCluster('reshard-scan');
    const seen = new Set<string>();
    let cursor: string | undefined;
    // Page until the cursor is on the second master, then move a slot from the third (not
    // walked yet) to the first (walked).
    do {
      const page = await store.scan('', { cursor, count: 20 });
      for (const key of page.keys) seen.add(key);
      cursor = page.cursor;
    } while (cursor !== undefined && !cursor.includes(`/${address(ports[1])}/`));
    expect(cursor).toBeDefined();
    await moveSlot(ports[2], ports[0]);
    while (cursor !== undefined) {
      const page = await store.scan('', { cursor, count: 20 });
      for (const key of page.keys) seen.add(key);
      cursor = page.cursor;
    }
    const missing = Array.from({ length: KEYS }, (_, i) => `k${i}`).filter((key) => !seen.has(key));
    expect(missing).toEqual([]);
  });

  it('clear() leaves no key when a slot moves to a master it already emptied', async () => {
    const { ports } = await filledCluster('reshard-clear');
    // A small COUNT makes the walk long enough to move a slot during it.
    const store = track(
      createRedisStore({
        cluster: { nodes: [{ host: '127.0.0.1', port: ports[0] }] },
        namespace: 'reshard-clear',
        scanCount: 5,
      }),
    );
    const cleared = store.clear();
    // Once the first master is empty, the walk is past it.
    while (Number(await cmd(ports[0], 'DBSIZE')) > 0)
      await new Promise((resolve) => setTimeout(resolve, 5));
    await moveSlot(ports[2], ports[0]);
    await cleared;
    expect(await store.keys()).toEqual([]);
  });
});
