/**
 * What ioredis resends after a reconnect, and why the store turns it off: a write whose
 * reply was lost with the connection must reject `CONNECTION_LOST` with `maybeApplied`,
 * never be sent again (an INCRBY would apply twice).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { Redis as RedisClient } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { rejection, standaloneStore, uniqueNamespace } from './support/stores.js';

describe('redis: replies lost with the connection', () => {
  it('ioredis with its default options applies a write twice when its reply is lost (the control)', async () => {
    const client = new RedisClient(inject('redisUrl'));
    try {
      await client.ping();
      const key = `control:${uniqueNamespace()}`;
      const reply = client.incr(key);
      // The command is on the wire; drop the connection before its reply is read.
      (client.stream as { destroy(): void }).destroy();
      // autoResendUnfulfilledCommands (default true) sent INCR again after reconnecting.
      expect(await reply).toBe(2);
      expect(await client.get(key)).toBe('2');
      await client.del(key);
    } finally {
      client.disconnect();
    }
  });

  it('increment() whose reply is lost rejects CONNECTION_LOST with maybeApplied and applies once', async () => {
    const store = standaloneStore();
    await store.set('n', 0);
    const call = store.increment('n');
    await nextTurn(); // the store's batch went out in the turn the call was made
    ((store.client as Redis).stream as { destroy(): void }).destroy();
    const error = await rejection(call, 'CONNECTION_LOST');
    expect(error.maybeApplied).toBe(true);
    expect(await store.get('n', { timeout: 15_000 })).toBe(1);
    expect(store.stats().inflight).toBe(0);
  });

  it('get() whose reply is lost rejects CONNECTION_LOST without maybeApplied', async () => {
    const store = standaloneStore();
    await store.set('k', 'v');
    const call = store.get('k');
    await nextTurn();
    ((store.client as Redis).stream as { destroy(): void }).destroy();
    const error = await rejection(call, 'CONNECTION_LOST');
    expect('maybeApplied' in error).toBe(false);
    expect(await store.get('k', { timeout: 15_000 })).toBe('v');
  });

  it('a batch of sets and gets whose replies are lost rejects each call once, writes maybeApplied', async () => {
    const store = standaloneStore();
    await store.get('warm-up'); // connected and ready
    const sets = [store.set('a', 1), store.set('b', 2)].map((call) =>
      rejection(call, 'CONNECTION_LOST'),
    );
    const gets = [store.get('a'), store.get('b')].map((call) => rejection(call, 'CONNECTION_LOST'));
    await nextTurn();
    ((store.client as Redis).stream as { destroy(): void }).destroy();
    for (const error of await Promise.all(sets)) expect(error.maybeApplied).toBe(true);
    for (const error of await Promise.all(gets)) expect('maybeApplied' in error).toBe(false);
    expect(await store.getMany(['a', 'b'], { timeout: 15_000 })).toEqual([1, 2]);
  });
});
