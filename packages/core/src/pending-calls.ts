import { ErrorCode, StateError, type StateErrorCode } from './errors.js';
import { IdTable } from './id-table.js';
import { type OpCode, opNames, writeOps } from './operations.js';

// Deadlines are grouped into buckets of this many milliseconds, so that thousands of calls
// in flight share a handful of timers instead of one timer each. A call therefore times out
// at most this much late.
const BUCKET_MS = 10;

// The longest delay Node's timers take: a longer one (a timeout of 2^31 - 1 ms rounded up to
// its bucket) would fire at once, with a TimeoutOverflowWarning. A timer armed for the
// longest fires early and is re-armed for the rest (see #expire).
const MAX_TIMER_MS = 2 ** 31 - 1;

// A bucket whose calls all settled keeps its timer, unreferenced, until it fires: calls made
// in the next few milliseconds land in the same bucket, and re-arming a timer for each of
// them costs more than the call itself when one call at a time is in flight. At most this
// many such idle timers are kept (long timeouts would otherwise keep one per call); past
// that, the bucket idle the longest loses its timer, never the one just used: with one call
// at a time and a timeout longer than this many buckets, dropping the newest would re-arm a
// timer for every call.
const MAX_IDLE_BUCKETS = 64;

// One call in the table. Its promise is made in the constructor, whose resolving functions
// are stored on the call itself: no other object or closure per call.
class PendingCall {
  readonly op: OpCode;
  readonly write: boolean;
  sent = false;
  readonly bucket: number;
  readonly timeout: number;
  readonly signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined = undefined;
  readonly promise: Promise<unknown>;
  resolve!: (value: unknown) => void;
  reject!: (error: unknown) => void;

  constructor(op: OpCode, timeout: number, signal: AbortSignal | undefined) {
    this.op = op;
    this.write = writeOps.has(op);
    this.bucket = Math.ceil((performance.now() + timeout) / BUCKET_MS);
    this.timeout = timeout;
    this.signal = signal;
    this.promise = new Promise<unknown>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }
}

// A deadline bucket counts its calls rather than listing them: the rare bucket that expires
// finds its calls in the table, and the common case (every call settles in time) costs one
// count up and one down.
interface Bucket {
  timer: NodeJS.Timeout;
  calls: number;
}

/** Hooks a {@link PendingCalls} owner can use to keep its carrier referenced while busy. */
export interface PendingCallsHooks {
  /** The first call became pending (the count went from 0 to 1). */
  busy?: () => void;
  /** The last pending call settled. */
  idle?: () => void;
  /**
   * What to add to a timeout's message, when the owner knows why calls wait (no host has
   * answered yet, no connection is ready): a bare "timed out" would leave the user guessing.
   */
  timeoutDetail?: () => string | undefined;
}

/**
 * The table of calls that were issued and have not settled: ids, timeouts, aborts, and
 * exactly-once settlement. Every executor (local, IPC, Redis) keeps its calls here, so
 * that "settles once, in bounded time, leaves nothing behind" is implemented once.
 */
export class PendingCalls {
  readonly #calls = new IdTable<PendingCall>();
  readonly #buckets = new Map<number, Bucket>();
  readonly #label: string;
  readonly #hooks: PendingCallsHooks;
  #nextId = 1;
  // Buckets with no call left, whose (unreferenced) timer still runs, in the order they
  // went idle (the least recently used first).
  readonly #idleBuckets = new Set<number>();
  /** Calls that timed out, since creation. */
  timeouts = 0;

  /** @param label names the transport in error messages, e.g. `ipc client`. */
  constructor(label: string, hooks: PendingCallsHooks = {}) {
    this.#label = label;
    this.#hooks = hooks;
  }

  /** How many calls are pending. */
  get size(): number {
    return this.#calls.size;
  }

  /**
   * How many deadline timers wait for pending calls (for leak checks). Timers of buckets
   * whose calls all settled are not counted: they are unreferenced and fire once, idle.
   */
  get timers(): number {
    return this.#buckets.size - this.#idleBuckets.size;
  }

  /** Whether call `id` is still pending. */
  has(id: number): boolean {
    return this.#calls.has(id);
  }

  /**
   * Registers a call and returns its id and promise. The promise rejects with `TIMEOUT`
   * after `timeout` ms and with `ABORTED` when `signal` fires, unless settled before.
   */
  create(
    op: OpCode,
    timeout: number,
    signal: AbortSignal | undefined,
  ): { id: number; promise: Promise<unknown> } {
    const id = this.#nextId++;
    const call = new PendingCall(op, timeout, signal);
    if (signal?.aborted) {
      call.reject(
        this.#error(ErrorCode.ABORTED, op, 'was aborted', call.write, false, signal.reason),
      );
      return { id, promise: call.promise };
    }
    if (this.#calls.size === 0) this.#hooks.busy?.();
    this.#calls.set(id, call);
    this.#addToBucket(call.bucket);
    if (signal) this.#watchAbort(id, call, signal);
    return { id, promise: call.promise };
  }

  #watchAbort(id: number, call: PendingCall, signal: AbortSignal): void {
    call.onAbort = () => this.#abort(id);
    signal.addEventListener('abort', call.onAbort, { once: true });
  }

