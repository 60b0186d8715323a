import { createMemoryStore } from '@statewire/core';
import { describe, it } from 'vitest';
import { makeStore } from '../src/factory.js';

describe('makeStore()', () => {
  it('names what a factory returned when it is not a store, instead of failing later inside the suite', async ({
    expect,
  }) => {
    // Each used to fail every test with "Reflect.ownKeys called on non-object" (or, for
    // {}, to pass "capabilities is frozen").
    const cases: [unknown, RegExp][] = [
      [undefined, /returned undefined, not a Store/],
      [null, /returned null, not a Store/],
      [5, /returned a number, not a Store/],
      [{}, /returned an object without get, set, close, not a Store/],
      [{ get() {}, set() {}, close() {} }, /an object without capabilities/],
    ];
    for (const [made, message] of cases) {
      await expect(makeStore(() => made as never, 'ns', 1000)).rejects.toThrow(message);
      await expect(makeStore(async () => made as never, 'ns', 1000)).rejects.toThrow(TypeError);
    }
    const store = await makeStore(({ namespace }) => createMemoryStore({ namespace }), 'ns', 1000);
    expect(typeof store.get).toBe('function');
    await store.close();
  });
});
