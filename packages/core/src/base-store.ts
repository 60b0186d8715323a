import { readCallOptions, readTtl } from './call-options.js';
import type { Capabilities } from './capabilities.js';
import { type Encoded, encodedSize, type ValueCodec } from './codec.js';
import { ErrorCode, markNotApplied, StateError } from './errors.js';
import { checkKey, checkPrefix, describeType } from './keys.js';
import { type ExecuteOptions, type Executor, Op, type WireEntry } from './operations.js';
import { readScanOptions } from './scan.js';
import type {
  AtomicOperation,
  CallOptions,
  Entry,
  IncrementOptions,
  KeyOf,
  NumericKeyOf,
  ScanOptions,
  ScanPage,
  SetOptions,
  Store,
  ValuesOf,
  VersionedEntriesOf,
  VersionedEntry,
} from './store.js';
import { wireBytes } from './wire-size.js';

// Whether a call writes: a write rejected before it was sent carries
// `maybeApplied: false`, so that its caller knows nothing was applied.
interface CallKind {
  readonly write: boolean;
}
const READ: CallKind = { write: false };
const WRITE: CallKind = { write: true };

/** What a {@link BaseStore} is made of. */
export interface BaseStoreOptions {
  /** Where validated, encoded calls run. */
  executor: Executor;
  /** The value codec; its `keeps` must agree with `capabilities`. */
  codec: ValueCodec;
  /** The store's declared capabilities. */
  capabilities: Capabilities;
  /** Default timeout of every call, in ms. */
  timeout: number;
  /** Names the store in error messages, e.g. `ipc`, `redis`. */
  label: string;
}

/**
 * The one implementation of {@link Store}: validates keys, values and options, encodes
 * values with the codec, hands the call to an {@link Executor}, and decodes the result.
 * Public methods validate; the executor implements. Every transport is a `BaseStore`
 * over its own executor, so the rules are identical everywhere.
 */
export class BaseStore<S extends object = Record<string, unknown>> implements Store<S> {
  readonly capabilities: Capabilities;
  readonly #executor: Executor;
  readonly #codec: ValueCodec;
  readonly #timeout: number;
  readonly #label: string;
  #closing: Promise<void> | undefined;

  constructor(options: BaseStoreOptions) {
    this.capabilities = options.capabilities;
    this.#executor = options.executor;
    this.#codec = options.codec;
    this.#timeout = options.timeout;
    this.#label = options.label;
  }

  async get<K extends KeyOf<S>>(key: K, opts?: CallOptions): Promise<S[K] | undefined> {
    const options = this.#begin(opts);
    this.#key(key);
    return this.#decode(await this.#executor.execute(Op.get, [key], options)) as S[K] | undefined;
  }

  async set<K extends KeyOf<S>>(key: K, value: S[K], opts?: SetOptions): Promise<void> {
    const options = this.#begin(opts, WRITE);
    const ttl = this.#ttl(opts);
    this.#key(key, WRITE);
    await this.#executor.execute(Op.set, [key, this.#encode(value), ttl], options);
  }

  async delete(key: KeyOf<S>, opts?: CallOptions): Promise<boolean> {
    const options = this.#begin(opts, WRITE);
    this.#key(key, WRITE);
    return this.#executor.execute(Op.delete, [key], options);
  }

  getEntry<K extends KeyOf<S>>(
    _key: K,
    _opts?: CallOptions,
  ): Promise<VersionedEntry<S[K]> | undefined> {
    return Promise.reject(
      new StateError(ErrorCode.NOT_SUPPORTED, 'getEntry is not implemented yet'),
    );
  }

  getEntries<const K extends readonly KeyOf<S>[]>(
    _keys: K,
    _opts?: CallOptions,
  ): Promise<VersionedEntriesOf<S, K>> {
    return Promise.reject(
      new StateError(ErrorCode.NOT_SUPPORTED, 'getEntries is not implemented yet'),
    );
  }

  atomic(): AtomicOperation<S> {
    throw new StateError(ErrorCode.NOT_SUPPORTED, 'atomic is not implemented yet');
  }

  async has(key: KeyOf<S>, opts?: CallOptions): Promise<boolean> {
    const options = this.#begin(opts);
    this.#key(key);
    return this.#executor.execute(Op.has, [key], options);
  }

