/**
 * The pool of large allocations the store's writes reuse once Redis has answered them
 * (`allocation-pool.ts`). Each test uses its own size class: the pool is the module's.
 */
import { describe, expect, it } from 'vitest';
import { giveBack, takeAllocation } from '../src/allocation-pool.js';

describe('takeAllocation() / giveBack()', () => {
  it('hands out at least the bytes asked for, in a power-of-two allocation from 4 KiB to 2 MiB', () => {
    for (const bytes of [4096, 4097, 65_536 + 300, 2 * 1024 * 1024]) {
      const buffer = takeAllocation(bytes);
      expect(buffer.length).toBe(bytes);
      expect(buffer.byteOffset).toBe(0);
      const capacity = buffer.buffer.byteLength;
      expect(capacity).toBeGreaterThanOrEqual(bytes);
      expect(capacity).toBeLessThan(bytes * 2);
      expect(Math.log2(capacity) % 1).toBe(0);
    }
    // Outside that range: a plain Buffer, never taken back.
    expect(takeAllocation(100)).toHaveLength(100);
    expect(takeAllocation(3 * 1024 * 1024)).toHaveLength(3 * 1024 * 1024);
  });

  it('reuses an allocation given back, bytes and all, for any view of it', () => {
    const first = takeAllocation(5000);
    first.fill(7);
    giveBack(first.subarray(100, 200));
    const second = takeAllocation(6000);
    expect(second.buffer).toBe(first.buffer);
    expect(second[4999]).toBe(7);
  });

  it('takes an allocation back once: a second giveBack() of it changes nothing', () => {
    const lent = takeAllocation(20_000);
    giveBack(lent);
    giveBack(lent);
    const a = takeAllocation(20_000);
    const b = takeAllocation(20_000);
    expect(a.buffer).toBe(lent.buffer);
    expect(b.buffer).not.toBe(lent.buffer);
  });

  it('ignores memory it did not hand out', () => {
    const foreign = Buffer.allocUnsafeSlow(40_000);
    giveBack(foreign);
    // A small Buffer is a slice of Node's shared pool: never handed out again.
    const shared = Buffer.from('shared');
    giveBack(shared);
    const taken = takeAllocation(40_000);
    expect(taken.buffer).not.toBe(foreign.buffer);
    expect(takeAllocation(8000).buffer).not.toBe(shared.buffer);
    giveBack(new Uint8Array(new SharedArrayBuffer(40_000)));
    expect(takeAllocation(40_000).buffer).toBeInstanceOf(ArrayBuffer);
  });

  it('keeps at most 16 MiB unused', () => {
    const size = 2 * 1024 * 1024;
    const lent = Array.from({ length: 10 }, () => takeAllocation(size));
    for (const buffer of lent) giveBack(buffer);
    const again = Array.from({ length: 10 }, () => takeAllocation(size));
    const reused = again.filter((buffer) => lent.some((old) => old.buffer === buffer.buffer));
    expect(reused).toHaveLength(8);
  });
});
