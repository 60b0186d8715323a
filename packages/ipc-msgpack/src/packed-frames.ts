import { packFrame, unpackFrame } from '@statewire/core/msgpack';
import { FRAME_TAG, isTagged, PROTOCOL_VERSION } from '@statewire/core/transport';
import type { CarriedMessage, CarrierKind, FrameWrapping } from '@statewire/ipc';

const garbled = Object.freeze({ [FRAME_TAG]: PROTOCOL_VERSION, k: 'garbled' });

// The frames that carry values. The handshake and the other control frames stay plain
// objects, as every variant sends them: a host of another codec reads this client's hello
// and refuses it with PROTOCOL, instead of ignoring a packed frame until the client times out.
const CARRIES_VALUES = new Set<unknown>(['req', 'res']);

function pack(frame: object, carrier: CarrierKind): CarriedMessage {
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
 * Frames on an IPC channel or message port when they stay there (no side socket: worker
 * threads, `sideSocket: false`, Windows): requests and replies packed into msgpack bytes, so
 * that binary values stay binary under either `serialization` of the channel — as base64
 * text on an IPC channel (a Buffer would become a JSON array of numbers under the default
 * `json` serialization), as a tight, transferred byte array on a message port. A packed frame
 * that does not unpack becomes a tagged frame of unknown kind, which the engines count as
 * malformed.
 */
export const packedFrames: FrameWrapping = Object.freeze({
  toMessage(frame: object, carrier: CarrierKind): CarriedMessage {
    if (!CARRIES_VALUES.has((frame as { k?: unknown }).k))
      return { message: frame, transfer: undefined };
    return pack(frame, carrier);
  },
  fromMessage(message: unknown): unknown {
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
  },
});
