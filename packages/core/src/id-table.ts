// The ring starts this big, and doubles whenever it is half full.
const INITIAL_CAPACITY = 64;
// A ring grown past this many slots goes back to its first size when the table empties: a
// burst of calls does not keep its memory for good.
const SHRINK_ABOVE = 1024;

/**
 * A table of values keyed by ids that are issued in increasing order and removed soon after
 * (calls in flight): a ring of slots indexed by the id's low bits, and a `Map` for the rare
 * entry that stays while the ring comes round to its slot again.
 *
 * Why not a `Map` for everything: a `Map` with an entry set and deleted per call rebuilds
 * its hash table every few dozen calls, and V8 links each discarded table to the next one.
 * Once one discarded table sits in the old generation, every young collection keeps that
 * chain alive, and with it every value the tables referenced: each call's objects get
 * promoted, young collections copy megabytes, and throughput drops by a quarter (measured
 * in the bench's closed loop). A ring keeps one array: a slot that is cleared points at
 * nothing, so nothing stays alive through it.
 */
export class IdTable<T> {
  #ids!: number[];
  #values!: (T | undefined)[];
  #mask!: number;
  // Entries moved out of the ring when a newer id needed their slot.
  #stragglers: Map<number, T> | undefined;
  #size!: number;

  constructor() {
    this.clear();
  }

  /** How many entries the table holds. */
  get size(): number {
    return this.#size;
  }

  /** The value stored under `id`, if any. */
  get(id: number): T | undefined {
    const slot = id & this.#mask;
    if (this.#ids[slot] === id) return this.#values[slot];
    return this.#stragglers?.get(id);
  }

  /** Whether `id` is in the table. */
  has(id: number): boolean {
    return this.get(id) !== undefined;
  }

  /**
   * Stores `value` under `id`, replacing the value already stored under it, if any.
   * @throws TypeError when `value` is `undefined` (it marks an empty slot)
   */
  set(id: number, value: T): void {
    if (value === undefined) throw new TypeError('IdTable: a value cannot be undefined');
    const slot = id & this.#mask;
    if (this.#ids[slot] === id && this.#values[slot] !== undefined) {
      this.#values[slot] = value;
      return;
    }
    if (this.#stragglers?.has(id)) {
      this.#stragglers.set(id, value);
      return;
    }
    if (this.#size * 2 >= this.#ids.length) this.#grow();
    this.#place(id, value);
    this.#size++;
  }

  /** Removes `id` and returns its value, or `undefined` when it was not in the table. */
  delete(id: number): T | undefined {
    const slot = id & this.#mask;
    let value: T | undefined;
    if (this.#ids[slot] === id) {
      value = this.#values[slot];
      // An empty slot's id is -1: an id from outside (a forged reply) may be anything.
      if (value === undefined) return undefined;
      this.#ids[slot] = -1;
      this.#values[slot] = undefined;
    } else {
      value = this.#stragglers?.get(id);
      if (value === undefined) return undefined;
      this.#stragglers!.delete(id);
      if (this.#stragglers!.size === 0) this.#stragglers = undefined;
    }
    if (--this.#size === 0 && this.#ids.length > SHRINK_ABOVE) this.#resize(INITIAL_CAPACITY);
    return value;
  }

  /** Removes every entry. */
  clear(): void {
    this.#ids = new Array<number>(INITIAL_CAPACITY).fill(-1);
    this.#values = new Array<T | undefined>(INITIAL_CAPACITY).fill(undefined);
    this.#mask = INITIAL_CAPACITY - 1;
    this.#stragglers = undefined;
    this.#size = 0;
  }

  /** Every id in the table, in increasing order (a copy: the table may change meanwhile). */
  ids(): number[] {
    const ids: number[] = [];
    for (const id of this.#ids) if (id !== -1) ids.push(id);
    if (this.#stragglers) ids.push(...this.#stragglers.keys());
    return ids.sort((a, b) => a - b);
  }

  #place(id: number, value: T): void {
    const slot = id & this.#mask;
    const occupant = this.#ids[slot]!;
    if (occupant !== -1) {
      this.#stragglers ??= new Map();
      this.#stragglers.set(occupant, this.#values[slot] as T);
    }
    this.#ids[slot] = id;
    this.#values[slot] = value;
  }

  #grow(): void {
    this.#resize(this.#ids.length * 2);
  }

  #resize(capacity: number): void {
    const ids = this.#ids;
    const values = this.#values;
    const stragglers = this.#stragglers;
    this.#ids = new Array<number>(capacity).fill(-1);
    this.#values = new Array<T | undefined>(capacity).fill(undefined);
    this.#mask = capacity - 1;
    this.#stragglers = undefined;
    // Older ids first, so that where two collide the newer one keeps the slot.
    const entries: [number, T][] = stragglers ? [...stragglers] : [];
    for (let i = 0; i < ids.length; i++) if (ids[i] !== -1) entries.push([ids[i]!, values[i] as T]);
    entries.sort((a, b) => a[0] - b[0]);
    for (const [id, value] of entries) this.#place(id, value);
  }
}
