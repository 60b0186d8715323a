// Side-socket frames are written as plain msgpack maps only between two ends that both said
// they read them (the negotiation's `frames: 'maps'`): a client or host of an earlier
// release, which reads only msgpackr records, keeps getting records.
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as connectSocket, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonCodec } from '@statewire/core';
import { packLengthPrefixedFrame, unpackFrame } from '@statewire/core/msgpack';
import { HostEngine, type Link, type LinkHandlers, MemoryBackend } from '@statewire/core/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { withSocketNegotiation } from '../dist/side-socket/host-negotiation.js';
import { createNegotiatingLink } from '../dist/side-socket/negotiating-link.js';
import { FrameReader, writeFrame } from '../dist/side-socket/socket-link.js';
import { SideSocketServer } from '../dist/side-socket/socket-server.js';
import { hello, tagged, until } from './negotiation-helpers.js';

/** The layout of one msgpack frame, from its first bytes. */
function layoutOf(frame: Buffer): 'maps' | 'records' | 'other' {
  const first = frame[0] as number;
  if ((first & 0xf0) === 0x80 || first === 0xde || first === 0xdf) return 'maps';
  // msgpackr's record definition: fixext 1 of type 0x72.
  if (first === 0xd4 && frame[1] === 0x72) return 'records';
  return 'other';
}

/** Resolves the next length-prefixed frame read from `socket`. */
function nextFrame(socket: Socket, reader = new FrameReader(1 << 20)): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      const [frame] = reader.push(chunk);
      if (!frame) return;
      socket.off('data', onData);
      resolve(frame);
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

/** A host-side channel link that records what the host sends on it. */
function recordingLink(): Link & { sent: Record<string, unknown>[]; handlers?: LinkHandlers } {
  const link = {
    label: 'recording link',
    sent: [] as Record<string, unknown>[],
    handlers: undefined as LinkHandlers | undefined,
    open(handlers: LinkHandlers) {
      link.handlers = handlers;
    },
    send(frame: object) {
      link.sent.push(frame as Record<string, unknown>);
      return true;
    },
    close() {},
  };
  return link;
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('the host', () => {
  async function welcomeOnSideSocket(request: Record<string, unknown>) {
    const backend = new MemoryBackend({ codec: jsonCodec });
    const engine = new HostEngine({ backend, codec: jsonCodec });
    const server = new SideSocketServer((link) => engine.attach(link), 1 << 20, 64);
    cleanups.push(
      () => backend.close(),
      () => engine.close(),
      () => server.close(),
    );
    const channel = recordingLink();
    engine.attach(
      withSocketNegotiation(
        channel,
        {},
        {
          codec: jsonCodec.name,
          sockets: server,
          servedElsewhere: () => false,
        },
      ),
    );
    channel.handlers?.message(tagged({ k: 'socket?', from: 'nonce-1', ...request }));
    await until(() => channel.sent.length > 0);
    const offer = channel.sent[0] as { k: string; path: string; token: string; frames?: string };
    expect(offer.k).toBe('socket!');
    const socket = connectSocket(offer.path);
    cleanups.push(() => socket.destroy());
    await once(socket, 'connect');
    writeFrame(socket, Buffer.from(offer.token, 'latin1'));
    const reply = nextFrame(socket);
    // The client's hello, in the layout every release reads.
    socket.write(packLengthPrefixedFrame(hello, 'records'));
    const welcome = await reply;
    expect(unpackFrame(welcome)).toMatchObject({ k: 'welcome', to: 'client-1' });
    return { offer, layout: layoutOf(welcome) };
  }

  it('offers maps, and writes them to a client that said it reads them', async () => {
    const { offer, layout } = await welcomeOnSideSocket({ codec: 'json', frames: 'maps' });
    expect(offer.frames).toBe('maps');
    expect(layout).toBe('maps');
  });

  it('writes records to a client of an earlier release (its request says nothing of frames)', async () => {
    const { layout } = await welcomeOnSideSocket({ codec: 'json' });
    expect(layout).toBe('records');
  });
});

describe('the client', () => {
  async function firstFrameAfterOffer(offerExtra: Record<string, unknown>) {
    const accepted: Socket[] = [];
    const listener = createServer((socket) => accepted.push(socket));
    const directory = mkdtempSync(join(tmpdir(), 'sw-layout-'));
    const path = join(directory, 'socket');
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    listener.listen(path);
    await once(listener, 'listening');
    cleanups.push(() => new Promise((resolve) => listener.close(resolve)));

    let handlers: LinkHandlers | undefined;
    const requests: Record<string, unknown>[] = [];
    const ipc: Link = {
      label: 'fake channel',
      open(h) {
        handlers = h;
      },
      send(frame) {
        requests.push(frame as Record<string, unknown>);
        return true;
      },
      close() {},
    };
    const link = createNegotiatingLink(ipc, jsonCodec.name, 1 << 20, 30_000);
    link.open({ message: () => {}, close: () => {}, drain: () => {} });
    cleanups.push(() => link.close());
    await until(() => requests.length > 0);
    const request = requests[0] as { k: string; from: string; frames?: string };
    expect(request).toMatchObject({ k: 'socket?', frames: 'maps' });
    handlers?.message(
      tagged({ k: 'socket!', to: request.from, path, token: 't'.repeat(64), ...offerExtra }),
    );
    await until(() => accepted.length > 0);
    const socket = accepted[0] as Socket;
    cleanups.push(() => socket.destroy());
    const reader = new FrameReader(1 << 20);
    const frames = nextFrame(socket, reader);
    expect((await frames).toString('latin1')).toBe('t'.repeat(64));
    const next = nextFrame(socket, reader);
    link.send(tagged({ k: 'req', from: 'client-1', c: [[1, 0, 'k']] }));
    const frame = await next;
    expect(unpackFrame(frame)).toMatchObject({ k: 'req', c: [[1, 0, 'k']] });
    return layoutOf(frame);
  }

  it('writes maps to a host that offered them', async () => {
    expect(await firstFrameAfterOffer({ frames: 'maps' })).toBe('maps');
  });

  it('writes records to a host of an earlier release (its offer says nothing of frames)', async () => {
    expect(await firstFrameAfterOffer({})).toBe('records');
  });
});
