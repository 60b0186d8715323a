import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeValue, type ValueKind } from '../values.js';
import { Outbox } from './outbox.js';
import type { BenchClient, Subject, SubjectEnv } from './subject.js';

/**
 * The physical limit of the carrier (issue 13): round trips over a Unix domain socket per
 * worker with no codec and no data held. A request is `[u32 payload bytes][u32 reply
 * bytes][payload]`, the primary answers `[u32 length][that many bytes]` from a buffer of
 * zeros. Sizes follow the call: a get sends its key and receives the value's size, a set
 * sends key and value bytes (encoded once per value, not per call) and receives nothing, an
 * increment receives 8 bytes. The calls of a tick are laid into one buffer and leave in one
 * write on `process.nextTick`, and the primary answers all the frames of a read with one
 * buffer in one write: what any transport over this carrier pays at least.
 */
const SOCKET_ENV = 'socketPath';
const zeros = Buffer.alloc(65_536);
const EMPTY = Buffer.alloc(0);

/** Cuts complete frames off the front of a stream of chunks. */
function frames(headerBytes: number, onFrame: (frame: Buffer, header: Buffer) => void) {
  let pending: Buffer = EMPTY;
  return (chunk: Buffer) => {
    const data = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let at = 0;
    while (data.length - at >= headerBytes) {
      const length = data.readUInt32LE(at);
      const end = at + headerBytes + length;
      if (end > data.length) break;
      onFrame(data.subarray(at + headerBytes, end), data.subarray(at, at + headerBytes));
      at = end;
    }
    pending = at === data.length ? EMPTY : data.subarray(at);
  };
}

function serveSocket(socket: Socket): void {
  const out = new Outbox();
  const read = frames(8, (_payload, header) => {
    const replyBytes = header.readUInt32LE(4);
    out.u32(replyBytes);
    if (replyBytes > 0) out.bytes(zeros, replyBytes);
  });
  socket.on('data', (chunk: Buffer) => {
    read(chunk);
    out.flush(socket);
  });
  socket.on('error', () => socket.destroy());
}

function valueBytes(kind: ValueKind): number {
  const value = makeValue(kind);
  if (Buffer.isBuffer(value)) return value.length;
  return Buffer.byteLength(typeof value === 'string' ? value : JSON.stringify(value));
}

const replyBytesOf = new Map<ValueKind, number>();
const encoded = new WeakMap<object, Buffer>();
let lastString: { text: string; bytes: Buffer } | undefined;

// Encoded once per value (the load loops pass the same value on every call): no codec cost.
function bytesOf(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === 'string') {
    if (lastString?.text !== value) lastString = { text: value, bytes: Buffer.from(value) };
    return lastString.bytes;
  }
  let bytes = encoded.get(value as object);
  if (!bytes) {
    bytes = Buffer.from(JSON.stringify(value));
    encoded.set(value as object, bytes);
  }
  return bytes;
}

async function socketClient(env: SubjectEnv): Promise<BenchClient> {
  const path = env.host?.[SOCKET_ENV];
  if (!path) throw new Error('raw-socket: the primary did not say where its socket is');
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = createConnection(path, () => resolve(s));
    s.once('error', reject);
  });
  socket.setNoDelay?.(true);
  // Replies come back in the order the requests were written: a FIFO of resolvers.
  const waiting: ((reply: Buffer) => void)[] = [];
  let head = 0;
  socket.on(
    'data',
    frames(4, (frame) => {
      const settle = waiting[head++]!;
      if (head > 4096 && head * 2 > waiting.length) {
        waiting.splice(0, head);
        head = 0;
      }
      settle(frame);
    }),
  );
  const out = new Outbox();
  const flush = () => out.flush(socket);
  let sentFrames = 0;
  const call = (key: string, payload: Buffer | undefined, replyBytes: number) =>
    new Promise<Buffer>((resolve) => {
      if (out.length === 0) {
        sentFrames++;
        process.nextTick(flush);
      }
      const at = out.length;
      out.u32(0);
      out.u32(replyBytes);
      const keyBytes = out.utf8(key);
      if (payload) out.bytes(payload);
      out.patch(at, keyBytes + (payload?.length ?? 0));
      waiting.push(resolve);
    });
  return {
    holdsNoData: true,
    get(key, kind) {
      let bytes = replyBytesOf.get(kind);
      if (bytes === undefined) {
        bytes = valueBytes(kind);
        replyBytesOf.set(kind, bytes);
      }
      return call(key, undefined, bytes);
    },
    set: (key, value) => call(key, bytesOf(value), 0),
    increment: (key) => call(key, undefined, 8),
    framesOut: () => sentFrames,
    async close() {
      socket.destroy();
    },
  };
}

/** The carrier's limit: length-prefixed bytes over a Unix socket, no codec. */
export const subject: Subject = {
  name: 'raw-socket',
  family: 'limit',
  description:
    "physical limit: a Unix domain socket per worker, length-prefixed bytes of the sizes a call carries, no codec, no data held; a tick's requests in one write, a read's replies in one write",
  wire: 'length-prefixed bytes over a per-worker Unix domain socket, no codec; the requests of a tick in one write, the replies to one read in one write',
  group: 'ipc',
  serialization: 'json',
  needsRedis: false,
  cannotCarry: () => undefined,
  cannotDo: () => undefined,
  async host() {
    const dir = mkdtempSync(join(tmpdir(), 'statewire-bench-'));
    const path = join(dir, 'limit.sock');
    const server = createServer(serveSocket);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, resolve);
    });
    return {
      clientEnv: { [SOCKET_ENV]: path },
      async close() {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  client: (env) => socketClient(env),
};
