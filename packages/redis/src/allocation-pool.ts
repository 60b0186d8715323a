/** The smallest allocation kept for reuse: below it Node's shared pool is as cheap. */
const MIN_POOLED = 4096;

/** The largest allocation kept for reuse (a 1 MiB value and its framing fit). */
const MAX_POOLED = 2 * 1024 * 1024;

/** The most bytes the pool keeps unused, over all sizes. */
const MAX_FREE_BYTES = 16 * 1024 * 1024;

// Unused allocations by size class: class c holds allocations of MIN_POOLED << c bytes.
const free: ArrayBuffer[][] = [];
// Allocations handed out and not given back: only those are taken back, and only once.
const lent = new WeakSet<ArrayBuffer>();
let freeBytes = 0;

function classOf(bytes: number): number {
  return Math.max(0, Math.ceil(Math.log2(bytes / MIN_POOLED)));
}

/**
 * At least `bytes` bytes of uninitialized memory, for a large value the store writes
 * to Redis: an allocation given back by {@link giveBack} when one of its size is unused,
 * otherwise a new one (sizes from 4 KiB to 2 MiB come in powers of two; anything else is a
 * plain `Buffer.allocUnsafe`).
 *
 * Each new 64 KiB `Buffer` is memory that is freed only once the garbage collector finds
 * it dead, so a stream of large writes keeps touching fresh memory (page faults, cold
 * caches) and makes the collector run for it; ioredis writing a string frees its copy as
 * soon as the socket took it. Reusing an allocation once its write has been answered costs
 * neither.
 *
 * @param bytes - the bytes needed.
 */
export function takeAllocation(bytes: number): Buffer {
  if (bytes < MIN_POOLED || bytes > MAX_POOLED) return Buffer.allocUnsafe(bytes);
  const sizeClass = classOf(bytes);
  const capacity = MIN_POOLED << sizeClass;
  let allocation = free[sizeClass]?.pop();
  if (allocation === undefined) allocation = Buffer.allocUnsafeSlow(capacity).buffer as ArrayBuffer;
  else freeBytes -= capacity;
  lent.add(allocation);
  return Buffer.from(allocation, 0, bytes);
}

/**
 * Gives the allocation under `bytes` back for reuse, when it came from
 * {@link takeAllocation} and was not given back yet (anything else is ignored). The caller
 * must be sure nothing reads or writes any view of it any more: for a write to Redis, that
 * its reply has arrived (Redis has read every byte of it, so the socket is done with it).
 *
 * @param bytes - any view of the allocation.
 */
export function giveBack(bytes: Uint8Array): void {
  const allocation = bytes.buffer;
  if (!(allocation instanceof ArrayBuffer) || !lent.delete(allocation)) return;
  if (freeBytes + allocation.byteLength > MAX_FREE_BYTES) return;
  const sizeClass = classOf(allocation.byteLength);
  let list = free[sizeClass];
  if (list === undefined) {
    list = [];
    free[sizeClass] = list;
  }
  list.push(allocation);
  freeBytes += allocation.byteLength;
}
