import type { Backend, BackendStats } from './backend.js';
import { checkTimeout } from './call-options.js';
import { type Encoded, encodedSize, type ValueCodec } from './codec.js';
import { ErrorCode, StateError } from './errors.js';
import { ExpiryHeap } from './expiry-heap.js';
import type { WireCommitResult } from './operations.js';
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
  maxEntries?: number;
  /**
   * Most bytes of encoded keys and values kept; past it the least recently used entries
   * are evicted (expired entries are reclaimed first). A single value larger than this is
   * rejected with `TOO_LARGE`, and a `setMany` holding one applies none of its entries.
   * @default Infinity (no eviction)
   */
  maxBytes?: number;
  /**
   * How often a timer reclaims expired entries while the backend is idle, in ms. Expired
   * entries are also reclaimed by every write (a few per write, earliest deadline first, so
   * that they never pile up whatever the write rate) and dropped when read.
   * @default 1000
   */
  sweepIntervalMs?: number;
  /**
   * Most expired entries one timer turn (or one `sweep()`) reclaims, so that reclaiming
   * never blocks the holder for long; when more have expired, the timer goes on with the
   * next batch on the next turn of the event loop.
   * @default 10000
   */
  sweepBatch?: number;
  /**
   * The clock TTL deadlines follow, in ms. It must never go backwards: the default is
   * monotonic, so that a step of the wall clock (NTP, a manual change) expires nothing
   * early or late. Tests pass a clock moved by hand.
   * @default performance.now
   */
  now?: () => number;
}

/** Entries one `scan()` page may look at per key it was asked for (prefix misses, expired). */
export const SCAN_VISITS_PER_KEY = 16;
/** Bytes of keys (UTF-8, bounded from above) after which a `scan()` page ends early. */
export const SCAN_PAGE_BYTES = 1024 * 1024;

/**
 * One stored entry. Replacing a value updates its slot in place. It knows its namespace
 * and key, so that reclaiming it from the expiry heap (or evicting it) can find its map.
 */
interface Slot {
  readonly namespace: string;
  readonly key: string;
  value: Encoded;
  /** Absolute expiry on the backend's clock, in ms; 0 for none. */
  expiresAt: number;
  /**
   * Where the expiry heap orders the slot: its expiry when it entered the heap, which a
   * later write may have pushed back (`expiresAt` is then later: see #reclaim).
   */
  deadline: number;
  /** Position in the expiry heap; -1 when the slot has no expiry. */
  heapIndex: number;
  size: number;
}

/** A slot in the recency list, the form every slot takes when eviction is on. */
interface RecentSlot extends Slot {
  /** The next less recently used slot; undefined for the least recently used one. */
  older: RecentSlot | undefined;
  /** The next more recently used slot; undefined for the most recently used one. */
  newer: RecentSlot | undefined;
}

/** Counters of a {@link MemoryBackend}. */
export interface MemoryBackendStats extends BackendStats {}

/**
 * Steps of reclaiming one write takes (an expired entry dropped, or one whose deadline was
 * pushed back moved down the heap): more than the one entry a write can add, so that
 * expired entries never pile up.
 */
const RECLAIM_PER_WRITE = 4;

/**
 * The in-memory holder of encoded values, shared by `createMemoryStore()` and the IPC
 * host: Map-based (never a plain object, so `__proto__` is an ordinary key), with
 * namespaces, TTL on a monotonic clock (entries with a deadline sit in a min-heap by
 * deadline, so that expired ones are reclaimed earliest first, by writes and by a timer,
 * in O(log n) each and without walking live ones; they are also dropped when read),
 * atomic operations (it is synchronous) and optional least-recently-used eviction that
 * reclaims expired entries first, because memory held by a primary process must not grow
 * without bound.
 */
