import { describe, expect, it } from 'vitest';
import { runPromotionFixture } from './helpers.js';

// Issue 13: at 2 workers × 64 calls in flight, the IPC clients promoted nearly every call's
// objects to V8's old generation, spent a tenth of their time in young collections and ran
// at 0.75× the hand-batched baseline. A long-lived Map or Set that gains and loses an entry
// per call rebuilds its hash table every few dozen calls, and V8 links each discarded table
// to the next: once one discarded table is in the old generation, every young collection
// keeps the whole chain alive, with every value the tables pointed at. The pending-call
// table is now a ring (IdTable), and the msgpack codec tracks a value's ancestors in an
// array. Each fixture forces young collections only, between windows of calls far longer
// than any call lives, so a settled call is promoted only if something dead holds it.

describe('young-generation retention of the per-call paths (issue 13)', () => {
  it('PendingCalls: a settled call and its value are not promoted', async () => {
    const { promotedPerCall } = await runPromotionFixture<{ promotedPerCall: number }>(
      'pending-calls-promotion',
    );
    // About 0.1 bytes per call now; with a Map of calls, over 400.
    expect(promotedPerCall).toBeLessThan(10);
  });

  it('CallQueue: a call taken from a queue that never runs empty is not kept alive', async () => {
    const { promotedPerCall } = await runPromotionFixture<{ promotedPerCall: number }>(
      'call-queue-promotion',
    );
    // About 45 bytes per call now (the queue's own array, which lives long); about 460 when
    // the taken slots kept their calls until the consumed prefix was cut off.
    expect(promotedPerCall).toBeLessThan(150);
  });

  it('msgpack codec: a value it encoded is not promoted', async () => {
    const { promotedPerCall } = await runPromotionFixture<{ promotedPerCall: number }>(
      'msgpack-encode-promotion',
    );
    // About 0.02 bytes per call now; with a reused Set of ancestors, over 200.
    expect(promotedPerCall).toBeLessThan(10);
  });
});
