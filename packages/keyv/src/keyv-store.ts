import { EventEmitter } from 'node:events';
import { StateError, type Store } from '@statewire/core';
import { whyNotAStore } from '@statewire/core/transport';
import { chunks } from './chunks.js';
import {
  DEFAULT_MAX_BATCH_KEYS,
  type KeyvStoreOptions,
  type ResolvedKeyvStoreOptions,
  resolveKeyvStoreOptions,
} from './options.js';
import { withoutUndefinedFields } from './raw-value.js';

/** One entry of {@link KeyvStatewireStore.setMany}, as Keyv passes it. */
export interface KeyvEntry {
  key: string;
  value: unknown;
  /** Time to live in milliseconds; `undefined` or `0` for none. */
  ttl?: number | undefined;
}

/**
 * A Keyv storage adapter over statewire stores (`new Keyv({ store })`, cache-manager,
 * cacheable). Each Keyv namespace lives in its own statewire namespace, opened on first
 * use through `options.open`, so `clear()` empties exactly the current Keyv namespace and
 * no other (`'a'` never touches `'a:b'`).
 *
 * Works with Keyv 5 and Keyv 6. Keys are stored as Keyv passes them (Keyv 5 prefixes
 * them with `namespace:` unless `useKeyPrefix` is off; Keyv 6 leaves the namespace to the
 * adapter), which keeps iteration exact in every mode.
 *
 * Errors: every method rejects with the store's `StateError`. Keyv itself reports failed
 * writes on its `error` event but reads a failed `get()` as a miss; so that a failing store
 * is never mistaken for an empty one, the adapter also emits `error` for every failed read
 * (`get`, `getMany`, `has`, iteration) — Keyv forwards it to its own `error` event.
 */
export class KeyvStatewireStore extends EventEmitter {
  /**
   * Keyv's adapter options. Keyv 5 enables `keyv.iterator()` only for adapters whose
   * `opts.dialect` (or `opts.url`) names one of a fixed list of databases; `'redis'` is on
   * that list and means nothing else to Keyv, so the adapter declares it to be iterable.
   * `url` is there because Keyv reads it when the dialect is not on its list. Writable, as
   * Keyv and its tools treat adapter options.
   */
  readonly opts: { dialect: string; url: string; [option: string]: unknown };
  /** The current Keyv namespace; Keyv sets it. `undefined` maps to the statewire namespace `''`. */
  namespace: string | undefined;

  readonly #options: ResolvedKeyvStoreOptions;
  readonly #stores = new Map<string, Store>();
  #disconnected = false;

  /** Use {@link createKeyvStore}. @throws TypeError on malformed options. */
  constructor(options: KeyvStoreOptions) {
    super();
    this.#options = resolveKeyvStoreOptions(options);
    this.opts = { dialect: 'redis', url: 'statewire://' };
  }

  /**
   * The store of `namespace` (the current one by default), opened on first use.
   * @throws `CLOSED` after {@link disconnect}: a disconnected adapter opens nothing more.
   */
  store(namespace: string | undefined = this.namespace): Store {
    if (this.#disconnected) {
      throw new StateError('CLOSED', 'keyv adapter: disconnect() was called', {});
    }
    const name = namespace ?? '';
    let store = this.#stores.get(name);
    if (store === undefined) {
      store = this.#options.open(name);
      const problem = whyNotAStore(store);
      if (problem !== undefined) {
        throw new TypeError(
          `open(${JSON.stringify(name)}) must return a statewire Store, got ${problem}`,
        );
      }
      this.#stores.set(name, store);
    }
    return store;
  }

  /** The stored value under `key`, `undefined` when missing. Emits `error` and rejects on failure. */
  async get(key: string): Promise<unknown> {
    return this.#read(() => this.store().get(key));
  }