  /** Marks call `id` as handed to the carrier: a write failing from now on may have applied. */
  markSent(id: number): void {
    const call = this.#calls.get(id);
    if (call) call.sent = true;
  }

  /** Resolves call `id`; a call already settled is left alone. Returns whether it was pending. */
  resolve(id: number, value: unknown): boolean {
    const call = this.#take(id);
    if (!call) return false;
    call.resolve(value);
    return true;
  }

  /** Rejects call `id` with `error`; a call already settled is left alone. */
  reject(id: number, error: unknown): boolean {
    const call = this.#take(id);
    if (!call) return false;
    call.reject(error);
    return true;
  }

  /**
   * Rejects call `id` with a `StateError` of `code`, setting `maybeApplied` for a write
   * that was sent (its outcome is unknown) and `false` for one that never left.
   */
  fail(
    id: number,
    code: StateErrorCode,
    reason: string,
    cause?: unknown,
    notApplied = false,
  ): boolean {
    const call = this.#take(id);
    if (!call) return false;
    const sent = call.sent && !notApplied;
    call.reject(this.#error(code, call.op, reason, call.write, sent, cause));
    return true;
  }

  /**
   * Rejects every pending call like {@link fail}. `notApplied`: the holder is known not to
   * have applied any of them (it said so), so writes carry `maybeApplied: false`.
   */
  failAll(code: StateErrorCode, reason: string, cause?: unknown, notApplied = false): void {
    for (const id of this.#calls.ids()) this.fail(id, code, reason, cause, notApplied);
    // The owner is closing or starting over: no idle timer outlives it.
    for (const [bucket, entry] of this.#buckets) {
      if (entry.calls > 0) continue;
      clearTimeout(entry.timer);
      this.#buckets.delete(bucket);
    }
    this.#idleBuckets.clear();
  }

  #error(
    code: StateErrorCode,
    op: OpCode,
    reason: string,
    write: boolean,
    sent: boolean,
    cause: unknown,
  ): StateError {
    const options = write ? { maybeApplied: sent, cause } : { cause };
    return new StateError(code, `${this.#label}: ${opNames[op]}() ${reason}`, options);
  }

  #take(id: number): PendingCall | undefined {
    const call = this.#calls.delete(id);
    if (!call) return undefined;
    this.#removeFromBucket(call.bucket);
    if (call.signal && call.onAbort) call.signal.removeEventListener('abort', call.onAbort);
    if (this.#calls.size === 0) this.#hooks.idle?.();
    return call;
  }

  #abort(id: number): void {
    const call = this.#calls.get(id);
    if (call) this.fail(id, ErrorCode.ABORTED, 'was aborted', call.signal?.reason);
  }

  #addToBucket(bucket: number): void {
    const existing = this.#buckets.get(bucket);
    if (existing) {
      if (existing.calls === 0) {
        existing.timer.ref();
        this.#idleBuckets.delete(bucket);
      }
      existing.calls++;
      return;
    }
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, bucket * BUCKET_MS - performance.now()));
    const timer = setTimeout(() => this.#expire(bucket), delay);
    this.#buckets.set(bucket, { timer, calls: 1 });
  }

  #removeFromBucket(bucket: number): void {
    const entry = this.#buckets.get(bucket);
    if (!entry) return;
    if (--entry.calls > 0) return;
    entry.timer.unref();
    this.#idleBuckets.add(bucket);
    if (this.#idleBuckets.size > MAX_IDLE_BUCKETS) {
      const oldest = this.#idleBuckets.values().next().value as number;
      this.#idleBuckets.delete(oldest);
      const idle = this.#buckets.get(oldest);
      if (idle) clearTimeout(idle.timer);
      this.#buckets.delete(oldest);
    }
  }

  #expire(bucket: number): void {
    const entry = this.#buckets.get(bucket);
    if (!entry) return;
    if (entry.calls === 0) {
      this.#buckets.delete(bucket);
      this.#idleBuckets.delete(bucket);
      return;
    }
    // Node starts a timer from the event loop's cached clock, which can lag behind
    // performance.now(): a timer may fire before the deadline it was armed for. Re-arm.
    const early = bucket * BUCKET_MS - performance.now();
    if (early > 0) {
      entry.timer = setTimeout(() => this.#expire(bucket), Math.min(MAX_TIMER_MS, early));
      return;
    }
    this.#buckets.delete(bucket);
    for (const id of this.#calls.ids()) {
      const call = this.#calls.get(id);
      if (call?.bucket !== bucket) continue;
      this.timeouts++;
      // Already out of its bucket: #take must not look for it there again.
      this.#calls.delete(id);
      if (call.signal && call.onAbort) call.signal.removeEventListener('abort', call.onAbort);
      if (this.#calls.size === 0) this.#hooks.idle?.();
      const detail = this.#hooks.timeoutDetail?.();
      call.reject(
        this.#error(
          ErrorCode.TIMEOUT,
          call.op,
          `timed out after ${call.timeout} ms${detail ? `: ${detail}` : ''}`,
          call.write,
          call.sent,
          undefined,
        ),
      );
    }
  }
}