  async keys(prefix = '', opts?: CallOptions): Promise<string[]> {
    const options = this.#begin(opts);
    const error = checkPrefix(prefix, this.capabilities.maxKeyBytes);
    if (error) throw error;
    return this.#replyLimit('keys', await this.#executor.execute(Op.keys, [prefix], options));
  }

  async scan(prefix = '', opts?: ScanOptions): Promise<ScanPage> {
    const options = this.#begin(opts);
    const { cursor, count } = readScanOptions(opts);
    const error = checkPrefix(prefix, this.capabilities.maxKeyBytes);
    if (error) throw error;
    const page = await this.#executor.execute(Op.scan, [prefix, cursor, count], options);
    if (
      !Array.isArray(page) ||
      !Array.isArray(page[0]) ||
      !(page[1] === null || (typeof page[1] === 'string' && page[1] !== ''))
    ) {
      throw this.#protocol('scan');
    }
    return { keys: page[0], cursor: page[1] ?? undefined };
  }

  async *scanIterator(
    prefix = '',
    opts?: Omit<ScanOptions, 'cursor'>,
  ): AsyncIterableIterator<string> {
    let cursor: string | undefined;
    do {
      const page = await this.scan(prefix, { ...opts, cursor });
      yield* page.keys;
      cursor = page.cursor;
    } while (cursor !== undefined);
  }

  async clear(opts?: CallOptions): Promise<void> {
    await this.#executor.execute(Op.clear, [], this.#begin(opts, WRITE));
  }

  async getMany<const K extends readonly KeyOf<S>[]>(
    keys: K,
    opts?: CallOptions,
  ): Promise<ValuesOf<S, K>> {
    const options = this.#begin(opts);
    this.#keyList(keys);
    if (keys.length === 0) return [] as ValuesOf<S, K>;
    // A copy: the caller may change its array before the call is sent.
    const values = await this.#executor.execute(Op.getMany, [[...keys]], options);
    if (!Array.isArray(values) || values.length !== keys.length) throw this.#protocol('getMany');
    this.#replyLimit('getMany', values);
    return values.map((value) => this.#decode(value)) as ValuesOf<S, K>;
  }

  async setMany(entries: readonly Entry<S>[], opts?: CallOptions): Promise<void> {
    const options = this.#begin(opts, WRITE);
    if (!Array.isArray(entries))
      throw markNotApplied(
        new StateError(
          ErrorCode.INVALID_KEY,
          `${this.#label}: setMany() takes an array of entries`,
        ),
      );
    this.#batch(entries.length, WRITE);
    const wire: WireEntry[] = entries.map((entry) => {
      if (typeof entry !== 'object' || entry === null) {
        throw markNotApplied(
          new StateError(
            ErrorCode.INVALID_KEY,
            `${this.#label}: setMany() entry is ${describeType(entry)}, not { key, value }`,
          ),
        );
      }
      const ttl = this.#ttl(entry);
      this.#key(entry.key, WRITE);
      return [entry.key, this.#encode(entry.value), ttl];
    });
    if (wire.length === 0) return;
    // One call is one frame on the wire: its values together obey the value limit.
    let total = 0;
    for (const entry of wire) total += encodedSize(entry[1]);
    if (total > this.capabilities.maxValueBytes) {
      throw markNotApplied(
        new StateError(
          ErrorCode.TOO_LARGE,
          `${this.#label}: setMany() values total over the ${this.capabilities.maxValueBytes}-byte limit; split the call`,
        ),
      );
    }
    await this.#executor.execute(Op.setMany, [wire], options);
  }

  async deleteMany(keys: readonly KeyOf<S>[], opts?: CallOptions): Promise<number> {
    const options = this.#begin(opts, WRITE);
    this.#keyList(keys, WRITE);
    if (keys.length === 0) return 0;
    return this.#executor.execute(Op.deleteMany, [[...keys]], options);
  }

  async increment(key: NumericKeyOf<S>, by = 1, opts?: IncrementOptions): Promise<number> {
    const options = this.#begin(opts, WRITE);
    const ttl = this.#ttl(opts);
    this.#key(key, WRITE);
    if (!Number.isSafeInteger(by)) {
      throw markNotApplied(
        new StateError(
          ErrorCode.INVALID_VALUE,
          `${this.#label}: increment() takes a safe integer, got ${describeType(by)}`,
        ),
      );
    }
    return this.#executor.execute(Op.increment, [key, by, ttl], options);
  }

  async setIfAbsent<K extends KeyOf<S>>(key: K, value: S[K], opts?: SetOptions): Promise<boolean> {
    const options = this.#begin(opts, WRITE);
    const ttl = this.#ttl(opts);
    this.#key(key, WRITE);
    return this.#executor.execute(Op.setIfAbsent, [key, this.#encode(value), ttl], options);
  }

  close(): Promise<void> {
    this.#closing ??= this.#executor.close();
    return this.#closing;
  }

  #begin(opts: CallOptions | undefined, { write }: CallKind = READ): ExecuteOptions {
    if (this.#closing) {
      throw new StateError(
        ErrorCode.CLOSED,
        `${this.#label}: the store is closed`,
        write ? { maybeApplied: false } : {},
      );
    }
    return readCallOptions(opts, this.#timeout);
  }

  #ttl(opts: { ttl?: number } | undefined): number {
    const ttl = readTtl(opts?.ttl);
    if (ttl !== 0 && !this.capabilities.ttl) {
      throw markNotApplied(
        new StateError(ErrorCode.NOT_SUPPORTED, `${this.#label}: this store does not support ttl`),
      );
    }
    return ttl;
  }

  #key(key: unknown, { write }: CallKind = READ): void {
    const error = checkKey(key, this.capabilities.maxKeyBytes);
    if (error) {
      error.message = `${this.#label}: ${error.message}`;
      throw write ? markNotApplied(error) : error;
    }
  }

