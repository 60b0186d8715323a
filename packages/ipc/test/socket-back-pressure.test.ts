// The host's side of back-pressure on a real Unix domain socket: a client that sends
// requests but never reads its replies must not make the host buffer replies without bound.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket, connect as socketConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { msgpackCodec, packLengthPrefixedFrame, unpackFrame } from '@statewire/core/msgpack';
import {
  DEFAULT_MAX_BATCH_KEYS,
  DEFAULT_MAX_KEY_BYTES,
  DEFAULT_MAX_VALUE_BYTES,
  defaultMaxReplyBytes,
  FRAME_TAG,
  HostEngine,
  MemoryBackend,
  Op,
  PROTOCOL_VERSION,
} from '@statewire/core/transport';
import { afterEach, expect, it } from 'vitest';
import { createSocketLink, FrameReader } from '../dist/side-socket/socket-link.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

const VALUE_BYTES = 64 * 1024;
const GETS_PER_FRAME = 16;
const FRAMES = 100;

/** A host engine answering on a socket server; resolves the host's end of the first connection. */
async function socketHost(): Promise<{
  path: string;
  hostSide: Promise<Socket>;
  engine: HostEngine;
}> {
  const directory = mkdtempSync(join(tmpdir(), 'statewire-bp-'));
  const path = join(directory, 'host.sock');
  const backend = new MemoryBackend({ codec: msgpackCodec });
  const engine = new HostEngine({ backend, codec: msgpackCodec });
  let resolveSide!: (socket: Socket) => void;
  const hostSide = new Promise<Socket>((resolve) => {
    resolveSide = resolve;
  });
  const server: Server = createServer((socket) => {
    engine.attach(createSocketLink(socket, 'test socket', 64 * 1024 * 1024));
    resolveSide(socket);
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  cleanups.push(() => {
    engine.close();
    backend.close();
    server.close();
    rmSync(directory, { recursive: true, force: true });
  });
  return { path, hostSide, engine };
}

function frame(body: object): Uint8Array {
  return packLengthPrefixedFrame({ [FRAME_TAG]: PROTOCOL_VERSION, from: 'reader', ...body });
}

it('a client that stops reading makes the host stop reading it, not buffer every reply; all replies arrive once it reads again', async () => {
  const { path, hostSide, engine } = await socketHost();
  const client = socketConnect(path);
  cleanups.push(() => client.destroy());
  const reader = new FrameReader(1 << 30);
  const replies: number[] = [];
  client.on('data', (chunk: Buffer) => {
    for (const bytes of reader.push(chunk)) {
      const message = unpackFrame(bytes) as { k: string; r?: [number][] };
      if (message.k === 'res') for (const reply of message.r ?? []) replies.push(reply[0]);
    }
  });
  client.write(
    frame({
      k: 'hello',
      codec: 'msgpack',
      namespace: '',
      maxKeyBytes: DEFAULT_MAX_KEY_BYTES,
      maxValueBytes: DEFAULT_MAX_VALUE_BYTES,
      maxBatchKeys: DEFAULT_MAX_BATCH_KEYS,
      maxReplyBytes: defaultMaxReplyBytes(DEFAULT_MAX_VALUE_BYTES),
    }),
  );
  const value = msgpackCodec.encode(Buffer.alloc(VALUE_BYTES, 1));
  client.write(frame({ k: 'req', c: [[0, Op.set, 'big', value, 0]] }));
  await new Promise<void>((resolve) => {
    const check = () => (replies.includes(0) ? resolve() : setTimeout(check, 5));
    check();
  });

  // From now on the client reads nothing, and asks for 100 MB of replies.
  client.pause();
  let id = 1;
  for (let f = 0; f < FRAMES; f++) {
    const calls = Array.from({ length: GETS_PER_FRAME }, () => [id++, Op.get, 'big']);
    client.write(frame({ k: 'req', c: calls }));
  }
  const host = await hostSide;
  // Let the host do all it will do: the socket buffers fill on both sides and stay full.
  let last = -1;
  for (let quiet = 0; quiet < 20; ) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const answered = engine.stats().calls;
    quiet = answered === last ? quiet + 1 : 0;
    last = answered;
  }
  const total = FRAMES * GETS_PER_FRAME;
  expect(engine.stats().calls).toBeLessThan(total / 2);
  // What the host holds for this client is bounded by about one reply frame, not 100 MB.
  expect(host.writableLength).toBeLessThan(4 * GETS_PER_FRAME * VALUE_BYTES);

  client.resume();
  await new Promise<void>((resolve) => {
    const check = () => (replies.length === total + 1 ? resolve() : setTimeout(check, 5));
    check();
  });
  expect(replies).toEqual(Array.from({ length: total + 1 }, (_, i) => i));
  expect(engine.stats().calls).toBe(total + 1);
});
