/** The kinds of carrier a frame is wrapped for: a Node IPC channel or a message port. */
export type CarrierKind = 'ipc' | 'port';

/** A frame wrapped for a carrier, with what to transfer (message ports only). */
export interface CarriedMessage {
  message: unknown;
  transfer: ArrayBuffer[] | undefined;
}

/**
 * How a variant of the IPC transport puts its frames on an IPC channel or a message port
 * (the `frames` hook of its `IpcTransportDefinition`). The side socket carries frames as msgpack
 * whatever the variant, so this only concerns the channel itself.
 */
export interface FrameWrapping {
  /**
   * Wraps `frame` for a carrier.
   * @throws Error when this one frame cannot be wrapped (too large to encode); the link
   *   reports it as a frame that cannot be carried
   */
  toMessage(frame: object, carrier: CarrierKind): CarriedMessage;
  /**
   * Unwraps a message from a carrier. Anything that is not a wrapped frame is returned as it
   * is: the engines ignore and count what is not theirs.
   */
  fromMessage(message: unknown): unknown;
}

/**
 * Frames as plain objects (the default): Node's IPC serializes them, whatever
 * `serialization` the application chose, and a message port clones them.
 */
export const plainFrames: FrameWrapping = Object.freeze({
  toMessage: (frame: object): CarriedMessage => ({ message: frame, transfer: undefined }),
  fromMessage: (message: unknown): unknown => message,
});
