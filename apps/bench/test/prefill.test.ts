import { StateError } from '@statewire/core';
import { describe, expect, it } from 'vitest';
import { prefill } from '../src/load.js';
import { SMALL_MIX } from '../src/scenarios.js';
import type { BenchClient } from '../src/subjects/subject.js';

/** A client of the bench's own interface whose sets fail with `error`. */
function refusing(error: Error): BenchClient {
  return {
    get: () => Promise.resolve(undefined),
    set: () => Promise.reject(error),
    increment: () => Promise.resolve(1),
    close: () => Promise.resolve(),
  };
}

// Issue 13: a Redis server that had died made every cell "n/a — set is refused", as if the
// subject could not carry the value; only a refusal of the value itself is n/a.
describe('prefill()', () => {
  it('prefill() fails the cell with its cause when the set fails for another reason', async () => {
    const problem = await prefill(
      refusing(new StateError('UNAVAILABLE', 'redis: could not connect')),
      SMALL_MIX,
    );
    expect(problem?.status).toBe('failed');
    expect(problem?.reason).toContain('UNAVAILABLE');
  });

  it('prefill() says n/a when the value itself is refused', async () => {
    const problem = await prefill(refusing(new StateError('INVALID_VALUE', 'no')), SMALL_MIX);
    expect(problem?.status).toBe('na');
  });

  it('prefill() says n/a when the value reads back changed', async () => {
    const client: BenchClient = {
      get: () => Promise.resolve({ changed: true }),
      set: () => Promise.resolve(),
      increment: () => Promise.resolve(1),
      close: () => Promise.resolve(),
    };
    expect((await prefill(client, SMALL_MIX))?.status).toBe('na');
  });
});
