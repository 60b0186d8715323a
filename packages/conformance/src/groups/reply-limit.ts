import { describe } from 'vitest';
import type { ConformanceGroup } from '../factory.js';
import { createHarness } from '../harness.js';
import { resolveOptions } from '../options.js';

const MiB = 1024 * 1024;
const REPLY_BOUND_MS = 90_000;

/**
 * Bounded work per call (issue 12 items 10 and 11): the store declares its batch and reply
 * limits; a batch over `maxBatchKeys` is `TOO_LARGE` before it is sent; a call whose answer
 * would be over `maxReplyBytes` is `TOO_LARGE` (a read: no `maybeApplied`) and the store
 * keeps working.
 */
export const describeReplyLimit: ConformanceGroup = (factory, expectedCapabilities, options) => {
  const resolved = resolveOptions(options);
  describe('reply and batch limits', () => {
    const { test } = createHarness(factory, expectedCapabilities, resolved);

    test('a batch over maxBatchKeys rejects TOO_LARGE, reads and writes alike; a full batch is served', async (kit) => {
      const s = await kit.store();
      const { maxBatchKeys } = s.capabilities;
      const over = Array.from({ length: maxBatchKeys + 1 }, () => 'k');
      await kit.rejects('getMany() of maxBatchKeys + 1 keys', () => s.getMany(over), 'TOO_LARGE');
      const error = await kit.rejects(
        'deleteMany() of maxBatchKeys + 1 keys',
        () => s.deleteMany(over),
        'TOO_LARGE',
      );
      kit.expect((error as { maybeApplied?: unknown }).maybeApplied).toBe(false);
      const full = Array.from({ length: Math.min(maxBatchKeys, 1000) }, (_, i) => `k${i}`);
      kit.expect(await s.getMany(full)).toHaveLength(full.length);
    });

    test('getMany() whose answer would be over maxReplyBytes rejects TOO_LARGE without maybeApplied; the store keeps working', async (kit) => {
      // The big answer gets a long call timeout below, and its bound must outlast it.
      const s = await kit.store(kit.namespace, { settleTimeout: REPLY_BOUND_MS });
      const { maxReplyBytes, maxValueBytes, maxBatchKeys } = s.capabilities;
      // A text value of at most 4 MiB asked for again and again: a small request whose
      // answer is just over the limit.
      const size = Math.max(1, Math.min(4 * MiB, maxValueBytes - 64));
      const times = Math.floor(maxReplyBytes / size) + 2;
      kit.expect(times, 'the limits allow the test').toBeLessThanOrEqual(maxBatchKeys);
      await s.set('big', 'x'.repeat(size));
      const keys = Array.from({ length: times }, () => 'big');
      // A store whose server answers in full (and only then finds the answer too large)
      // moves all of it first: a long timeout, so that a loaded machine does not turn the
      // answer into a TIMEOUT.
      const what = `getMany() of ${times} copies of a ${size}-character value`;
      const outcome = await kit.attempt(
        what,
        () => s.getMany(keys, { timeout: 60_000 }),
        REPLY_BOUND_MS,
      );
      kit.expect(outcome.kind, what).toBe('rejected');
      const error = outcome.kind === 'rejected' ? (outcome.error as { code?: unknown }) : {};
      kit.expect(error.code, what).toBe('TOO_LARGE');
      kit.expect('maybeApplied' in (error as object), 'a read carries no maybeApplied').toBe(false);
      kit.expect(await s.get('big')).toHaveLength(size);
      await s.set('small', 1);
      kit.expect(await s.getMany(['small', 'big'])).toHaveLength(2);
    }, 120_000);
  });
};
