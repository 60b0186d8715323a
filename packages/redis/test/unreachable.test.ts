/**
 * A Redis that cannot be reached says so at once (issue 17): calls reject `UNAVAILABLE`
 * with the connection error as `cause` as soon as a connection attempt fails, instead of a
 * bare `TIMEOUT` when their timeout runs out. Nothing of theirs was sent.
 */
import { once } from 'node:events';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { freePort, startRedisServer } from '@statewire/test-redis-server';
import { describe, expect, it } from 'vitest';
import { createRedisStore } from '../src/index.js';
import { rejection, track, uniqueNamespace, whenReachable } from './support/stores.js';

// Far longer than a failed connection attempt takes: a TIMEOUT would mean the store waited.
const LONG = 20_000;

describe('redis unreachable', () => {
  it('a closed port rejects calls UNAVAILABLE with the connection error as cause, then the store connects when the server starts', async () => {
    const port = await freePort();
    const store = track(
      createRedisStore({
        url: `redis://127.0.0.1:${port}`,
        timeout: LONG,
        namespace: uniqueNamespace(),
      }),
    );
    const [get, set, increment] = await Promise.all([
      rejection(store.get('k'), 'UNAVAILABLE'),
      rejection(store.set('k', 1), 'UNAVAILABLE'),
      rejection(store.increment('n'), 'UNAVAILABLE'),
    ]);
    expect((get.cause as { code?: unknown }).code).toBe('ECONNREFUSED');
    expect(get.message).toContain('ECONNREFUSED');
    expect('maybeApplied' in get).toBe(false);
    expect(set.maybeApplied).toBe(false);
    expect(increment.maybeApplied).toBe(false);
    // A call made while the server stays down is refused too, with the same cause.
    const later = await rejection(store.set('k', 2), 'UNAVAILABLE');
    expect(later.maybeApplied).toBe(false);
    expect((later.cause as { code?: unknown }).code).toBe('ECONNREFUSED');

    const server = await startRedisServer({ port });
    try {
      // The store reconnects by itself; nothing refused earlier was ever sent.
      await whenReachable(() => store.set('k', 3));
      expect(await store.get('k')).toBe(3);
      expect(await store.get('n')).toBeUndefined();
    } finally {
      await store.close();
      await server.stop();
    }
  });

  it('an unknown host rejects calls UNAVAILABLE with the lookup error as cause', async () => {
    const store = track(
      createRedisStore({
        url: 'redis://statewire-no-such-host.invalid:6379',
        timeout: LONG,
        namespace: uniqueNamespace(),
      }),
    );
    const error = await rejection(store.get('k'), 'UNAVAILABLE');
    expect(['ENOTFOUND', 'EAI_AGAIN']).toContain((error.cause as { code?: unknown }).code);
  });

  it('sentinels that are all down reject calls UNAVAILABLE', async () => {
    const port = await freePort();
    const store = track(
      createRedisStore({
        redisOptions: { sentinels: [{ host: '127.0.0.1', port }], name: 'mymaster' },
        timeout: LONG,
        namespace: uniqueNamespace(),
      }),
    );
    const error = await rejection(store.increment('n'), 'UNAVAILABLE');
    expect(error.maybeApplied).toBe(false);
    expect(error.message).toContain('sentinels');
  });

  it('a Cluster whose startup nodes are all down rejects calls UNAVAILABLE', async () => {
    const port = await freePort(true);
    const store = track(
      createRedisStore({
        cluster: { nodes: [{ host: '127.0.0.1', port }] },
        timeout: LONG,
        namespace: uniqueNamespace(),
      }),
    );
    const error = await rejection(store.set('k', 1), 'UNAVAILABLE');
    expect(error.maybeApplied).toBe(false);
    expect(error.cause).toBeInstanceOf(Error);
  });

  // A port where another service answers (an HTTP server, a proxy): the connection is
  // made, then ioredis's parser fails on the answer and it reconnects, again and again.
  // Calls waited for their whole timeout and rejected a bare TIMEOUT with no cause.
  it('a server that does not speak Redis rejects calls UNAVAILABLE saying so, with the parser error as cause', async () => {
    const http = createServer((socket) =>
      socket.once('data', () =>
        socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n'),
      ),
    );
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    const { port } = http.address() as AddressInfo;
    const store = track(
      createRedisStore({
        url: `redis://127.0.0.1:${port}`,
        timeout: LONG,
        namespace: uniqueNamespace(),
      }),
    );
    try {
      const error = await rejection(store.set('k', 1), 'UNAVAILABLE');
      expect(error.maybeApplied).toBe(false);
      expect(error.message).toContain('does not answer in the Redis protocol');
      expect((error.cause as Error).message).toMatch(/^Unknown RESP type/);
    } finally {
      await store.close();
      http.close();
    }
  });

  // A server that accepts and never answers (a TLS port spoken to in plain text stalls the
  // same way): the calls time out first, and said only "timed out after 5000 ms".
  it('a call that times out while no connection is ready says so', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const { port } = silent.address() as AddressInfo;
    const store = track(
      createRedisStore({
        url: `redis://127.0.0.1:${port}`,
        timeout: 300,
        namespace: uniqueNamespace(),
      }),
    );
    try {
      const error = await rejection(store.get('k'), 'TIMEOUT');
      expect(error.message).toMatch(
        /timed out after 300 ms: no connection to Redis was ready \(the client's status: \w+\)/,
      );
    } finally {
      await store.close();
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});
