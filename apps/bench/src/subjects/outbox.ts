import type { Socket } from 'node:net';

// The smallest outbox buffer; buffers under 4 KiB come from Node's shared pool. Each flush
// used to start a buffer as large as the last one had grown: after the 64 KiB cells, several
// MiB per flush, and one call at a time ran at a fifth of raw JSON IPC (every flush adding
// megabytes of external memory, which V8 reclaims with full collections).
const MIN_OUTBOX_BYTES = 1024;

/**
 * Bytes laid end to end into one buffer that grows by doubling, then sent in one write. The
 * next buffer is sized like the last flush: small for one call at a time, large for batches.
 */
export class Outbox {
  #buffer = Buffer.allocUnsafe(MIN_OUTBOX_BYTES);
  #length = 0;

  /** Bytes laid so far, not flushed yet. */
  get length(): number {
    return this.#length;
  }

  #reserve(bytes: number): void {
    if (this.#length + bytes <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.#length + bytes));
    this.#buffer.copy(grown, 0, 0, this.#length);
    this.#buffer = grown;
  }

  /** Lays a little-endian u32. */
  u32(value: number): void {
    this.#reserve(4);
    this.#buffer.writeUInt32LE(value, this.#length);
    this.#length += 4;
  }

  /** Lays the first `length` bytes of `source`. */
  bytes(source: Buffer, length = source.length): void {
    this.#reserve(length);
    source.copy(this.#buffer, this.#length, 0, length);
    this.#length += length;
  }

  /** A key as UTF-8, written in place (callers reserve by its UTF-16 length x 3 at most). */
  utf8(text: string): number {
    this.#reserve(text.length * 3);
    const written = this.#buffer.write(text, this.#length, 'utf8');
    this.#length += written;
    return written;
  }

  /** Patches a u32 written earlier. */
  patch(at: number, value: number): void {
    this.#buffer.writeUInt32LE(value, at);
  }

  /** How many bytes the current buffer holds before it grows (for tests). */
  get capacity(): number {
    return this.#buffer.length;
  }

  /** Hands the bytes to the socket and starts a new buffer (the socket may still hold it). */
  flush(socket: Pick<Socket, 'write'>): void {
    if (this.#length === 0) return;
    const data = this.#buffer.subarray(0, this.#length);
    this.#buffer = Buffer.allocUnsafe(Math.max(MIN_OUTBOX_BYTES, this.#length));
    this.#length = 0;
    socket.write(data);
  }
}