export class MemoryBackend implements Backend {
  // One map of keys per namespace, so that a lookup builds no string. A namespace's map
  // is dropped when it becomes empty (clear() empties it first): a map that is not in
  // #namespaces is always empty, so a scan still walking one finds nothing in it.
  readonly #namespaces = new Map<string, Map<string, Slot>>();
  // Open scan() walks: live iterators over a namespace's map, resumed by cursor.
  readonly #scans = new ScanCursors<Iterator<[string, Slot]>>();
  readonly #codec: ValueCodec;
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #evicting: boolean;
  readonly #now: () => number;
  readonly #sweepBatch: number;
  readonly #sweepTimer: NodeJS.Timeout;
  // Every slot with an expiry, earliest deadline at the top.
  readonly #expiry = new ExpiryHeap<Slot>();
  // The timer's next batch, when one batch did not reclaim everything that had expired.
  #sweepMore: NodeJS.Immediate | undefined;
  // Recency order across all namespaces, kept only when eviction is on: a doubly linked
  // list of RecentSlots from the least (#oldest) to the most (#newest) recently used.
  #oldest: RecentSlot | undefined;
  #newest: RecentSlot | undefined;
  #entries = 0;
  #bytes = 0;
  #evictions = 0;
  #expirations = 0;

  constructor(options: MemoryBackendOptions) {
    this.#codec = options.codec;
    this.#maxEntries = positiveNumber('maxEntries', options.maxEntries, Number.POSITIVE_INFINITY);
    this.#maxBytes = positiveNumber('maxBytes', options.maxBytes, Number.POSITIVE_INFINITY);
    this.#evicting =
      this.#maxEntries !== Number.POSITIVE_INFINITY || this.#maxBytes !== Number.POSITIVE_INFINITY;
    this.#now = options.now ?? (() => performance.now());
    this.#sweepBatch = positiveInteger('sweepBatch', options.sweepBatch, 10_000);
    const sweepIntervalMs = checkTimeout(options.sweepIntervalMs ?? 1000, 'sweepIntervalMs');
    this.#sweepTimer = setInterval(() => this.#sweepTurn(), sweepIntervalMs);
    this.#sweepTimer.unref();
  }

