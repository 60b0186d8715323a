import { debuglog } from 'node:util';
import type { Backend } from './backend.js';
import type { ValueCodec } from './codec.js';
import { type DispatchContext, type DispatchLimits, dispatch } from './dispatch.js';
import { ErrorCode, StateError } from './errors.js';
import { FRAME_TAG, type HostFrame, isTagged, PROTOCOL_VERSION, type WireReply } from './frames.js';
import { assertNamespace, frameText } from './keys.js';
import type { Link } from './link.js';
import { opNames } from './operations.js';
import { resolveHostOptions } from './store-options.js';
import { wireBytes } from './wire-size.js';

/** Options of {@link HostEngine}. */
export interface HostEngineOptions {
  /** Where the data lives (a `MemoryBackend`, or any {@link Backend}). */
  backend: Backend;
  /** The value codec; clients must announce the same codec name. */
  codec: ValueCodec;
  /** @default 1024 */
  maxKeyBytes?: number;
  /** @default 67108864 (64 MiB) */
  maxValueBytes?: number;
  /**
   * Most calls in one request frame. Clients learn it in the handshake and never send more;
   * a frame with more is refused as a whole (its client is dropped with `PROTOCOL`), at a
   * cost that does not depend on what the frame holds.
   * @default 4096
   */
  maxCallsPerFrame?: number;
  /**
   * Most keys or entries in one `getMany` / `setMany` / `deleteMany`; clients must use the
   * same (checked in the handshake).
   * @default 100000
   */
  maxBatchKeys?: number;
  /**
   * The largest answer to one call (strings by length, binary by byte length): a call whose
   * answer would be larger rejects `TOO_LARGE` before the answer is built. Clients must use
   * the same (checked in the handshake).
   * @default twice `maxValueBytes`, at least 16 MiB (128 MiB)
   */
  maxReplyBytes?: number;
  /**
   * Bytes of results after which a reply frame is sent and another started, so that a
   * client starts on its first replies while large values are still being packed.
   * @default 1048576 (1 MiB)
   */
  replyBudgetBytes?: number;
  /**
   * Most clients on one channel: on the links attached with the same `channel` together,
   * or on one link attached without one (a worker that keeps connecting is bounded).
   * @default 64
   */
  maxClientsPerLink?: number;
  /**
   * Whether another host in this process answers clients of codec `name` on the same
   * channels; their hellos are then left to it instead of being refused.
   * @default () => false
   */
  servedElsewhere?: (codec: string) => boolean;
}

/** Counters of a {@link HostEngine}. */
export interface HostStats {
  /** Links (workers, children, threads) attached now. */
  links: number;
  /** Clients that completed the handshake and are attached now. */
  clients: number;
  /** Calls answered. */
  calls: number;
  framesIn: number;
  framesOut: number;
  /** Messages without the statewire tag, ignored. */
  foreignIn: number;
  /** Tagged frames that were malformed, from unknown clients, or refused. */
  malformedIn: number;
  /**
   * Errors of the host itself (a bug, not the client's input): calls answered `BACKEND`
   * with "internal error in the host", and messages whose handling threw. Counted apart
   * from `malformedIn` so that a host bug is never mistaken for a bad client.
   */
  internalErrors: number;
  /**
   * Request frames refused as a whole (more calls than `maxCallsPerFrame`); their client
   * was dropped.
   */
  refusedFrames: number;
  /**
   * Reply frames the link could not carry (too large to serialize); their calls were
   * answered with `TOO_LARGE` instead.
   */
  unsendableReplies: number;
  /** Calls answered with an error. */
  errors: number;
  /**
   * Frames dropped unanswered: they came on a link that cannot pause its input (an IPC
   * channel) while replies of more than `maxReplyBytes` were already waiting on it, from a
   * client that does not read its replies. Their calls time out on the client's side.
   */
  droppedIn: number;
}

const debug = debuglog('statewire');

interface Session {
  context: DispatchContext;
}

