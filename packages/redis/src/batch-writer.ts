import { Op, type OpArgs } from '@statewire/core/transport';
import type { Redis } from 'ioredis';
import type { RedisCall } from './redis-call.js';
import { type CommandContext, runCommand } from './redis-commands.js';
import type { ReplicaAcks } from './replica-acks.js';
import { payloadOf, versionedValue } from './versioned-value.js';

/** Which calls can share one multi-key command with their neighbours (standalone only). */
type MergeKind = typeof Op.get | typeof Op.set;

function mergeKind(call: RedisCall): MergeKind | undefined {
  if (call.op === Op.get) return Op.get;
  if (call.op === Op.set && call.args[2] === 0) return Op.set;
  return undefined;
}

/**
 * Consecutive `get`s of one batch go out as one `MGET`, consecutive `set`s without ttl as
 * one `MSET`: fewer commands for ioredis and Redis, and still applied in the order issued
 * (each is atomic, and nothing else runs between its parts).
 */
function writeMerged(context: CommandContext, calls: readonly RedisCall[], kind: MergeKind): void {
  const { layout, sink } = context;
  if (kind === Op.get) {
    const keys = calls.map((call) => layout.toRedis(call.args[0] as string));
    sink.callBuffer('mget', keys, (error, values?: (Buffer | null)[]) => {
      for (let i = 0; i < calls.length; i++) {
        const call = calls[i] as RedisCall;
        const value = values?.[i];
        if (error || !values) context.fail(call, error, false);
        else context.settle(call, value ? payloadOf(value) : null);
      }
    });
    return;
  }
  const args: (string | Buffer)[] = [];
  for (const call of calls) {
    const [key, value] = call.args as OpArgs[typeof Op.set];
    args.push(layout.toRedis(key), versionedValue(context.versions.next(), value));
  }
  sink.call('mset', args, (error) => {
    for (const call of calls) {
      if (error) context.fail(call, error, false);
      else context.settle(call, null);
    }
  });
}

/**
 * Writes one batch of calls (already counted as sent) to ioredis, in order.
 *
 * On a Cluster each call's commands are routed to the node of their slot. A ready
 * standalone client writes each command to its socket at once; corked, the whole batch
 * leaves in one write, cheaper than an ioredis Pipeline (which chains two promises and a
 * result array per command). With `replicas`, the batch's writes are followed by one `WAIT`.
 */
export function writeBatch(
  context: CommandContext,
  batch: readonly RedisCall[],
  replicas: ReplicaAcks | undefined,
): void {
  if (batch.length === 0) return;
  if (context.cluster) {
    for (const call of batch) runCommand(context, call);
    return;
  }
  const wait = replicas?.begin(batch);
  const stream = (context.client as Redis).stream;
  stream?.cork();
  try {
    let start = 0;
    while (start < batch.length) {
      const first = batch[start] as RedisCall;
      const kind = mergeKind(first);
      let end = start + 1;
      if (kind !== undefined) {
        while (end < batch.length && mergeKind(batch[end] as RedisCall) === kind) end++;
      }
      if (end - start > 1) writeMerged(context, batch.slice(start, end), kind as MergeKind);
      else runCommand(context, first);
      start = end;
    }
    if (wait) replicas?.send(context.sink, wait);
  } finally {
    stream?.uncork();
  }
}
