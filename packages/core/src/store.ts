import type { Capabilities } from './capabilities.js';

/**
 * The keys of a store schema `S`, including template-literal pattern keys:
 * `{ hits: number; [k: \`session:${string}\`]: Session }` allows `'hits'` and
 * `'session:42'`.
 */
export type KeyOf<S> = Extract<keyof S, string>;

/**
 * The keys of a store schema `S` whose value is a number: the keys `increment` takes.
 * `{ hits: number; name: string }` gives `'hits'`. A key whose value type is `unknown` or
 * `any` counts too, so the default schema `Record<string, unknown>` takes any key; a
 * value type that only may be a number (`number | string`) does not, since `increment`
 * of the other kind rejects with `WRONG_TYPE`.
 */
export type NumericKeyOf<S> = {
  [K in keyof S]-?: K extends string
    ? unknown extends S[K]
      ? K
      : // An optional key reads `number | undefined`; `undefined` is never stored.
        [Exclude<S[K], undefined>] extends [number]
        ? K
        : never
    : never;
}[keyof S];

/** Options every call accepts. */
export interface CallOptions {
  /**
   * Milliseconds before the call rejects with `TIMEOUT` (writes: `maybeApplied: true`).
   * A positive finite number.
   * @default the store's timeout, 5000 unless configured
   */
  timeout?: number | undefined;
  /** Aborts the call: it rejects with `ABORTED`. */
  signal?: AbortSignal | undefined;
}

/** Options of `set` and `setIfAbsent`. */
export interface SetOptions extends CallOptions {
  /**
   * Time to live in milliseconds, a positive finite number. Needs `capabilities.ttl`.
   * @default no expiry
   */
  ttl?: number | undefined;
}

/**
 * The expected version of a key for a compare-and-set: a version string read from
 * {@link Store.getEntry} (the key must still be at exactly that version), or `null` (the
 * key must not exist). Needs `capabilities.versions`.
 */
export type ExpectedVersion = string | null;

/** Options of `set`. */
export interface ConditionalSetOptions extends SetOptions {
  /**
   * Write only if the key is at this version (`null`: only if it is missing). A mismatch
   * rejects with `CONFLICT` and writes nothing.
   * @default unconditional
   */
  ifVersion?: ExpectedVersion | undefined;
}

/** Options of `delete`. */
export interface DeleteOptions extends CallOptions {
  /**
   * Delete only if the key is at this version (`null`: only if it is missing, which
   * resolves `false`). A mismatch rejects with `CONFLICT` and deletes nothing.
   * @default unconditional
   */
  ifVersion?: ExpectedVersion | undefined;
}

/**
 * A value with its version, from {@link Store.getEntry}. A version is an opaque string,
 * compared for equality only: it changes on every write of the key, is never reused for
 * that key (a delete and re-create gives a new one) and never repeats after the holder
 * restarts.
 */
export interface VersionedEntry<V> {
  value: V;
  version: string;
}

/**
 * What {@link Store.getEntries} resolves for the keys `K`: each key's value and version, or
 * `undefined` where missing, aligned with the keys.
 */
export type VersionedEntriesOf<S, K extends readonly KeyOf<S>[]> = {
  -readonly [I in keyof K]: VersionedEntry<K[I] extends KeyOf<S> ? S[K[I]] : never> | undefined;
};

/**
 * What {@link AtomicOperation.commit} resolves. A failed check is an answer, not an error:
 * `{ ok: false, failed }` names the keys whose check failed, and nothing was written. Any
 * other failure rejects with a `StateError` (a timeout with `maybeApplied: true`: a later
 * read shows all of the mutations or none).
 */
export type CommitResult =
  | {
      ok: true;
      /** The new version of each key the commit left set (not of deleted keys). */
      versions: Record<string, string>;
    }
  | {
      ok: false;
      /** The keys whose check failed. */
      failed: string[];
    };