interface Attachment {
  link: Link;
  /** The channel the link belongs to: every link attached with it, or just this one. */
  channel: Set<Attachment>;
  sessions: Map<string, Session>;
  /** Whether the link's `send()` returned false and its input is paused until `drain`. */
  congested: boolean;
  /**
   * Bytes (by `wireBytes`) of the frames sent since the link became congested, for a link
   * that cannot pause its input; 0 once it drains.
   */
  backlog: number;
}

/**
 * The host half of the protocol: checks every frame, answers handshakes, dispatches calls
 * through a fixed operation table (never by name), replies per request on the link the
 * frame came from, and counts and drops foreign or malformed messages. It never throws out
 * of a message handler: one bad client cannot take the holder down.
 */
export class HostEngine {
  readonly #backend: Backend;
  readonly #codec: ValueCodec;
  readonly #limits: DispatchLimits;
  readonly #maxCallsPerFrame: number;
  readonly #maxReplyBytes: number;
  readonly #replyBudgetBytes: number;
  readonly #maxClientsPerLink: number;
  readonly #servedElsewhere: (codec: string) => boolean;
  readonly #attachments = new Set<Attachment>();
  /** The links of each channel given to `attach()`. */
  readonly #channels = new WeakMap<object, Set<Attachment>>();
  readonly #stats = {
    calls: 0,
    framesIn: 0,
    framesOut: 0,
    foreignIn: 0,
    malformedIn: 0,
    internalErrors: 0,
    refusedFrames: 0,
    unsendableReplies: 0,
    errors: 0,
    droppedIn: 0,
  };
  #closed = false;

  constructor(options: HostEngineOptions) {
    this.#backend = options.backend;
    this.#codec = options.codec;
    const resolved = resolveHostOptions(options);
    const { maxKeyBytes, maxValueBytes, maxBatchKeys, maxReplyBytes } = resolved;
    this.#maxReplyBytes = maxReplyBytes;
    this.#limits = { maxKeyBytes, maxValueBytes, maxBatchKeys, maxReplyBytes };
    this.#maxCallsPerFrame = resolved.maxCallsPerFrame;
    this.#replyBudgetBytes = resolved.replyBudgetBytes;
    this.#maxClientsPerLink = resolved.maxClientsPerLink;
    this.#servedElsewhere = options.servedElsewhere ?? (() => false);
  }

  /**
   * Serves the clients on `link` until it closes or `detach()` is called.
   * @param channel - what the link belongs to, when several links carry one channel's
   *   clients (an IPC channel and the side sockets negotiated over it): its clients count
   *   together toward `maxClientsPerLink`, and detaching one of its links detaches them all.
   * @returns detach: tells the clients of every link of the channel that they are no longer
   *   served (their pending calls fail at once with `CONNECTION_LOST`; every call the host
   *   applied was answered first), stops serving those links and closes them
   */
  attach(link: Link, channel?: object): () => void {
    if (this.#closed) {
      link.close();
      return () => {};
    }
    let links = channel === undefined ? undefined : this.#channels.get(channel);
    if (links === undefined) {
      links = new Set();
      if (channel !== undefined) this.#channels.set(channel, links);
    }
    const attachment: Attachment = {
      link,
      channel: links,
      sessions: new Map(),
      congested: false,
      backlog: 0,
    };
    this.#attachments.add(attachment);
    links.add(attachment);
    link.open({
      message: (message) => {
        try {
          this.#receive(attachment, message);
        } catch (error) {
          // Never reached by design; a bug here must not take the holder down.
          this.#stats.internalErrors++;
          debug('host: internal error handling a message on %s: %o', link.label, error);
        }
      },
      close: () => this.#detach(attachment),
      drain: () => {
        if (!attachment.congested) return;
        attachment.congested = false;
        attachment.backlog = 0;
        link.resume?.();
      },
    });
    // A detach kept after its link closed must not touch links attached to the channel since.
    return () => {
      if (this.#attachments.has(attachment)) this.#detachChannel(attachment.channel);
    };
  }

  /** Counters of traffic and clients. */
  stats(): HostStats {
    let clients = 0;
    for (const attachment of this.#attachments) clients += attachment.sessions.size;
    return { links: this.#attachments.size, clients, ...this.#stats };
  }

  /**
   * Tells every client it is no longer served (its pending calls fail at once with
   * `CONNECTION_LOST`, not by timeout) and detaches every link. The backend is left to its
   * owner.
   */
  close(): void {
    this.#closed = true;
    const attachments = [...this.#attachments];
    // Every goodbye is handed to its carrier before any link closes: closing one link (an
    // IPC channel) may end others (the side sockets negotiated over it), and a client must
    // get its `gone` frame to know its pending calls were not applied.
    for (const attachment of attachments) this.#sayGoodbye(attachment, 'host.close() was called');
    for (const attachment of attachments) this.#detach(attachment);
  }

  // Every goodbye is handed to its carrier before any link of the channel closes, as in
  // close(): closing the IPC channel's link ends the side sockets negotiated over it.
  #detachChannel(links: Set<Attachment>): void {
    const attachments = [...links];
    for (const attachment of attachments) {
      if (this.#attachments.has(attachment)) {
        this.#sayGoodbye(attachment, 'the host detached this channel');
      }
    }
    for (const attachment of attachments) this.#detach(attachment);
  }

  // Stops serving one link (its clients were told, or the link itself closed).
  #detach(attachment: Attachment): void {
    if (!this.#attachments.delete(attachment)) return;
    attachment.channel.delete(attachment);
    attachment.sessions.clear();
    attachment.link.close();
  }

  // Clients of every link of the attachment's channel.
  #channelClients(attachment: Attachment): number {
    let clients = 0;
    for (const link of attachment.channel) clients += link.sessions.size;
    return clients;
  }

  #sayGoodbye(attachment: Attachment, message: string): void {
    for (const to of attachment.sessions.keys()) {
      this.#send(attachment, { [FRAME_TAG]: PROTOCOL_VERSION, k: 'gone', to, message });
    }
    attachment.sessions.clear();
  }

  #receive(attachment: Attachment, message: unknown): void {
    if (!isTagged(message)) {
      this.#stats.foreignIn++;
      return;
    }
    this.#stats.framesIn++;
    const frame = message as Record<string, unknown>;
    // A client that does not read its replies, on a link that cannot pause: past this, what
    // it asks is not answered (a goodbye still ends its session), so that the replies
    // waiting for it stay bounded and it cannot take the host's time from the others.
    if (attachment.backlog > this.#maxReplyBytes && frame.k !== 'bye') {
      this.#stats.droppedIn++;
      debug('host: dropped a frame on %s: its replies are not being read', attachment.link.label);
      return;
    }
    const from = frame.from;
    if (typeof from !== 'string' || from.length > 64) {
      this.#malformed(attachment, 'a frame without a valid client id');
      return;
    }
    if (frame[FRAME_TAG] !== PROTOCOL_VERSION) {
      this.#refuse(
        attachment,
        from,
        `this host speaks statewire protocol v${PROTOCOL_VERSION}, the client v${frameText(frame[FRAME_TAG])}; install matching @statewire versions`,
      );
      return;
    }
    switch (frame.k) {
      case 'hello':
        this.#hello(attachment, from, frame);
        return;
      case 'req':
        this.#request(attachment, from, frame.c);
        return;
      case 'bye':
        // Also from a client closed before its welcome arrived: its hello made a session.
        attachment.sessions.delete(from);
        return;
      default:
        this.#malformed(attachment, `a frame of unknown kind ${frameText(frame.k)}`);
    }
  }

  #hello(attachment: Attachment, from: string, frame: Record<string, unknown>): void {
    if (frame.codec !== this.#codec.name) {
      // Left to the host of that codec, which answers it on the same channel.
      if (typeof frame.codec === 'string' && this.#servedElsewhere(frame.codec)) return;
      this.#refuse(
        attachment,
        from,
        `the host uses the ${this.#codec.name} codec, the client ${frameText(frame.codec)}; use the same transport package on both sides`,
      );
      return;
    }
    if (
      frame.maxKeyBytes !== this.#limits.maxKeyBytes ||
      frame.maxValueBytes !== this.#limits.maxValueBytes ||
      frame.maxBatchKeys !== this.#limits.maxBatchKeys ||
      frame.maxReplyBytes !== this.#maxReplyBytes
    ) {
      this.#refuse(
        attachment,
        from,
        `limits differ: host maxKeyBytes=${this.#limits.maxKeyBytes} maxValueBytes=${this.#limits.maxValueBytes} maxBatchKeys=${this.#limits.maxBatchKeys} maxReplyBytes=${this.#maxReplyBytes}, client ${frameText(frame.maxKeyBytes)}/${frameText(frame.maxValueBytes)}/${frameText(frame.maxBatchKeys)}/${frameText(frame.maxReplyBytes)}`,
      );
      return;
    }
    const namespace = frame.namespace;
    try {
      assertNamespace(namespace, this.#limits.maxKeyBytes);
    } catch (error) {
      this.#refuse(attachment, from, (error as Error).message);
      return;
    }
    if (!attachment.sessions.has(from)) {
      if (this.#channelClients(attachment) >= this.#maxClientsPerLink) {
        this.#refuse(
          attachment,
          from,
          `more than ${this.#maxClientsPerLink} stores on one channel (close stores you no longer use)`,
          ErrorCode.OVERLOADED,
        );
        return;
      }
      const context = {
        backend: this.#backend,
        codec: this.#codec,
        namespace,
        limits: this.#limits,
      };
      attachment.sessions.set(from, { context });
    }
    // A repeated hello (the client retries until welcomed) is answered again, harmlessly.
    this.#send(attachment, {
      [FRAME_TAG]: PROTOCOL_VERSION,
      k: 'welcome',
      to: from,
      maxCallsPerFrame: this.#maxCallsPerFrame,
      ops: opNames.length,
    });
  }

  #request(attachment: Attachment, from: string, calls: unknown): void {
    const session = attachment.sessions.get(from);
    // Calls from a client that never said hello here (another host's client on a shared
    // channel, or a forgery) are not answered.
    if (!session) {
      debug(
        'host: dropped calls from %s on %s, which never said hello here',
        from,
        attachment.link.label,
      );
      return;
    }
    // The shape is checked before anything is iterated, in constant time: a list's length
    // is whatever the sender claims (a sparse array of length 10⁹ is a few bytes through
    // structured clone), so a frame over the limit is refused as a whole and its client
    // dropped. A client that obeys the handshake never sends one.
    if (!Array.isArray(calls)) {
      this.#malformed(attachment, `a request from ${from} whose calls are not a list`);
      return;
    }
    if (calls.length > this.#maxCallsPerFrame) {
      this.#stats.refusedFrames++;
      const what = `a frame of ${calls.length} calls, over the limit of ${this.#maxCallsPerFrame}`;
      debug('host: refused %s from client %s on %s', what, from, attachment.link.label);
      attachment.sessions.delete(from);
      this.#refuse(attachment, from, `the client sent ${what}`);
      return;
    }
    let replies: WireReply[] = [];
    let bytes = 0;
    for (let i = 0; i < calls.length; i++) {
      if (bytes >= this.#replyBudgetBytes) {
        this.#reply(attachment, from, replies);
        replies = [];
        bytes = 0;
      }
      // A hole of a sparse list reads as undefined: bounded by the length checked above.
      const call: unknown = calls[i];
      if (!Array.isArray(call) || !Number.isSafeInteger(call[0])) {
        this.#malformed(attachment, `a call from ${from} without an id`);
        continue;
      }
      const id = call[0] as number;
      let reply: WireReply;
      try {
        // [id, op, ...arguments]: a list far longer than any operation takes is not a call,
        // whatever length it claims, and is never copied.
        if (call.length > 16) throw new StateError(ErrorCode.PROTOCOL, 'malformed call');
        const result = dispatch(session.context, call[1], call.slice(2));
        const size = wireBytes(result);
        if (size > this.#maxReplyBytes) {
          throw new StateError(
            ErrorCode.TOO_LARGE,
            `the answer would be over the ${this.#maxReplyBytes}-byte reply limit`,
          );
        }
        reply = [id, 0, result];
        bytes += size;
        this.#stats.calls++;
      } catch (error) {
        reply = this.#error(id, error);
        // Error replies fill the budget too: a frame of failing calls is cut like any other.
        bytes += wireBytes(reply);
      }
      replies.push(reply);
    }
    if (replies.length > 0) this.#reply(attachment, from, replies);
  }

  #reply(attachment: Attachment, to: string, replies: WireReply[]): void {
    if (this.#send(attachment, { [FRAME_TAG]: PROTOCOL_VERSION, k: 'res', to, r: replies })) return;
    // The carrier could not take this frame (Node throws for a message it cannot
    // serialize). The link is still open: the replies go one by one, so that every answer
    // that can be carried still arrives (a write's answer is tiny: an applied write is
    // never reported as failed), and only an answer too large to carry is replaced by an
    // error instead of being left to time out.
    this.#stats.unsendableReplies++;
    debug('host: a reply frame to %s on %s could not be sent', to, attachment.link.label);
    for (const reply of replies) {
      if (this.#send(attachment, { [FRAME_TAG]: PROTOCOL_VERSION, k: 'res', to, r: [reply] }))
        continue;
      const error = this.#error(
        reply[0],
        new StateError(ErrorCode.TOO_LARGE, 'the answer could not be carried to the client'),
      );
      this.#send(attachment, { [FRAME_TAG]: PROTOCOL_VERSION, k: 'res', to, r: [error] });
    }
  }

  #error(id: number, error: unknown): WireReply {
    this.#stats.errors++;
    if (StateError.is(error)) return [id, 1, error.code, error.message];
    this.#stats.internalErrors++;
    debug('host: internal error answering call %d: %o', id, error);
    return [id, 1, ErrorCode.BACKEND, 'internal error in the host'];
  }

  #malformed(attachment: Attachment, what: string): void {
    this.#stats.malformedIn++;
    debug('host: dropped %s on %s', what, attachment.link.label);
  }

  #refuse(
    attachment: Attachment,
    to: string,
    message: string,
    code: 'PROTOCOL' | 'OVERLOADED' = ErrorCode.PROTOCOL,
  ): void {
    this.#stats.malformedIn++;
    debug('host: refused client %s on %s (%s): %s', to, attachment.link.label, code, message);
    this.#send(attachment, { [FRAME_TAG]: PROTOCOL_VERSION, k: 'refuse', to, message, code });
  }

  // A client that does not read its replies must not make the host buffer them without
  // bound: while the link is congested, the host stops reading it (where the link can
  // pause), so the client's own sends back up and its calls queue and then reject with
  // OVERLOADED on its side. A link that cannot pause counts what it was given since, and
  // past `maxReplyBytes` its frames are dropped unanswered (see #receive).
  //
  // Returns false when the link could not carry the frame at all (it threw).
  #send(attachment: Attachment, frame: HostFrame): boolean {
    let accepted: boolean;
    try {
      accepted = attachment.link.send(frame);
    } catch (error) {
      debug('host: %s could not carry a %s frame: %o', attachment.link.label, frame.k, error);
      return false;
    }
    this.#stats.framesOut++;
    if (!accepted && !attachment.congested) {
      attachment.congested = true;
      attachment.link.pause?.();
    }
    if (attachment.congested && attachment.link.pause === undefined) {
      attachment.backlog += frame.k === 'res' ? wireBytes(frame.r) : 64;
    }
    return true;
  }
}
