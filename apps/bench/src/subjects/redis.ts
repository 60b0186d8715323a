import type { Store } from '@statewire/core';
import { storeClient } from './store-client.js';
import { noHost, type Subject } from './subject.js';

type CreateRedisStore = (options: { url?: string; namespace?: string }) => Store;

// Imported by a computed name: @statewire/redis may not be built yet, and then its rows say
// so instead of the whole bench failing to compile or start.
const redisPackage: string = '@statewire/redis';

/** Loads `createRedisStore`, or explains why it cannot be. */
export async function loadCreateRedisStore(): Promise<CreateRedisStore> {
  let loaded: { createRedisStore?: unknown };
  try {
    loaded = (await import(redisPackage)) as { createRedisStore?: unknown };
  } catch (error) {
    throw new Error(`@statewire/redis does not load (not built?): ${(error as Error).message}`);
  }
  if (typeof loaded.createRedisStore !== 'function')
    throw new Error('@statewire/redis does not export createRedisStore yet');
  return loaded.createRedisStore as CreateRedisStore;
}

/** `@statewire/redis`: the same Store API on a real redis-server. */
export const subject: Subject = {
  name: 'redis',
  family: 'statewire',
  description: '@statewire/redis: createRedisStore({ url, namespace }) in each worker',
  wire: "ioredis, one connection per worker; a call made with nothing in flight is written at once, the calls made while others are in flight leave together at the next flush in one corked socket write, consecutive gets as one MGET and consecutive sets without ttl as one MSET (in issue order) while values are small (a set of a value over 8 KiB is its own SET; gets stop sharing an MGET while the values read lately average over 8 KiB), other calls as their own commands (SET with PX for a ttl, increment as EVAL of a Lua script); values as bytes of the store's value codec, a long string written once into the buffer that carries the SET command",
  group: 'redis',
  serialization: 'json',
  needsRedis: true,
  cannotCarry: () => undefined,
  cannotDo: () => undefined,
  async host() {
    await loadCreateRedisStore();
    return noHost;
  },
  async client(env) {
    const createRedisStore = await loadCreateRedisStore();
    return storeClient(createRedisStore({ url: env.redisUrl!, namespace: env.namespace }));
  },
};
