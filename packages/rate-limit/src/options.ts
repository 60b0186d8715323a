import type { Store } from '@statewire/core';
import { whyNotAStore } from '@statewire/core/transport';
import { COUNTER_KEY_ROOM } from './counter-key.js';

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
  prefix?: string | undefined;
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
  const problem = whyNotAStore(store);
  if (problem !== undefined) throw new TypeError(`store must be a statewire Store, got ${problem}`);
  if (!store.capabilities.atomic || !store.capabilities.ttl) {
    throw new TypeError(
      'store must count atomically and honour TTLs (capabilities.atomic and capabilities.ttl)',
    );
  }
  if (typeof prefix !== 'string') {
    throw new TypeError(`prefix must be a string, got ${typeof prefix}`);
  }
  if (!prefix.isWellFormed()) throw new TypeError('prefix must not hold a lone surrogate');
  const room = store.capabilities.maxKeyBytes - COUNTER_KEY_ROOM;
  if (Buffer.byteLength(prefix) > room) {
    throw new TypeError(
      `prefix must take at most ${room} UTF-8 bytes, to leave room for the client key in the store's maxKeyBytes (${store.capabilities.maxKeyBytes})`,
    );
  }
  return { store, prefix };
}
