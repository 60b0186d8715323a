import { StateError } from '@statewire/core';
import { describe, expect, it } from 'vitest';
import { MemorySession } from '../src/load.js';
import { TTL_WRITES } from '../src/scenarios.js';
import type { BenchClient } from '../src/subjects/subject.js';

/** A client of the bench's own interface that records the keys of its TTL writes. */
function recording(keys: string[], failEvery = 0): BenchClient {
  return {
    get: () => Promise.resolve(undefined),
    set: () => Promise.resolve(),
    increment: () => Promise.resolve(1),
    setWithTtl: (key) => {
      keys.push(key);
      return failEvery > 0 && keys.length % failEvery === 0
        ? Promise.reject(new StateError('TIMEOUT', 'no answer'))
        : Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}

// Issue 13: the memory run is now driven in steps (warm-up, settle, measured calls, settle),
// so its calls are split over two requests; the TTL run must still write a new key on every
// call of both, or the holder would be overwriting keys instead of reclaiming expired ones.
describe('MemorySession', () => {
  it('MemorySession numbers its calls on from the warm-up to the measured calls', async () => {
    const keys: string[] = [];
    const session = new MemorySession(recording(keys), TTL_WRITES);
    await session.warmUp(500);
    expect(session.issued).toBe(500);
    const memory = await session.measure(1500, 100);
    expect(memory.calls).toBe(1500);
    expect(keys).toHaveLength(2000);
    expect(new Set(keys).size).toBe(2000);
    expect(memory.peak.rss).toBeGreaterThan(0);
  });

  it('MemorySession reports the failed calls of both steps', async () => {
    const keys: string[] = [];
    const session = new MemorySession(recording(keys, 100), TTL_WRITES);
    await session.warmUp(500);
    const memory = await session.measure(500, 100);
    expect(memory.errors).toBe(10);
    expect(memory.firstError).toContain('TIMEOUT');
  });
});
