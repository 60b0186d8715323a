import { describe, expect, it } from 'vitest';
import { Outbox } from '../src/subjects/outbox.js';

function sink() {
  const written: Buffer[] = [];
  return { written, write: (data: Buffer) => written.push(Buffer.from(data)) > 0 };
}

describe('raw-socket Outbox', () => {
  it('sends what was laid, in order, in one write per flush', () => {
    const out = new Outbox();
    const socket = sink();
    out.u32(7);
    out.bytes(Buffer.from('abc'));
    expect(out.utf8('é')).toBe(2);
    out.patch(0, 9);
    out.flush(socket);
    expect(out.length).toBe(0);
    out.flush(socket);
    expect(socket.written).toEqual([Buffer.from([9, 0, 0, 0, 0x61, 0x62, 0x63, 0xc3, 0xa9])]);
  });

  it('after a large flush, small flushes go back to a small buffer (one call at a time was 5x slower)', () => {
    const out = new Outbox();
    const socket = sink();
    out.bytes(Buffer.alloc(4 * 1024 * 1024));
    out.flush(socket);
    // The next buffer is sized like the last flush: a batch of the same size needs no growing.
    expect(out.capacity).toBe(4 * 1024 * 1024);
    out.u32(1);
    out.flush(socket);
    expect(out.capacity).toBeLessThanOrEqual(4096);
    out.u32(2);
    out.flush(socket);
    expect(out.capacity).toBeLessThanOrEqual(4096);
    expect(socket.written.map((b) => b.length)).toEqual([4 * 1024 * 1024, 4, 4]);
  });
});
