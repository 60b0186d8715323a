import cluster, { type Worker } from 'node:cluster';
import type { ValueKind } from '../values.js';
import { fromAdvancedValue, fromJsonValue, toJsonValue } from './raw-values.js';
import type { BenchClient, BenchHost } from './subject.js';

/**
 * The unbatched raw IPC baseline both naive raw subjects share: every call is one
 * `process.send` message with an id, the primary answers it from a Map with one message, and
 * the reply is routed back by id. No batching, no validation: the ceiling of "just use IPC".
 */
export interface RawRequest {
  rawBench: 1;
  id: number;
  op: RawOp;
  key: string;
  value?: unknown;
}

interface RawReply {
  rawBench: 1;
  id: number;
  value?: unknown;
}

/** get, set, increment. */
export type RawOp = 'g' | 's' | 'i';

function isRaw(message: unknown): message is RawRequest & RawReply {
  return typeof message === 'object' && message !== null && 'rawBench' in message;
}

/** Applies one raw call to the primary's Map; resolves what a get or increment answers. */
export function applyRaw(
  data: Map<string, unknown>,
  op: RawOp,
  key: string,
  value: unknown,
): unknown {
  if (op === 'g') return data.get(key);
  if (op === 's') {
    data.set(key, value);
    return undefined;
  }
  const next = ((data.get(key) as number | undefined) ?? 0) + 1;
  data.set(key, next);
  return next;
}

/**
 * Runs `answer` for the messages of every cluster worker forked after this call.
 * @returns the host, which stops listening and drops the data on close
 */
export function rawPrimary(
  answer: (worker: Worker, message: unknown) => void,
  data: Map<string, unknown>,
): BenchHost {
  const onFork = (worker: Worker) => worker.on('message', (message) => answer(worker, message));
  cluster.on('fork', onFork);
  return {
    async close() {
      cluster.off('fork', onFork);
      data.clear();
    },
  };
}

/** The primary's half: a Map, one reply message per request. */
export function rawHost(): BenchHost {
  const data = new Map<string, unknown>();
  return rawPrimary((worker, message) => {
    if (!isRaw(message)) return;
    const value = applyRaw(data, message.op, message.key, message.value);
    const reply: RawReply =
      value === undefined
        ? { rawBench: 1, id: message.id }
        : { rawBench: 1, id: message.id, value };
    if (worker.isConnected()) worker.send(reply as never);
  }, data);
}

/**
 * A worker's half: one message per call, replies matched by id.
 * @param values - `json`: Buffers as base64, decoded by the known kind; `advanced`: Buffers
 *   as they are (the v8 serializer carries them), turned back from Uint8Array
 */
export function rawClient(values: 'json' | 'advanced'): BenchClient {
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
  const call = (op: RawOp, key: string, value?: unknown) =>
    new Promise<unknown>((resolve) => {
      const id = next++;
      pending.set(id, resolve);
      const request: RawRequest =
        value === undefined ? { rawBench: 1, id, op, key } : { rawBench: 1, id, op, key, value };
      process.send!(request);
    });
  const json = values === 'json';
  return {
    get: async (key, kind: ValueKind) => {
      const value = await call('g', key);
      return json ? fromJsonValue(value, kind) : fromAdvancedValue(value);
    },
    set: (key, value) => call('s', key, json ? toJsonValue(value) : value),
    increment: (key) => call('i', key),
    async close() {
      process.off('message', onMessage);
    },
  };
}
