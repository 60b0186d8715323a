import { debuglog } from 'node:util';
import {
  ErrorCode,
  type ExecuteOptions,
  type Executor,
  Op,
  type OpArgs,
  type OpCode,
  type OpResult,
  opNames,
  PendingCalls,
  StateError,
  type StateErrorCode,
  type WireEntry,
  writeOps,
} from '@statewire/core';
import type { Cluster, Redis } from 'ioredis';
import { listen, quit, unlisten } from './client-events.js';
import { refuseDelayedRetries } from './cluster-retries.js';
import { isAuthError, isConnectionError, sanitizeCause, toStateError } from './error-mapping.js';
import { INCREMENT_LUA } from './increment-script.js';
import { KeyspaceScan } from './keyspace-scan.js';
import { isCluster, type RedisClient } from './redis-client.js';
import type { RedisKeyLayout } from './redis-key.js';
import { groupBySlot } from './redis-slot.js';
import type { WaitForReplicas } from './redis-store-options.js';
import { SlotRoutes } from './slot-routes.js';

/** What a {@link RedisExecutor} works with. */
export interface RedisExecutorOptions {
  client: RedisClient;
  layout: RedisKeyLayout;
  /** Quit the client on `close()`. */
  closeClient: boolean;
  /** Stop the client reconnecting once Redis refused its credentials (clients we own). */
  stopOnAuthFailure: boolean;
  /** Most calls pending, and most commands handed to ioredis and not yet answered. */
  maxPending: number;
  /** `COUNT` hint of each `SCAN`. */
  scanCount: number;
  /** Acknowledge writes only once this many replicas have them (standalone and Sentinel). */
  waitForReplicas: WaitForReplicas | undefined;
}

/** Counters of a Redis store, for tests and monitoring. */
export interface RedisStoreStats {
  /** Calls issued and not settled. */
  pending: number;
  /** Calls waiting for the connection to be ready (not sent yet). */
  queued: number;
  /** Calls sent to Redis and not answered yet (a call that timed out still counts until its reply or the connection's loss). */
  inflight: number;
  /** Deadline timers armed. */
  timers: number;
  /** Calls that timed out, since the store was created. */
  timeouts: number;
}

interface QueuedCall {
  readonly id: number;
  readonly op: OpCode;
  readonly args: readonly unknown[];
  /** Settles when the call settles, however; only for barrier operations. */
  readonly settled: Promise<unknown> | undefined;
}

/** Write calls of one batch waiting for the `WAIT` sent after them. */
interface ReplicaWait {
  readonly calls: QueuedCall[];
  /** Calls the master answered, with their results. */
  readonly answered: [QueuedCall, unknown][];
}

type Callback<T> = (error: Error | null | undefined, result?: T) => void;
type Arg = string | number | Buffer | readonly (string | Buffer)[];

/** The part of an ioredis client the executor uses: generic commands with callbacks. */
interface Sink {
  call(command: string, ...args: [...Arg[], Callback<never>]): unknown;
  callBuffer(command: string, ...args: [...Arg[], Callback<never>]): unknown;
}

// These take several round trips (SCAN cursors); calls issued after one wait for it, so that
// `clear(); set(k)` never loses the set to the clear.
const BARRIER_OPS: ReadonlySet<OpCode> = new Set<OpCode>([Op.keys, Op.clear]);

const noop = (): void => {};

const debug = debuglog('statewire');

function messageOf(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n', 1)[0] ?? '') : String(error);
}

// Applied on the master, not known to be on enough replicas: a failover could lose it.
function unreplicated(op: OpCode, count: number, wait: WaitForReplicas): StateError {
  return new StateError(
    ErrorCode.TIMEOUT,
    `redis: ${opNames[op]}() was applied on the master but confirmed by ${count} of ${wait.replicas} replicas within ${wait.timeout} ms`,
    { maybeApplied: true },
  );
}

function unreachable(error: unknown): string {
  const message = error instanceof Error ? messageOf(error) : '';
  return `could not connect to Redis${message ? ` (${message})` : ''}`;
}

