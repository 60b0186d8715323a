// A side socket the host closes before it said anything on it (it no longer knows the
// offer's token: this process was blocked past the offer's lifetime) must leave the store on
// the IPC channel, not take the whole link down with it.
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonCodec } from '@statewire/core';
import { packLengthPrefixedFrame } from '@statewire/core/msgpack';
import type { Link, LinkHandlers } from '@statewire/core/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { createNegotiatingLink } from '../dist/side-socket/negotiating-link.js';
import { hello, tagged, until } from './negotiation-helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A Unix socket server that does `onConnection` with every connection. */
async function listener(onConnection: (socket: Socket) => void): Promise<string> {
  const server = createServer(onConnection);
  const directory = mkdtempSync(join(tmpdir(), 'sw-fallback-'));
  const path = join(directory, 'socket');
  cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
  server.listen(path);
  await once(server, 'listening');
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return path;
}

/** A negotiating link over a fake IPC channel that records what is sent on it. */
function negotiatingOverFakeIpc() {
  let ipcHandlers: LinkHandlers | undefined;
  const onIpc: Record<string, unknown>[] = [];
  const ipc: Link = {
    label: 'fake channel',
    open(handlers) {
      ipcHandlers = handlers;
    },
    send(frame) {
      onIpc.push(frame as Record<string, unknown>);
      return true;
    },
    close() {},
  };
  const closed: unknown[] = [];
  const received: unknown[] = [];
  const link = createNegotiatingLink(ipc, jsonCodec.name, 1 << 20, 30_000);
  link.open({
    message: (message) => received.push(message),
    close: (reason) => closed.push(reason ?? 'closed'),
    drain: () => {},
  });
  cleanups.push(() => link.close());
  const offer = async (path: string) => {
    await until(() => onIpc.some((frame) => frame.k === 'socket?'));
    const request = onIpc.find((frame) => frame.k === 'socket?') as { from: string };
    ipcHandlers?.message(
      tagged({ k: 'socket!', to: request.from, path, token: 't'.repeat(64), frames: 'maps' }),
    );
  };
  return { link, onIpc, closed, received, offer };
}

describe('a side socket closed by the host before it answered', () => {
  it('leaves the link on the IPC channel: what was sent on the socket goes there again, and so does what follows', async () => {
    let connections = 0;
    const path = await listener((socket) => {
      connections++;
      // What the host does with a token it does not know.
      socket.destroy();
    });
    const { link, onIpc, closed, offer } = negotiatingOverFakeIpc();
    // Held while negotiating, then written to the socket after the token.
    link.send(hello);
    await offer(path);
    await until(() => onIpc.some((frame) => frame.k === 'hello'));
    expect(connections).toBe(1);
    expect(closed).toEqual([]);
    link.send(tagged({ k: 'req', from: 'client-1', c: [[1, 0, 'k']] }));
    expect(onIpc.filter((frame) => frame.k === 'hello')).toEqual([hello]);
    expect(onIpc.at(-1)).toMatchObject({ k: 'req', c: [[1, 0, 'k']] });
  });

  it('closes the link once the host did answer on the socket and the socket then closed', async () => {
    const path = await listener((socket) => {
      // Answers once the token and the hello arrived, then closes.
      socket.once('data', () => {
        socket.write(packLengthPrefixedFrame(tagged({ k: 'welcome', to: 'client-1' }), 'maps'));
        setTimeout(() => socket.destroy(), 200);
      });
    });
    const { link, onIpc, closed, received, offer } = negotiatingOverFakeIpc();
    link.send(hello);
    await offer(path);
    await until(() => closed.length > 0);
    expect(received).toMatchObject([{ k: 'welcome', to: 'client-1' }]);
    // Nothing went back to the IPC channel: the calls made on the socket may have been applied.
    expect(onIpc.filter((frame) => frame.k === 'hello')).toEqual([]);
  });
});
