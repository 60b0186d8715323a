import { type Encoded, encodedSize, type ValueCodec } from './codec.js';
import { ErrorCode, StateError } from './errors.js';

/** Options of {@link MemoryBackend}. */
export interface MemoryBackendOptions {
  /** Decodes and encodes numbers for `increment`; must be the codec clients encode with. */
  codec: ValueCodec;
  /**
   * Most entries kept; past it the least recently used entry is evicted.
   * @default Infinity (no eviction)
   */
  maxEntries?: number;
  /**
   * Most bytes of encoded keys and values kept; past it the least recently used entries
   * are evicted. A single value larger than this is rejected with `TOO_LARGE`.
   * @default Infinity (no eviction)
   */
  maxBytes?: number;
  /**
   * How often expired entries are swept, in ms (they are also dropped when read).
   * @default 1000
   */
  sweepIntervalMs?: number;
  /**
   * Most entries one sweep looks at, so that a sweep never blocks the holder for long.
   * @default 10000
   */
  sweepBatch?: number;
  /**
   * The clock, in ms.
   * @default Date.now
   */
  now?: () => number;
}

/** One stored entry. Replacing a value updates its slot in place. */
interface Slot {
  value: Encoded;
  /** Absolute expiry in ms; 0 for none. */
  expiresAt: number;
  size: number;
}

/**
 * A slot in the recency list, the form every slot takes when eviction is on: it knows its
 * namespace and key, so that evicting the least recently used slot can find its map.
 */
interface RecentSlot extends Slot {
  readonly namespace: string;
  readonly key: string;
  /** The next less recently used slot; undefined for the least recently used one. */
  older: RecentSlot | undefined;
  /** The next more recently used slot; undefined for the most recently used one. */
  newer: RecentSlot | undefined;
}

/** Counters of a {@link MemoryBackend}. */
export interface MemoryBackendStats {
  entries: number;
  bytes: number;
  evictions: number;
  expirations: number;
}

/**
 * The in-memory holder of encoded values, shared by `createMemoryStore()` and the IPC
 * host: Map-based (never a plain object, so `__proto__` is an ordinary key), with
 * namespaces, TTL (dropped when read, plus a bounded periodic sweep), atomic operations
 * (it is synchronous) and optional least-recently-used eviction, because memory held by
 * a primary process must not grow without bound.
 */
