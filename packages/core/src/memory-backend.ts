import { randomBytes } from 'node:crypto';
import type { Backend, BackendStats } from './backend.js';
import { readTimeout } from './call-options.js';
import { type Encoded, encodedSize, type ValueCodec } from './codec.js';
import { ErrorCode, StateError } from './errors.js';
import { ExpiryHeap } from './expiry-heap.js';
import {
  MutationKind,
  type WireCheck,
  type WireCommitResult,
  type WireMutation,
} from './operations.js';
import { RecencyList, type Recent } from './recency-list.js';
import { SCAN_PAGE_BYTES } from './scan.js';
import { ScanCursors } from './scan-cursors.js';
import { positiveInteger, positiveNumber } from './store-options.js';

/** Options of {@link MemoryBackend}. */
export interface MemoryBackendOptions {
  /** Decodes and encodes numbers for `increment`; must be the codec clients encode with. */
  codec: ValueCodec;
  /**
   * Most live entries kept; past it the least recently used entry is evicted. Expired
   * entries never count: they are reclaimed before any live entry is evicted.
   * @default Infinity (no eviction)
   */
  maxEntries?: number | undefined;
  /**
   * Most bytes of encoded keys and values kept; past it the least recently used entries
   * are evicted (expired entries are reclaimed first). A single value larger than this is
   * rejected with `TOO_LARGE`, and a `setMany` holding one applies none of its entries.
   * @default Infinity (no eviction)
   */
  maxBytes?: number | undefined;
  /**
   * How often a timer reclaims expired entries while the backend is idle, in ms. Expired
   * entries are also reclaimed by every write (a few per write, earliest deadline first, so
   * that they never pile up whatever the write rate) and dropped when read.
   * @default 1000
   */
  sweepIntervalMs?: number | undefined;
  /**
   * Most expired entries one timer turn (or one `sweep()`) reclaims, so that reclaiming
   * never blocks the holder for long; when more have expired, the timer goes on with the
   * next batch on the next turn of the event loop.
   * @default 10000
   */
  sweepBatch?: number | undefined;
  /**
   * The clock TTL deadlines follow, in ms. It must never go backwards: the default is
   * monotonic, so that a step of the wall clock (NTP, a manual change) expires nothing
   * early or late. Tests pass a clock moved by hand.
   * @default performance.now
   */
  now?: (() => number) | undefined;
}

/** Entries one `scan()` page may look at per key it was asked for (prefix misses, expired). */
export const SCAN_VISITS_PER_KEY = 16;

/**
 * One stored entry. Replacing a value updates its record in place. It knows its namespace
 * and key, so that reclaiming it from the expiry heap (or evicting it) can find its map.
 * A dropped record is emptied and may be reused for a later entry (see DROPPED).
 */
interface EntryRecord {
  namespace: string;
  key: string;
  value: Encoded;
  /** Absolute expiry on the backend's clock, in ms; 0 for none. */
  expiresAt: number;
  /**
   * Where the expiry heap orders the record: its expiry when it entered the heap, which a
   * later write may have pushed back (`expiresAt` is then later: see #reclaim).
   */
  deadline: number;
  /** Position in the expiry heap; -1 when the record has no expiry. */
  heapIndex: number;
  size: number;
  /**
   * The backend's write counter when this entry was last written: with the backend's
   * epoch it is the entry's version. A number, so that a plain write builds no string.
   */
  version: number;
}

/** A record in the recency list, the form every record takes when eviction is on. */
interface RecentRecord extends EntryRecord, Recent<RecentRecord> {}

/** Counters of a {@link MemoryBackend}. */
export interface MemoryBackendStats extends BackendStats {}

/**
 * Steps of reclaiming one write takes (an expired entry dropped, or one whose deadline was
 * pushed back moved down the heap): more than the one entry a write can add, so that
 * expired entries never pile up.
 */
const RECLAIM_PER_WRITE = 4;

/** The length of a backend's epoch, the first part of every version it hands out. */
const EPOCH_LENGTH = 8;

