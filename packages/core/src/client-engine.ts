import { randomUUID } from 'node:crypto';
import { debuglog } from 'node:util';
import { CallQueue } from './call-queue.js';
import {
  type Capabilities,
  DEFAULT_MAX_BATCH_KEYS,
  defaultMaxReplyBytes,
  defineCapabilities,
} from './capabilities.js';
import { ErrorCode, isStateErrorCode, StateError, type StateErrorCode } from './errors.js';
import {
  type ClientFrame,
  FRAME_TAG,
  type HostFrame,
  isTagged,
  PROTOCOL_VERSION,
  type WireCall,
  type WireReply,
} from './frames.js';
import { HelloSchedule } from './hello-schedule.js';
import { frameText } from './keys.js';
import type { Link } from './link.js';
import {
  type ExecuteOptions,
  type Executor,
  Op,
  type OpArgs,
  type OpCode,
  type OpResult,
  opNames,
  writeOps,
} from './operations.js';
import { PendingCalls } from './pending-calls.js';
import { resolveClientOptions } from './store-options.js';
import { wireBytes } from './wire-size.js';

// What a client without a host usually lacks: serve() in the process that holds the data,
// or, for a fork child or worker thread, host.attach() of its channel in the parent.
const NO_HOST_HINT =
  'is the host serving? a fork child or worker thread also needs host.attach() of its channel in the parent';

/** Options of {@link ClientEngine}. */
export interface ClientEngineOptions {
  /** The carrier to the host. The engine opens it and closes it on `close()`. */
  link: Link;
  /** The value codec's name, checked by the host in the handshake. */
  codec: string;
  /** @default '' */
  namespace?: string;
  maxKeyBytes: number;
  maxValueBytes: number;
  /** Most keys in one batch call; must equal the host's. @default 100000 */
  maxBatchKeys?: number;
  /** The largest answer to one call; must equal the host's. @default twice `maxValueBytes`, at least 16 MiB */
  maxReplyBytes?: number;
  /**
   * Most calls queued or in flight; past it calls reject with `OVERLOADED` at once.
   * @default 16384
   */
  maxPending?: number;
  /**
   * How long to wait for the host's welcome before calls reject with `UNAVAILABLE`, in ms.
   * Time this process spends blocked does not count against the host: after a busy spell
   * the host gets the whole time again.
   * @default 5000
   */
  handshakeTimeout?: number;
  /**
   * Bytes of values after which a frame is sent and a new one started, so that small calls
   * are not stuck behind one huge frame.
   * @default 1048576 (1 MiB)
   */
  frameBudgetBytes?: number;
  /** Names the transport in error messages. @default 'client' */
  label?: string;
}

/** Counters of a {@link ClientEngine}. */
export interface ClientEngineStats {
  pending: number;
  queued: number;
  timers: number;
  timeouts: number;
  framesOut: number;
  framesIn: number;
  foreignIn: number;
}

type State =
  | { kind: 'connecting' }
  | { kind: 'ready' }
  | { kind: 'failed'; code: StateErrorCode; reason: string; sticky: boolean }
  | { kind: 'closed' };

// What a host that announces no `ops` in its welcome knows: the operations of the releases
// before versions, 0 (get) to 11 (scan).
const OPS_BEFORE_VERSIONS = Op.getEntries;

const debug = debuglog('statewire');

interface FailOptions {
  sticky: boolean;
  cause?: unknown;
  notApplied?: boolean;
}

/**
 * The client half of the protocol: request ids (a UUID per client plus a counter), the
 * pending-call table with timeouts and aborts, a handshake with the host, a {@link CallQueue}
 * (a lone call leaves at once; calls made while others are in flight are coalesced into one
 * frame per turn), a bounded queue (`OVERLOADED`), back-pressure, and exactly-once
 * settlement. Transports give it a {@link Link}; it does the rest.
 */
export class ClientEngine implements Executor {
  /** This client's id, a random UUID. */
  readonly id = randomUUID();
  readonly #link: Link;
  readonly #pending: PendingCalls;
  readonly #label: string;
  readonly #hello: ClientFrame;
  readonly #helloSchedule: HelloSchedule;
  readonly #maxPending: number;
  readonly #handshakeTimeout: number;
  readonly #frameBudgetBytes: number;
  readonly #queue: CallQueue<WireCall>;
  #state: State = { kind: 'connecting' };
  #maxCallsPerFrame = 1024;
  // How many operations the host knows, from its welcome; calls are flushed only once it
  // came, so the assumption before it is never acted on.
  #hostOps = opNames.length;
  #narrowed: Capabilities | undefined;
  #congested = false;
  #framesOut = 0;
  #framesIn = 0;
  #foreignIn = 0;

