import type { Encoded } from '@statewire/core';
import { encodedSize, Op, type OpArgs } from '@statewire/core/transport';
import type { Redis } from 'ioredis';
import { MERGE_MAX_VALUE_BYTES } from './merge-policy.js';
import type { RedisCall } from './redis-call.js';
import { type CommandContext, runCommand } from './redis-commands.js';
import type { ReplicaAcks } from './replica-acks.js';
import { payloadOf, versionedValue } from './versioned-value.js';

/** Which calls can share one multi-key command with their neighbours (standalone only). */
type MergeKind = typeof Op.get | typeof Op.set;

// A large `set` is its own `SET` (and can go out as a ready-made frame, `set-frame.ts`);
// gets share an `MGET` while the values read lately are small.
function mergeKind(context: CommandContext, call: RedisCall): MergeKind | undefined {
  if (call.op === Op.get) return context.reads.small ? Op.get : undefined;
  const [, value, ttl] = call.args as OpArgs[typeof Op.set];
  if (call.op === Op.set && ttl === 0 && encodedSize(value as Encoded) <= MERGE_MAX_VALUE_BYTES) {
    return Op.set;
  }
  return undefined;
}

/**
 * Consecutive `get`s of one batch go out as one `MGET`, consecutive `set`s without ttl as
 * one `MSET`, for small values (see `merge-policy.ts`): fewer commands for ioredis and
 * Redis, and still applied in the order issued (each is atomic, and nothing else runs
 * between its parts).
 */
function writeMerged(context: CommandContext, calls: readonly RedisCall[], kind: MergeKind): void {
  const { layout, sink } = context;
  if (kind === Op.get) {
    const keys = calls.map((call) => layout.toRedis(call.args[0] as string));
    sink.callBuffer('mget', keys, (error, values?: (Buffer | null)[]) => {
      for (let i = 0; i < calls.length; i++) {
        const call = calls[i] as RedisCall;
        const value = values?.[i];
        if (error || !values) {
          context.fail(call, error, false);
          continue;
        }
        context.reads.record(value?.length ?? 0);
        context.settle(call, value ? payloadOf(value) : null);
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
  // A lone call is one command: corking it would only route its write through writev.
  const stream = batch.length > 1 || wait ? (context.client as Redis).stream : undefined;
  stream?.cork();
  try {
    let start = 0;
    while (start < batch.length) {
      const first = batch[start] as RedisCall;
      const kind = mergeKind(context, first);
      let end = start + 1;
      if (kind !== undefined) {
        while (end < batch.length && mergeKind(context, batch[end] as RedisCall) === kind) end++;
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
