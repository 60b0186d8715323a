import { describe, it } from 'vitest';
import { resolveOptions } from '../src/options.js';

describe('conformance options', () => {
  it('defaults every option, and keeps those given', ({ expect }) => {
    expect(resolveOptions()).toMatchObject({ timeout: 30_000, settleTimeout: 10_000, ttl: 100 });
    expect(resolveOptions({ ttl: 250 }).ttl).toBe(250);
  });

  it('rejects with a TypeError options that are not an object, unknown names and malformed values', ({
    expect,
  }) => {
    // The first three were accepted (a typo silently left its option at the default), and
    // null failed inside the code that reads it.
    for (const options of [5, 'x', null, { settleTimout: 1 }, { timeout: 0 }, { modelRuns: 1.5 }]) {
      expect(() => resolveOptions(options as never), JSON.stringify(options)).toThrow(TypeError);
    }
    expect(() => resolveOptions({ settleTimout: 1 } as never)).toThrow(/settleTimout/);
  });
});
