import { Redis } from 'ioredis';
import { isBinary, type ValueKind } from '../values.js';
import { decodeRedisValue, encodeRedisValue } from './ioredis-client.js';
import { type BenchClient, noHost, type Subject, type SubjectEnv } from './subject.js';

interface Get {
  key: string;
  kind: ValueKind;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}
interface SetCall {
  key: string;
  value: string | Buffer;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * The competent hand-written Redis baseline (issue 13): the gets of a tick go out as one
 * `MGET` (two when text and binary values are both read, since ioredis decodes a reply
 * either as strings or as Buffers), the sets of a tick as one `MSET`, both in one socket
 * write through auto-pipelining; increments are INCRBY, auto-pipelined. A tick's sets are
 * sent before its gets, so a get does not see a set issued after it in the same tick only
 * when the keys differ — what a cache that does not care about same-tick order accepts.
 */
function coalescingClient(env: SubjectEnv): BenchClient {
  const redis = new Redis(env.redisUrl!, { enableAutoPipelining: true, maxRetriesPerRequest: 1 });
  // A lost connection reaches every call as its rejection (and the cell says FAILED with
  // it); without a listener ioredis would also print each reconnect attempt to stderr.
  redis.on('error', () => {});
  const prefix = `${env.namespace}:`;
  let gets: Get[] = [];
  let sets: SetCall[] = [];
  let scheduled = false;
  const mget = (batch: Get[], binary: boolean) => {
    if (batch.length === 0) return;
    const keys = batch.map((g) => g.key);
    const reply = binary ? redis.mgetBuffer(keys) : redis.mget(keys);
    reply.then(
      (values) => {
        for (let i = 0; i < batch.length; i++) {
          const g = batch[i]!;
          g.resolve(decodeRedisValue(values[i] ?? null, g.kind));
        }
      },
      (error: unknown) => {
        for (const g of batch) g.reject(error);
      },
    );
  };
  const flush = () => {
    scheduled = false;
    const tickSets = sets;
    const tickGets = gets;
    sets = [];
    gets = [];
    if (tickSets.length > 0) {
      redis.mset(tickSets.flatMap((s) => [s.key, s.value])).then(
        () => {
          for (const s of tickSets) s.resolve(undefined);
        },
        (error: unknown) => {
          for (const s of tickSets) s.reject(error);
        },
      );
    }
    mget(
      tickGets.filter((g) => !isBinary(g.kind)),
      false,
    );
    mget(
      tickGets.filter((g) => isBinary(g.kind)),
      true,
    );
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    process.nextTick(flush);
  };
  return {
    get: (key, kind) =>
      new Promise((resolve, reject) => {
        gets.push({ key: prefix + key, kind, resolve, reject });
        schedule();
      }),
    set: (key, value) =>
      new Promise((resolve, reject) => {
        sets.push({ key: prefix + key, value: encodeRedisValue(value), resolve, reject });
        schedule();
      }),
    increment: (key) => redis.incrby(prefix + key, 1),
    async close() {
      redis.disconnect();
    },
  };
}

/** ioredis with a tick's gets as one MGET and its sets as one MSET. */
export const subject: Subject = {
  name: 'ioredis-coalesce',
  family: 'baseline',
  description:
    "competent raw baseline: ioredis with a tick's gets as one MGET and its sets as one MSET (flushed on process.nextTick, auto-pipelined into one write), INCRBY per increment",
  wire: "ioredis: a tick's gets as one MGET, its sets as one MSET, in one auto-pipelined write; INCRBY per increment",
  group: 'redis',
  serialization: 'json',
  needsRedis: true,
  cannotCarry: () => undefined,
  cannotDo: () => undefined,
  host: async () => noHost,
  client: async (env) => coalescingClient(env),
};
