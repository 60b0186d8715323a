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

  it('rejects timers longer than Node takes, options that are not a plain object, and an empty largeValueBytes', ({
    expect,
  }) => {
    // Each was accepted: a settleTimeout of 2^31 made Node fire its timers at once, so a
    // correct store failed half the suite; a Map's entries were ignored; [] turned the
    // large-value tests off.
    for (const name of ['timeout', 'settleTimeout', 'ttl', 'expiryTimeout']) {
      expect(() => resolveOptions({ [name]: 2 ** 31 }), name).toThrow(/at most 2147483647/);
      expect(resolveOptions({ [name]: 2 ** 31 - 1 })[name as 'ttl']).toBe(2 ** 31 - 1);
    }
    expect(() => resolveOptions(new Map([['ttl', 5]]) as never)).toThrow(/plain object/);
    expect(() => resolveOptions({ largeValueBytes: [] })).toThrow(/non-empty/);
    expect(resolveOptions(Object.assign(Object.create(null), { ttl: 7 })).ttl).toBe(7);
  });
});
