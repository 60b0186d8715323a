import { ioredisClient } from './ioredis-client.js';
import { noHost, type Subject } from './subject.js';

/** Raw ioredis with `enableAutoPipelining: true`: commands of a tick share one write. */
export const subject: Subject = {
  name: 'ioredis-auto',
  family: 'baseline',
  description: 'raw ioredis with enableAutoPipelining: true',
  wire: 'ioredis with enableAutoPipelining: the commands (GET / SET / INCRBY, one per call) issued in a tick share one socket write',
  group: 'redis',
  serialization: 'json',
  needsRedis: true,
  cannotCarry: () => undefined,
  cannotDo: () => undefined,
  host: async () => noHost,
  client: async (env) => ioredisClient(env, true),
};
