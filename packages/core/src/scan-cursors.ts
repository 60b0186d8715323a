import { randomBytes } from 'node:crypto';

/** An open scan: where it is in its namespace, and what it may be resumed for. */
interface OpenScan<T> {
  readonly namespace: string;
  readonly prefix: string;
  readonly position: T;
  readonly lastUsed: number;
}

/** Options of {@link ScanCursors}. */
export interface ScanCursorsOptions {
  /**
   * Most scans kept open at once; opening one more forgets the least recently used.
   * @default 1024
   */
  maxOpen?: number;
  /**
   * Milliseconds after which a scan nobody continued is forgotten.
   * @default 300000 (5 minutes)
   */
  idleMs?: number;
  /** A monotonic clock in ms. @default performance.now */
  now?: () => number;
}

/**
 * The cursors a holder hands out for `scan()`: each names a live position (a Map iterator,
 * which visits every entry present for the whole walk exactly once, whatever is added or
 * removed meanwhile) kept on the holder between pages. The table is bounded in size and
 * in idle time, so clients that start scans and never finish them cost a bounded amount;
 * a cursor is tied to its namespace and prefix, so one client cannot walk another's
 * namespace with a cursor it saw, and it carries a random epoch, so a cursor from an
 * earlier holder (a restarted primary) is never mistaken for a live one.
 */
export class ScanCursors<T> {
  readonly #open = new Map<string, OpenScan<T>>();
  readonly #epoch = randomBytes(6).toString('base64url');
  readonly #maxOpen: number;
  readonly #idleMs: number;
  readonly #now: () => number;
  #next = 0;

  constructor(options: ScanCursorsOptions = {}) {
    this.#maxOpen = options.maxOpen ?? 1024;
    this.#idleMs = options.idleMs ?? 300_000;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Scans open now. */
  get size(): number {
    return this.#open.size;
  }

  /** Keeps `position` and returns the cursor that resumes it. */
  open(namespace: string, prefix: string, position: T): string {
    this.#forgetIdle();
    while (this.#open.size >= this.#maxOpen) {
      const oldest = this.#open.keys().next();
      if (oldest.done) break;
      this.#open.delete(oldest.value);
    }
    const cursor = `${this.#epoch}.${(this.#next++).toString(36)}`;
    this.#open.set(cursor, { namespace, prefix, position, lastUsed: this.#now() });
    return cursor;
  }

  /**
   * The position `cursor` names, removed from the table (the caller opens a new cursor if
   * the scan goes on); `undefined` when the cursor is unknown, forgotten, or was handed out
   * for another namespace or prefix.
   */
  take(cursor: string, namespace: string, prefix: string): T | undefined {
    this.#forgetIdle();
    const scan = this.#open.get(cursor);
    if (!scan || scan.namespace !== namespace || scan.prefix !== prefix) return undefined;
    this.#open.delete(cursor);
    return scan.position;
  }

  /** Forgets every open scan. */
  clear(): void {
    this.#open.clear();
  }

  // Entries are in the order they were opened, so the idle ones are at the front.
  #forgetIdle(): void {
    const oldestAllowed = this.#now() - this.#idleMs;
    for (const [cursor, scan] of this.#open) {
      if (scan.lastUsed > oldestAllowed) return;
      this.#open.delete(cursor);
    }
  }
}
