import type { Store } from '@statewire/core';
import type {
  ClientRateLimitInfo,
  IncrementResponse,
  Options,
  Store as RateLimitStore,
} from 'express-rate-limit';
import { counterKey } from './counter-key.js';
import { type FixedWindow, fixedWindow } from './fixed-window.js';
import {
  type RateLimitStoreOptions,
  type ResolvedRateLimitStoreOptions,
  resolveRateLimitStoreOptions,
} from './options.js';

/**
 * How long a counter outlives its window. Counters are never read after their window
 * (the window number is in the key); the margin only keeps a counter alive to the end of
 * its window when the store's clock and the workers' clocks disagree slightly.
 */
const EXPIRY_MARGIN_MS = 1000;

/**
 * An express-rate-limit store over any statewire store: one count per client across every
 * cluster worker (over `@statewire/ipc`) or every machine (over `@statewire/redis`).
 *
 * Windows are fixed and aligned to the clock (`windowMs` from the limiter's options): a
 * client's hits in one window go to one counter whose key carries the window's number, so
 * counting is exact however the hits are spread over workers, and `resetTime` is the end
 * of the window. The counter's expiry is set atomically with the first hit
 * (`increment(key, 1, { ttl })`), so no counter outlives its window by more than a second.
 *
 * Every method rejects with the store's `StateError` when the store fails
 * (express-rate-limit then fails the request, or lets it through with `passOnStoreError`).
 */
export class StatewireRateLimitStore implements RateLimitStore {
  /** Counts are shared by every instance on the same store: never local. */
  readonly localKeys = false;
  /** The prefix of every counter's key. */
  readonly prefix: string;

  readonly #store: Store;
  #windowMs: number | undefined;

  /** @throws TypeError when an option is missing or malformed. */
  constructor(options: RateLimitStoreOptions) {
    const resolved: ResolvedRateLimitStoreOptions = resolveRateLimitStoreOptions(options);
    this.#store = resolved.store;
    this.prefix = resolved.prefix;
  }

  /**
   * Called by express-rate-limit with the limiter's options: takes `windowMs`.
   * @throws TypeError when `windowMs` is not a positive integer.
   */
  init(options: Pick<Options, 'windowMs'>): void {
    const { windowMs } = options;
    if (!Number.isSafeInteger(windowMs) || windowMs < 1) {
      throw new TypeError(`windowMs must be a positive integer, got ${String(windowMs)}`);
    }
    this.#windowMs = windowMs;
  }

  /** Counts a hit of `key`: resolves the hits of the current window, this one included. */
  async increment(key: string): Promise<IncrementResponse> {
    const window = this.#window();
    const totalHits = await this.#store.increment(this.#key(key, window), 1, {
      ttl: this.#ttl(window),
    });
    return { totalHits, resetTime: new Date(window.end) };
  }

  /**
   * Takes back a hit of `key` in the current window (express-rate-limit's
   * `skipSuccessfulRequests` / `skipFailedRequests`). Never leaves a count below zero: a
   * hit counted in a window that has since ended is not taken from the new one.
   */
  async decrement(key: string): Promise<void> {
    const window = this.#window();
    const counter = this.#key(key, window);
    const hits = await this.#store.increment(counter, -1, { ttl: this.#ttl(window) });
    // Atomic too: whatever other workers counted in between stays counted.
    if (hits < 0) await this.#store.increment(counter, 1);
  }

  /** The hits of `key` in the current window, or `undefined` when it has none. */
  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const window = this.#window();
    const hits = await this.#store.get(this.#key(key, window));
    if (typeof hits !== 'number') return undefined;
    return { totalHits: hits, resetTime: new Date(window.end) };
  }

  /** Forgets the hits of `key` in the current window. */
  async resetKey(key: string): Promise<void> {
    await this.#store.delete(this.#key(key, this.#window()));
  }

  #window(): FixedWindow {
    if (this.#windowMs === undefined) {
      throw new TypeError('init() was not called: pass the store to rateLimit({ store })');
    }
    return fixedWindow(Date.now(), this.#windowMs);
  }

  #key(key: string, window: FixedWindow): string {
    return counterKey(this.prefix, key, window.index, this.#store.capabilities.maxKeyBytes);
  }

  #ttl(window: FixedWindow): number {
    return window.end - Date.now() + EXPIRY_MARGIN_MS;
  }
}

/**
 * Creates an express-rate-limit store over a statewire store.
 *
 * @example
 * ```ts
 * app.use(rateLimit({ windowMs: 60_000, limit: 100, store: createRateLimitStore({ store: connect() }) }));
 * ```
 * @throws TypeError when an option is missing or malformed.
 */
export function createRateLimitStore(options: RateLimitStoreOptions): StatewireRateLimitStore {
  return new StatewireRateLimitStore(options);
}
