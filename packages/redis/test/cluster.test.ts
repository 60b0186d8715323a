/**
 * Redis Cluster specifics (RELIABILITY E33): keys spread over every master, multi-key
 * calls split per slot, redirections followed, slots computed like the server does.
 */
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRedisStore, safeClusterOptions } from '../src/index.js';
import { slotOf } from '../src/redis-slot.js';
import { clusterStore, track, uniqueNamespace } from './support/stores.js';

let raw: Cluster;
beforeAll(async () => {
  raw = new Cluster(inject('clusterNodes'));
  await raw.ping();
});
afterAll(() => raw.disconnect());

async function countPerMaster(pattern: string): Promise<number[]> {
  return Promise.all(
    raw.nodes('master').map(async (node) => {
      let cursor = '0';
      let count = 0;
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        count += keys.length;
      } while (cursor !== '0');
      return count;
    }),
  );
}

describe('redis Cluster', () => {
  // A Cluster client learns of a new slot owner only from MOVED or a lost connection: a
  // master that stalled (SIGSTOP) after its replica took over kept getting its slots' calls,
  // all timing out, for as long as it stalled (recovered within ~1 s of the promotion with
  // the refresh).
  it('the store has its Cluster client refresh the slots every 2 s, unless told otherwise', () => {
    const intervalOf = (store: ReturnType<typeof clusterStore>) =>
      (store.client.options as { slotsRefreshInterval?: unknown }).slotsRefreshInterval;
    expect(intervalOf(clusterStore())).toBe(2000);
    const own = clusterStore({
      cluster: { nodes: inject('clusterNodes'), options: { slotsRefreshInterval: 500 } },
    });
    expect(intervalOf(own)).toBe(500);
  });

  it('slotOf() agrees with CLUSTER KEYSLOT, hash tags included', async () => {
    const keys = [
      'a',
      'statewire:0::hits',
      '{user}:1',
      'x{user}:2',
      '{}x',
      'a{b',
      'a}b{c}',
      'emoji 🎉',
      '{{a}}',
      '',
    ];
    for (const key of keys) {
      expect(slotOf(key), key).toBe(await raw.cluster('KEYSLOT', key));
    }
  });

  it('set() spreads keys over every master', async () => {
    const namespace = uniqueNamespace();
    const store = clusterStore({ namespace });
    await store.setMany(Array.from({ length: 300 }, (_, i) => ({ key: `k${i}`, value: i })));
    const counts = await countPerMaster(`statewire:${namespace.length}:${namespace}:*`);
    expect(counts).toHaveLength(3);
    for (const count of counts) expect(count).toBeGreaterThan(0);
    expect(counts.reduce((a, b) => a + b)).toBe(300);
    expect((await store.keys()).length).toBe(300);
    await store.clear();
    expect(await countPerMaster(`statewire:${namespace.length}:${namespace}:*`)).toEqual([0, 0, 0]);
  });

  it('getMany(), setMany() with ttl and deleteMany() are correct across slots', async () => {
    const store = clusterStore();
    const keys = Array.from({ length: 200 }, (_, i) => `key-${i}`);
    await store.setMany(
      keys.map((key, i) => ({ key, value: { i }, ttl: i % 2 ? 60_000 : undefined })),
    );
    expect(await store.getMany([...keys, 'missing'])).toEqual([
      ...keys.map((_, i) => ({ i })),
      undefined,
    ]);
    expect(await store.deleteMany([...keys.slice(50), 'missing', 'key-60'])).toBe(150);
    expect((await store.keys()).sort()).toEqual(keys.slice(0, 50).sort());
  });

  it('a hash-tag prefix keeps every key of the store on one master', async () => {
    const namespace = uniqueNamespace();
    const store = clusterStore({ namespace, prefix: '{app}:' });
    await store.setMany(Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: i })));
    const counts = await countPerMaster(`{app}:${namespace.length}:${namespace}:*`);
    expect(counts.filter((count) => count > 0)).toEqual([50]);
    expect(await store.getMany(['k1', 'k2'])).toEqual([1, 2]);
    await store.clear();
  });

  it('setMany() without ttls is one MSET per slot: a single atomic MSET under a hash-tag prefix', async () => {
    const tagged = clusterStore({ prefix: '{app}:' });
    const spread = clusterStore();
    const sent = (store: typeof tagged) => {
      const names: string[] = [];
      const client = store.client as Cluster;
      const send = client.sendCommand.bind(client);
      client.sendCommand = ((command: { name: string }, ...rest: unknown[]) => {
        // Writes only (the client also asks the nodes for the slot map).
        if (command.name === 'set' || command.name === 'mset') names.push(command.name);
        return (send as (...args: unknown[]) => unknown)(command, ...rest);
      }) as typeof client.sendCommand;
      return names;
    };
    const entries = Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: i }));
    const taggedNames = sent(tagged);
    await tagged.setMany(entries);
    expect(taggedNames).toEqual(['mset']);
    const spreadNames = sent(spread);
    await spread.setMany(entries);
    // Keys spread over many slots: one MSET for each of them, never a SET per entry.
    expect(spreadNames.every((name) => name === 'mset')).toBe(true);
    expect(spreadNames.length).toBeGreaterThan(1);
    expect(spreadNames.length).toBeLessThanOrEqual(entries.length);
    expect(await tagged.getMany(['k0', 'k29'])).toEqual([0, 29]);
    expect(await spread.getMany(['k0', 'k29'])).toEqual([0, 29]);
  });

  it('follows a MOVED redirection from a stale slot map', async () => {
    const namespace = uniqueNamespace();
    const client = new Cluster(inject('clusterNodes'), { ...safeClusterOptions });
    const store = track(createRedisStore({ client, closeClient: true, namespace }));
    await store.set('moved', 1);
    // Point the key's slot at another master: that server answers MOVED, and the call
    // still succeeds on the owner.
    const slot = slotOf(`statewire:${namespace.length}:${namespace}:moved`);
    const slots = (client as unknown as { slots: string[][] }).slots;
    const owner = slots[slot]?.[0] as string;
    const other = client
      .nodes('master')
      .map((node) => `${node.options.host}:${node.options.port}`)
      .find((key) => key !== owner) as string;
    slots[slot] = [other];
    expect(await store.get('moved')).toBe(1);
    expect(slots[slot]?.[0]).toBe(owner);
    slots[slot] = [other];
    expect(await store.increment('moved')).toBe(2);
    expect(await store.getMany(['moved'])).toEqual([2]);
  });
});
