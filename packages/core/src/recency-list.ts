/** What a {@link RecencyList} orders: anything that can hold its two neighbours. */
export interface Recent<T> {
  /** The next less recently used item; undefined for the least recently used one. */
  older: T | undefined;
  /** The next more recently used item; undefined for the most recently used one. */
  newer: T | undefined;
}

/**
 * Items from the least to the most recently used, as a doubly linked list through the items
 * themselves: adding, touching and removing an item are O(1), with no search and no node
 * object per item, and the least recently used item (the next to evict) is at hand. An item
 * is in at most one list; only the list writes its `older` and `newer`.
 */
export class RecencyList<T extends Recent<T>> {
  #oldest: T | undefined;
  #newest: T | undefined;

  /** The least recently used item, or undefined when the list is empty. */
  get oldest(): T | undefined {
    return this.#oldest;
  }

  /** Adds `item`, which must not be in a list, as the most recently used. */
  add(item: T): void {
    item.older = this.#newest;
    item.newer = undefined;
    if (this.#newest) this.#newest.newer = item;
    else this.#oldest = item;
    this.#newest = item;
  }

  /** Makes `item`, which is in this list, the most recently used. */
  touch(item: T): void {
    if (item === this.#newest) return;
    this.remove(item);
    this.add(item);
  }

  /** Takes `item`, which is in this list, out of it. */
  remove(item: T): void {
    if (item.older) item.older.newer = item.newer;
    else this.#oldest = item.newer;
    if (item.newer) item.newer.older = item.older;
    else this.#newest = item.older;
    item.older = undefined;
    item.newer = undefined;
  }

  /** Forgets every item (their links are left as they are: drop the items too). */
  clear(): void {
    this.#oldest = undefined;
    this.#newest = undefined;
  }
}
