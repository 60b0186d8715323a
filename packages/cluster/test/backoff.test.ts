import { describe, it } from 'vitest';
import { backoffDelay } from '../src/index.js';

const exact = { jitter: 0 };

describe('backoffDelay()', () => {
  it('backoffDelay() of attempt 0 is initialMs', ({ expect }) => {
    expect(backoffDelay(0, { initialMs: 250, jitter: 0 })).toBe(250);
  });

  it('backoffDelay() uses the documented defaults', ({ expect }) => {
    const middle = () => 0.5;
    expect(backoffDelay(0, {}, middle)).toBe(100);
    expect(backoffDelay(1, {}, middle)).toBe(200);
    expect(backoffDelay(20, {}, middle)).toBe(10_000);
    // jitter defaults to 0.2: the extremes of random() give ±20 %.
    expect(backoffDelay(0, {}, () => 0)).toBe(80);
    expect(backoffDelay(0, {}, () => 0.999_999)).toBe(120);
  });

  it('backoffDelay() grows by factor per attempt', ({ expect }) => {
    const delays = [0, 1, 2, 3, 4].map((attempt) => backoffDelay(attempt, { ...exact, factor: 3 }));
    expect(delays).toEqual([100, 300, 900, 2700, 8100]);
  });

  it('backoffDelay() is capped at maxMs, jitter included', ({ expect }) => {
    expect(backoffDelay(5, { ...exact, maxMs: 1000 })).toBe(1000);
    expect(backoffDelay(5, { maxMs: 1000, jitter: 0.5 }, () => 0.999)).toBe(1000);
    expect(backoffDelay(5, { maxMs: 1000, jitter: 0.5 }, () => 0)).toBe(500);
    // factor ** attempt overflows to Infinity long before attempts run out.
    expect(backoffDelay(100_000, { ...exact, maxMs: 1000 })).toBe(1000);
  });

  it('backoffDelay() keeps a zero initial delay at zero', ({ expect }) => {
    expect(backoffDelay(100_000, { initialMs: 0 })).toBe(0);
  });

  it('backoffDelay() spreads within ±jitter of the exponential value', ({ expect }) => {
    const seen = new Set<number>();
    for (let i = 0; i < 200; i += 1) {
      const delay = backoffDelay(2, { initialMs: 1000, maxMs: 100_000, jitter: 0.1 });
      expect(delay).toBeGreaterThanOrEqual(3600);
      expect(delay).toBeLessThanOrEqual(4400);
      seen.add(delay);
    }
    expect(seen.size).toBeGreaterThan(1);
  });

  it('backoffDelay() rejects malformed input with a TypeError', ({ expect }) => {
    expect(() => backoffDelay(-1)).toThrow(TypeError);
    expect(() => backoffDelay(1.5)).toThrow(TypeError);
    expect(() => backoffDelay(0, { initialMs: -1 })).toThrow(TypeError);
    expect(() => backoffDelay(0, { initialMs: 200, maxMs: 100 })).toThrow(TypeError);
    expect(() => backoffDelay(0, { maxMs: 2 ** 31 })).toThrow(TypeError);
    expect(() => backoffDelay(0, { factor: 0.5 })).toThrow(TypeError);
    expect(() => backoffDelay(0, { jitter: 1.5 })).toThrow(TypeError);
    expect(() => backoffDelay(0, { jitter: Number.NaN })).toThrow(TypeError);
  });
});
