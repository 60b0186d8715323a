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

interface Slot {
  value: Encoded;
  /** Absolute expiry in ms; 0 for none. */
  expiresAt: number;
  size: number;
}

/** Counters of a {@link MemoryBackend}. */
export interface MemoryBackendStats {
  entries: number;
  bytes: number;
  evictions: number;
  expirations: number;
}

// Namespace and key in one Map key. The namespace's length comes first, so that
// ("a:", "b") and ("a", ":b") can never meet: the encoding is injective.
function slotKey(namespace: string, key: string): string {
  return `${namespace.length}:${namespace}${key}`;
}

/**
 * The in-memory holder of encoded values, shared by `createMemoryStore()` and the IPC
 * host: Map-based (never a plain object, so `__proto__` is an ordinary key), with
 * namespaces, TTL (dropped when read, plus a bounded periodic sweep), atomic operations
 * (it is synchronous) and optional least-recently-used eviction, because memory held by
 * a primary process must not grow without bound.
 */
export class MemoryBackend {
  readonly #slots = new Map<string, Slot>();
  readonly #codec: ValueCodec;
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #evicting: boolean;
  readonly #now: () => number;
  readonly #sweepBatch: number;
  readonly #sweepTimer: NodeJS.Timeout;
  #sweepCursor: IterableIterator<[string, Slot]> | undefined;
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
    const id = slotKey(namespace, key);
    const slot = this.#live(id);
    if (!slot) return undefined;
    if (this.#evicting) this.#touch(id, slot);
    return slot.value;
  }

  has(namespace: string, key: string): boolean {
    return this.#live(slotKey(namespace, key)) !== undefined;
  }

  set(namespace: string, key: string, value: Encoded, ttl: number): void {
    this.#put(slotKey(namespace, key), key, value, ttl === 0 ? 0 : this.#now() + ttl);
  }

  setIfAbsent(namespace: string, key: string, value: Encoded, ttl: number): boolean {
    const id = slotKey(namespace, key);
    if (this.#live(id)) return false;
    this.#put(id, key, value, ttl === 0 ? 0 : this.#now() + ttl);
    return true;
  }

  delete(namespace: string, key: string): boolean {
    const id = slotKey(namespace, key);
    const existed = this.#live(id) !== undefined;
    if (existed) this.#remove(id);
    return existed;
  }

  /**
   * Adds `by` to the integer under `key` (missing is 0), keeping its expiry.
   * @throws StateError `WRONG_TYPE` when the stored value is not a safe integer;
   *   `INVALID_VALUE` when the result would not be one
   */
  increment(namespace: string, key: string, by: number): number {
    const id = slotKey(namespace, key);
    const slot = this.#live(id);
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
    this.#put(id, key, this.#codec.encode(next), slot ? slot.expiresAt : 0);
    return next;
  }

  keys(namespace: string, prefix: string): string[] {
    const head = slotKey(namespace, '');
    const start = slotKey(namespace, prefix);
    const now = this.#now();
    const found: string[] = [];
    for (const [id, slot] of this.#slots) {
      if (!id.startsWith(start)) continue;
      if (slot.expiresAt !== 0 && slot.expiresAt <= now) continue;
      found.push(id.slice(head.length));
    }
    return found;
  }

  clear(namespace: string): void {
    const head = slotKey(namespace, '');
    for (const id of [...this.#slots.keys()]) if (id.startsWith(head)) this.#remove(id);
  }

  /** Drops up to `sweepBatch` expired entries, continuing where the last sweep stopped. */
  sweep(): void {
    const now = this.#now();
    this.#sweepCursor ??= this.#slots.entries();
    for (let seen = 0; seen < this.#sweepBatch; seen++) {
      const next = this.#sweepCursor.next();
      if (next.done) {
        this.#sweepCursor = undefined;
        return;
      }
      const [id, slot] = next.value;
      if (slot.expiresAt !== 0 && slot.expiresAt <= now) {
        this.#expirations++;
        this.#remove(id);
      }
    }
  }

  stats(): MemoryBackendStats {
    return {
      entries: this.#slots.size,
      bytes: this.#bytes,
      evictions: this.#evictions,
      expirations: this.#expirations,
    };
  }

  /** Stops the sweep timer and drops every entry. */
  close(): void {
    clearInterval(this.#sweepTimer);
    this.#slots.clear();
    this.#sweepCursor = undefined;
    this.#bytes = 0;
  }

  #live(id: string): Slot | undefined {
    const slot = this.#slots.get(id);
    if (!slot) return undefined;
    if (slot.expiresAt !== 0 && slot.expiresAt <= this.#now()) {
      this.#expirations++;
      this.#remove(id);
      return undefined;
    }
    return slot;
  }

  #put(id: string, key: string, received: Encoded, expiresAt: number): void {
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
    const old = this.#slots.get(id);
    if (old) {
      this.#bytes -= old.size;
      // Re-inserting moves the entry to the most recently used end.
      if (this.#evicting) this.#slots.delete(id);
    }
    this.#slots.set(id, { value, expiresAt, size });
    this.#bytes += size;
    if (this.#evicting) this.#evict();
  }

  #touch(id: string, slot: Slot): void {
    this.#slots.delete(id);
    this.#slots.set(id, slot);
  }

  #remove(id: string): void {
    const slot = this.#slots.get(id);
    if (!slot) return;
    this.#slots.delete(id);
    this.#bytes -= slot.size;
  }

  #evict(): void {
    while (this.#slots.size > this.#maxEntries || this.#bytes > this.#maxBytes) {
      const oldest = this.#slots.keys().next();
      if (oldest.done) return;
      this.#remove(oldest.value);
      this.#evictions++;
    }
  }
}

function positive(value: number | undefined, name: string): number {
  if (value === undefined) return Number.POSITIVE_INFINITY;
  if (typeof value !== 'number' || !(value > 0))
    throw new TypeError(`${name} must be a positive number`);
  return value;
}