/** Which calls can share one multi-key command with their neighbours (standalone only). */
type MergeKind = typeof Op.get | typeof Op.set;

function mergeKind(call: QueuedCall): MergeKind | undefined {
  if (call.op === Op.get) return Op.get;
  if (call.op === Op.set && call.args[2] === 0) return Op.set;
  return undefined;
}

function toBuffer(bytes: Uint8Array | string): Buffer {
  if (typeof bytes === 'string') return Buffer.from(bytes, 'utf8');
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

/**
 * Runs statewire operations on Redis through ioredis.
 *
 * - Calls wait in an ordered queue of our own until the client is `ready`; only then are they
 *   handed to ioredis, so a call that times out while Redis is unreachable was never sent
 *   (`maybeApplied: false`) and is never sent later.
 * - Calls made in the same turn of the event loop go out in one socket write, consecutive
 *   `get`s as one `MGET` and `set`s as one `MSET`; on a Cluster each command is routed by
 *   its slot and multi-key calls are split per slot.
 * - A call handed to ioredis counts as sent. When a connection closes, every call sent on it
 *   and not answered rejects with `CONNECTION_LOST` (`maybeApplied: true` for writes):
 *   ioredis is configured never to resend them (see `safeRedisOptions`). On a Cluster that is
 *   the calls of that node only: ioredis rejects them itself.
 * - When a connection attempt fails, queued calls and new ones reject `UNAVAILABLE` (nothing
 *   sent) until a connection is ready again.
 * - Calls apply in the order made, through every retry: `increment` is `EVAL` (no NOSCRIPT
 *   retry), SCAN work stops when its call settles, a Cluster refuses TRYAGAIN/CLUSTERDOWN
 *   retries ({@link refuseDelayedRetries}) and holds a call behind a redirected one of its
 *   slot ({@link SlotRoutes}).
 * - With `waitForReplicas`, each batch of writes is followed by one `WAIT`, and the writes
 *   resolve once it confirms them.
 * - Timeouts, aborts and exactly-once settlement are core's `PendingCalls`.
 */
export class RedisExecutor implements Executor {
  readonly #client: RedisClient;
  readonly #cluster: Cluster | undefined;
  /** On a Cluster: keeps a call from overtaking an earlier one of its slot (redirections). */
  readonly #routes: SlotRoutes | undefined;
  readonly #layout: RedisKeyLayout;
  readonly #closeClient: boolean;
  readonly #stopOnAuthFailure: boolean;
  readonly #maxPending: number;
  readonly #scanner: KeyspaceScan;
  readonly #waitFor: WaitForReplicas | undefined;
  /** Write calls answered by the master, waiting for their batch's `WAIT` reply. */
  readonly #awaitingReplicas = new Map<number, ReplicaWait>();
  readonly #pending = new PendingCalls('redis');
  #queue: QueuedCall[] = [];
  #head = 0;
  readonly #inflight = new Set<number>();
  readonly #watched = new Set<Redis>();
  #barrier = false;
  #flushScheduled = false;
  #isClosed = false;
  #closing: Promise<void> | undefined;
  /** Set when Redis refused the credentials; cleared when a connection becomes ready. */
  #refused: unknown;
  /** Set when a connection attempt failed; cleared when a connection becomes ready. */
  #unreachable: unknown;

  constructor(options: RedisExecutorOptions) {
    this.#client = options.client;
    this.#cluster = isCluster(options.client) ? options.client : undefined;
    this.#routes = this.#cluster ? new SlotRoutes(this.#cluster) : undefined;
    this.#layout = options.layout;
    this.#closeClient = options.closeClient;
    this.#stopOnAuthFailure = options.stopOnAuthFailure;
    this.#maxPending = options.maxPending;
    this.#scanner = new KeyspaceScan({
      client: options.client,
      layout: options.layout,
      scanCount: options.scanCount,
    });
    this.#waitFor = options.waitForReplicas;
    const client = this.#client;
    listen(client, 'ready', this.#onReady);
    listen(client, 'connect', this.#onConnect);
    listen(client, 'error', this.#onError);
    listen(client, 'end', this.#onEnd);
    if (this.#cluster) {
      // A node's errors say nothing about the others: only refused credentials matter here.
      listen(this.#cluster, 'node error', this.#onNodeError);
      refuseDelayedRetries(this.#cluster);
    } else {
      // The one connection carries every call: when it closes, every call in flight lost its
      // reply. (A Cluster's node connections reject their own unanswered commands when they
      // close, which fails exactly the calls sent to that node.)
      this.#watch(client as Redis);
    }
    if (client.status === 'wait') client.connect().catch(noop);
  }

  /** Counters, for tests and monitoring. */
  stats(): RedisStoreStats {
    return {
      pending: this.#pending.size,
      queued: this.#queue.length - this.#head,
      inflight: this.#inflight.size,
      timers: this.#pending.timers,
      timeouts: this.#pending.timeouts,
    };
  }

  execute<O extends OpCode>(op: O, args: OpArgs[O], options: ExecuteOptions): Promise<OpResult[O]> {
    if (this.#isClosed) return this.#reject(op, ErrorCode.CLOSED, 'the store is closed');
    if (!this.#ready()) {
      if (this.#refused !== undefined) {
        return this.#reject(op, ErrorCode.AUTH, 'Redis refused the credentials', this.#refused);
      }
      if (this.#client.status === 'end') {
        return this.#reject(op, ErrorCode.CONNECTION_LOST, 'the Redis client has ended');
      }
      if (this.#unreachable !== undefined) {
        return this.#reject(
          op,
          ErrorCode.UNAVAILABLE,
          unreachable(this.#unreachable),
          this.#unreachable,
        );
      }
    }
    if (this.#pending.size >= this.#maxPending) {
      return this.#reject(op, ErrorCode.OVERLOADED, `${this.#maxPending} calls already pending`);
    }
    const { id, promise } = this.#pending.create(op, options.timeout, options.signal);
    if (!this.#pending.has(id)) return promise as Promise<OpResult[O]>;
    const settled = BARRIER_OPS.has(op) ? promise.then(noop, noop) : undefined;
    this.#queue.push({ id, op, args, settled });
    this.#scheduleFlush();
    return promise as Promise<OpResult[O]>;
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.#isClosed = true;
    this.#pending.failAll(ErrorCode.CLOSED, 'was pending when the store closed');
    this.#queue = [];
    this.#head = 0;
    this.#inflight.clear();
    this.#awaitingReplicas.clear();
    this.#routes?.clear();
    const client = this.#client;
    unlisten(client, 'ready', this.#onReady);
    unlisten(client, 'connect', this.#onConnect);
    unlisten(client, 'end', this.#onEnd);
    if (this.#cluster) unlisten(this.#cluster, 'node error', this.#onNodeError);
    for (const node of [...this.#watched]) this.#unwatch(node);
    if (this.#closeClient) {
      // Errors while quitting are expected (a dead server) and must not reach the console.
      await quit(client);
    } else {
      unlisten(client, 'error', this.#onError);
    }
  }

  #reject<O extends OpCode>(
    op: O,
    code: StateErrorCode,
    reason: string,
    cause?: unknown,
  ): Promise<OpResult[O]> {
    return Promise.reject(
      new StateError(code, `redis: ${opNames[op]}() rejected: ${reason}`, {
        ...(cause === undefined ? {} : { cause: sanitizeCause(cause) }),
        ...(writeOps.has(op) ? { maybeApplied: false } : {}),
      }),
    );
  }

  #ready(): boolean {
    return this.#client.status === 'ready';
  }

  readonly #onReady = (): void => {
    this.#refused = undefined;
    this.#unreachable = undefined;
    this.#scheduleFlush();
  };

  // Reached again: calls wait for the ready connection (bounded by their timeout) again.
  readonly #onConnect = (): void => {
    this.#unreachable = undefined;
  };

  readonly #onError = (error: unknown): void => {
    if (this.#isClosed) return;
    if (isAuthError(error)) {
      this.#onNodeError(error);
      return;
    }
    // A connection attempt failed (refused, unknown host, timed out; for a Cluster, every
    // startup node): nothing can be sent until one succeeds, so calls say so at once
    // instead of waiting for their timeout. Nothing of theirs was sent.
    if (!this.#ready() && isConnectionError(error)) {
      debug('redis: a connection attempt failed (%s); calls reject UNAVAILABLE', messageOf(error));
      this.#unreachable = sanitizeCause(error);
      this.#failQueued(ErrorCode.UNAVAILABLE, unreachable(error), error);
    }
  };

  readonly #onNodeError = (error: unknown): void => {
    if (!isAuthError(error) || this.#isClosed) return;
    this.#refused = error;
    this.#failQueued(ErrorCode.AUTH, 'was refused the credentials by Redis', error);
    // Retrying a refused password is a retry storm that fixes nothing; a client we own stops.
    if (this.#stopOnAuthFailure) this.#client.disconnect();
  };

  readonly #onEnd = (): void => {
    if (this.#isClosed) return;
    if (this.#refused !== undefined) {
      this.#failQueued(ErrorCode.AUTH, 'was refused the credentials by Redis', this.#refused);
    } else {
      this.#failQueued(ErrorCode.CONNECTION_LOST, 'was queued when the Redis client ended');
    }
  };

  readonly #onConnectionClosed = (): void => {
    if (this.#inflight.size === 0) return;
    const ids = [...this.#inflight];
    this.#inflight.clear();
    for (const id of ids) {
      this.#pending.fail(
        id,
        ErrorCode.CONNECTION_LOST,
        'lost its connection to Redis before the reply',
      );
    }
    this.#scheduleFlush();
  };

  readonly #watch = (node: Redis): void => {
    if (this.#watched.has(node)) return;
    this.#watched.add(node);
    listen(node, 'close', this.#onConnectionClosed);
  };

  readonly #unwatch = (node: Redis): void => {
    if (!this.#watched.delete(node)) return;
    unlisten(node, 'close', this.#onConnectionClosed);
  };

  #failQueued(code: StateErrorCode, reason: string, cause?: unknown): void {
    const queue = this.#queue.slice(this.#head);
    this.#queue = [];
    this.#head = 0;
    const clean = cause === undefined ? undefined : sanitizeCause(cause);
    for (const call of queue) this.#pending.fail(call.id, code, reason, clean);
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled || this.#isClosed || this.#head === this.#queue.length) return;
    this.#flushScheduled = true;
    // setImmediate, not a microtask: every call issued during this turn of the event loop,
    // including those from promise continuations, joins the same write.
    setImmediate(this.#flush);
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    if (this.#isClosed || this.#barrier) return;
    if (!this.#ready()) {
      this.#compact(true);
      if (this.#client.status === 'wait') this.#client.connect().catch(noop);
      return;
    }
    const batch: QueuedCall[] = [];
    while (this.#head < this.#queue.length) {
      const call = this.#queue[this.#head] as QueuedCall;
      // A call that timed out or was aborted while queued is never sent.
      if (!this.#pending.has(call.id)) {
        this.#head++;
        continue;
      }
      if (BARRIER_OPS.has(call.op)) {
        this.#head++;
        this.#send(batch);
        batch.length = 0;
        this.#runBarrier(call);
        break;
      }
      // Back-pressure: ioredis holds at most maxPending unanswered commands of ours.
      if (this.#inflight.size + batch.length >= this.#maxPending) break;
      // Waits (and every call after it, to keep their order) until its slot's earlier
      // commands, sent to a node that no longer owns it, are answered.
      if (this.#routes && !this.#routes.take(call.id, this.#keysOf(call))) break;
      this.#head++;
      batch.push(call);
    }
    this.#send(batch);
    this.#compact(false);
  };

  // Drops consumed entries, and (while disconnected) entries whose call already settled, so
  // that the queue never outgrows the pending calls.
  #compact(dropSettled: boolean): void {
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
      return;
    }
    if (dropSettled) {
      const live = this.#queue.length - this.#head;
      if (live > 2 * this.#pending.size + 64) {
        this.#queue = this.#queue.slice(this.#head).filter((call) => this.#pending.has(call.id));
        this.#head = 0;
      }
    } else if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }

  #send(batch: readonly QueuedCall[]): void {
    if (batch.length === 0) return;
    const sink = this.#client as unknown as Sink;
    if (this.#cluster) {
      // Each command is routed to the node of its slot.
      for (const call of batch) this.#issue(sink, call);
      return;
    }
    // A ready standalone client writes each command to its socket at once; corked, the whole
    // batch leaves in one write. Cheaper than an ioredis Pipeline, which chains two promises
    // and a result array per command.
    const wait = this.#waitFor ? this.#replicaWait(batch) : undefined;
    const stream = (this.#client as Redis).stream;
    stream?.cork();
    try {
      let start = 0;
      while (start < batch.length) {
        const first = batch[start] as QueuedCall;
        const kind = mergeKind(first);
        let end = start + 1;
        if (kind !== undefined) {
          while (end < batch.length && mergeKind(batch[end] as QueuedCall) === kind) end++;
        }
        if (end - start > 1) this.#issueMerged(sink, batch.slice(start, end), kind as MergeKind);
        else this.#issue(sink, first);
        start = end;
      }
      if (wait) this.#sendWait(sink, wait);
    } finally {
      stream?.uncork();
    }
  }

  /** The Redis keys a call's commands name (none for `scan`, which names its master). */
  #keysOf(call: QueuedCall): string[] {
    const layout = this.#layout;
    switch (call.op) {
      case Op.getMany:
      case Op.deleteMany:
        return (call.args[0] as string[]).map((key) => layout.toRedis(key));
      case Op.setMany:
        return (call.args[0] as WireEntry[]).map((entry) => layout.toRedis(entry[0]));
      case Op.scan:
        return [];
      default:
        return [layout.toRedis(call.args[0] as string)];
    }
  }

  // The writes of a batch wait for one WAIT sent after them: Redis answers WAIT once the
  // replicas acknowledged every write sent before it on this connection.
  #replicaWait(batch: readonly QueuedCall[]): ReplicaWait | undefined {
    let wait: ReplicaWait | undefined;
    for (const call of batch) {
      if (!writeOps.has(call.op)) continue;
      wait ??= { answered: [], calls: [] };
      wait.calls.push(call);
      this.#awaitingReplicas.set(call.id, wait);
    }
    return wait;
  }

  #sendWait(sink: Sink, wait: ReplicaWait): void {
    const { replicas, timeout } = this.#waitFor as WaitForReplicas;
    sink.call('wait', replicas, timeout, (error, count?: number) => {
      for (const call of wait.calls) this.#awaitingReplicas.delete(call.id);
      const confirmed = !error && Number(count) >= replicas;
      for (const [call, value] of wait.answered) {
        if (confirmed) this.#settle(call, value);
        else if (error) this.#fail(call, error, true);
        else this.#failUnreplicated(call, Number(count));
      }
    });
  }

  #failUnreplicated(call: QueuedCall, count: number): void {
    this.#fail(call, unreplicated(call.op, count, this.#waitFor as WaitForReplicas), true);
  }

  /**
   * Consecutive `get`s of one batch go out as one `MGET`, consecutive `set`s without ttl as
   * one `MSET`: fewer commands for ioredis and Redis, and still applied in the order issued
   * (each is atomic, and nothing else runs between its parts).
   */
  #issueMerged(sink: Sink, calls: readonly QueuedCall[], kind: MergeKind): void {
    for (const call of calls) {
      this.#pending.markSent(call.id);
      this.#inflight.add(call.id);
    }
    const layout = this.#layout;
    if (kind === Op.get) {
      const keys = calls.map((call) => layout.toRedis(call.args[0] as string));
      sink.callBuffer('mget', keys, (error, values?: (Buffer | null)[]) => {
        for (let i = 0; i < calls.length; i++) {
          const call = calls[i] as QueuedCall;
          if (error || !values) this.#fail(call, error, false);
          else this.#settle(call, values[i] ?? null);
        }
      });
      return;
    }
    const args: (string | Buffer)[] = [];
    for (const call of calls) {
      const [key, value] = call.args as OpArgs[typeof Op.set];
      args.push(layout.toRedis(key), toBuffer(value));
    }
    sink.call('mset', args, (error) => {
      for (const call of calls) {
        if (error) this.#fail(call, error, false);
        else this.#settle(call, null);
      }
    });
  }

  #settle(call: QueuedCall, value: unknown): void {
    const wait = this.#awaitingReplicas.get(call.id);
    if (wait !== undefined) {
      // Applied on the master; acknowledged once the batch's WAIT says replicas have it.
      wait.answered.push([call, value]);
      return;
    }
    this.#inflight.delete(call.id);
    this.#routes?.release(call.id);
    this.#pending.resolve(call.id, value);
    // Calls held back by the in-flight bound may go now.
    this.#scheduleFlush();
  }

  #fail(call: QueuedCall, error: unknown, partial: boolean): void {
    this.#awaitingReplicas.delete(call.id);
    this.#inflight.delete(call.id);
    this.#routes?.release(call.id);
    if (this.#pending.has(call.id)) {
      this.#pending.reject(call.id, toStateError(error, { op: call.op, partial }));
    }
    this.#scheduleFlush();
  }

  /** Hands one call to ioredis (a standalone client or a Cluster). */
  #issue(sink: Sink, call: QueuedCall): void {
    const { id } = call;
    this.#pending.markSent(id);
    this.#inflight.add(id);
    const layout = this.#layout;
    const done = (value: unknown): void => this.#settle(call, value);
    const reply =
      <T>(then: (result: T) => unknown): Callback<T> =>
      (error, result) => {
        if (error) this.#fail(call, error, false);
        else done(then(result as T));
      };
    try {
      switch (call.op) {
        case Op.get: {
          const [key] = call.args as OpArgs[typeof Op.get];
          sink.callBuffer(
            'get',
            layout.toRedis(key),
            reply<Buffer | null>((value) => value ?? null),
          );
          return;
        }
        case Op.set: {
          const [key, value, ttl] = call.args as OpArgs[typeof Op.set];
          const args: Arg[] = [layout.toRedis(key), toBuffer(value)];
          if (ttl > 0) args.push('PX', ttl);
          sink.call(
            'set',
            ...args,
            reply(() => null),
          );
          return;
        }
        case Op.setIfAbsent: {
          const [key, value, ttl] = call.args as OpArgs[typeof Op.setIfAbsent];
          const args: Arg[] = [layout.toRedis(key), toBuffer(value), 'NX'];
          if (ttl > 0) args.push('PX', ttl);
          sink.call(
            'set',
            ...args,
            reply<unknown>((result) => result === 'OK'),
          );
          return;
        }
        case Op.delete: {
          const [key] = call.args as OpArgs[typeof Op.delete];
          sink.call(
            'unlink',
            layout.toRedis(key),
            reply<number>((count) => Number(count) > 0),
          );
          return;
        }
        case Op.has: {
          const [key] = call.args as OpArgs[typeof Op.has];
          sink.call(
            'exists',
            layout.toRedis(key),
            reply<number>((count) => Number(count) > 0),
          );
          return;
        }
        case Op.increment: {
          const [key, by, ttl] = call.args as OpArgs[typeof Op.increment];
          // EVAL with the body, never EVALSHA: see INCREMENT_LUA on NOSCRIPT reordering.
          sink.call(
            'eval',
            INCREMENT_LUA,
            1,
            layout.toRedis(key),
            String(by),
            String(ttl ?? 0),
            reply<string | number>(Number),
          );
          return;
        }
        case Op.scan: {
          const [prefix, cursor, count] = call.args as OpArgs[typeof Op.scan];
          this.#scanner.page(prefix, cursor, count).then(
            (page) => this.#settle(call, page),
            (error: unknown) => this.#fail(call, error, false),
          );
          return;
        }
        case Op.getMany: {
          const [keys] = call.args as OpArgs[typeof Op.getMany];
          this.#getMany(
            sink,
            call,
            keys.map((key) => layout.toRedis(key)),
          );
          return;
        }
        case Op.setMany: {
          const [entries] = call.args as OpArgs[typeof Op.setMany];
          this.#setMany(sink, call, entries);
          return;
        }
        case Op.deleteMany: {
          const [keys] = call.args as OpArgs[typeof Op.deleteMany];
          this.#deleteMany(
            sink,
            call,
            keys.map((key) => layout.toRedis(key)),
          );
          return;
        }
        default:
          this.#fail(call, new Error(`unknown operation ${String(call.op)}`), false);
      }
    } catch (error) {
      this.#fail(call, error, false);
    }
  }

  #getMany(sink: Sink, call: QueuedCall, keys: string[]): void {
    if (!this.#cluster) {
      sink.callBuffer('mget', keys, (error, values) => {
        if (error) this.#fail(call, error, false);
        else this.#settle(call, values);
      });
      return;
    }
    const values: (Buffer | null)[] = new Array(keys.length).fill(null);
    const groups = groupBySlot(keys);
    let left = groups.length;
    for (const group of groups) {
      sink.callBuffer(
        'mget',
        group.map((i) => keys[i] as string),
        (error, result?: (Buffer | null)[]) => {
          if (error || !result) return this.#fail(call, error, false);
          const found = result;
          for (let j = 0; j < group.length; j++) values[group[j] as number] = found[j] ?? null;
          if (--left === 0) this.#settle(call, values);
        },
      );
    }
  }

  #setMany(sink: Sink, call: QueuedCall, entries: readonly WireEntry[]): void {
    if (!this.#cluster && entries.every((entry) => entry[2] === 0)) {
      // Without ttls, one atomic MSET.
      const args: (string | Buffer)[] = [];
      for (const [key, value] of entries) args.push(this.#layout.toRedis(key), toBuffer(value));
      sink.call('mset', args, (error) => {
        if (error) this.#fail(call, error, false);
        else this.#settle(call, null);
      });
      return;
    }
    // One SET per entry (each with its own PX), in one write on a standalone server and
    // routed by slot on a Cluster. Not atomic as a whole; a failure says maybeApplied.
    let left = entries.length;
    const partial = entries.length > 1;
    for (const [key, value, ttl] of entries) {
      const args: Arg[] = [this.#layout.toRedis(key), toBuffer(value)];
      if (ttl > 0) args.push('PX', ttl);
      sink.call('set', ...args, (error) => {
        if (error) return this.#fail(call, error, partial);
        if (--left === 0) this.#settle(call, null);
      });
    }
  }

  #deleteMany(sink: Sink, call: QueuedCall, keys: string[]): void {
    const groups = this.#cluster ? groupBySlot(keys) : [keys.map((_, i) => i)];
    const partial = groups.length > 1;
    let left = groups.length;
    let total = 0;
    for (const group of groups) {
      sink.call(
        'unlink',
        group.map((i) => keys[i] as string),
        (error, count) => {
          if (error) return this.#fail(call, error, partial);
          total += Number(count);
          if (--left === 0) this.#settle(call, total);
        },
      );
    }
  }

  #runBarrier(call: QueuedCall): void {
    this.#barrier = true;
    this.#pending.markSent(call.id);
    this.#inflight.add(call.id);
    // The barrier lifts when the call settles by any path (reply, timeout, lost connection),
    // even if a SCAN reply never comes.
    void call.settled?.then(() => {
      this.#barrier = false;
      this.#scheduleFlush();
    });
    const work =
      call.op === Op.keys
        ? this.#scanner.keys((call.args as OpArgs[typeof Op.keys])[0], () =>
            this.#pending.has(call.id),
          )
        : this.#clear(call.id);
    work.then(
      (value) => this.#settle(call, value),
      (error: unknown) => this.#fail(call, error, call.op === Op.clear),
    );
  }

  async #clear(id: number): Promise<null> {
    await this.#scanner.clear(() => this.#pending.has(id));
    if (this.#waitFor && this.#pending.has(id)) {
      const { replicas, timeout } = this.#waitFor;
      const count = Number(await this.#client.call('wait', replicas, timeout));
      if (count < replicas) throw unreplicated(Op.clear, count, this.#waitFor);
    }
    return null;
  }
}
