import { Command } from 'ioredis';
import { claimRoom, widen } from './buffer-room.js';
import type { Callback } from './redis-call.js';

/**
 * Spare bytes a value should have in front of it (after the version header) to be sent as
 * a {@link setFrame}: the `SET` command's framing and the key, for keys up to about 220
 * bytes (a longer key is sent the ordinary way).
 */
export const SET_FRAME_BEFORE = 256;

/**
 * Spare bytes a value should have behind it to be sent as a {@link setFrame}: its CRLF, and
 * the `PX` argument of a ttl.
 */
export const SET_FRAME_AFTER = 32;

/**
 * The whole `SET key value` command in RESP (`SET key value PX ttl` for a ttl), written
 * around `stored` in the room of its own allocation, or `undefined` when `stored` has no
 * room left or too little for `key`.
 *
 * ioredis copies every command that has a Buffer argument into one new Buffer before
 * writing it; for a 64 KiB value that copy and its allocation cost about as much as
 * encoding the value. A frame is written as it is (see {@link FramedCommand}).
 *
 * @param key - the Redis key.
 * @param stored - the stored bytes of the write (version header and payload).
 * @param ttl - milliseconds the value lives; 0 for no ttl.
 */
export function setFrame(key: string, stored: Buffer, ttl: number): Buffer | undefined {
  const room = claimRoom(stored);
  if (room === undefined) return undefined;
  const keyBytes = Buffer.byteLength(key, 'utf8');
  // Byte for byte what ioredis writes for `call('set', key, stored)`, or with 'PX', ttl.
  const head = `*${ttl > 0 ? 5 : 3}\r\n$3\r\nset\r\n$${keyBytes}\r\n${key}\r\n$${stored.length}\r\n`;
  const ttlText = String(ttl);
  const tail = ttl > 0 ? `\r\n$2\r\nPX\r\n$${ttlText.length}\r\n${ttlText}\r\n` : '\r\n';
  const headBytes = head.length - key.length + keyBytes;
  if (headBytes > room.before || tail.length > room.after) return undefined;
  const frame = widen(stored, headBytes, tail.length);
  frame.write(head, 0, headBytes, 'utf8');
  frame.write(tail, frame.length - tail.length, tail.length, 'latin1');
  return frame;
}

/**
 * An ioredis command whose bytes on the wire are given ready-made (a {@link setFrame}):
 * ioredis queues it, matches its reply and settles it like any other command, and writes
 * the frame without copying it. Its `args` stay the command's real arguments, for ioredis's
 * own bookkeeping. Only for clients without a `keyPrefix` (the store refuses those) and
 * without auto-pipelining (which would queue other commands ahead of it).
 */
export class FramedCommand extends Command {
  readonly #frame: Buffer;

  /**
   * @param name - the command (`set`).
   * @param args - its arguments, as the frame carries them.
   * @param frame - its RESP bytes.
   * @param callback - called with the reply (as text) or the error.
   */
  constructor(name: string, args: (string | Buffer)[], frame: Buffer, callback: Callback<unknown>) {
    super(name, args, { replyEncoding: 'utf8' }, callback);
    this.#frame = frame;
  }

  override toWritable(): Buffer {
    return this.#frame;
  }
}
