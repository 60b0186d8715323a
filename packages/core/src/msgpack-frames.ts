import { Packr, RESERVE_START_SPACE } from 'msgpackr';
import { msgpackOptions } from './msgpack-codec.js';

/**
 * How a frame's objects are laid out in msgpack:
 *
 * - `records` (what every release reads): msgpackr records, whose key list is written and
 *   read again in every frame, since no state is shared between the two ends. Packing and
 *   unpacking a small frame this way costs several microseconds.
 * - `maps`: plain msgpack maps, read back as plain objects. About half the cost for small
 *   frames; read only by releases that announce it, so a carrier uses it once its peer
 *   said so (the side-socket negotiation does).
 */
export type FrameLayout = 'records' | 'maps';

const packers: Readonly<Record<FrameLayout, Packr>> = {
  records: new Packr({ ...msgpackOptions }),
  maps: new Packr({ ...msgpackOptions, useRecords: false }),
};

// Reads both layouts: records as they are, maps as plain objects (a frame never holds a
// Map). msgpackr renames an own `__proto__` key, so a map cannot reach a prototype.
const frameReader = new Packr({ ...msgpackOptions, mapsAsObjects: true });

/**
 * Packs a whole protocol frame (not a user value) into msgpack bytes, for carriers that
 * move bytes: a socket, or an IPC channel that would otherwise turn binary values into
 * arrays of numbers. The result may be a view into a shared buffer; copy it before
 * transferring it.
 * @param layout `maps` only for a peer that announced it reads them
 * @default layout 'records'
 */
export function packFrame(frame: object, layout: FrameLayout = 'records'): Uint8Array {
  return packers[layout].pack(frame);
}

/** Bytes of the big-endian length in front of a frame from {@link packLengthPrefixedFrame}. */
export const FRAME_LENGTH_BYTES = 4;

/**
 * Packs a frame for a byte stream: a 4-byte big-endian length, then the msgpack bytes of
 * {@link packFrame}. msgpackr leaves room for the length in front of what it writes, so the
 * frame is never copied to add it. msgpackr never writes again over bytes it returned, so
 * the result stays valid while a socket holds on to it.
 * @param layout `maps` only for a peer that announced it reads them
 * @default layout 'records'
 */
export function packLengthPrefixedFrame(
  frame: object,
  layout: FrameLayout = 'records',
): Uint8Array {
  const packed = packers[layout].pack(frame, RESERVE_START_SPACE | FRAME_LENGTH_BYTES);
  const view = new DataView(packed.buffer, packed.byteOffset, FRAME_LENGTH_BYTES);
  view.setUint32(0, packed.byteLength - FRAME_LENGTH_BYTES);
  return packed;
}

/**
 * Unpacks bytes made by {@link packFrame}, in either layout.
 * @throws when the bytes are not msgpack
 */
export function unpackFrame(bytes: Uint8Array): unknown {
  return frameReader.unpack(bytes);
}
