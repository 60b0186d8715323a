import type { EventEmitter } from 'node:events';
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
import { isAuthError, sanitizeCause, toStateError } from './error-mapping.js';
import { INCREMENT_COMMAND, INCREMENT_LUA } from './increment-script.js';
import { isCluster, type RedisClient } from './redis-client.js';
import type { RedisKeyLayout } from './redis-key.js';
import { groupBySlot } from './redis-slot.js';

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

type Listener = Parameters<EventEmitter['on']>[1];

// Several stores may share one injected client (one per namespace, say): each adds one
// listener per event, so the listener limit grows with them instead of warning at 11.
function listen(emitter: EventEmitter, event: string, listener: Listener): void {
  const max = emitter.getMaxListeners();
  if (max !== 0) emitter.setMaxListeners(max + 1);
  emitter.on(event, listener);
}

function unlisten(emitter: EventEmitter, event: string, listener: Listener): void {
  emitter.off(event, listener);
  const max = emitter.getMaxListeners();
  if (max > 1) emitter.setMaxListeners(max - 1);
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
 * - A call handed to ioredis counts as sent. When a connection closes, every call sent and
 *   not answered rejects with `CONNECTION_LOST` (`maybeApplied: true` for writes): ioredis is
 *   configured never to resend them (see `safeRedisOptions`).
 * - Timeouts, aborts and exactly-once settlement are core's `PendingCalls`.
 */
export class RedisExecutor implements Executor {
  readonly #client: RedisClient;
  readonly #cluster: Cluster | undefined;
  readonly #layout: RedisKeyLayout;
  readonly #closeClient: boolean;
  readonly #stopOnAuthFailure: boolean;
  readonly #maxPending: number;
  readonly #scanCount: number;
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

  constructor(options: RedisExecutorOptions) {
    this.#client = options.client;
    this.#cluster = isCluster(options.client) ? options.client : undefined;
    this.#layout = options.layout;
    this.#closeClient = options.closeClient;
    this.#stopOnAuthFailure = options.stopOnAuthFailure;
    this.#maxPending = options.maxPending;
    this.#scanCount = options.scanCount;
    const client = this.#client;
    if (typeof (client as unknown as Record<string, unknown>)[INCREMENT_COMMAND] !== 'function') {
      client.defineCommand(INCREMENT_COMMAND, { numberOfKeys: 1, lua: INCREMENT_LUA });
    }
    listen(client, 'ready', this.#onReady);
    listen(client, 'error', this.#onError);
    listen(client, 'end', this.#onEnd);
    if (this.#cluster) {
      listen(this.#cluster, 'node error', this.#onError);
      listen(this.#cluster, '+node', this.#watch);
      listen(this.#cluster, '-node', this.#unwatch);
      for (const node of this.#cluster.nodes('all')) this.#watch(node);
    } else {
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
    const client = this.#client;
    unlisten(client, 'ready', this.#onReady);
    unlisten(client, 'end', this.#onEnd);
    if (this.#cluster) {
      unlisten(this.#cluster, 'node error', this.#onError);
      unlisten(this.#cluster, '+node', this.#watch);
      unlisten(this.#cluster, '-node', this.#unwatch);
    }
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
    this.#scheduleFlush();
  };

  readonly #onError = (error: unknown): void => {
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
    } finally {
      stream?.uncork();
    }
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
          else this.#settle(call.id, values[i] ?? null);
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
        else this.#settle(call.id, null);
      }
    });
  }

  #settle(id: number, value: unknown): void {
    this.#inflight.delete(id);
    this.#pending.resolve(id, value);
    // Calls held back by the in-flight bound may go now.
    this.#scheduleFlush();
  }

  #fail(call: QueuedCall, error: unknown, partial: boolean): void {
    this.#inflight.delete(call.id);
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
    const done = (value: unknown): void => this.#settle(id, value);
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
          const [key, by] = call.args as OpArgs[typeof Op.increment];
          const script = (sink as unknown as Record<string, (...args: unknown[]) => unknown>)[
            INCREMENT_COMMAND
          ] as (...args: unknown[]) => unknown;
          script.call(sink, layout.toRedis(key), String(by), reply<string | number>(Number));
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
        else this.#settle(call.id, values);
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
          if (--left === 0) this.#settle(call.id, values);
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
        else this.#settle(call.id, null);
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
        if (--left === 0) this.#settle(call.id, null);
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
          if (--left === 0) this.#settle(call.id, total);
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
        ? this.#keys(call.id, (call.args as OpArgs[typeof Op.keys])[0])
        : this.#clear(call.id);
    work.then(
      (value) => this.#settle(call.id, value),
      (error: unknown) => this.#fail(call, error, call.op === Op.clear),
    );
  }

  async #keys(id: number, prefix: string): Promise<string[]> {
    const found = new Set<string>();
    await this.#scan(id, this.#layout.pattern(prefix), async (keys) => {
      for (const key of keys) found.add(this.#layout.fromRedis(key));
    });
    return [...found];
  }

  async #clear(id: number): Promise<null> {
    await this.#scan(id, this.#layout.pattern(''), (keys) => this.#unlink(keys));
    return null;
  }

  async #unlink(keys: string[]): Promise<void> {
    if (!this.#cluster) {
      await this.#client.call('unlink', keys);
      return;
    }
    const cluster = this.#cluster;
    await Promise.all(
      groupBySlot(keys).map((group) =>
        cluster.call(
          'unlink',
          group.map((i) => keys[i] as string),
        ),
      ),
    );
  }

  // SCAN every master (the one server, or each Cluster master), MATCH inside the keyspace
  // only. Stops early once the call settled (timed out, closed).
  async #scan(id: number, pattern: string, each: (keys: string[]) => Promise<void>): Promise<void> {
    const nodes: Redis[] = this.#cluster ? this.#cluster.nodes('master') : [this.#client as Redis];
    for (const node of nodes) {
      let cursor = '0';
      do {
        if (!this.#pending.has(id)) return;
        const [next, keys] = (await node.call(
          'scan',
          cursor,
          'MATCH',
          pattern,
          'COUNT',
          this.#scanCount,
        )) as [string, string[]];
        cursor = next;
        if (keys.length > 0) await each(keys);
      } while (cursor !== '0');
    }
  }
}

/** Waits for `promise`, at most `ms` milliseconds, leaving no timer behind. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise,
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

// Statuses in which a connection exists or is being made: disconnect() closes it, and
// ioredis then emits 'end'. From 'reconnecting' (or a Cluster without nodes) it emits
// nothing more, and there is nothing left to wait for.
const CONNECTED: ReadonlySet<string> = new Set(['ready', 'connect', 'connecting']);

async function quit(client: RedisClient): Promise<void> {
  client.on('error', noop);
  if (client.status === 'end') return;
  const live = CONNECTED.has(client.status);
  const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
  // QUIT waits for the server's reply; a stalled server must not stall close().
  if (client.status === 'ready') await within(client.quit().catch(noop), 1000);
  client.disconnect();
  if (live && (client.status as string) !== 'end') await within(ended, 1000);
}
