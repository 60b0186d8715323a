import type { Socket } from 'node:net';
import {
  type FrameLayout,
  FRAME_LENGTH_BYTES as HEADER_BYTES,
  packLengthPrefixedFrame,
  unpackFrame,
} from '@statewire/core/msgpack';
import type { Link, LinkHandlers } from '@statewire/core/transport';

/**
 * Splits a byte stream into length-prefixed frames (a 4-byte big-endian length, then that
 * many bytes), refusing any frame longer than `maxFrameBytes` before buffering it.
 */
export class FrameReader {
  readonly #maxFrameBytes: number;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #expected = -1;

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  /**
   * Adds bytes and returns the frames now complete.
   * @throws RangeError when a frame announces more than `maxFrameBytes`
   */
  push(chunk: Buffer): Buffer[] {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.#expected < 0) {
        if (this.#buffered < HEADER_BYTES) break;
        const length = this.#take(HEADER_BYTES).readUInt32BE(0);
        if (length > this.#maxFrameBytes)
          throw new RangeError(
            `frame of ${length} bytes is over the ${this.#maxFrameBytes}-byte limit`,
          );
        this.#expected = length;
      }
      if (this.#buffered < this.#expected) break;
      frames.push(this.#take(this.#expected));
      this.#expected = -1;
    }
    return frames;
  }

  #take(bytes: number): Buffer {
    const head = this.#chunks[0] as Buffer;
    let out: Buffer;
    if (head.length >= bytes) {
      out = head.subarray(0, bytes);
      if (head.length === bytes) this.#chunks.shift();
      else this.#chunks[0] = head.subarray(bytes);
    } else {
      const joined = Buffer.concat(this.#chunks);
      out = joined.subarray(0, bytes);
      this.#chunks = joined.length === bytes ? [] : [joined.subarray(bytes)];
    }
    this.#buffered -= bytes;
    return out;
  }
}

/**
 * Writes `payload` as one length-prefixed frame (it is copied once, behind the length).
 * Returns what `socket.write` returned.
 */
export function writeFrame(socket: Socket, payload: Uint8Array): boolean {
  const out = Buffer.allocUnsafe(HEADER_BYTES + payload.byteLength);
  out.writeUInt32BE(payload.byteLength, 0);
  out.set(payload, HEADER_BYTES);
  return socket.write(out);
}

/**
 * A {@link Link} over a connected stream socket carrying msgpack frames. A frame over
 * `maxFrameBytes` or bytes that do not unpack end the connection: one flooding or
 * corrupt peer cannot make the other side buffer without bound. Frames of either layout
 * are read; `layout` is the one written, `maps` only when the peer announced it reads them.
 * @default layout 'records'
 */
export function createSocketLink(
  socket: Socket,
  label: string,
  maxFrameBytes: number,
  firstBytes?: Buffer,
  layout: FrameLayout = 'records',
): Link {
  const reader = new FrameReader(maxFrameBytes);
  let handlers: LinkHandlers | undefined;
  let finished = false;
  // Frames read but not yet delivered: while paused, the rest of the last chunk waits here.
  let waiting: Buffer[] = [];
  let next = 0;
  let paused = false;

  const finish = (reason?: unknown) => {
    if (finished) return;
    finished = true;
    waiting = [];
    socket.destroy();
    handlers?.close(reason ?? new Error(`${label}: socket closed`));
  };
  const deliver = () => {
    while (!paused && !finished && next < waiting.length) {
      const frame = waiting[next++] as Buffer;
      let message: unknown;
      try {
        message = unpackFrame(frame);
      } catch (error) {
        finish(error);
        return;
      }
      handlers?.message(message);
    }
    if (next === waiting.length) {
      waiting = [];
      next = 0;
    }
  };
  const onData = (chunk: Buffer) => {
    try {
      for (const frame of reader.push(chunk)) waiting.push(frame);
    } catch (error) {
      finish(error);
      return;
    }
    deliver();
  };

  return {
    label,
    open(linkHandlers) {
      handlers = linkHandlers;
      socket.on('data', onData);
      socket.on('drain', () => handlers?.drain());
      socket.on('close', () => finish());
      // Errors (ECONNRESET, EPIPE) are followed by 'close'; listening keeps them handled.
      socket.on('error', () => {});
      if (firstBytes && firstBytes.length > 0) onData(firstBytes);
      if (socket.destroyed) setImmediate(() => finish());
    },
    send(frame) {
      if (finished || socket.destroyed) return true;
      return socket.write(packLengthPrefixedFrame(frame, layout));
    },
    close() {
      if (finished) return;
      finished = true;
      socket.end();
    },
    // Paused, the link delivers nothing more and the socket stops reading: the peer's
    // writes back up in the kernel and then in its own socket, where its engine sees the
    // congestion. What was already read waits, at most one chunk.
    pause() {
      paused = true;
      socket.pause();
    },
    resume() {
      paused = false;
      socket.resume();
      deliver();
    },
    ref: () => socket.ref(),
    unref: () => socket.unref(),
  };
}