  #keyList(keys: unknown, kind: CallKind = READ): void {
    if (!Array.isArray(keys)) {
      const error = new StateError(
        ErrorCode.INVALID_KEY,
        `${this.#label}: expected an array of keys, got ${describeType(keys)}`,
      );
      throw kind.write ? markNotApplied(error) : error;
    }
    this.#batch(keys.length, kind);
    for (const key of keys) this.#key(key, kind);
  }

  // A batch over the limit is refused before it is sent: the holder would refuse it, and
  // a frame carrying it could be over what the holder reads.
  #batch(length: number, { write }: CallKind): void {
    if (length <= this.capabilities.maxBatchKeys) return;
    const error = new StateError(
      ErrorCode.TOO_LARGE,
      `${this.#label}: more than ${this.capabilities.maxBatchKeys} keys in one call (capabilities.maxBatchKeys); split the call`,
    );
    throw write ? markNotApplied(error) : error;
  }

  #encode(value: unknown): Encoded {
    if (value === undefined) {
      throw markNotApplied(
        new StateError(
          ErrorCode.INVALID_VALUE,
          `${this.#label}: undefined is not a value; use delete()`,
        ),
      );
    }
    let encoded: Encoded;
    try {
      encoded = this.#codec.encode(value);
    } catch (error) {
      if (StateError.is(error)) throw markNotApplied(error);
      throw markNotApplied(
        new StateError(
          ErrorCode.INVALID_VALUE,
          `${this.#label}: the ${this.#codec.name} codec cannot encode this value`,
          { cause: error },
        ),
      );
    }
    if (encodedSize(encoded) > this.capabilities.maxValueBytes) {
      throw markNotApplied(
        new StateError(
          ErrorCode.TOO_LARGE,
          `${this.#label}: value is over the ${this.capabilities.maxValueBytes}-byte limit`,
        ),
      );
    }
    return encoded;
  }

  #decode(value: unknown): unknown {
    if (value === null) return undefined;
    if (!this.#codec.isEncoded(value)) throw this.#protocol('get');
    try {
      return this.#codec.decode(value);
    } catch (error) {
      throw new StateError(
        ErrorCode.PROTOCOL,
        `${this.#label}: a stored value could not be decoded by the ${this.#codec.name} codec`,
        { cause: error },
      );
    }
  }

  // Holders refuse to build an answer over the limit; this holds every store to the limit
  // it declares, also one whose server answered in full (the answer is dropped here).
  #replyLimit<T>(op: string, answer: T): T {
    if (wireBytes(answer) > this.capabilities.maxReplyBytes) {
      throw new StateError(
        ErrorCode.TOO_LARGE,
        `${this.#label}: the answer of ${op}() is over the ${this.capabilities.maxReplyBytes}-byte reply limit (capabilities.maxReplyBytes)`,
      );
    }
    return answer;
  }

  #protocol(op: string): StateError {
    return new StateError(ErrorCode.PROTOCOL, `${this.#label}: ${op}() got a malformed reply`);
  }
}