/**
 * What a dropped record's key, namespace and value become. A record can outlive its removal:
 * V8's Map, when it grows or compacts its table, leaves the old table pointing at every
 * record it held, and once that table is in the old generation the young-generation
 * collector counts those pointers as live until the next full collection. Every entry
 * written with a short ttl was then promoted with its value, to die in the old generation:
 * under a stream of short-ttl writes that was most of what the holder promoted, and its heap
 * and RSS swung by tens of MiB between full collections (issue 13). So a dropped record lets
 * go of what it held, and is kept for reuse (up to SPARE_RECORDS of them): a reused record is
 * long-lived, and a stale table pointing at it holds nothing young.
 */
const DROPPED = '';

/** Most emptied records kept for reuse: enough for the entries a burst of writes reclaims. */
const SPARE_RECORDS = 1024;

/**
 * Where an open `scan()` is: a live Map iterator (which visits every entry present for the
 * whole walk exactly once, whatever is added or removed meanwhile), and the key the last
 * page read but left out because it would have taken the page over its byte limit.
 */
interface ScanPosition {
  readonly entries: Iterator<[string, EntryRecord]>;
  readonly heldBack: string | undefined;
}

/**
 * The in-memory holder of encoded values, shared by `createMemoryStore()` and the IPC
 * host: Map-based (never a plain object, so `__proto__` is an ordinary key), with
 * namespaces, TTL on a monotonic clock (entries with a deadline sit in a min-heap by
 * deadline, so that expired ones are reclaimed earliest first, by writes and by a timer,
 * in O(log n) each and without walking live ones; they are also dropped when read),
 * atomic operations (it is synchronous) and optional least-recently-used eviction that
 * reclaims expired entries first, because memory held by a primary process must not grow
 * without bound.
 *
 * Versions: every write of an entry stamps it with the next value of one counter of the
 * backend; a version is the backend's random epoch (fixed length, so no two pairs of epoch
 * and counter spell the same string) followed by that counter in base 36. The counter only
 * grows, so a version is never reused for a key (a delete and re-create gives a new one);
 * a new backend (a restarted holder) has a new epoch, so no old version matches.
 */
export class MemoryBackend implements Backend {
  // One map of keys per namespace, so that a lookup builds no string. A namespace's map
  // is dropped when it becomes empty (clear() empties it first): a map that is not in
  // #namespaces is always empty, so a scan still walking one finds nothing in it.
  readonly #namespaces = new Map<string, Map<string, EntryRecord>>();
  // Open scan() walks: live iterators over a namespace's map, resumed by cursor.
  readonly #scans = new ScanCursors<ScanPosition>();
  readonly #codec: ValueCodec;
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #evicting: boolean;
  readonly #now: () => number;
  readonly #sweepBatch: number;
  readonly #sweepTimer: NodeJS.Timeout;
  // Every record with an expiry, earliest deadline at the top.
  readonly #expiry = new ExpiryHeap<EntryRecord>();
  // Emptied records of dropped entries, for reuse (see DROPPED).
  readonly #spare: EntryRecord[] = [];
  // The timer's next batch, when one batch did not reclaim everything that had expired.
  #sweepMore: NodeJS.Immediate | undefined;
  // Recency order across all namespaces, kept only when eviction is on.
  readonly #recency = new RecencyList<RecentRecord>();
  #entries = 0;
  #bytes = 0;
  #evictions = 0;
  #expirations = 0;
  // 6 random bytes are exactly 8 base64url characters (EPOCH_LENGTH).
  readonly #epoch = randomBytes(6).toString('base64url');
  #writes = 0;

  constructor(options: MemoryBackendOptions) {
    this.#codec = options.codec;
    this.#maxEntries = positiveNumber('maxEntries', options.maxEntries, Number.POSITIVE_INFINITY);
    this.#maxBytes = positiveNumber('maxBytes', options.maxBytes, Number.POSITIVE_INFINITY);
    this.#evicting =
      this.#maxEntries !== Number.POSITIVE_INFINITY || this.#maxBytes !== Number.POSITIVE_INFINITY;
    if (options.now !== undefined && typeof options.now !== 'function') {
      throw new TypeError('memory: now must be a function returning the time in milliseconds');
    }
    this.#now = options.now ?? (() => performance.now());
    this.#sweepBatch = positiveInteger('sweepBatch', options.sweepBatch, 10_000);
    const sweepIntervalMs = readTimeout(options.sweepIntervalMs ?? 1000, 'sweepIntervalMs');
    this.#sweepTimer = setInterval(() => this.#sweepTurn(), sweepIntervalMs);
    this.#sweepTimer.unref();
  }

