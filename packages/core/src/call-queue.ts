/** What a {@link CallQueue} needs from its owner. */
export interface CallQueueOptions<T> {
  /**
   * Whether a queued call still waits for its result. A call that settled while queued
   * (timed out, aborted, failed) is skipped: it is never handed to the sender.
   */
  isLive(call: T): boolean;
  /**
   * Sends what can be sent now, taking calls with {@link CallQueue.take} or
   * {@link CallQueue.peek}/{@link CallQueue.shift}. Called on a later turn of the event loop
   * after {@link CallQueue.schedule}, and at once by {@link CallQueue.push} when the sender
   * is idle. Calls it leaves in the queue wait for the next flush point.
   */
  flush(): void;
}

/** Limits of one batch taken by {@link CallQueue.take}. */
export interface BatchLimits<T> {
  /** Most calls in the batch. */
  maxCalls: number;
  /**
   * Once the calls taken reach this many bytes (by `sizeOf`), the batch is closed. A call is
   * never split, so a batch ends at most one call over the budget.
   */
  budgetBytes: number;
  /** The size a call adds to a batch, in the unit of `budgetBytes`. */
  sizeOf(call: T): number;
}

/**
 * The calls an executor issued and has not sent yet, in the order issued, with the policy
 * that decides when they leave (like ioredis's auto-pipelining, and Nagle's algorithm):
 *
 * - A call issued while the sender is idle (nothing of its own in flight, nothing queued)
 *   is sent at once, in the same turn: a lone call does not wait for the event loop.
 * - A call issued while others are in flight waits for the next flush point, one
 *   `setImmediate` later: every call issued during this turn, including those issued from
 *   promise continuations, joins the same batch.
 * - Calls that settled while queued are skipped and dropped, so the queue never holds
 *   more than the calls still waiting (see {@link CallQueue.dropSettled}).
 *
 * Sending synchronously is safe because the queue never settles anything: the caller's
 * promise settles later, on the reply or on a timer.
 */
export class CallQueue<T> {
  readonly #isLive: (call: T) => boolean;
  readonly #flush: () => void;
  #calls: (T | undefined)[] = [];
  #head = 0;
  #scheduled = false;

  constructor(options: CallQueueOptions<T>) {
    this.#isLive = options.isLive;
    this.#flush = options.flush;
  }

  /** Entries waiting, including calls that settled while queued and are not skipped yet. */
  get length(): number {
    return this.#calls.length - this.#head;
  }

  /** Whether a flush is scheduled on a later turn. */
  get scheduled(): boolean {
    return this.#scheduled;
  }

  /**
   * Appends a call. When `idle` (the owner has nothing in flight and can send now) and no
   * earlier call waits, the queue flushes at once so the call leaves in this turn; otherwise
   * it waits for the next flush point. Order is kept either way: a call is sent at once only
   * when nothing is queued before it.
   */
  push(call: T, idle: boolean): void {
    const alone = this.#head === this.#calls.length && !this.#scheduled;
    this.#calls.push(call);
    if (idle && alone) this.#flush();
    else this.schedule();
  }

  /**
   * Flushes on a later turn of the event loop (once, however often it is asked), even when
   * the queue is empty: calls issued before then wait and leave together. An owner holds
   * the queue this way after a reply that answered many calls, whose continuations are about
   * to issue many more.
   */
  schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // setImmediate, not a microtask: calls issued from promise continuations of any depth
    // during this turn, and replies read in the same I/O poll, join the same batch.
    setImmediate(this.#run);
  }

  /** The next live call without taking it, skipping (and dropping) calls that settled. */
  peek(): T | undefined {
    while (this.#head < this.#calls.length) {
      const call = this.#calls[this.#head] as T;
      if (this.#isLive(call)) return call;
      this.#advance();
    }
    return undefined;
  }

  /** Takes the call {@link CallQueue.peek} returned. */
  shift(): T | undefined {
    const call = this.peek();
    if (call !== undefined) this.#advance();
    return call;
  }

  /** Takes the next batch of live calls within `limits`; empty when nothing is queued. */
  take(limits: BatchLimits<T>): T[] {
    const batch: T[] = [];
    let bytes = 0;
    while (batch.length < limits.maxCalls && bytes < limits.budgetBytes) {
      const call = this.shift();
      if (call === undefined) break;
      batch.push(call);
      bytes += limits.sizeOf(call);
    }
    return batch;
  }

  /**
   * Drops calls that settled while queued. Flushes skip them anyway; an owner that cannot
   * flush for a while (a congested or disconnected carrier) calls this so that the queue
   * stays bounded by its live calls.
   */
  dropSettled(): void {
    this.#calls = this.#calls.slice(this.#head).filter(this.#isQueuedLive);
    this.#head = 0;
  }

  /** Empties the queue and returns the live calls it held, in order. */
  clear(): T[] {
    const live = this.#calls.slice(this.#head).filter(this.#isQueuedLive);
    this.#calls = [];
    this.#head = 0;
    return live;
  }

  // Slots before the head are cleared; from the head on every slot holds a call.
  readonly #isQueuedLive = (call: T | undefined): call is T =>
    call !== undefined && this.#isLive(call);

  readonly #run = (): void => {
    this.#scheduled = false;
    this.#flush();
  };

  // Taking from the head is O(1); the consumed prefix is cut off once it is most of the
  // array, so the queue's memory follows its live length. The slot taken is cleared at once:
  // a queue that never runs empty (a congested link) would otherwise keep up to 1024 sent
  // calls alive, with their values, until the cut.
  #advance(): void {
    this.#calls[this.#head] = undefined;
    this.#head++;
    if (this.#head === this.#calls.length) {
      this.#calls = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#calls.length) {
      this.#calls = this.#calls.slice(this.#head);
      this.#head = 0;
    }
  }
}
