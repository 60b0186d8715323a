import type { Store } from '@statewire/core';

/** Options of {@link StatewireRateLimitStore}. */
export interface RateLimitStoreOptions {
  /**
   * The statewire store that holds the counters (`connect()` of `@statewire/ipc`,
   * `createRedisStore()` of `@statewire/redis`, ...). It needs `capabilities.atomic` and
   * `capabilities.ttl`.
   */
  store: Store;
  /**
   * Put before every counter's key. Give each rate limiter of an application its own
   * prefix (express-rate-limit checks that no key is counted twice under one prefix).
   * @default 'rl:'
   */
  prefix?: string;
}

/** {@link RateLimitStoreOptions} with every default filled in and validated. */
export interface ResolvedRateLimitStoreOptions {
  readonly store: Store;
  readonly prefix: string;
}

/**
 * Fills the defaults of `options` in and validates them.
 * @throws TypeError naming the option that is missing or malformed.
 */
export function resolveRateLimitStoreOptions(
  options: RateLimitStoreOptions,
): ResolvedRateLimitStoreOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('StatewireRateLimitStore needs an options object with `store`');
  }
  const { store, prefix = 'rl:' } = options;
  if (typeof store !== 'object' || store === null || typeof store.increment !== 'function') {
    throw new TypeError('store must be a statewire Store');
  }
  if (!store.capabilities.atomic || !store.capabilities.ttl) {
    throw new TypeError(
      'store must count atomically and honour TTLs (capabilities.atomic and capabilities.ttl)',
    );
  }
  if (typeof prefix !== 'string') {
    throw new TypeError(`prefix must be a string, got ${typeof prefix}`);
  }
  return { store, prefix };
}
