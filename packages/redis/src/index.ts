export { createRedisStore, type RedisStore } from './create-redis-store.js';
export { type RedisClient, safeClusterOptions, safeRedisOptions } from './redis-client.js';
export type { RedisStoreStats } from './redis-executor.js';
export { DEFAULT_PREFIX, RedisKeyLayout } from './redis-key.js';
export {
  REDIS_MAX_VALUE_BYTES,
  type RedisStoreOptions,
  type WaitForReplicas,
} from './redis-store-options.js';
export { redisValueCodec, VALUE_MARKER } from './redis-value-codec.js';
export { UNVERSIONED } from './versioned-value.js';