/**
 * Builds one atomic commit (`store.atomic().check(k, v).set(k, x).commit()`): every check
 * runs before any mutation, the mutations apply in order, and a failed check applies
 * nothing. Builder methods only record; `commit` validates and sends (it never throws
 * synchronously). At most {@link MAX_ATOMIC_STEPS} checks and mutations together
 * (`TOO_LARGE` past it).
 */
export interface AtomicOperation<S extends object = Record<string, unknown>> {
  /** The key must be at `version` (`null`: must not exist). Needs `capabilities.versions`. */
  check(key: KeyOf<S>, version: ExpectedVersion): this;
  /** Stores `value` under `key`, with an optional ttl. */
  set<K extends KeyOf<S>>(key: K, value: S[K], opts?: { ttl?: number | undefined }): this;
  /** Deletes `key` (missing is fine). */
  delete(key: KeyOf<S>): this;
  /** Adds `by` (default 1) to the number under `key`; `WRONG_TYPE` fails the whole commit. */
  increment(key: NumericKeyOf<S>, by?: number): this;
  /** Sends the commit. Needs `capabilities.atomic`. */
  commit(opts?: CallOptions): Promise<CommitResult>;
}

/** The most checks and mutations, together, in one atomic commit. */
export const MAX_ATOMIC_STEPS = 1000;

/** Options of `increment`. */
export interface IncrementOptions extends CallOptions {
  /**
   * Time to live in milliseconds, applied only when this increment creates the key (a
   * missing or expired key): later increments never set, extend or drop the expiry, so a
   * fixed window (a rate limit, say) starts with its first hit. Needs `capabilities.ttl`.
   * @default no expiry
   */
  ttl?: number | undefined;
}

/** Options of {@link Store.scan}. */
export interface ScanOptions extends CallOptions {
  /**
   * Where to continue: the `cursor` of the previous page. Omit it for the first page.
   * @default the start of the namespace
   */
  cursor?: string | undefined;
  /**
   * About how many keys one page holds: a hint (a page may hold fewer, even none, and
   * still have a cursor; Redis may return a few more). A whole number up to 10,000.
   * @default 256
   */
  count?: number | undefined;
}

/** One page of {@link Store.scan}. */
export interface ScanPage {
  /** Keys of this page (a key may appear on more than one page; never outside the prefix). */
  keys: string[];
  /** Pass it to the next `scan()` call; `undefined` once the scan is complete. */
  cursor: string | undefined;
}

/**
 * One entry of {@link Store.setMany}: a union with one member per key of `K`, so that each
 * entry's `value` has the type of its own `key` (`{ key: 'hits', value: 'x' }` does not
 * compile when `hits` holds a number), template-literal keys included.
 */
export type Entry<S, K extends KeyOf<S> = KeyOf<S>> =
  K extends KeyOf<S>
    ? {
        key: K;
        value: S[K];
        /**
         * Time to live in milliseconds. Needs `capabilities.ttl`.
         * @default no expiry
         */
        ttl?: number | undefined;
      }
    : never;

/**
 * What {@link Store.getMany} resolves for the keys `K`: the value type of each key, or
 * `undefined` where missing, aligned with the keys. A tuple of keys gives a tuple
 * (`['hits', 'name']` → `[number | undefined, string | undefined]`); an array gives an array.
 */
