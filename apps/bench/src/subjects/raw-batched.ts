import type { ValueKind } from '../values.js';
import { applyRaw, type RawOp, rawPrimary } from './raw-ipc.js';
import { fromJsonValue, toJsonValue } from './raw-values.js';
import type { BenchClient, Subject } from './subject.js';

// One message carries every call a worker made in one tick, as [id, op, key, value?]
// tuples, and the primary answers each message with one message of [id, value] pairs.
type Call = [id: number, op: RawOp, key: string, value?: unknown];
type Reply = [id: number, value: unknown];
interface Batch {
  rawBatch: 1;
  calls?: Call[];
  replies?: Reply[];
}

const isBatch = (message: unknown): message is Batch =>
  typeof message === 'object' && message !== null && 'rawBatch' in message;

/**
 * The competent hand-written IPC baseline (issue 13): what a good engineer writes in ~30
 * lines once they notice that IPC pays per message. Calls of a tick are queued and sent as
 * one `process.send` on `process.nextTick` (after the promise continuations of the replies
 * just received have issued their next calls), the primary answers the whole message with
 * one message, and replies are routed back by id. JSON serialization; Buffers as base64.
 */
function batchedClient(): BenchClient {
  const pending = new Map<number, (value: unknown) => void>();
  let queue: Call[] = [];
  let next = 0;
  let frames = 0;
  const flush = () => {
    const calls = queue;
    queue = [];
    frames++;
    process.send!({ rawBatch: 1, calls } satisfies Batch);
  };
  const onMessage = (message: unknown) => {
    if (!isBatch(message) || !message.replies) return;
    for (const [id, value] of message.replies) {
      const settle = pending.get(id);
      pending.delete(id);
      settle?.(value ?? undefined);
    }
  };
  process.on('message', onMessage);
  const call = (op: RawOp, key: string, value?: unknown) =>
    new Promise<unknown>((resolve) => {
      const id = next++;
      pending.set(id, resolve);
      if (queue.length === 0) process.nextTick(flush);
      queue.push(value === undefined ? [id, op, key] : [id, op, key, value]);
    });
  return {
    get: async (key, kind: ValueKind) => fromJsonValue(await call('g', key), kind),
    set: (key, value) => call('s', key, toJsonValue(value)),
    increment: (key) => call('i', key),
    framesOut: () => frames,
    async close() {
      process.off('message', onMessage);
    },
  };
}

/** Hand-batched raw JSON IPC: the strongest IPC baseline a user could write without us. */
export const subject: Subject = {
  name: 'raw-batched',
  family: 'baseline',
  description:
    'competent raw baseline: the calls of a tick in one process.send (json serialization, flushed on process.nextTick), one reply message per batch, replies routed by id; Buffers as base64',
  wire: "one JSON message per tick over the IPC channel carrying that tick's calls as [id, op, key, value] tuples, one reply message per batch; Buffers as base64 strings",
  group: 'ipc',
  serialization: 'json',
  needsRedis: false,
  cannotCarry: () => undefined,
  cannotDo: () => undefined,
  async host() {
    const data = new Map<string, unknown>();
    return rawPrimary((worker, message) => {
      if (!isBatch(message) || !message.calls) return;
      const replies: Reply[] = message.calls.map(([id, op, key, value]) => [
        id,
        applyRaw(data, op, key, value) ?? null,
      ]);
      if (worker.isConnected()) worker.send({ rawBatch: 1, replies } satisfies Batch as never);
    }, data);
  },
  client: async () => batchedClient(),
};
