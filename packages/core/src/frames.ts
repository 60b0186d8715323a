import type { OpCode } from './operations.js';

/**
 * The tag field every statewire frame carries; its value is the protocol version. Anything
 * on a channel without it is foreign (cluster's own messages, other libraries) and ignored.
 * There is never a `cmd` field: Node treats `cmd: 'NODE_…'` messages as its own.
 */
export const FRAME_TAG = '__statewire';

/** The protocol version this copy of core speaks. A new version is a major release. */
export const PROTOCOL_VERSION = 1;

/** What a client announces when it connects. */
export interface HelloFrame {
  [FRAME_TAG]: number;
  k: 'hello';
  /** The client id: a random UUID, unique per client. */
  from: string;
  codec: string;
  namespace: string;
  maxKeyBytes: number;
  maxValueBytes: number;
  /** Most keys in one batch call; the host refuses a client whose limit differs. */
  maxBatchKeys: number;
  /** The largest answer to one call; the host refuses a client whose limit differs. */
  maxReplyBytes: number;
}

/** The host accepts a client. */
export interface WelcomeFrame {
  [FRAME_TAG]: number;
  k: 'welcome';
  to: string;
  /** Most calls the host takes in one request frame. */
  maxCallsPerFrame: number;
  /**
   * How many operations the host knows: it dispatches ops `0` to `ops - 1`. Absent from
   * hosts of releases before versions (they know ops 0 to 11); a client never sends such a
   * host an op it does not know, and rejects the call with `NOT_SUPPORTED` instead.
   */
  ops?: number;
}

/**
 * The host refuses a client: version, codec or limits differ (`PROTOCOL`), the channel has
 * too many clients (`OVERLOADED`), or the client broke the protocol (`PROTOCOL`). The host
 * has forgotten the client; its calls still pending were not applied.
 */
export interface RefuseFrame {
  [FRAME_TAG]: number;
  k: 'refuse';
  to: string;
  message: string;
  /** The code the client's calls reject with. Absent means `PROTOCOL`. */
  code?: 'PROTOCOL' | 'OVERLOADED';
}

/** One call: `[id, op, ...args]`, args as in `OpArgs`. */
export type WireCall = [id: number, op: OpCode, ...args: unknown[]];

/**
 * The host stops serving this client (`host.close()`). Every call it applied was answered
 * before this frame, so the client's calls still pending were not applied.
 */
export interface GoneFrame {
  [FRAME_TAG]: number;
  k: 'gone';
  to: string;
  message: string;
}

/** Calls of one client, in the order issued. */
export interface RequestFrame {
  [FRAME_TAG]: number;
  k: 'req';
  from: string;
  c: WireCall[];
}

/** A reply: `[id, 0, result]` on success, `[id, 1, code, message]` on failure. */
export type WireReply =
  | [id: number, ok: 0, result: unknown]
  | [id: number, failed: 1, code: string, message: string];

/** Replies to one client, in the order its calls were applied. */
export interface ResponseFrame {
  [FRAME_TAG]: number;
  k: 'res';
  to: string;
  r: WireReply[];
}

/**
 * A client leaves; the host forgets it. Sent also by a client closed before it was
 * welcomed: the host may have taken its hello, and must not keep its session.
 */
export interface ByeFrame {
  [FRAME_TAG]: number;
  k: 'bye';
  from: string;
}

/** A frame from a client to a host. */
export type ClientFrame = HelloFrame | RequestFrame | ByeFrame;
/** A frame from a host to a client. */
export type HostFrame = WelcomeFrame | RefuseFrame | ResponseFrame | GoneFrame;
/** Any statewire frame. */
export type Frame = ClientFrame | HostFrame;

/** Whether `message` carries the statewire tag (of any version). */
export function isTagged(message: unknown): message is { [FRAME_TAG]: unknown; k?: unknown } {
  return (
    typeof message === 'object' &&
    message !== null &&
    !Array.isArray(message) &&
    Object.hasOwn(message, FRAME_TAG)
  );
}
