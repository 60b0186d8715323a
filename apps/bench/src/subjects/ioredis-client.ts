import { Redis } from 'ioredis';
import { isBinary, type ValueKind } from '../values.js';
import type { BenchClient, SubjectEnv } from './subject.js';

/** A value as a user would write it to Redis by hand: JSON text for objects, the rest as is. */
export function encodeRedisValue(value: unknown): string | Buffer {
  return typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value);
}

/** A value read back from Redis, decoded by the kind the caller knows it stored. */
export function decodeRedisValue(raw: string | Buffer | null, kind: ValueKind): unknown {
  if (raw === null) return undefined;
  if (isBinary(kind)) return raw;
  return kind === 'small' ? JSON.parse(raw.toString()) : raw;
}

/**
 * The naive Redis baselines: ioredis issuing the commands statewire's Redis store issues for
 * these calls one by one (GET, SET, INCRBY), with the encoding a user would pick by hand:
 * JSON text for objects, the string itself, the Buffer itself.
 */
export function ioredisClient(env: SubjectEnv, autoPipelining: boolean): BenchClient {
  const redis = new Redis(env.redisUrl!, {
    enableAutoPipelining: autoPipelining,
    maxRetriesPerRequest: 1,
  });
  // A lost connection reaches every call as its rejection (and the cell says FAILED with
  // it); without a listener ioredis would also print each reconnect attempt to stderr.
  redis.on('error', () => {});
  const prefix = `${env.namespace}:`;
  return {
    async get(key, kind: ValueKind) {
      const raw = isBinary(kind)
        ? await redis.getBuffer(prefix + key)
        : await redis.get(prefix + key);
      return decodeRedisValue(raw, kind);
    },
    set: (key, value) => redis.set(prefix + key, encodeRedisValue(value)),
    increment: (key) => redis.incrby(prefix + key, 1),
    async close() {
      redis.disconnect();
    },
  };
}
