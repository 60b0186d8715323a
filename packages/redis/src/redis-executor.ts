import { ErrorCode, StateError } from '@statewire/core';
import {
  CallQueue,
  type ExecuteOptions,
  type Executor,
  IdTable,
  Op,
  type OpArgs,
  type OpCode,
  type OpResult,
  opNames,
  PendingCalls,
  writeOps,
} from '@statewire/core/transport';
import type { Cluster } from 'ioredis';
import { writeBatch } from './batch-writer.js';
import { quit } from './client-events.js';
import { refuseDelayedRetries } from './cluster-retries.js';
import { ConnectionEvents, type Refusal } from './connection-events.js';
import { sanitizeCause, toStateError } from './error-mapping.js';
import { KeyspaceScan } from './keyspace-scan.js';
import { ReadSizes } from './merge-policy.js';
import type { RedisCall, Sink } from './redis-call.js';
import { isCluster, type RedisClient } from './redis-client.js';
import { type CommandContext, keysOf, runCommand } from './redis-commands.js';
import type { RedisKeyLayout } from './redis-key.js';
import type { WaitForReplicas } from './redis-store-options.js';
import { ReplicaAcks } from './replica-acks.js';
import { SlotRoutes } from './slot-routes.js';
import { VersionGenerator } from './version-generator.js';

