import { ioredisClient } from './ioredis-client.js';
import { noHost, type Subject } from './subject.js';

/** Raw ioredis, one command per call, written as it is issued. */
export const subject: Subject = {
  name: 'ioredis',
  family: 'baseline',
  description: 'raw ioredis: GET / SET / INCRBY per call, values encoded by hand',
  wire: 'ioredis, one GET / SET / INCRBY command per call, each written to the socket as issued',
  group: 'redis',
  serialization: 'json',
  needsRedis: true,
  cannotCarry: () => undefined,
  cannotDo: () => undefined,
  host: async () => noHost,
  client: async (env) => ioredisClient(env, false),
};