  /** The values under `keys`, aligned with them, in chunks of the batch limit. */
  async getMany(keys: string[]): Promise<unknown[]> {
    return this.#read(async () => {
      const store = this.store();
      const results: unknown[] = [];
      for (const chunk of chunks(keys, this.#batchSize(store))) {
        results.push(...(await readChunk(store, chunk)));
      }
      return results;
    });
  }

  /** Whether `key` exists. */
  async has(key: string): Promise<boolean> {
    return this.#read(() => this.store().has(key));
  }

  /** Whether each of `keys` exists, aligned with them, in chunks of the batch limit. */
  async hasMany(keys: string[]): Promise<boolean[]> {
    return (await this.getMany(keys)).map((value) => value !== undefined);
  }

  /**
   * Stores `value` under `key`, with a TTL when Keyv gives one and the store honours TTLs
   * (Keyv's envelope carries `expires` too, which Keyv checks on every read).
   */
  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    const store = this.store();
    // Already expired (Keyv's envelope says so too): nothing is left to read, and `has`
    // must not find it.
    if (isExpired(ttl)) await store.delete(key);
    else await store.set(key, withoutUndefinedFields(value), this.#ttlOption(store, ttl));
    return true;
  }

  /** Stores every entry, in chunks of the batch limit (deletes those already expired). */
  async setMany(entries: KeyvEntry[]): Promise<boolean[]> {
    const store = this.store();
    // Sets go before deletes, so a key given more than once would end as its last live
    // entry, however its entries were ordered: only the last entry of each key counts.
    const last = new Map<string, KeyvEntry>();
    for (const entry of entries) {
      last.delete(entry.key);
      last.set(entry.key, entry);
    }
    const live: KeyvEntry[] = [];
    const expired: string[] = [];
    for (const entry of last.values()) {
      if (isExpired(entry.ttl)) expired.push(entry.key);
      else live.push(entry);
    }
    for (const chunk of chunks(live, this.#batchSize(store))) {
      await store.setMany(
        chunk.map(({ key, value, ttl }) => ({
          key,
          value: withoutUndefinedFields(value),
          ...this.#ttlOption(store, ttl),
        })),
      );
    }
    for (const chunk of chunks(expired, this.#batchSize(store))) await store.deleteMany(chunk);
    return entries.map(() => true);
  }

  /** Deletes `key`; resolves whether it existed. */
  async delete(key: string): Promise<boolean> {
    return this.store().delete(key);
  }

  /**
   * Deletes `keys` in chunks of the batch limit; resolves whether any of them existed
   * (Keyv 5's contract; Keyv 6 repeats the answer for each key).
   */
  async deleteMany(keys: string[]): Promise<boolean> {
    const store = this.store();
    let deleted = 0;
    for (const chunk of chunks(keys, this.#batchSize(store))) {
      deleted += await store.deleteMany(chunk);
    }
    return deleted > 0;
  }

  /** Deletes every key of the current Keyv namespace, and only those. */
  async clear(): Promise<void> {
    await this.store().clear();
  }

  /**
   * Yields `[key, value]` for every entry of `namespace`, reading values in chunks of the
   * batch limit. Keys deleted while iterating are skipped.
   */
  async *iterator(
    namespace: string | undefined = this.namespace,
  ): AsyncGenerator<[string, unknown]> {
    let page: string[] = [];
    try {
      const store = this.store(namespace);
      const size = this.#batchSize(store);
      for await (const key of await listKeys(store)) {
        page.push(key);
        if (page.length < size) continue;
        yield* await this.#entries(store, page);
        page = [];
      }
      yield* await this.#entries(store, page);
    } catch (error) {
      this.#report(error);
      throw error;
    }
  }

  /**
   * Closes the stores this adapter opened when `closeOnDisconnect` is on (the default);
   * otherwise only forgets them. Idempotent.
   */
  async disconnect(): Promise<void> {
    if (this.#disconnected) return;
    this.#disconnected = true;
    const stores = [...this.#stores.values()];
    this.#stores.clear();
    if (this.#options.closeOnDisconnect) await Promise.all(stores.map((store) => store.close()));
  }

  async #entries(store: Store, keys: string[]): Promise<[string, unknown][]> {
    if (keys.length === 0) return [];
    const values = await readChunk(store, keys);
    const entries: [string, unknown][] = [];
    for (const [index, key] of keys.entries()) {
      const value = values[index];
      if (value !== undefined) entries.push([key, value]);
    }
    return entries;
  }

  // A read that fails is reported as `error`, however it fails: a disconnected adapter, or
  // an `open` that throws, as much as a store that rejects. Keyv reads an unreported
  // failure of `get` as a miss.
  async #read<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      this.#report(error);
      throw error;
    }
  }

  // An EventEmitter throws an `error` event nobody listens to; Keyv always listens.
  #report(error: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  #batchSize(store: Store): number {
    // Stores of an older @statewire/core do not declare their batch limit.
    const declared = (store.capabilities as { maxBatchKeys?: number }).maxBatchKeys;
    return Math.min(this.#options.maxBatchKeys, declared ?? DEFAULT_MAX_BATCH_KEYS);
  }

  // A ttl of 0, none or Infinity (Keyv's envelope then never expires) is stored without one.
  #ttlOption(store: Store, ttl: number | undefined): { ttl?: number } {
    return typeof ttl === 'number' && ttl > 0 && Number.isFinite(ttl) && store.capabilities.ttl
      ? { ttl }
      : {};
  }
}

// Keyv gives a negative ttl as it was given: its envelope expires in the past.
function isExpired(ttl: number | undefined): boolean {
  return typeof ttl === 'number' && ttl < 0;
}

/**
 * `store.getMany(keys)`, in halves when the answer would be over the store's reply limit
 * (many large values): a chunk of the batch limit is sized by its keys, not its values. One
 * value always fits one answer.
 */
async function readChunk(store: Store, keys: string[]): Promise<unknown[]> {
  try {
    return await store.getMany(keys);
  } catch (error) {
    if (!StateError.is(error, 'TOO_LARGE') || keys.length < 2) throw error;
    const half = Math.ceil(keys.length / 2);
    return [
      ...(await readChunk(store, keys.slice(0, half))),
      ...(await readChunk(store, keys.slice(half))),
    ];
  }
}

/**
 * The keys of a store's namespace: `keys()` in one answer when it fits, else page by page
 * with `scan()` (a namespace too large for one answer rejects `keys()` with `TOO_LARGE`).
 */
async function listKeys(store: Store): Promise<AsyncIterable<string> | string[]> {
  try {
    return await store.keys();
  } catch (error) {
    if (StateError.is(error, 'TOO_LARGE')) return store.scanIterator();
    throw error;
  }
}

/**
 * Creates a Keyv storage adapter over statewire stores.
 *
 * @example
 * ```ts
 * const keyv = new Keyv({ store: createKeyvStore({ open: (ns) => connect({ namespace: `cache:${ns}` }) }) });
 * ```
 * @throws TypeError when an option is missing or malformed.
 */
export function createKeyvStore(options: KeyvStoreOptions): KeyvStatewireStore {
  return new KeyvStatewireStore(options);
}