/** What a {@link RedisExecutor} works with. */
export interface RedisExecutorOptions {
  client: RedisClient;
  layout: RedisKeyLayout;
  /** Quit the client on `close()`. */
  closeClient: boolean;
  /** Stop the client reconnecting once Redis refused its credentials or its database (clients we own). */
  stopOnRefusal: boolean;
  /** Most calls pending, and most commands handed to ioredis and not yet answered. */
  maxPending: number;
  /** `COUNT` hint of each `SCAN`. */
  scanCount: number;
  /** The largest answer to one call: `keys()` stops walking the keyspace past it. */
  maxReplyBytes: number;
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

// These take several round trips (SCAN cursors); calls issued after one wait for it, so that
// `clear(); set(k)` never loses the set to the clear.
const BARRIER_OPS: ReadonlySet<OpCode> = new Set<OpCode>([Op.keys, Op.clear]);

const noop = (): void => {};

/**
 * Runs statewire operations on Redis through ioredis. Its parts: the commands of each
 * operation ({@link runCommand}), how a batch is written ({@link writeBatch}), the
 * connection's events ({@link ConnectionEvents}), the SCAN work ({@link KeyspaceScan}) and
 * core's `CallQueue`; this class orders calls and settles them.
 *
 * - Calls wait in the queue until the client is `ready`; only then are they handed to
 *   ioredis, so a call that times out while Redis is unreachable was never sent
 *   (`maybeApplied: false`) and is never sent later.
 * - A call made while nothing is in flight is written at once; calls made while others are
 *   in flight wait for the next flush point and leave together, in one socket write
 *   (consecutive `get`s as one `MGET` and `set`s as one `MSET`); on a Cluster each command
 *   is routed by its slot and multi-key calls are split per slot.
 * - A call handed to ioredis counts as sent. When a connection closes, every call sent on it
 *   and not answered rejects with `CONNECTION_LOST` (`maybeApplied: true` for writes):
 *   ioredis is configured never to resend them (see `safeRedisOptions`). On a Cluster that is
 *   the calls of that node only: ioredis rejects them itself.
 * - Calls apply in the order made, through every retry: `increment` and `atomic` are
 *   `EVAL` (no NOSCRIPT retry), `keys`/`clear` are barriers whose SCAN work stops when their call settles, a
 *   Cluster refuses TRYAGAIN/CLUSTERDOWN retries ({@link refuseDelayedRetries}) and holds a
 *   call behind a redirected one of its slot ({@link SlotRoutes}).
 * - With `waitForReplicas`, each batch of writes is followed by one `WAIT`, and the writes
 *   resolve once it confirms them ({@link ReplicaAcks}).
 * - Timeouts, aborts and exactly-once settlement are core's `PendingCalls`.
 */
export class RedisExecutor implements Executor {
  readonly #client: RedisClient;
  readonly #cluster: Cluster | undefined;
  /** On a Cluster: keeps a call from overtaking an earlier one of its slot (redirections). */
  readonly #routes: SlotRoutes | undefined;
  readonly #layout: RedisKeyLayout;
  readonly #closeClient: boolean;
  readonly #maxPending: number;
  readonly #events: ConnectionEvents;
  readonly #replicas: ReplicaAcks | undefined;
  readonly #context: CommandContext;
  readonly #pending = new PendingCalls('redis', {
    // A call that times out while no connection is ready was most likely never sent: say
    // why it waited (a TLS handshake that stalls, a server slow to accept).
    timeoutDetail: () =>
      this.#events.ready
        ? undefined
        : `no connection to Redis was ready (the client's status: ${this.#client.status})`,
  });
  readonly #queue: CallQueue<RedisCall>;
  /** Ids of the calls handed to ioredis and not settled (an IdTable, not a Set: see IdTable). */
  readonly #inflight = new IdTable<true>();
  /** A `keys` or `clear` runs: nothing else is sent until it settles. */
  #barrier = false;
  #isClosed = false;
  #closing: Promise<void> | undefined;

  constructor(options: RedisExecutorOptions) {
    const client = options.client;
    this.#client = client;
    this.#cluster = isCluster(client) ? client : undefined;
    this.#routes = this.#cluster ? new SlotRoutes(this.#cluster) : undefined;
    this.#layout = options.layout;
    this.#closeClient = options.closeClient;
    this.#maxPending = options.maxPending;
    const replies = { settle: this.#settle, fail: this.#fail };
    this.#replicas = options.waitForReplicas
      ? new ReplicaAcks(options.waitForReplicas, replies)
      : undefined;
    this.#context = {
      ...replies,
      sink: client as unknown as Sink,
      client,
      cluster: this.#cluster !== undefined,
      // Auto-pipelining would hold `call`'s commands for a tick while a ready-made one left.
      framed: this.#cluster === undefined && client.options.enableAutoPipelining !== true,
      layout: options.layout,
      scanner: new KeyspaceScan({
        client,
        layout: options.layout,
        scanCount: options.scanCount,
        maxReplyBytes: options.maxReplyBytes,
      }),
      waitForReplicas: options.waitForReplicas,
      reads: new ReadSizes(),
      // One generator per store: its random part keeps versions of different stores apart.
      versions: new VersionGenerator(),
      live: (call) => this.#pending.has(call.id),
    };
    this.#queue = new CallQueue<RedisCall>({
      // A call that timed out or was aborted while queued is never sent.
      isLive: (call) => this.#pending.has(call.id),
      flush: this.#flush,
    });
    this.#events = new ConnectionEvents({
      client,
      stopOnRefusal: options.stopOnRefusal,
      handlers: {
        ready: () => this.#scheduleFlush(),
        failQueued: (refusal) => this.#failQueued(refusal),
        lost: this.#onConnectionLost,
      },
    });
    if (this.#cluster) refuseDelayedRetries(this.#cluster);
    if (client.status === 'wait') client.connect().catch(noop);
  }

  /** Counters, for tests and monitoring. */
  stats(): RedisStoreStats {
    return {
      pending: this.#pending.size,
      queued: this.#queue.length,
      inflight: this.#inflight.size,
      timers: this.#pending.timers,
      timeouts: this.#pending.timeouts,
    };
  }

  execute<O extends OpCode>(op: O, args: OpArgs[O], options: ExecuteOptions): Promise<OpResult[O]> {
    if (this.#isClosed) {
      return this.#reject(op, { code: ErrorCode.CLOSED, reason: 'the store is closed' });
    }
    const refusal = this.#events.refusal();
    if (refusal) return this.#reject(op, refusal);
    if (this.#pending.size >= this.#maxPending) {
      return this.#reject(op, {
        code: ErrorCode.OVERLOADED,
        reason: `${this.#maxPending} calls already pending`,
      });
    }
    const { id, promise } = this.#pending.create(op, options.timeout, options.signal);
    if (!this.#pending.has(id)) return promise as Promise<OpResult[O]>;
    const settled = BARRIER_OPS.has(op) ? promise.then(noop, noop) : undefined;
    // Nagle: with nothing in flight, the call is written at once; otherwise it waits for the
    // next flush point with the calls issued meanwhile.
    const idle = this.#inflight.size === 0 && !this.#barrier && this.#events.ready;
    this.#queue.push({ id, op, args, settled }, idle);
    return promise as Promise<OpResult[O]>;
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.#isClosed = true;
    this.#pending.failAll(ErrorCode.CLOSED, 'was pending when the store closed');
    this.#queue.clear();
    this.#inflight.clear();
    this.#replicas?.clear();
    this.#routes?.clear();
    this.#events.detach();
    // Errors while quitting are expected (a dead server) and must not reach the console.
    if (this.#closeClient) await quit(this.#client);
  }

  #reject<O extends OpCode>(op: O, refusal: Refusal): Promise<OpResult[O]> {
    const { code, reason, cause } = refusal;
    return Promise.reject(
      new StateError(code, `redis: ${opNames[op]}() rejected: ${reason}`, {
        ...(cause === undefined ? {} : { cause: sanitizeCause(cause) }),
        ...(writeOps.has(op) ? { maybeApplied: false } : {}),
      }),
    );
  }

  // The one connection carried every call in flight: each lost its reply.
  readonly #onConnectionLost = (): void => {
    if (this.#inflight.size === 0) return;
    const ids = this.#inflight.ids();
    this.#inflight.clear();
    const reason = 'lost its connection to Redis before the reply';
    for (const id of ids) this.#pending.fail(id, ErrorCode.CONNECTION_LOST, reason);
    this.#scheduleFlush();
  };

  #failQueued(refusal: Refusal): void {
    if (this.#isClosed) return;
    const { code, reason, cause } = refusal;
    const clean = cause === undefined ? undefined : sanitizeCause(cause);
    for (const call of this.#queue.clear()) this.#pending.fail(call.id, code, reason, clean);
  }

  #scheduleFlush(): void {
    if (!this.#isClosed && this.#queue.length > 0) this.#queue.schedule();
  }

  readonly #flush = (): void => {
    if (this.#isClosed || this.#barrier) return;
    if (!this.#events.ready) {
      // Calls that settled while waiting leave the queue, so it never outgrows the pending.
      if (this.#queue.length > 2 * this.#pending.size + 64) this.#queue.dropSettled();
      if (this.#client.status === 'wait') this.#client.connect().catch(noop);
      return;
    }
    const batch: RedisCall[] = [];
    for (let call = this.#queue.peek(); call !== undefined; call = this.#queue.peek()) {
      if (BARRIER_OPS.has(call.op)) {
        this.#queue.shift();
        this.#send(batch);
        this.#runBarrier(call);
        return;
      }
      // Back-pressure: ioredis holds at most maxPending unanswered commands of ours.
      if (this.#inflight.size >= this.#maxPending) break;
      // Waits (and every call after it, to keep their order) until its slot's earlier
      // commands, sent to a node that no longer owns it, are answered.
      if (this.#routes && !this.#routes.take(call.id, keysOf(this.#layout, call))) break;
      this.#queue.shift();
      this.#markSent(call);
      batch.push(call);
    }
    this.#send(batch);
  };

  #markSent(call: RedisCall): void {
    this.#pending.markSent(call.id);
    this.#inflight.set(call.id, true);
  }

  #send(batch: readonly RedisCall[]): void {
    writeBatch(this.#context, batch, this.#replicas);
  }

  readonly #settle = (call: RedisCall, value: unknown): void => {
    // Applied on the master; acknowledged once the batch's WAIT says replicas have it.
    if (this.#replicas?.hold(call, value)) return;
    this.#inflight.delete(call.id);
    this.#routes?.release(call.id);
    this.#hold();
    this.#pending.resolve(call.id, value);
  };

  readonly #fail = (call: RedisCall, error: unknown, partial: boolean): void => {
    this.#replicas?.forget(call);
    this.#inflight.delete(call.id);
    this.#routes?.release(call.id);
    this.#hold();
    if (this.#pending.has(call.id)) {
      this.#pending.reject(call.id, toStateError(error, { op: call.op, partial }));
    }
  };

  // A reply came while others of ours are in flight (the rest of a batch, most likely, whose
  // replies arrive in the same read): the calls their continuations issue wait for one flush
  // together, instead of the first leaving alone. Otherwise, calls held back (the in-flight
  // bound, a slot's redirection) may go now.
  #hold(): void {
    if (this.#isClosed) return;
    if (this.#inflight.size > 0) this.#queue.schedule();
    else this.#scheduleFlush();
  }

  #runBarrier(call: RedisCall): void {
    this.#barrier = true;
    this.#markSent(call);
    // The barrier lifts when the call settles by any path (reply, timeout, lost connection),
    // even if a SCAN reply never comes.
    void call.settled?.then(() => {
      this.#barrier = false;
      this.#scheduleFlush();
    });
    runCommand(this.#context, call);
  }
}
