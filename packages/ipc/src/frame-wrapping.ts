import { FRAME_TAG, isTagged, PROTOCOL_VERSION } from '@statewire/core';
import { packFrame, unpackFrame } from '@statewire/core/msgpack';

/**
 * How frames travel on a channel: as plain objects (the JSON transport: Node's IPC
 * serializes them, whatever serialization the application chose), or packed into msgpack
 * bytes (the msgpack transport: binary values stay binary). Every side understands both,
 * so a JSON host meeting a msgpack client refuses it with a clear codec mismatch instead
 * of ignoring it.
 */
export type FrameFormat = 'object' | 'packed';

/** The kinds of carrier a packed frame is wrapped for. */
export type CarrierKind = 'ipc' | 'port';

/** A frame wrapped for a carrier, with what to transfer (ports only). */
export interface CarriedMessage {
  message: unknown;
  transfer: ArrayBuffer[] | undefined;
}

const garbled = Object.freeze({ [FRAME_TAG]: PROTOCOL_VERSION, k: 'garbled' });

/**
 * Wraps `frame` for a carrier. Packed frames on an IPC channel travel as base64 text (a
 * Buffer would become a JSON array of numbers under the default `json` serialization); on a
 * message port as a tight, transferred byte array.
 */
export function toMessage(
  frame: object,
  format: FrameFormat,
  carrier: CarrierKind,
): CarriedMessage {
  if (format === 'object') return { message: frame, transfer: undefined };
  const packed = packFrame(frame);
  if (carrier === 'ipc') {
    const data = Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength).toString(
      'base64',
    );
    return {
      message: { [FRAME_TAG]: PROTOCOL_VERSION, k: 'packed', d: data },
      transfer: undefined,
    };
  }
  // A view into msgpackr's buffer would clone all of that buffer: copy exactly the frame.
  const tight = new Uint8Array(packed.byteLength);
  tight.set(packed);
  return {
    message: { [FRAME_TAG]: PROTOCOL_VERSION, k: 'packed', d: tight },
    transfer: [tight.buffer],
  };
}

/**
 * Unwraps a message from a carrier: a packed frame becomes the frame object; anything else
 * is returned as it is (the engines ignore and count what is not theirs). A packed frame
 * that does not unpack becomes a tagged frame of unknown kind, counted as malformed.
 */
export function fromMessage(message: unknown): unknown {
  if (!isTagged(message) || message.k !== 'packed') return message;
  const data: unknown = (message as { d?: unknown }).d;
  try {
    if (typeof data === 'string') return unpackFrame(Buffer.from(data, 'base64'));
    // A message port delivers a plain Uint8Array. msgpackr gives binary fields back as views
    // of the same type as its input, so a Buffer stored by one client would decode as a
    // Uint8Array in a worker thread: view the bytes as a Buffer (no copy) first.
    if (data instanceof Uint8Array)
      return unpackFrame(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  } catch {
    return garbled;
  }
  return garbled;
}