export type ValuesOf<S, K extends readonly KeyOf<S>[]> = {
  -readonly [I in keyof K]: (K[I] extends KeyOf<S> ? S[K[I]] : never) | undefined;
};

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
   * Stores `value` under `key`. Resolves once the holder applied it. With `opts.ifVersion`
   * it is a compare-and-set.
   * @throws `INVALID_KEY`, `INVALID_VALUE`, `TOO_LARGE`, `CONFLICT` (rejected, not thrown)
   */
  set<K extends KeyOf<S>>(key: K, value: S[K], opts?: ConditionalSetOptions): Promise<void>;
  /**
   * Deletes `key`; resolves `true` if it existed.
   * @throws `CONFLICT` when `opts.ifVersion` does not match (rejected, not thrown)
   */
  delete(key: KeyOf<S>, opts?: DeleteOptions): Promise<boolean>;
  /**
   * The value under `key` with its version, or `undefined` when the key is missing. Pass
   * the version to `set`/`delete` as `ifVersion`, or to `atomic().check()`.
   * @throws `NOT_SUPPORTED` without `capabilities.versions`
   */
  getEntry<K extends KeyOf<S>>(
    key: K,
    opts?: CallOptions,
  ): Promise<VersionedEntry<S[K]> | undefined>;
  /** The entries under `keys`, aligned with them; `undefined` where missing. */
  getEntries<const K extends readonly KeyOf<S>[]>(
    keys: K,
    opts?: CallOptions,
  ): Promise<VersionedEntriesOf<S, K>>;
  /** Starts an atomic commit of checks and mutations. */
  atomic(): AtomicOperation<S>;
  /** Whether `key` exists (and has not expired). */
  has(key: KeyOf<S>, opts?: CallOptions): Promise<boolean>;
  /**
   * The keys of this store's namespace that start with `prefix`, in no set order.
   * @throws `TOO_LARGE` when the list would be over the holder's reply limit: use
   *   {@link Store.scan} or {@link Store.scanIterator} for a namespace of any size
   */
  keys(prefix?: string, opts?: CallOptions): Promise<string[]>;
  /**
   * One page of the keys of this store's namespace that start with `prefix`. Start with no
   * cursor, then pass each page's `cursor` until it is `undefined`. A key present for the
   * whole scan is returned at least once; keys written or deleted during the scan may or
   * may not be. No page is over the holder's reply limit, and the holder does bounded work
   * per page.
   * @throws `INVALID_VALUE` when the cursor is not one this store handed out (or the holder
   *   forgot it: restarted, or the scan sat idle too long); start the scan again
   */
  scan(prefix?: string, opts?: ScanOptions): Promise<ScanPage>;
  /**
   * Walks every key of this store's namespace that starts with `prefix`, page by page
   * (`for await (const key of store.scanIterator('user:'))`). Each page is one `scan()`
   * call with `opts`; a key may be yielded more than once if it moves during the walk.
   */
  scanIterator(prefix?: string, opts?: Omit<ScanOptions, 'cursor'>): AsyncIterableIterator<string>;
  /** Deletes every key of this store's namespace, and only those. */
  clear(opts?: CallOptions): Promise<void>;
  /** The values under `keys`, aligned with them; `undefined` where missing. */
  getMany<const K extends readonly KeyOf<S>[]>(
    keys: K,
    opts?: CallOptions,
  ): Promise<ValuesOf<S, K>>;
  /**
   * Stores every entry; all entries are validated before any is sent, and their encoded
   * values together must fit `capabilities.maxValueBytes` (else `TOO_LARGE`: split the call).
   */
  setMany(entries: readonly Entry<S>[], opts?: CallOptions): Promise<void>;
  /** Deletes `keys`; resolves how many existed. */
  deleteMany(keys: readonly KeyOf<S>[], opts?: CallOptions): Promise<number>;
  /**
   * Atomically adds `by` (default 1) to the number under `key` (missing counts as 0) and
   * resolves the new value. The stored value keeps its expiry; `opts.ttl` sets one only
   * when this increment creates the key. Only keys whose value type is a number compile
   * ({@link NumericKeyOf}).
   * @throws `WRONG_TYPE` when the stored value is not a number
   */
  increment(key: NumericKeyOf<S>, by?: number, opts?: IncrementOptions): Promise<number>;
  /** Atomically stores `value` only if `key` is missing; resolves whether it did. */
  setIfAbsent<K extends KeyOf<S>>(key: K, value: S[K], opts?: SetOptions): Promise<boolean>;
  /**
   * Closes the store: pending calls reject with `CLOSED`, later calls too. Idempotent;
   * afterwards the store keeps nothing alive.
   */
  close(): Promise<void>;
}