  get(namespace: string, key: string): Encoded | undefined {
    const slot = this.#live(namespace, key);
    if (!slot) return undefined;
    if (this.#evicting) this.#touch(slot as RecentSlot);
    return slot.value;
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
    for (const [key, value] of entries) this.#checkSize(sizeOf(key, value));
    for (const [key, value, ttl] of entries) this.set(namespace, key, value, ttl);
  }

  delete(namespace: string, key: string): boolean {
    const slot = this.#live(namespace, key);
    if (!slot) return false;
    this.#remove(namespace, this.#namespaces.get(namespace)!, key, slot);
    return true;
  }

  /**
   * Adds `by` to the integer under `key` (missing is 0), keeping its expiry; `ttl` (ms, 0
   * for none) applies only when the increment creates the key.
   * @throws StateError `WRONG_TYPE` when the stored value is not a safe integer;
   *   `INVALID_VALUE` when the result would not be one
   */
  increment(namespace: string, key: string, by: number, ttl = 0): number {
    const slot = this.#live(namespace, key);
    let current = 0;
    if (slot) {
      let decoded: unknown;
      try {
        decoded = this.#codec.decode(slot.value);
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
    // Creating a key with a ttl reads the clock, and so reclaims like any write with a ttl.
    const now = slot || ttl === 0 ? undefined : this.#now();
    const expiresAt = slot ? slot.expiresAt : now === undefined ? 0 : now + ttl;
    this.#put(namespace, key, this.#codec.encode(next), expiresAt, now);
    return next;
  }

  /**
   * The live keys of `namespace` that start with `prefix`.
   * @param maxBytes the largest answer (keys by length, 8 bytes each on top); collecting
   *   stops as soon as the answer would be larger, so that a huge namespace costs no more
   *   than the limit
   * @throws StateError `TOO_LARGE` when the answer would be over `maxBytes`
   */
  keys(namespace: string, prefix: string, maxBytes = Number.POSITIVE_INFINITY): string[] {
    const now = this.#now();
    const found: string[] = [];
    const slots = this.#namespaces.get(namespace);
    if (!slots) return found;
    let bytes = 8;
    for (const [key, slot] of slots) {
      if (!key.startsWith(prefix)) continue;
      if (slot.expiresAt !== 0 && slot.expiresAt <= now) continue;
      bytes += key.length + 8;
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
   * so that one page costs the holder bounded work however sparse the prefix is.
   * @param cursor `''` for the first page, else the cursor of the previous page
   * @returns the keys and the next page's cursor (`null` when the walk is complete)
   * @throws StateError `INVALID_VALUE` when the cursor is unknown, forgotten or another
   *   namespace's
   */
  scan(
    namespace: string,
    prefix: string,
    cursor: string,
    count: number,
  ): [string[], string | null] {
    let position: Iterator<[string, Slot]> | undefined;
    if (cursor === '') {
      const slots = this.#namespaces.get(namespace);
      if (!slots) return [[], null];
      position = slots.entries();
    } else {
      position = this.#scans.take(cursor, namespace, prefix);
      if (!position) {
        throw new StateError(
          ErrorCode.INVALID_VALUE,
          'scan() cursor is unknown to the holder (it restarted, or the scan sat idle too long); start the scan again',
        );
      }
    }
    const now = this.#now();
    const keys: string[] = [];
    let bytes = 0;
    for (let visits = count * SCAN_VISITS_PER_KEY; visits > 0; visits--) {
      if (keys.length >= count || bytes >= SCAN_PAGE_BYTES) break;
      const next = position.next();
      if (next.done) return [keys, null];
      const [key, slot] = next.value;
      if (!key.startsWith(prefix)) continue;
      if (slot.expiresAt !== 0 && slot.expiresAt <= now) continue;
      keys.push(key);
      // An upper bound of the UTF-8 size, without encoding the key.
      bytes += key.length * 3;
    }
    return [keys, this.#scans.open(namespace, prefix, position)];
  }

  getEntries(_namespace: string, _keys: readonly string[]): ([Encoded, string] | null)[] {
    throw new StateError(ErrorCode.NOT_SUPPORTED, 'getEntries is not implemented yet');
  }

  atomic(): WireCommitResult {
    throw new StateError(ErrorCode.NOT_SUPPORTED, 'atomic is not implemented yet');
  }

  clear(namespace: string): void {
    const slots = this.#namespaces.get(namespace);
    if (!slots) return;
    this.#namespaces.delete(namespace);
    this.#entries -= slots.size;
    for (const slot of slots.values()) {
      this.#bytes -= slot.size;
      if (this.#evicting) this.#unlink(slot as RecentSlot);
      if (slot.heapIndex !== -1) this.#expiry.remove(slot);
    }
    // A scan may still be walking this map: it must find nothing left in it.
    slots.clear();
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
    this.#oldest = undefined;
    this.#newest = undefined;
    this.#entries = 0;
    this.#bytes = 0;
  }

  /** The slot of `key`, unless it is missing or expired (then it is dropped). */
  #live(namespace: string, key: string): Slot | undefined {
    const slots = this.#namespaces.get(namespace);
    if (!slots) return undefined;
    const slot = slots.get(key);
    if (!slot) return undefined;
    if (slot.expiresAt !== 0 && slot.expiresAt <= this.#now()) {
      this.#expirations++;
      this.#remove(namespace, slots, key, slot);
      return undefined;
    }
    return slot;
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
    // reclaiming may drop this key's slot or its namespace's map.
    if (now !== undefined && this.#expiry.size > 0) this.#reclaim(now, RECLAIM_PER_WRITE);
    let slots = this.#namespaces.get(namespace);
    if (!slots) {
      slots = new Map();
      this.#namespaces.set(namespace, slots);
    }
    const old = slots.get(key);
    if (old) {
      this.#bytes += size - old.size;
      old.value = value;
      old.size = size;
      this.#expireAt(old, expiresAt);
      // Replacing a value makes it the most recently used.
      if (this.#evicting) this.#touch(old as RecentSlot);
    } else {
      this.#entries++;
      this.#bytes += size;
      let slot: Slot;
      if (this.#evicting) {
        const recent: RecentSlot = {
          namespace,
          key,
          value,
          expiresAt: 0,
          deadline: 0,
          heapIndex: -1,
          size,
          older: undefined,
          newer: undefined,
        };
        this.#link(recent);
        slot = recent;
      } else {
        slot = { namespace, key, value, expiresAt: 0, deadline: 0, heapIndex: -1, size };
      }
      slots.set(key, slot);
      this.#expireAt(slot, expiresAt);
    }
    if (this.#evicting) this.#evict(now);
  }

  /** @throws StateError `TOO_LARGE` when an entry of `size` bytes could never be kept */
  #checkSize(size: number): void {
    if (size > this.#maxBytes) {
      throw new StateError(
        ErrorCode.TOO_LARGE,
        `value is over the holder's ${this.#maxBytes}-byte memory limit`,
      );
    }
  }

  /** Gives `slot` the expiry `expiresAt` (0 for none), keeping the expiry heap in step. */
  #expireAt(slot: Slot, expiresAt: number): void {
    slot.expiresAt = expiresAt;
    if (expiresAt === 0) {
      if (slot.heapIndex !== -1) this.#expiry.remove(slot);
    } else if (slot.heapIndex === -1) {
      slot.deadline = expiresAt;
      this.#expiry.push(slot);
    } else if (expiresAt < slot.deadline) {
      slot.deadline = expiresAt;
      this.#expiry.update(slot);
    }
    // A later expiry leaves the slot where it is (O(1) for keys rewritten with a fresh ttl,
    // the common case): it reaches the top early, once, and #reclaim moves it down.
  }

  /**
   * Takes up to `limit` steps of reclaiming, earliest deadline first: drops an entry whose
   * expiry is at or before `now`, or moves down one whose expiry a write pushed back.
   * @returns whether more is due
   */
  #reclaim(now: number, limit: number): boolean {
    for (let steps = 0; ; steps++) {
      const slot = this.#expiry.peek();
      if (!slot || slot.deadline > now) return false;
      if (steps === limit) return true;
      if (slot.expiresAt > now) {
        slot.deadline = slot.expiresAt;
        this.#expiry.update(slot);
      } else {
        this.#expirations++;
        this.#remove(slot.namespace, this.#namespaces.get(slot.namespace)!, slot.key, slot);
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

  /** Drops `slot`, stored under `key` in `slots`, the map of `namespace`. */
  #remove(namespace: string, slots: Map<string, Slot>, key: string, slot: Slot): void {
    slots.delete(key);
    if (slots.size === 0) this.#namespaces.delete(namespace);
    this.#entries--;
    this.#bytes -= slot.size;
    if (this.#evicting) this.#unlink(slot as RecentSlot);
    if (slot.heapIndex !== -1) this.#expiry.remove(slot);
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
      const oldest = this.#oldest;
      if (!oldest) return;
      this.#remove(oldest.namespace, this.#namespaces.get(oldest.namespace)!, oldest.key, oldest);
      this.#evictions++;
    }
  }

  /** Makes `slot`, already in the recency list, the most recently used. */
  #touch(slot: RecentSlot): void {
    if (slot === this.#newest) return;
    this.#unlink(slot);
    this.#link(slot);
  }

  /** Adds `slot` to the recency list as the most recently used. */
  #link(slot: RecentSlot): void {
    slot.older = this.#newest;
    slot.newer = undefined;
    if (this.#newest) this.#newest.newer = slot;
    else this.#oldest = slot;
    this.#newest = slot;
  }

  #unlink(slot: RecentSlot): void {
    if (slot.older) slot.older.newer = slot.newer;
    else this.#oldest = slot.newer;
    if (slot.newer) slot.newer.older = slot.older;
    else this.#newest = slot.older;
    slot.older = undefined;
    slot.newer = undefined;
  }
}

/** What an entry costs against `maxBytes`: its encoded value and its key (UTF-16). */
function sizeOf(key: string, value: Encoded): number {
  return encodedSize(value) + key.length * 2;
}
