/** What an {@link ExpiryHeap} orders: anything with a deadline that can note its position. */
export interface Expiring {
  /**
   * The deadline the heap orders by; the heap reads it, the owner sets it (and then calls
   * `update`, or lets it lag behind a later true deadline: see {@link ExpiryHeap}).
   */
  deadline: number;
  /** Where the item sits in the heap; -1 when it is not in one. Only the heap writes it. */
  heapIndex: number;
}

/**
 * A binary min-heap of items by deadline, each item knowing its own position, so that an
 * item can be removed or moved when its deadline changes in O(log n), without a search and
 * without leaving stale copies behind: the heap holds exactly the items that have a deadline,
 * however often their deadlines change. The earliest deadline is at the top in O(1), which is
 * what lets a holder reclaim exactly the expired entries, earliest first, without walking
 * the others.
 *
 * An owner may leave an item's `deadline` earlier than its true one when the true one moves
 * later (a key written again with a fresh ttl): the item then comes to the top too early,
 * once, and the owner moves it down with its true deadline. This keeps rewrites O(1).
 */
export class ExpiryHeap<T extends Expiring> {
  readonly #items: T[] = [];

  /** How many items the heap holds. */
  get size(): number {
    return this.#items.length;
  }

  /** The item with the earliest deadline, or undefined when the heap is empty. */
  peek(): T | undefined {
    return this.#items[0];
  }

  /** Adds `item`, which must not be in a heap. */
  push(item: T): void {
    item.heapIndex = this.#items.length;
    this.#items.push(item);
    this.#up(item.heapIndex);
  }

  /** Restores the order after `item`'s deadline changed; `item` must be in this heap. */
  update(item: T): void {
    this.#up(item.heapIndex);
    this.#down(item.heapIndex);
  }

  /** Removes `item`, which must be in this heap. */
  remove(item: T): void {
    const index = item.heapIndex;
    const last = this.#items.pop() as T;
    item.heapIndex = -1;
    if (last === item) return;
    this.#items[index] = last;
    last.heapIndex = index;
    this.#up(index);
    this.#down(last.heapIndex);
  }

  /** Removes every item (their positions are left as they were: the items are dropped too). */
  clear(): void {
    this.#items.length = 0;
  }

  #up(index: number): void {
    const items = this.#items;
    const item = items[index] as T;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = items[parentIndex] as T;
      if (parent.deadline <= item.deadline) break;
      items[index] = parent;
      parent.heapIndex = index;
      index = parentIndex;
    }
    items[index] = item;
    item.heapIndex = index;
  }

  #down(index: number): void {
    const items = this.#items;
    const length = items.length;
    const item = items[index] as T;
    for (;;) {
      let childIndex = 2 * index + 1;
      if (childIndex >= length) break;
      let child = items[childIndex] as T;
      const rightIndex = childIndex + 1;
      if (rightIndex < length) {
        const right = items[rightIndex] as T;
        if (right.deadline < child.deadline) {
          childIndex = rightIndex;
          child = right;
        }
      }
      if (item.deadline <= child.deadline) break;
      items[index] = child;
      child.heapIndex = index;
      index = childIndex;
    }
    items[index] = item;
    item.heapIndex = index;
  }
}
