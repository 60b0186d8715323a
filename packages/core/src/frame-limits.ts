/** The limits a request frame's size is derived from (see {@link maxRequestFrameBytes}). */
export interface FrameLimits {
  /** The largest key, in UTF-8 bytes. */
  maxKeyBytes: number;
  /** The largest encoded value, and the most encoded value bytes of one `setMany`. */
  maxValueBytes: number;
  /** Most keys or entries in one batch call. */
  maxBatchKeys: number;
}

// What a key costs in a packed frame beyond its UTF-8 bytes (a msgpack str32 header, with
// room for a ttl and an entry's array header in setMany).
const PER_KEY_OVERHEAD_BYTES = 16;
// The envelope, ids and small arguments of one call.
const PER_CALL_OVERHEAD_BYTES = 1024;
// A client engine cuts frames once its estimate passes its frame budget (1 MiB of UTF-16
// units, at most 3 MiB of UTF-8), and then sends at most one more call in the frame. This
// covers those small calls with a wide margin.
const FRAME_HEADROOM_BYTES = 64 * 1024 * 1024;

/**
 * The largest one call can be in a frame when the client checked it against `limits`: the
 * batch of keys at their largest plus the values a `setMany` may carry. A client that
 * obeys the limits never sends a call over this, whatever the call.
 */
export function maxCallBytes(limits: FrameLimits): number {
  return (
    limits.maxValueBytes +
    limits.maxBatchKeys * (limits.maxKeyBytes + PER_KEY_OVERHEAD_BYTES) +
    PER_CALL_OVERHEAD_BYTES
  );
}

/**
 * The largest request frame a host must accept from a client that obeys `limits`: one call
 * at its largest ({@link maxCallBytes}) after a frame budget's worth of small calls. Byte
 * carriers (side sockets) refuse larger frames before reading them; since the limit is
 * derived from the limits both sides agreed on in the handshake, a frame the client was
 * allowed to send is never refused.
 */
export function maxRequestFrameBytes(limits: FrameLimits): number {
  return maxCallBytes(limits) + FRAME_HEADROOM_BYTES;
}
