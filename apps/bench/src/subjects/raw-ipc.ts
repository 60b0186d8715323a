import cluster, { type Worker } from 'node:cluster';
import type { BenchClient, BenchHost } from './subject.js';

/**
 * The raw IPC baseline both raw subjects share: every call is one `process.send` message
 * with an id, the primary answers it from a Map with one message, and the reply is routed
 * back by id. No batching, no validation, no codec: the ceiling of "just use IPC".
 */
interface RawRequest {
  rawBench: 1;
  id: number;
  op: 'g' | 's' | 'i';
  key: string;
  value?: unknown;
}

interface RawReply {
  rawBench: 1;
  id: number;
  value?: unknown;
}

function isRaw(message: unknown): message is RawRequest & RawReply {
  return typeof message === 'object' && message !== null && 'rawBench' in message;
}

/** The primary's half: a Map, answering every cluster worker forked after it. */
export function rawHost(): BenchHost {
  const data = new Map<string, unknown>();
  const answer = (worker: Worker) => (message: unknown) => {
    if (!isRaw(message)) return;
    let value: unknown;
    if (message.op === 'g') value = data.get(message.key);
    else if (message.op === 's') data.set(message.key, message.value);
    else {
      value = ((data.get(message.key) as number | undefined) ?? 0) + 1;
      data.set(message.key, value);
    }
    const reply: RawReply =
      value === undefined
        ? { rawBench: 1, id: message.id }
        : { rawBench: 1, id: message.id, value };
    if (worker.isConnected()) worker.send(reply as never);
  };
  const onFork = (worker: Worker) => worker.on('message', answer(worker));
  cluster.on('fork', onFork);
  return {
    async close() {
      cluster.off('fork', onFork);
      data.clear();
    },
  };
}

// What a user of raw IPC does to get a Buffer back: JSON turns it into { type, data } and
// advanced serialization may hand back a plain Uint8Array.
function revive(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.length);
  const wire = value as { type?: unknown; data?: unknown };
  if (wire.type === 'Buffer' && Array.isArray(wire.data)) return Buffer.from(wire.data as number[]);
  return value;
}

/** A worker's half: one message per call, replies matched by id. */
export function rawClient(): BenchClient {
  const pending = new Map<number, (value: unknown) => void>();
  let next = 0;
  const onMessage = (message: unknown) => {
    if (!isRaw(message)) return;
    const settle = pending.get(message.id);
    if (!settle) return;
    pending.delete(message.id);
    settle(message.value);
  };
  process.on('message', onMessage);
  const call = (op: RawRequest['op'], key: string, value?: unknown) =>
    new Promise<unknown>((resolve) => {
      const id = next++;
      pending.set(id, resolve);
      const request: RawRequest =
        value === undefined ? { rawBench: 1, id, op, key } : { rawBench: 1, id, op, key, value };
      process.send!(request);
    });
  return {
    get: async (key) => revive(await call('g', key)),
    set: (key, value) => call('s', key, value),
    increment: (key) => call('i', key),
    async close() {
      process.off('message', onMessage);
    },
  };
}