  get(namespace: string, key: string): Encoded | undefined {
    const record = this.#live(namespace, key);
    if (!record) return undefined;
    if (this.#evicting) this.#recency.touch(record as RecentRecord);
    return record.value;
  }

  has(namespace: string, key: string): boolean {
    return this.#live(namespace, key) !== undefined;
  }

  set(namespace: string, key: string, value: Encoded, ttl: number): void {
    if (ttl === 0) {
      this.#put(namespace, key, value, 0);
    } else {
      const now = this.#now();
      this.#put(namespace, key, value, now + ttl, now);
    }
  }

  setIfAbsent(namespace: string, key: string, value: Encoded, ttl: number): boolean {
    if (this.#live(namespace, key)) return false;
    this.set(namespace, key, value, ttl);
    return true;
  }

  /**
   * Sets every entry, or none: each is checked against the holder's limits before any is
   * applied, so that one entry over `maxBytes` cannot leave the others half-written.
   * @throws StateError `TOO_LARGE` when an entry is over `maxBytes` (nothing is applied)
   */
  setMany(
    namespace: string,
    entries: readonly (readonly [key: string, value: Encoded, ttl: number])[],
  ): void {
    if (this.#evicting) {
      const sizes = new Map<string, number>();
      for (const [key, value] of entries) noteSize(sizes, key, this.#checkSize(sizeOf(key, value)));
      this.#checkFitTogether(sizes, 'setMany()');
    }
    for (const [key, value, ttl] of entries) this.set(namespace, key, value, ttl);
  }

  delete(namespace: string, key: string): boolean {
    const record = this.#live(namespace, key);
    if (!record) return false;
    this.#remove(namespace, this.#namespaces.get(namespace)!, key, record);
    return true;
  }

  /**
   * Adds `by` to the integer under `key` (missing is 0), keeping its expiry; `ttl` (ms, 0
   * for none) applies only when the increment creates the key.
   * @throws StateError `WRONG_TYPE` when the stored value is not a safe integer;
   *   `INVALID_VALUE` when the result would not be one
   */
  increment(namespace: string, key: string, by: number, ttl = 0): number {
    const record = this.#live(namespace, key);
    const next = this.#incremented(record?.value, by);
    // Creating a key with a ttl reads the clock, and so reclaims like any write with a ttl.
    const now = record || ttl === 0 ? undefined : this.#now();
    const expiresAt = record ? record.expiresAt : now === undefined ? 0 : now + ttl;
    this.#put(namespace, key, this.#codec.encode(next), expiresAt, now);
    return next;
  }

  /**
   * The live keys of `namespace` that start with `prefix`.
   * @param maxBytes the largest answer, counted as `wireBytes` counts it (and so as every
   *   client checks it): 8 bytes for the list, each key by its length; collecting stops as
   *   soon as the answer would be larger, so that a huge namespace costs no more than the
   *   limit
   * @throws StateError `TOO_LARGE` when the answer would be over `maxBytes`
   */
  keys(namespace: string, prefix: string, maxBytes = Number.POSITIVE_INFINITY): string[] {
    const now = this.#now();
    const found: string[] = [];
    const records = this.#namespaces.get(namespace);
    if (!records) return found;
    let bytes = 8;
    for (const [key, record] of records) {
      if (!key.startsWith(prefix)) continue;
      if (record.expiresAt !== 0 && record.expiresAt <= now) continue;
      bytes += key.length;
      if (bytes > maxBytes) {
        throw new StateError(
          ErrorCode.TOO_LARGE,
          `keys() would answer more than ${maxBytes} bytes; list the namespace with scan()`,
        );
      }
      found.push(key);
    }
    return found;
  }

  /**
   * One page of the live keys of `namespace` that start with `prefix`: at most `count` keys,
   * after looking at no more than {@link SCAN_VISITS_PER_KEY} entries per key asked for,
   * so that one page costs the holder bounded work however sparse the prefix is, and holding
   * at most `maxBytes` of keys (by length) unless its first key alone is longer.
   * @param cursor `''` for the first page, else the cursor of the previous page
   * @param maxBytes see `scanPageBytes()`
   * @returns the keys and the next page's cursor (`null` when the walk is complete)
   * @throws StateError `INVALID_VALUE` when the cursor is unknown, forgotten or another
   *   namespace's
   */
  scan(
    namespace: string,
    prefix: string,
    cursor: string,
    count: number,
    maxBytes: number = SCAN_PAGE_BYTES,
  ): [string[], string | null] {
    let position: ScanPosition | undefined;
    if (cursor === '') {
      const records = this.#namespaces.get(namespace);
      if (!records) return [[], null];
      position = { entries: records.entries(), heldBack: undefined };
    } else {
      position = this.#scans.take(cursor, namespace, prefix);
      if (!position) {
        throw new StateError(
          ErrorCode.INVALID_VALUE,
          'scan() cursor is unknown to the holder (it restarted, or the scan sat idle too long); start the scan again',
        );
      }
    }
    const { entries, heldBack } = position;
    const keys: string[] = [];
    // Counted as `wireBytes` counts a reply: each key by its length.
    let bytes = 0;
    // The key the last page left out for its size starts this one, if it is still there.
    if (heldBack !== undefined && this.#live(namespace, heldBack)) {
      keys.push(heldBack);
      bytes += heldBack.length;
    }
    const now = this.#now();
    for (let visits = count * SCAN_VISITS_PER_KEY; visits > 0 && keys.length < count; visits--) {
      const next = entries.next();
      if (next.done) return [keys, null];
      const [key, record] = next.value;
      if (!key.startsWith(prefix)) continue;
      if (record.expiresAt !== 0 && record.expiresAt <= now) continue;
      if (keys.length > 0 && bytes + key.length > maxBytes) {
        return [keys, this.#scans.open(namespace, prefix, { entries, heldBack: key })];
      }
      keys.push(key);
      bytes += key.length;
    }
    return [keys, this.#scans.open(namespace, prefix, { entries, heldBack: undefined })];
  }

  /** Each live key's value and version, aligned with `keys`; `null` where missing or expired. */
  getEntries(namespace: string, keys: readonly string[]): ([Encoded, string] | null)[] {
    const entries: ([Encoded, string] | null)[] = [];
    for (const key of keys) {
      const record = this.#live(namespace, key);
      if (!record) {
        entries.push(null);
        continue;
      }
      if (this.#evicting) this.#recency.touch(record as RecentRecord);
      entries.push([record.value, this.#versionOf(record.version)]);
    }
    return entries;
  }

  /**
   * Runs every check; when one fails, answers the keys whose check failed and writes
   * nothing. Otherwise applies the mutations in order, as one step (the backend is
   * synchronous), and answers the version each left (`null` after a delete). Every
   * mutation is validated before any is applied, so that a commit that cannot complete
   * applies nothing: an increment sees the value the commit's earlier mutations leave.
   * Like `setMany`, a commit may evict other entries (least recently used first) to stay
   * under `maxEntries` / `maxBytes`.
   * @throws StateError `WRONG_TYPE` (an increment of a value that is not an integer),
   *   `INVALID_VALUE` (an increment past the safe integers) or `TOO_LARGE` (an entry over
   *   `maxBytes`), having applied nothing
   */
  atomic(
    namespace: string,
    checks: readonly WireCheck[],
    mutations: readonly WireMutation[],
  ): WireCommitResult {
    let failed: Set<string> | undefined;
    for (const [key, expected] of checks) {
      const record = this.#live(namespace, key);
      const matches = record ? this.#isVersion(expected, record.version) : expected === null;
      if (matches) continue;
      failed ??= new Set();
      failed.add(key);
    }
    if (failed) return [false, [...failed]];
    const written = this.#prepare(namespace, mutations);
    const versions: (string | null)[] = [];
    for (let i = 0; i < mutations.length; i++) {
      const mutation = mutations[i] as WireMutation;
      const key = mutation[1];
      if (mutation[0] === MutationKind.delete) {
        this.delete(namespace, key);
        versions.push(null);
        continue;
      }
      if (mutation[0] === MutationKind.set) {
        this.set(namespace, key, mutation[2], mutation[3]);
      } else {
        // An increment keeps the expiry of the entry it changes, as `increment()` does.
        const record = this.#live(namespace, key);
        this.#put(namespace, key, written[i] as Encoded, record ? record.expiresAt : 0);
      }
      versions.push(this.#versionOf(this.#writes));
    }
    return [true, versions];
  }

  clear(namespace: string): void {
    const records = this.#namespaces.get(namespace);
    if (!records) return;
    this.#namespaces.delete(namespace);
    this.#entries -= records.size;
    for (const record of records.values()) {
      this.#bytes -= record.size;
      if (this.#evicting) this.#recency.remove(record as RecentRecord);
      if (record.heapIndex !== -1) this.#expiry.remove(record);
      this.#release(record);
    }
    // A scan may still be walking this map: it must find nothing left in it.
    records.clear();
  }

  /**
   * Reclaims up to `sweepBatch` expired entries, earliest deadline first, without walking
   * live entries: what the timer does on each turn. (An entry whose ttl a write pushed back
   * may take one of the batch's steps, to be moved to its new place.)
   * @returns whether expired entries remain (the batch was not enough)
   */
  sweep(): boolean {
    return this.#reclaim(this.#now(), this.#sweepBatch);
  }

  stats(): MemoryBackendStats {
    return {
      entries: this.#entries,
      bytes: this.#bytes,
      evictions: this.#evictions,
      expirations: this.#expirations,
    };
  }

  /** Stops the sweep timer and drops every entry. */
  close(): void {
    clearInterval(this.#sweepTimer);
    if (this.#sweepMore) clearImmediate(this.#sweepMore);
    this.#sweepMore = undefined;
    this.#scans.clear();
    this.#namespaces.clear();
    this.#expiry.clear();
    this.#spare.length = 0;
    this.#recency.clear();
    this.#entries = 0;
    this.#bytes = 0;
  }

  /**
   * Validates the mutations of a commit without applying any: each entry's size, and each
   * increment against the value the mutations before it leave.
   * @returns the encoded result of each increment, at its index (other indexes are empty)
   * @throws StateError the error the commit fails with
   */
  #prepare(namespace: string, mutations: readonly WireMutation[]): (Encoded | undefined)[] {
    const written: (Encoded | undefined)[] = [];
    // What the commit's own mutations left under a key so far (`null`: deleted).
    const pending = new Map<string, Encoded | null>();
    const sizes = new Map<string, number>();
    for (let i = 0; i < mutations.length; i++) {
      const mutation = mutations[i] as WireMutation;
      const key = mutation[1];
      if (mutation[0] === MutationKind.delete) {
        pending.set(key, null);
        written.push(undefined);
        continue;
      }
      if (mutation[0] === MutationKind.set) {
        noteSize(sizes, key, this.#checkSize(sizeOf(key, mutation[2])));
        pending.set(key, mutation[2]);
        written.push(undefined);
        continue;
      }
      const current = pending.has(key)
        ? pending.get(key)
        : (this.#live(namespace, key)?.value ?? null);
      const next = this.#incremented(current ?? undefined, mutation[2]);
      const encoded = this.#codec.encode(next);
      noteSize(sizes, key, this.#checkSize(sizeOf(key, encoded)));
      pending.set(key, encoded);
      written.push(encoded);
    }
    this.#checkFitTogether(sizes, 'atomic()');
    return written;
  }

  /**
   * `stored` (missing: 0) plus `by`.
   * @throws StateError `WRONG_TYPE` when `stored` is not an integer; `INVALID_VALUE` when
   *   the sum is not a safe integer
   */
  #incremented(stored: Encoded | undefined, by: number): number {
    let current = 0;
    if (stored !== undefined) {
      let decoded: unknown;
      try {
        decoded = this.#codec.decode(stored);
      } catch {
        // A remote client can store any text or bytes as an encoded value.
        decoded = undefined;
      }
      if (!Number.isSafeInteger(decoded)) {
        throw new StateError(ErrorCode.WRONG_TYPE, 'increment() of a value that is not an integer');
      }
      current = decoded as number;
    }
    const next = current + by;
    if (!Number.isSafeInteger(next)) {
      throw new StateError(ErrorCode.INVALID_VALUE, 'increment() result is not a safe integer');
    }
    return next;
  }

  /** The version string of write number `writes` of this backend. */
  #versionOf(writes: number): string {
    return this.#epoch + writes.toString(36);
  }

  // Compared without formatting the stored version: a version of another epoch (a holder
  // that restarted) or a malformed one never matches.
  #isVersion(expected: string | null, writes: number): boolean {
    return (
      expected !== null &&
      expected.length > EPOCH_LENGTH &&
      expected.startsWith(this.#epoch) &&
      expected.slice(EPOCH_LENGTH) === writes.toString(36)
    );
  }

  /** The record of `key`, unless it is missing or expired (then it is dropped). */
  #live(namespace: string, key: string): EntryRecord | undefined {
    const records = this.#namespaces.get(namespace);
    if (!records) return undefined;
    const record = records.get(key);
    if (!record) return undefined;
    if (record.expiresAt !== 0 && record.expiresAt <= this.#now()) {
      this.#expirations++;
      this.#remove(namespace, records, key, record);
      return undefined;
    }
    return record;
  }

  /**
   * Stores `received` under `key`. `now` is given by writes that read the clock for a ttl:
   * those reclaim a few expired entries (see below); others do not read the clock for it.
   */
  #put(namespace: string, key: string, received: Encoded, expiresAt: number, now?: number): void {
    // Bytes that arrived as a view into a larger frame would keep the whole frame alive
    // for as long as the entry lives: keep a tight copy instead.
    const value =
      typeof received !== 'string' && received.byteLength !== received.buffer.byteLength
        ? Buffer.copyBytesFrom(received)
        : received;
    const size = sizeOf(key, value);
    this.#checkSize(size);
    // Each write with a ttl reclaims a few expired entries (it adds at most one), so that
    // they never pile up, however fast short-lived entries are written; only writes with a
    // ttl add entries that expire, so only they pay for this. Before the lookups below:
    // reclaiming may drop this key's record or its namespace's map.
    if (now !== undefined && this.#expiry.size > 0) this.#reclaim(now, RECLAIM_PER_WRITE);
    let records = this.#namespaces.get(namespace);
    if (!records) {
      records = new Map();
      this.#namespaces.set(namespace, records);
    }
    const old = records.get(key);
    const version = ++this.#writes;
    if (old) {
      this.#bytes += size - old.size;
      old.value = value;
      old.size = size;
      old.version = version;
      this.#expireAt(old, expiresAt);
      // Replacing a value makes it the most recently used.
      if (this.#evicting) this.#recency.touch(old as RecentRecord);
    } else {
      this.#entries++;
      this.#bytes += size;
      let record = this.#spare.pop();
      if (record) {
        // Emptied by #release, out of the expiry heap and (when evicting) unlinked.
        record.namespace = namespace;
        record.key = key;
        record.value = value;
        record.expiresAt = 0;
        record.size = size;
        record.version = version;
        if (this.#evicting) this.#recency.add(record as RecentRecord);
      } else if (this.#evicting) {
        const recent: RecentRecord = {
          namespace,
          key,
          value,
          expiresAt: 0,
          deadline: 0,
          heapIndex: -1,
          size,
          version,
          older: undefined,
          newer: undefined,
        };
        this.#recency.add(recent);
        record = recent;
      } else {
        record = { namespace, key, value, expiresAt: 0, deadline: 0, heapIndex: -1, size, version };
      }
      records.set(key, record);
      this.#expireAt(record, expiresAt);
    }
    if (this.#evicting) this.#evict(now);
  }

  /** @throws StateError `TOO_LARGE` when an entry of `size` bytes could never be kept */
  #checkSize(size: number): number {
    if (size > this.#maxBytes) {
      throw new StateError(
        ErrorCode.TOO_LARGE,
        `value is over the holder's ${this.#maxBytes}-byte memory limit`,
      );
    }
    return size;
  }

  // The entries one call writes must fit the holder together: otherwise making room for the
  // last of them would evict the first, and the call would be applied in part while it
  // reports success. `sizes` holds each key's largest size in the call (see noteSize).
  #checkFitTogether(sizes: ReadonlyMap<string, number>, op: string): void {
    if (!this.#evicting) return;
    let bytes = 0;
    for (const size of sizes.values()) bytes += size;
    if (sizes.size > this.#maxEntries || bytes > this.#maxBytes) {
      throw new StateError(
        ErrorCode.TOO_LARGE,
        `${op} writes more than the holder can keep at once (maxEntries ${this.#maxEntries}, maxBytes ${this.#maxBytes}); split it`,
      );
    }
  }

  /** Gives `record` the expiry `expiresAt` (0 for none), keeping the expiry heap in step. */
  #expireAt(record: EntryRecord, expiresAt: number): void {
    record.expiresAt = expiresAt;
    if (expiresAt === 0) {
      if (record.heapIndex !== -1) this.#expiry.remove(record);
    } else if (record.heapIndex === -1) {
      record.deadline = expiresAt;
      this.#expiry.push(record);
    } else if (expiresAt < record.deadline) {
      record.deadline = expiresAt;
      this.#expiry.update(record);
    }
    // A later expiry leaves the record where it is (O(1) for keys rewritten with a fresh ttl,
    // the common case): it reaches the top early, once, and #reclaim moves it down.
  }

  /**
   * Takes up to `limit` steps of reclaiming, earliest deadline first: drops an entry whose
   * expiry is at or before `now`, or moves down one whose expiry a write pushed back.
   * @returns whether more is due
   */
  #reclaim(now: number, limit: number): boolean {
    for (let steps = 0; ; steps++) {
      const record = this.#expiry.peek();
      if (!record || record.deadline > now) return false;
      if (steps === limit) return true;
      if (record.expiresAt > now) {
        record.deadline = record.expiresAt;
        this.#expiry.update(record);
      } else {
        this.#expirations++;
        this.#remove(record.namespace, this.#namespaces.get(record.namespace)!, record.key, record);
      }
    }
  }

  /**
   * One turn of the timer: a batch of expired entries, then, when more have expired, the
   * next batch on the next turn of the event loop (never one long block of the holder).
   */
  #sweepTurn(): void {
    this.#sweepMore = undefined;
    if (this.#expiry.size === 0 || !this.sweep()) return;
    this.#sweepMore = setImmediate(() => this.#sweepTurn());
    this.#sweepMore.unref();
  }

  /** Drops `record`, stored under `key` in `records`, the map of `namespace`. */
  #remove(
    namespace: string,
    records: Map<string, EntryRecord>,
    key: string,
    record: EntryRecord,
  ): void {
    records.delete(key);
    if (records.size === 0) this.#namespaces.delete(namespace);
    this.#entries--;
    this.#bytes -= record.size;
    if (this.#evicting) this.#recency.remove(record as RecentRecord);
    if (record.heapIndex !== -1) this.#expiry.remove(record);
    this.#release(record);
  }

  /** Empties `record`, dropped from its map and the expiry heap, and keeps it for reuse. */
  #release(record: EntryRecord): void {
    record.namespace = DROPPED;
    record.key = DROPPED;
    record.value = DROPPED;
    if (this.#spare.length < SPARE_RECORDS) this.#spare.push(record);
  }

  /**
   * Brings the backend back under its limits: expired entries go first, so that no live
   * entry ever loses its place to one; then the least recently used live entries.
   */
  #evict(clock?: number): void {
    if (this.#entries <= this.#maxEntries && this.#bytes <= this.#maxBytes) return;
    if (this.#expiry.size > 0) {
      const now = clock ?? this.#now();
      while (this.#entries > this.#maxEntries || this.#bytes > this.#maxBytes) {
        if (!this.#reclaim(now, 1)) break;
      }
    }
    while (this.#entries > this.#maxEntries || this.#bytes > this.#maxBytes) {
      const oldest = this.#recency.oldest;
      if (!oldest) return;
      this.#remove(oldest.namespace, this.#namespaces.get(oldest.namespace)!, oldest.key, oldest);
      this.#evictions++;
    }
  }
}

/** Notes that a call writes `size` bytes under `key`, keeping the largest size per key. */
function noteSize(sizes: Map<string, number>, key: string, size: number): void {
  const before = sizes.get(key);
  if (before === undefined || size > before) sizes.set(key, size);
}

/** What an entry costs against `maxBytes`: its encoded value and its key (UTF-16). */
function sizeOf(key: string, value: Encoded): number {
  return encodedSize(value) + key.length * 2;
}
