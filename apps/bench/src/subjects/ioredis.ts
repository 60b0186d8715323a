import { ioredisClient } from './ioredis-client.js';
import { noHost, type Subject } from './subject.js';

/** Raw ioredis, one command per call, written as it is issued. */
export const subject: Subject = {
  name: 'ioredis',
  family: 'baseline',
  description: 'raw ioredis: GET / SET / INCRBY per call, values encoded by hand',
  group: 'redis',
  serialization: 'json',
  needsRedis: true,
  cannotCarry: () => undefined,
  cannotDo: () => undefined,
  host: async () => noHost,
  client: async (env) => ioredisClient(env, false),
};
