import { AtomicCommit, type AtomicCommitter, commitResult } from './atomic-operation.js';
import { OPTION_NAMES, readCallOptions, readTtl } from './call-options.js';
import type { Capabilities } from './capabilities.js';
import { type Encoded, encodedSize, type ValueCodec } from './codec.js';
import { ErrorCode, markNotApplied, StateError } from './errors.js';
import { checkKey, checkPrefix, describeType } from './keys.js';
import {
  type ExecuteOptions,
  type Executor,
  MutationKind,
  Op,
  type OpResult,
  type WireEntry,
  type WireMutation,
} from './operations.js';
import { checkOptionNames } from './option-names.js';
import { readScanOptions } from './scan.js';
import type {
  AtomicOperation,
  CallOptions,
  ConditionalSetOptions,
  DeleteOptions,
  Entry,
  ExpectedVersion,
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
import { isExpectedVersion, MAX_VERSION_LENGTH } from './versions.js';
import { wireBytes } from './wire-size.js';

// Whether a call writes: a write rejected before it was sent carries
// `maybeApplied: false`, so that its caller knows nothing was applied.
interface CallKind {
  readonly write: boolean;
}
const READ: CallKind = { write: false };
const WRITE: CallKind = { write: true };

// What a plain set() resolves: nothing.
function nothing(): void {}

/** What a {@link BaseStore} is made of. */
export interface BaseStoreOptions {
  /** Where validated, encoded calls run. */
  executor: Executor;
  /** The value codec; its `keeps` must agree with `capabilities`. */
  codec: ValueCodec;
  /**
   * The store's declared capabilities. The executor may narrow them to what its holder
   * turned out to support (see {@link Executor.narrow}).
   */
  capabilities: Capabilities;
  /** Default timeout of every call, in ms. */
  timeout: number;
  /** Names the store in error messages, e.g. `ipc`, `redis`. */
  label: string;
  /**
   * How many bytes of an encoded value count against `maxValueBytes` (default: all of them,
   * `encodedSize`). A codec that wraps the user's codec in a format of its own (the Redis
   * store's value marker) counts only the user's codec's bytes, so that a value fits
   * exactly where it fits on every other transport.
   */
  valueBytes?: (encoded: Encoded) => number;
}

/**
 * The one implementation of {@link Store}: validates keys, values and options, encodes
 * values with the codec, hands the call to an {@link Executor}, and decodes the result.
 * Public methods validate; the executor implements. Every transport is a `BaseStore`
 * over its own executor, so the rules are identical everywhere.
 */
export class BaseStore<S extends object = Record<string, unknown>> implements Store<S> {
  // As declared. Its limits never change, so validation reads them here, not through the
  // `capabilities` getter.
  readonly #declared: Capabilities;
  readonly #executor: Executor;
  readonly #codec: ValueCodec;
  readonly #valueBytes: (encoded: Encoded) => number;
  readonly #timeout: number;
  // The options of every call made without options: one frozen object, not one per call.
  readonly #defaultOptions: ExecuteOptions;
  readonly #label: string;
  #closing: Promise<void> | undefined;
  #committer: AtomicCommitter | undefined;
  /**
   * The store's capabilities (frozen): as declared, unless the executor learned that its
   * holder supports less (a holder of an earlier release has no `versions`).
   */
  declare readonly capabilities: Capabilities;

  constructor(options: BaseStoreOptions) {
    const { executor, capabilities: declared } = options;
    this.#declared = declared;
    this.#executor = executor;
    this.#codec = options.codec;
    this.#valueBytes = options.valueBytes ?? encodedSize;
    this.#timeout = options.timeout;
    this.#defaultOptions = Object.freeze({ timeout: options.timeout, signal: undefined });
    this.#label = options.label;
    // An own, enumerable property, as a plain field would be (so that a spread or an
    // object made with this store as prototype still sees it); a getter only when the
    // executor can narrow it.
    const narrow = executor.narrow?.bind(executor);
    Object.defineProperty(
      this,
      'capabilities',
      narrow
        ? { enumerable: true, configurable: true, get: () => narrow(declared) }
        : { enumerable: true, configurable: true, writable: true, value: declared },
    );
  }

  // get() and set() are the calls made most: plain functions that chain one `then`, not
  // async functions (whose state costs several hundred bytes of garbage per call). A
  // validation error still rejects, never throws.
  get<K extends KeyOf<S>>(key: K, opts?: CallOptions): Promise<S[K] | undefined> {
    try {
      const options = this.#begin(opts, 'get');
      this.#key(key);
      return this.#executor.execute(Op.get, [key], options).then(this.#decodeAnswer) as Promise<
        S[K] | undefined
      >;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  set<K extends KeyOf<S>>(key: K, value: S[K], opts?: ConditionalSetOptions): Promise<void> {
    try {
      const options = this.#begin(opts, 'set', WRITE, OPTION_NAMES.set);
      const ttl = this.#ttl(opts);
      const ifVersion = opts?.ifVersion;
      if (ifVersion !== undefined) this.#expectedVersion('set', ifVersion);
      this.#key(key, WRITE);
      const encoded = this.#encode(value);
      if (ifVersion === undefined) {
        return this.#executor.execute(Op.set, [key, encoded, ttl], options).then(nothing);
      }
      const mutation: WireMutation = [MutationKind.set, key, encoded, ttl];
      return this.#conditional('set', key, ifVersion, mutation, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async delete(key: KeyOf<S>, opts?: DeleteOptions): Promise<boolean> {
    const options = this.#begin(opts, 'delete', WRITE, OPTION_NAMES.delete);
    const ifVersion = opts?.ifVersion;
    if (ifVersion !== undefined) this.#expectedVersion('delete', ifVersion);
    this.#key(key, WRITE);
    if (ifVersion === undefined) return this.#executor.execute(Op.delete, [key], options);
    await this.#conditional('delete', key, ifVersion, [MutationKind.delete, key], options);
    // The check passed: the key existed exactly when a version was expected.
    return ifVersion !== null;
  }

  async getEntry<K extends KeyOf<S>>(
    key: K,
    opts?: CallOptions,
  ): Promise<VersionedEntry<S[K]> | undefined> {
    const options = this.#begin(opts, 'getEntry');
    this.#needVersions('getEntry()');
    this.#key(key);
    const entries = await this.#executor.execute(Op.getEntries, [[key]], options);
    return this.#entries('getEntry', entries, 1)[0] as VersionedEntry<S[K]> | undefined;
  }

  async getEntries<const K extends readonly KeyOf<S>[]>(
    keys: K,
    opts?: CallOptions,
  ): Promise<VersionedEntriesOf<S, K>> {
    const options = this.#begin(opts, 'getEntries');
    this.#needVersions('getEntries()');
    this.#keyList(keys);
    if (keys.length === 0) return [] as VersionedEntriesOf<S, K>;
    // A copy: the caller may change its array before the call is sent.
    const entries = await this.#executor.execute(Op.getEntries, [[...keys]], options);
    return this.#entries('getEntries', entries, keys.length) as VersionedEntriesOf<S, K>;
  }

  atomic(): AtomicOperation<S> {
    const store = this;
    this.#committer ??= {
      // Read when a commit is made: the holder may turn out to lack versions after the
      // builder was handed out.
      get capabilities() {
        return store.capabilities;
      },
      label: this.#label,
      begin: (opts) => this.#begin(opts, 'commit', WRITE),
      key: (key) => this.#key(key, WRITE),
      encode: (value) => this.#encode(value),
      valueBytes: this.#valueBytes,
      ttl: (opts) => this.#ttl(opts),
      send: (checks, mutations, options) =>
        this.#executor.execute(Op.atomic, [checks, mutations], options),
    };
    return new AtomicCommit<S>(this.#committer);
  }

  async has(key: KeyOf<S>, opts?: CallOptions): Promise<boolean> {
    const options = this.#begin(opts, 'has');
    this.#key(key);
    return this.#executor.execute(Op.has, [key], options);
  }

  async keys(prefix = '', opts?: CallOptions): Promise<string[]> {
    const options = this.#begin(opts, 'keys');
    const error = checkPrefix(prefix, this.#declared.maxKeyBytes);
    if (error) throw error;
    return this.#replyLimit('keys', await this.#executor.execute(Op.keys, [prefix], options));
  }

  async scan(prefix = '', opts?: ScanOptions): Promise<ScanPage> {
    const options = this.#begin(opts, 'scan', READ, OPTION_NAMES.scan);
    const { cursor, count } = readScanOptions(opts);
    const error = checkPrefix(prefix, this.#declared.maxKeyBytes);
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
    if (opts !== undefined) {
      const of = `${this.#label}: scanIterator()`;
      if (typeof opts !== 'object' || opts === null) {
        throw new TypeError(`${of}: options must be an object`);
      }
      checkOptionNames(of, opts, OPTION_NAMES.scanIterator);
    }
    let cursor: string | undefined;
    do {
      const page = await this.scan(prefix, { ...opts, cursor });
      yield* page.keys;
      cursor = page.cursor;
    } while (cursor !== undefined);
  }

  async clear(opts?: CallOptions): Promise<void> {
    await this.#executor.execute(Op.clear, [], this.#begin(opts, 'clear', WRITE));
  }

  async getMany<const K extends readonly KeyOf<S>[]>(
    keys: K,
    opts?: CallOptions,
  ): Promise<ValuesOf<S, K>> {
    const options = this.#begin(opts, 'getMany');
    this.#keyList(keys);
    if (keys.length === 0) return [] as ValuesOf<S, K>;
    // A copy: the caller may change its array before the call is sent.
    const values = await this.#executor.execute(Op.getMany, [[...keys]], options);
    if (!Array.isArray(values) || values.length !== keys.length) throw this.#protocol('getMany');
    this.#replyLimit('getMany', values);
    return values.map((value) => this.#decode(value)) as ValuesOf<S, K>;
  }

  async setMany(entries: readonly Entry<S>[], opts?: CallOptions): Promise<void> {
    const options = this.#begin(opts, 'setMany', WRITE);
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
      checkOptionNames(`${this.#label}: a setMany() entry`, entry, OPTION_NAMES.entry);
      const ttl = this.#ttl(entry);
      this.#key(entry.key, WRITE);
      return [entry.key, this.#encode(entry.value), ttl];
    });
    if (wire.length === 0) return;
    // One call is one frame on the wire: its values together obey the value limit.
    let total = 0;
    for (const entry of wire) total += this.#valueBytes(entry[1]);
    if (total > this.#declared.maxValueBytes) {
      throw markNotApplied(
        new StateError(
          ErrorCode.TOO_LARGE,
          `${this.#label}: setMany() values total over the ${this.#declared.maxValueBytes}-byte limit; split the call`,
        ),
      );
    }
    await this.#executor.execute(Op.setMany, [wire], options);
  }

  async deleteMany(keys: readonly KeyOf<S>[], opts?: CallOptions): Promise<number> {
    const options = this.#begin(opts, 'deleteMany', WRITE);
    this.#keyList(keys, WRITE);
    if (keys.length === 0) return 0;
    return this.#executor.execute(Op.deleteMany, [[...keys]], options);
  }

  async increment(key: NumericKeyOf<S>, by = 1, opts?: IncrementOptions): Promise<number> {
    const options = this.#begin(opts, 'increment', WRITE, OPTION_NAMES.increment);
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
    // Not an option of setIfAbsent: a caller passing one would expect a check that never ran.
    if ((opts as { ifVersion?: unknown } | undefined)?.ifVersion !== undefined) {
      throw new TypeError(
        `${this.#label}: setIfAbsent() takes no ifVersion (set() with ifVersion: null writes only a missing key)`,
      );
    }
    const options = this.#begin(opts, 'setIfAbsent', WRITE, OPTION_NAMES.setIfAbsent);
    const ttl = this.#ttl(opts);
    this.#key(key, WRITE);
    return this.#executor.execute(Op.setIfAbsent, [key, this.#encode(value), ttl], options);
  }

  close(): Promise<void> {
    this.#closing ??= this.#executor.close();
    return this.#closing;
  }

  // Checks that the store is open and reads the call's options, refusing any `op` does not
  // take (`names`).
  #begin(
    opts: CallOptions | undefined,
    op: string,
    { write }: CallKind = READ,
    names: ReadonlySet<string> = OPTION_NAMES.call,
  ): ExecuteOptions {
    if (this.#closing) {
      throw new StateError(
        ErrorCode.CLOSED,
        `${this.#label}: the store is closed`,
        write ? { maybeApplied: false } : {},
      );
    }
    return opts === undefined
      ? this.#defaultOptions
      : readCallOptions(opts, this.#timeout, `${this.#label}: ${op}()`, names);
  }

  // Versions are never ignored: a store without them refuses every call that needs them.
  #needVersions(what: string, kind: CallKind = READ): void {
    if (this.capabilities.versions) return;
    const error = new StateError(
      ErrorCode.NOT_SUPPORTED,
      `${this.#label}: ${what} needs versions, which this store does not support`,
    );
    throw kind.write ? markNotApplied(error) : error;
  }

  #expectedVersion(op: string, ifVersion: ExpectedVersion): void {
    this.#needVersions(`${op}() with ifVersion`, WRITE);
    if (!isExpectedVersion(ifVersion)) {
      throw new TypeError(
        `ifVersion must be a version string from getEntry() (at most ${MAX_VERSION_LENGTH} characters) or null`,
      );
    }
  }

  // A set or delete with ifVersion: one atomic call of one check and one mutation.
  async #conditional(
    op: string,
    key: string,
    ifVersion: ExpectedVersion,
    mutation: WireMutation,
    options: ExecuteOptions,
  ): Promise<void> {
    const answer = await this.#executor.execute(
      Op.atomic,
      [[[key, ifVersion]], [mutation]],
      options,
    );
    if (commitResult(this.#label, [mutation], answer).ok) return;
    throw new StateError(
      ErrorCode.CONFLICT,
      `${this.#label}: ${op}() found the key at another version than ifVersion; nothing was written`,
      { maybeApplied: false },
    );
  }

  // Checks and decodes the answer of getEntries: one [value, version] or null per key.
  #entries(
    op: string,
    answer: OpResult[typeof Op.getEntries],
    length: number,
  ): (VersionedEntry<unknown> | undefined)[] {
    if (!Array.isArray(answer) || answer.length !== length) throw this.#protocol(op);
    this.#replyLimit(op, answer);
    return answer.map((entry) => {
      if (entry === null) return undefined;
      if (!Array.isArray(entry) || entry[0] === null || typeof entry[1] !== 'string') {
        throw this.#protocol(op);
      }
      return { value: this.#decode(entry[0]), version: entry[1] };
    });
  }

  #ttl(opts: { ttl?: number | undefined } | undefined): number {
    const ttl = readTtl(opts?.ttl);
    if (ttl !== 0 && !this.#declared.ttl) {
      throw markNotApplied(
        new StateError(ErrorCode.NOT_SUPPORTED, `${this.#label}: this store does not support ttl`),
      );
    }
    return ttl;
  }

  #key(key: unknown, { write }: CallKind = READ): void {
    const error = checkKey(key, this.#declared.maxKeyBytes);
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
    if (length <= this.#declared.maxBatchKeys) return;
    const error = new StateError(
      ErrorCode.TOO_LARGE,
      `${this.#label}: more than ${this.#declared.maxBatchKeys} keys in one call (capabilities.maxBatchKeys); split the call`,
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
    const limit = this.#declared.maxValueBytes;
    // Text of n UTF-16 units is at most 3n bytes of UTF-8: short values skip the exact count.
    const surelyFits = typeof encoded === 'string' && encoded.length * 3 <= limit;
    if (!surelyFits && this.#valueBytes(encoded) > limit) {
      throw markNotApplied(
        new StateError(
          ErrorCode.TOO_LARGE,
          `${this.#label}: value is over the ${this.#declared.maxValueBytes}-byte limit`,
        ),
      );
    }
    return encoded;
  }

  readonly #decodeAnswer = (value: unknown): unknown => this.#decode(value);

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
    if (wireBytes(answer) > this.#declared.maxReplyBytes) {
      throw new StateError(
        ErrorCode.TOO_LARGE,
        `${this.#label}: the answer of ${op}() is over the ${this.#declared.maxReplyBytes}-byte reply limit (capabilities.maxReplyBytes)`,
      );
    }
    return answer;
  }

  #protocol(op: string): StateError {
    return new StateError(ErrorCode.PROTOCOL, `${this.#label}: ${op}() got a malformed reply`);
  }
}
