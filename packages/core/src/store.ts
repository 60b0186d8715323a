import type { Capabilities } from './capabilities.js';

/**
 * The keys of a store schema `S`, including template-literal pattern keys:
 * `{ hits: number; [k: \`session:${string}\`]: Session }` allows `'hits'` and
 * `'session:42'`.
 */
export type KeyOf<S> = Extract<keyof S, string>;

/** Options every call accepts. */
export interface CallOptions {
  /**
   * Milliseconds before the call rejects with `TIMEOUT` (writes: `maybeApplied: true`).
   * A positive finite number.
   * @default the store's timeout, 5000 unless configured
   */
  timeout?: number;
  /** Aborts the call: it rejects with `ABORTED`. */
  signal?: AbortSignal;
}

/** Options of `set` and `setIfAbsent`. */
export interface SetOptions extends CallOptions {
  /**
   * Time to live in milliseconds, a positive finite number. Needs `capabilities.ttl`.
   * @default no expiry
   */
  ttl?: number;
}

/** One entry of {@link Store.setMany}. */
export interface Entry<S, K extends KeyOf<S> = KeyOf<S>> {
  key: K;
  value: S[K];
  /** Time to live in milliseconds. */
  ttl?: number;
}

/**
 * A typed key-value store shared by the processes of one application.
 *
 * Every method returns a promise that settles exactly once, never synchronously, and
 * within its timeout. Failures are `StateError`s with a stable `code`; a malformed option
 * rejects with a `TypeError`. Nothing is ever thrown synchronously.
 *
 * @typeParam S - the schema: the keys and the type of the value under each.
 */
export interface Store<S extends object = Record<string, unknown>> {
  /** The store's declared capabilities (frozen). */
  readonly capabilities: Capabilities;
  /** The value under `key`, or `undefined` when the key is missing. A stored `null` reads `null`. */
  get<K extends KeyOf<S>>(key: K, opts?: CallOptions): Promise<S[K] | undefined>;
  /**
   * Stores `value` under `key`. Resolves once the holder applied it.
   * @throws `INVALID_KEY`, `INVALID_VALUE`, `TOO_LARGE` (rejected, not thrown)
   */
  set<K extends KeyOf<S>>(key: K, value: S[K], opts?: SetOptions): Promise<void>;
  /** Deletes `key`; resolves `true` if it existed. */
  delete(key: KeyOf<S>, opts?: CallOptions): Promise<boolean>;
  /** Whether `key` exists (and has not expired). */
  has(key: KeyOf<S>, opts?: CallOptions): Promise<boolean>;
  /** The keys of this store's namespace that start with `prefix`, in no set order. */
  keys(prefix?: string, opts?: CallOptions): Promise<string[]>;
  /** Deletes every key of this store's namespace, and only those. */
  clear(opts?: CallOptions): Promise<void>;
  /** The values under `keys`, aligned with them; `undefined` where missing. */
  getMany<K extends KeyOf<S>>(keys: K[], opts?: CallOptions): Promise<(S[K] | undefined)[]>;
  /**
   * Stores every entry; all entries are validated before any is sent, and their encoded
   * values together must fit `capabilities.maxValueBytes` (else `TOO_LARGE`: split the call).
   */
  setMany(entries: Entry<S>[], opts?: CallOptions): Promise<void>;
  /** Deletes `keys`; resolves how many existed. */
  deleteMany(keys: KeyOf<S>[], opts?: CallOptions): Promise<number>;
  /**
   * Atomically adds `by` (default 1) to the number under `key` (missing counts as 0) and
   * resolves the new value. The stored value keeps its expiry.
   * @throws `WRONG_TYPE` when the stored value is not a number
   */
  increment(key: KeyOf<S>, by?: number, opts?: CallOptions): Promise<number>;
  /** Atomically stores `value` only if `key` is missing; resolves whether it did. */
  setIfAbsent<K extends KeyOf<S>>(key: K, value: S[K], opts?: SetOptions): Promise<boolean>;
  /**
   * Closes the store: pending calls reject with `CLOSED`, later calls too. Idempotent;
   * afterwards the store keeps nothing alive.
   */
  close(): Promise<void>;
}
