import { takeAllocation } from './allocation-pool.js';

/** Spare bytes around a buffer, inside the allocation it was cut from. */
export interface Room {
  /** Spare bytes in front of the buffer. */
  readonly before: number;
  /** Spare bytes behind it. */
  readonly after: number;
}

// Buffers with unclaimed room. Each room is claimed once: bytes written there are never
// overwritten later, while the buffer that shows them may still wait in ioredis's queues.
const rooms = new WeakMap<Uint8Array, Room>();

/**
 * `size` bytes with `room.before` spare bytes in front and `room.after` behind them, in one
 * allocation: whoever adds a header or framing later writes it into the room instead of
 * copying the bytes into a bigger buffer (for a 64 KiB value each such copy, and its
 * allocation, costs about as much as encoding the value).
 *
 * @param size - the bytes the caller fills.
 * @param room - the spare bytes around them (a constant of the caller: it is kept as is).
 */
export function allocWithRoom(size: number, room: Room): Buffer {
  const bytes = takeAllocation(room.before + size + room.after).subarray(
    room.before,
    room.before + size,
  );
  rooms.set(bytes, room);
  return bytes;
}

/**
 * Takes the room around `bytes`, if it has any left: a second claim gets `undefined`.
 *
 * @param bytes - a buffer from {@link allocWithRoom} (or given room by {@link passRoom}).
 */
export function claimRoom(bytes: Uint8Array): Room | undefined {
  const room = rooms.get(bytes);
  if (room !== undefined) rooms.delete(bytes);
  return room;
}

/**
 * Hands what is left of a claimed room to a wider view of the same bytes (a header written
 * in front of them), for the next claimer.
 *
 * @param bytes - the wider view.
 * @param room - the spare bytes around it.
 */
export function passRoom(bytes: Uint8Array, room: Room): void {
  if (room.before > 0 || room.after > 0) rooms.set(bytes, room);
}

/**
 * A view of `bytes` grown by `before` bytes in front and `after` behind, over the same
 * memory (the caller claimed at least that much room).
 */
export function widen(bytes: Uint8Array, before: number, after: number): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset - before, before + bytes.length + after);
}
