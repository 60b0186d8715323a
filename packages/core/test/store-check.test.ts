import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../src/index.js';
import { whyNotAStore } from '../src/transport.js';

describe('whyNotAStore()', () => {
  it('is undefined for a store', async () => {
    const store = createMemoryStore();
    expect(whyNotAStore(store)).toBeUndefined();
    await store.close();
  });

  it('names what it was given instead of a store', () => {
    expect(whyNotAStore(undefined)).toBe('undefined');
    expect(whyNotAStore(null)).toBe('null');
    expect(whyNotAStore('redis://x')).toBe('a string');
    expect(whyNotAStore(Promise.resolve(createMemoryStore()))).toMatch(/^a promise/);
    // A Map, a Keyv, an ioredis client: get and set, but no close, and no capabilities.
    expect(whyNotAStore(new Map())).toBe('an object without close');
    expect(whyNotAStore({ get() {}, set() {}, quit() {} })).toBe('an object without close');
    expect(whyNotAStore({ get() {}, set() {}, close() {} })).toBe('an object without capabilities');
  });
});
