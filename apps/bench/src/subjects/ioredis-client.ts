import { Redis } from 'ioredis';
import { isBinary, type ValueKind } from '../values.js';
import type { BenchClient, SubjectEnv } from './subject.js';

/**
 * The raw Redis baseline: ioredis issuing the commands statewire's Redis store issues for
 * these calls (GET, SET, INCRBY), with the encoding a user would pick by hand: JSON text for
 * objects, the string itself, the Buffer itself.
 */
export function ioredisClient(env: SubjectEnv, autoPipelining: boolean): BenchClient {
  const redis = new Redis(env.redisUrl!, {
    enableAutoPipelining: autoPipelining,
    maxRetriesPerRequest: 1,
  });
  const prefix = `${env.namespace}:`;
  return {
    async get(key, kind: ValueKind) {
      if (isBinary(kind)) return redis.getBuffer(prefix + key);
      const text = await redis.get(prefix + key);
      if (text === null) return undefined;
      return kind === 'small' ? JSON.parse(text) : text;
    },
    set(key, value) {
      const encoded =
        typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value);
      return redis.set(prefix + key, encoded);
    },
    increment: (key) => redis.incrby(prefix + key, 1),
    async close() {
      redis.disconnect();
    },
  };
}