export class MemoryBackend {
  // One map of keys per namespace, so that a lookup builds no string. A namespace's map
  // is dropped when it becomes empty (clear() empties it first): a map that is not in
  // #namespaces is always empty, so a sweep still walking one finds nothing in it.
  readonly #namespaces = new Map<string, Map<string, Slot>>();
  readonly #codec: ValueCodec;
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #evicting: boolean;
  readonly #now: () => number;
  readonly #sweepBatch: number;
  readonly #sweepTimer: NodeJS.Timeout;
  // Where the sweep stopped: the walk over namespaces, and the one over the keys of the
  // namespace it is in. Map iterators are live, so entries removed or added between two
  // sweeps are skipped or visited as they should be.
  #sweepNamespaces: IterableIterator<[string, Map<string, Slot>]> | undefined;
  #sweepKeys: IterableIterator<[string, Slot]> | undefined;
  #sweepNamespace = '';
  #sweepSlots: Map<string, Slot> | undefined;
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
    this.#maxEntries = positive(options.maxEntries, 'maxEntries');
    this.#maxBytes = positive(options.maxBytes, 'maxBytes');
    this.#evicting =
      this.#maxEntries !== Number.POSITIVE_INFINITY || this.#maxBytes !== Number.POSITIVE_INFINITY;
    this.#now = options.now ?? Date.now;
    this.#sweepBatch = options.sweepBatch ?? 10_000;
    this.#sweepTimer = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 1000);
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
    this.#put(namespace, key, value, ttl === 0 ? 0 : this.#now() + ttl);
  }

  setIfAbsent(namespace: string, key: string, value: Encoded, ttl: number): boolean {
    if (this.#live(namespace, key)) return false;
    this.#put(namespace, key, value, ttl === 0 ? 0 : this.#now() + ttl);
    return true;
  }

  delete(namespace: string, key: string): boolean {
    const slot = this.#live(namespace, key);
    if (!slot) return false;
    this.#remove(namespace, this.#namespaces.get(namespace)!, key, slot);
    return true;
  }

  /**
   * Adds `by` to the integer under `key` (missing is 0), keeping its expiry.
   * @throws StateError `WRONG_TYPE` when the stored value is not a safe integer;
   *   `INVALID_VALUE` when the result would not be one
   */
  increment(namespace: string, key: string, by: number): number {
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
    this.#put(namespace, key, this.#codec.encode(next), slot ? slot.expiresAt : 0);
    return next;
  }

  keys(namespace: string, prefix: string): string[] {
    const now = this.#now();
    const found: string[] = [];
    const slots = this.#namespaces.get(namespace);
    if (!slots) return found;
    for (const [key, slot] of slots) {
      if (!key.startsWith(prefix)) continue;
      if (slot.expiresAt !== 0 && slot.expiresAt <= now) continue;
      found.push(key);
    }
    return found;
  }

  clear(namespace: string): void {
    const slots = this.#namespaces.get(namespace);
    if (!slots) return;
    this.#namespaces.delete(namespace);
    this.#entries -= slots.size;
    for (const slot of slots.values()) {
      this.#bytes -= slot.size;
      if (this.#evicting) this.#unlink(slot as RecentSlot);
    }
    // A sweep may still be walking this map: it must find nothing left in it.
    slots.clear();
  }

  /**
   * Drops up to `sweepBatch` expired entries, continuing where the last sweep stopped:
   * it walks the namespaces, and the keys of each, and starts over once past the last.
   */
  sweep(): void {
    const now = this.#now();
    for (let seen = 0; seen < this.#sweepBatch; ) {
      if (!this.#sweepKeys || !this.#sweepSlots) {
        this.#sweepNamespaces ??= this.#namespaces.entries();
        const namespace = this.#sweepNamespaces.next();
        if (namespace.done) {
          this.#stopSweep();
          return;
        }
        [this.#sweepNamespace, this.#sweepSlots] = namespace.value;
        this.#sweepKeys = this.#sweepSlots.entries();
      }
      const next = this.#sweepKeys.next();
      if (next.done) {
        // On to the next namespace (none is empty, so each yields at least one entry).
        this.#sweepKeys = undefined;
        continue;
      }
      seen++;
      const [key, slot] = next.value;
      if (slot.expiresAt !== 0 && slot.expiresAt <= now) {
        this.#expirations++;
        this.#remove(this.#sweepNamespace, this.#sweepSlots, key, slot);
      }
    }
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
    this.#namespaces.clear();
    this.#stopSweep();
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

  #put(namespace: string, key: string, received: Encoded, expiresAt: number): void {
    // Bytes that arrived as a view into a larger frame would keep the whole frame alive
    // for as long as the entry lives: keep a tight copy instead.
    const value =
      typeof received !== 'string' && received.byteLength !== received.buffer.byteLength
        ? Buffer.copyBytesFrom(received)
        : received;
    const size = encodedSize(value) + key.length * 2;
    if (size > this.#maxBytes) {
      throw new StateError(
        ErrorCode.TOO_LARGE,
        `value is over the holder's ${this.#maxBytes}-byte memory limit`,
      );
    }
    let slots = this.#namespaces.get(namespace);
    if (!slots) {
      slots = new Map();
      this.#namespaces.set(namespace, slots);
    }
    const old = slots.get(key);
    if (old) {
      this.#bytes += size - old.size;
      old.value = value;
      old.expiresAt = expiresAt;
      old.size = size;
      // Replacing a value makes it the most recently used.
      if (this.#evicting) this.#touch(old as RecentSlot);
    } else {
      this.#entries++;
      this.#bytes += size;
      if (this.#evicting) {
        const slot: RecentSlot = {
          value,
          expiresAt,
          size,
          namespace,
          key,
          older: undefined,
          newer: undefined,
        };
        this.#link(slot);
        slots.set(key, slot);
      } else {
        slots.set(key, { value, expiresAt, size });
      }
    }
    if (this.#evicting) this.#evict();
  }

  /** Drops `slot`, stored under `key` in `slots`, the map of `namespace`. */
  #remove(namespace: string, slots: Map<string, Slot>, key: string, slot: Slot): void {
    slots.delete(key);
    if (slots.size === 0) this.#namespaces.delete(namespace);
    this.#entries--;
    this.#bytes -= slot.size;
    if (this.#evicting) this.#unlink(slot as RecentSlot);
  }

  #evict(): void {
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

  #stopSweep(): void {
    this.#sweepNamespaces = undefined;
    this.#sweepKeys = undefined;
    this.#sweepNamespace = '';
    this.#sweepSlots = undefined;
  }
}

function positive(value: number | undefined, name: string): number {
  if (value === undefined) return Number.POSITIVE_INFINITY;
  if (typeof value !== 'number' || !(value > 0))
    throw new TypeError(`${name} must be a positive number`);
  return value;
}
