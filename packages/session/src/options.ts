import type { Store } from '@statewire/core';
import { whyNotAStore } from '@statewire/core/transport';

/** Options of {@link StatewireSessionStore}. */
export interface SessionStoreOptions {
  /**
   * The statewire store that holds the sessions (`connect()` of `@statewire/ipc`,
   * `createRedisStore()` of `@statewire/redis`, ...). It needs `capabilities.ttl`.
   */
  store: Store;
  /**
   * Put before every session id to make its key, so that one statewire namespace can hold
   * sessions beside other data. `length()`, `all()` and `clear()` cover this prefix only.
   * @default 'sess:'
   */
  prefix?: string | undefined;
  /**
   * Time to live in milliseconds of a session whose cookie has no `maxAge` (a browser
   * session cookie). A positive integer.
   * @default 86400000 (one day)
   */
  ttl?: number | undefined;
}

/** {@link SessionStoreOptions} with every default filled in and validated. */
export interface ResolvedSessionStoreOptions {
  readonly store: Store;
  readonly prefix: string;
  readonly ttl: number;
}

/**
 * Fills the defaults of `options` in and validates them.
 * @throws TypeError naming the option that is missing or malformed.
 */
export function resolveSessionStoreOptions(
  options: SessionStoreOptions,
): ResolvedSessionStoreOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('StatewireSessionStore needs an options object with `store`');
  }
  const { store, prefix = 'sess:', ttl = 86_400_000 } = options;
  const problem = whyNotAStore(store);
  if (problem !== undefined) throw new TypeError(`store must be a statewire Store, got ${problem}`);
  if (!store.capabilities.ttl) {
    throw new TypeError('store must honour TTLs (capabilities.ttl): sessions expire');
  }
  if (typeof prefix !== 'string') {
    throw new TypeError(`prefix must be a string, got ${typeof prefix}`);
  }
  if (!Number.isSafeInteger(ttl) || ttl < 1) {
    throw new TypeError(`ttl must be a positive integer of milliseconds, got ${String(ttl)}`);
  }
  return { store, prefix, ttl };
}
