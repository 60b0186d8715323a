import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { sampleMemory, settledSample } from '../src/messages.js';

const MiB = 1024 * 1024;

/** A real full collection, as `--expose-gc` gives the memory runs' processes. */
function fullGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Allocates about 40 MiB of objects, keeps them long enough to be promoted, drops them. */
function makeGarbage(): void {
  let kept: { key: string; value: number[] }[] | undefined = [];
  for (let i = 0; i < 200_000; i++) kept.push({ key: `ttl:0:${i}`, value: [i, i + 1, i + 2] });
  expect(kept.length).toBe(200_000);
  kept = undefined;
}

// Issue 13: memory_rss_end_vs_warm compared two samples taken at arbitrary points of V8's
// sawtooth, so garbage not yet collected decided the ratio (1.00 or 1.22 for the same code).
// The warm and end samples are now taken after full collections.
describe('settledSample()', () => {
  it('settledSample() leaves out garbage that a sample taken at once still counts', async () => {
    const gc = fullGc();
    gc();
    makeGarbage();
    const atOnce = sampleMemory();
    const settled = await settledSample(gc, 0);
    expect(atOnce.heapUsed - settled.heapUsed).toBeGreaterThan(10 * MiB);
  });

  it('settledSample() still samples where no collection is exposed', async () => {
    const sample = await settledSample(undefined, 0);
    expect(sample.rss).toBeGreaterThan(0);
    expect(sample.heapUsed).toBeGreaterThan(0);
    expect(sample.heapTotal).toBeGreaterThanOrEqual(sample.heapUsed);
  });
});