  constructor(options: ClientEngineOptions) {
    this.#link = options.link;
    this.#label = options.label ?? 'client';
    const resolved = resolveClientOptions(options);
    this.#maxPending = resolved.maxPending;
    this.#handshakeTimeout = resolved.handshakeTimeout;
    this.#frameBudgetBytes = resolved.frameBudgetBytes;
    this.#pending = new PendingCalls(this.#label, {
      busy: () => this.#link.ref?.(),
      idle: () => this.#link.unref?.(),
      timeoutDetail: () =>
        this.#state.kind === 'connecting'
          ? `no statewire host has answered on ${this.#link.label} yet (${NO_HOST_HINT})`
          : undefined,
    });
    this.#queue = new CallQueue<WireCall>({
      isLive: (call) => this.#pending.has(call[0]),
      flush: () => this.#flush(),
    });
    this.#hello = {
      [FRAME_TAG]: PROTOCOL_VERSION,
      k: 'hello',
      from: this.id,
      codec: options.codec,
      namespace: options.namespace ?? '',
      maxKeyBytes: options.maxKeyBytes,
      maxValueBytes: options.maxValueBytes,
      maxBatchKeys: options.maxBatchKeys ?? DEFAULT_MAX_BATCH_KEYS,
      maxReplyBytes: options.maxReplyBytes ?? defaultMaxReplyBytes(options.maxValueBytes),
    };
    this.#helloSchedule = new HelloSchedule({
      timeout: this.#handshakeTimeout,
      send: () => this.#sendHello(),
      giveUp: () =>
        this.#fail(
          ErrorCode.UNAVAILABLE,
          `no statewire host answered on ${this.#link.label} within ${this.#handshakeTimeout} ms (${NO_HOST_HINT})`,
          { sticky: false },
        ),
    });
    this.#link.open({
      message: (message) => this.#receive(message),
      close: (reason) => this.#lost(reason),
      drain: () => {
        this.#congested = false;
        this.#scheduleFlush();
      },
    });
    this.#link.unref?.();
    this.#startHandshake();
  }

  /** Counters, for tests and `stats()` of transports. */
  stats(): ClientEngineStats {
    return {
      pending: this.#pending.size,
      queued: this.#queue.length,
      timers: this.#pending.timers + (this.#helloSchedule.armed ? 1 : 0),
      timeouts: this.#pending.timeouts,
      framesOut: this.#framesOut,
      framesIn: this.#framesIn,
      foreignIn: this.#foreignIn,
    };
  }

  execute<O extends OpCode>(op: O, args: OpArgs[O], options: ExecuteOptions): Promise<OpResult[O]> {
    const state = this.#state;
    if (state.kind === 'closed' || state.kind === 'failed') {
      const refused = this.#refuse(op, state);
      if (refused) return refused;
    }
    // Calls that timed out or were aborted while queued leave the queue only when a flush
    // skips them; while the link stays congested that is never, so drop them here.
    if (this.#queue.length >= 2 * this.#maxPending) this.#queue.dropSettled();
    if (this.#pending.size >= this.#maxPending) {
      debug('client %s: refused %s(): %d calls pending', this.id, opNames[op], this.#maxPending);
      return Promise.reject(
        new StateError(
          ErrorCode.OVERLOADED,
          `${this.#label}: ${this.#maxPending} calls already pending`,
          unsent(op),
        ),
      );
    }
    const { id, promise } = this.#pending.create(op, options.timeout, options.signal);
    if (this.#pending.has(id)) {
      // Nagle: with nothing else of ours pending (so nothing in flight), the call leaves at
      // once; otherwise it waits for the next flush point with the calls issued meanwhile.
      const idle = this.#pending.size === 1 && this.#state.kind === 'ready' && !this.#congested;
      this.#queue.push(wireCall(id, op, args), idle);
    }
    return promise as Promise<OpResult[O]>;
  }

  // A call on a closed store, or on a failed one: rejected when the failure is final;
  // otherwise the store starts a new handshake and the call goes on (undefined).
  #refuse(
    op: OpCode,
    state: Extract<State, { kind: 'closed' | 'failed' }>,
  ): Promise<never> | undefined {
    if (state.kind === 'closed') {
      return rejectLater(
        new StateError(
          ErrorCode.CLOSED,
          `${this.#label}: ${opNames[op]}() on a closed store`,
          unsent(op),
        ),
      );
    }
    if (state.sticky) {
      return rejectLater(
        new StateError(
          state.code,
          `${this.#label}: ${opNames[op]}() failed: ${state.reason}`,
          unsent(op),
        ),
      );
    }
    this.#startHandshake();
    return undefined;
  }

  /**
   * `declared`, or without `versions` when the host runs a release that does not know
   * their operations (its welcome announced fewer `ops`).
   */
  narrow(declared: Capabilities): Capabilities {
    if (this.#hostOps > Op.atomic || !declared.versions) return declared;
    if (this.#narrowed === undefined) {
      this.#narrowed = defineCapabilities({ ...declared, versions: false });
    }
    return this.#narrowed;
  }

  close(): Promise<void> {
    if (this.#state.kind !== 'closed') {
      // A store closed before its welcome arrived says goodbye too: the host may have
      // taken its hello already, and would otherwise keep its session for as long as the
      // channel lives (and refuse new stores once the channel is full). Only a link that
      // is already closed is left alone.
      const linkOpen = !(this.#state.kind === 'failed' && this.#state.sticky);
      this.#state = { kind: 'closed' };
      this.#helloSchedule.stop();
      this.#queue.clear();
      this.#pending.failAll(ErrorCode.CLOSED, 'was pending when the store closed');
      if (linkOpen) {
        try {
          this.#link.send({ [FRAME_TAG]: PROTOCOL_VERSION, k: 'bye', from: this.id });
        } catch {
          // A bye is tiny; a carrier that cannot take it is closing anyway.
        }
      }
      this.#link.close();
    }
    return Promise.resolve();
  }

  #startHandshake(): void {
    this.#state = { kind: 'connecting' };
    this.#helloSchedule.start();
  }

  // The host may start listening after this client sent its first hello (a fork child
  // attached a moment later): the schedule repeats it with backoff until the deadline.
  #sendHello(): void {
    try {
      this.#link.send(this.#hello);
    } catch {
      // A hello is small; a carrier that cannot take it is retried like a lost one.
    }
    this.#framesOut++;
  }

  #scheduleFlush(): void {
    if (this.#state.kind !== 'ready' || this.#congested || this.#queue.length === 0) return;
    this.#queue.schedule();
  }

  #flush(): void {
    while (this.#state.kind === 'ready' && !this.#congested) {
      // Calls that timed out or were aborted while queued are skipped: never sent.
      const taken = this.#queue.take({
        maxCalls: this.#maxCallsPerFrame,
        budgetBytes: this.#frameBudgetBytes,
        sizeOf: wireBytes,
      });
      if (taken.length === 0) return;
      const calls = this.#hostOps < opNames.length ? this.#known(taken) : taken;
      if (calls.length === 0) continue;
      for (const call of calls) this.#pending.markSent(call[0]);
      this.#framesOut++;
      let accepted: boolean;
      try {
        accepted = this.#link.send({
          [FRAME_TAG]: PROTOCOL_VERSION,
          k: 'req',
          from: this.id,
          c: calls,
        });
      } catch (error) {
        // The carrier could not take this frame (Node cannot serialize a message that
        // large): nothing of it left, and the link stays open for the calls after it.
        debug('client %s: a frame of %d calls could not be sent', this.id, calls.length);
        for (const call of calls) {
          this.#pending.fail(
            call[0],
            ErrorCode.TOO_LARGE,
            'could not be carried to the host',
            error,
            true,
          );
        }
        continue;
      }
      if (!accepted) this.#congested = true;
    }
  }

  // A host of an earlier release would answer an operation it does not know with
  // `PROTOCOL`: such calls are refused here instead, before they leave.
  #known(calls: WireCall[]): WireCall[] {
    return calls.filter((call) => {
      if (call[1] < this.#hostOps) return true;
      debug('client %s: refused %s(): the host does not know it', this.id, opNames[call[1]]);
      this.#pending.fail(
        call[0],
        ErrorCode.NOT_SUPPORTED,
        'is not supported by the host, which runs an earlier release of statewire (upgrade the process that serves)',
        undefined,
        true,
      );
      return false;
    });
  }

  #receive(message: unknown): void {
    if (!isTagged(message)) {
      this.#foreignIn++;
      return;
    }
    const frame = message as Partial<HostFrame> & Record<string, unknown>;
    if (frame.to !== this.id) {
      // Another client on the same channel (two stores in one worker), or a forgery.
      this.#foreignIn++;
      debug('client %s: ignored a frame for %s', this.id, frameText(frame.to));
      return;
    }
    this.#framesIn++;
    if (message[FRAME_TAG] !== PROTOCOL_VERSION) {
      this.#fail(
        ErrorCode.PROTOCOL,
        `the host speaks protocol v${frameText(message[FRAME_TAG])}, this client v${PROTOCOL_VERSION}; install matching @statewire versions`,
        { sticky: true },
      );
      return;
    }
    switch (frame.k) {
      case 'welcome':
        if (this.#state.kind !== 'connecting') return;
        this.#helloSchedule.stop();
        if (
          Number.isSafeInteger(frame.maxCallsPerFrame) &&
          (frame.maxCallsPerFrame as number) > 0
        ) {
          this.#maxCallsPerFrame = frame.maxCallsPerFrame as number;
        }
        this.#hostOps =
          Number.isSafeInteger(frame.ops) && (frame.ops as number) > 0
            ? Math.min(frame.ops as number, opNames.length)
            : OPS_BEFORE_VERSIONS;
        this.#state = { kind: 'ready' };
        this.#scheduleFlush();
        return;
      case 'refuse': {
        // A full channel may have room later: the next call asks again. Anything else
        // (versions, codecs or limits that differ) will not change.
        const overloaded = frame.code === ErrorCode.OVERLOADED;
        this.#fail(
          overloaded ? ErrorCode.OVERLOADED : ErrorCode.PROTOCOL,
          `the host refused this client: ${frameText(frame.message)}`,
          { sticky: !overloaded, notApplied: true },
        );
        return;
      }
      case 'res':
        if (Array.isArray(frame.r)) {
          // A reply that answered many calls is about to issue as many from its
          // continuations: they wait for one flush together instead of the first leaving
          // alone (Nagle's rule would send it at once, the pending count having reached 0).
          if (frame.r.length > 1) this.#queue.schedule();
          for (const reply of frame.r) this.#settle(reply);
        }
        return;
      case 'gone':
        // Final, as when a socket closes: calls fail at once instead of waiting for a host.
        // A store made by a new connect() finds a host that serves again.
        if (this.#state.kind === 'ready' || this.#state.kind === 'connecting') {
          this.#fail(
            ErrorCode.CONNECTION_LOST,
            `the host stopped serving this store (${frameText(frame.message)})`,
            { sticky: true, notApplied: true },
          );
        }
        return;
      default:
        this.#foreignIn++;
        debug('client %s: ignored a frame of unknown kind %s', this.id, frameText(frame.k));
    }
  }

  #settle(reply: unknown): void {
    if (!Array.isArray(reply) || typeof reply[0] !== 'number') {
      debug('client %s: dropped a malformed reply', this.id);
      return;
    }
    const [id, status] = reply as WireReply;
    let pending = false;
    if (status === 0) {
      pending = this.#pending.resolve(id, reply[2]);
    } else if (status === 1) {
      const code = isStateErrorCode(reply[2]) ? reply[2] : ErrorCode.BACKEND;
      // The host applies nothing of a call it answers with an error.
      const reason = `failed: the host replied: ${frameText(reply[3])}`;
      pending = this.#pending.fail(id, code, reason, undefined, true);
    }
    // A reply for a call that timed out or was aborted meanwhile.
    if (!pending) debug('client %s: dropped the reply to call %d (not pending)', this.id, id);
  }

  #lost(reason: unknown): void {
    if (this.#state.kind === 'closed') return;
    this.#fail(ErrorCode.CONNECTION_LOST, `the channel to the host (${this.#link.label}) closed`, {
      sticky: true,
      cause: reason,
    });
  }

  // `sticky`: the store stays failed (else the next call starts a new handshake);
  // `notApplied`: the host said it applied none of the pending calls.
  #fail(code: StateErrorCode, reason: string, how: FailOptions): void {
    const { sticky, cause, notApplied = false } = how;
    debug('client %s: failed (%s): %s', this.id, code, reason);
    this.#helloSchedule.stop();
    this.#state = { kind: 'failed', code, reason, sticky };
    this.#queue.clear();
    this.#pending.failAll(code, `failed: ${reason}`, cause, notApplied);
    if (sticky) this.#link.close();
  }
}

// A call refused before it left: a write carries `maybeApplied: false`.
function unsent(op: OpCode): { maybeApplied?: boolean } {
  return writeOps.has(op) ? { maybeApplied: false } : {};
}

// The call as it travels: its id, its op, then its arguments. The common lengths are array
// literals, allocated at their exact size; a spread or pushes would grow a backing store.
function wireCall(id: number, op: OpCode, args: readonly unknown[]): WireCall {
  switch (args.length) {
    case 1:
      return [id, op, args[0]];
    case 2:
      return [id, op, args[0], args[1]];
    case 3:
      return [id, op, args[0], args[1], args[2]];
    default:
      return [id, op, ...args];
  }
}

// A dead store rejects on a later turn of the event loop, not in a microtask: a loop that
// keeps calling and awaiting a failed store must not starve I/O.
function rejectLater(error: StateError): Promise<never> {
  return new Promise((_, reject) => setImmediate(reject, error));
}
