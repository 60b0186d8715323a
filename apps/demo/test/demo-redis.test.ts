import {
  ensureRedisInstalled,
  type RedisServer,
  startRedisServer,
} from '@statewire/test-redis-server';
import { afterAll, beforeAll } from 'vitest';
import { describeIntegrations } from './integrations.js';
import { describeDemo } from './scenarios.js';

let server: RedisServer | undefined;
beforeAll(async () => {
  if (process.env.REDIS_URL) return;
  ensureRedisInstalled();
  server = await startRedisServer();
});
afterAll(async () => {
  await server?.stop();
});

describeDemo('redis', () => ({ REDIS_URL: process.env.REDIS_URL ?? (server as RedisServer).url }));
describeIntegrations('redis', () => ({
  REDIS_URL: process.env.REDIS_URL ?? (server as RedisServer).url,
}));
