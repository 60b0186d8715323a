import { describe, expect, it } from 'vitest';
import { createMemoryStore, jsonCodec, MAX_VALUE_DEPTH } from '../src/index.js';
import { msgpackCodec } from '../src/msgpack.js';

const nested = (levels: number, make: (inner: unknown) => unknown): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = make(value);
  return value;
};

// How deep the encoders could go depends on the stack of the thread that calls them; a fixed
// limit makes a value written anywhere one that any process or thread can write back.
describe('MAX_VALUE_DEPTH: the same nesting limit for every codec, in every thread', () => {
  for (const [name, codec] of [
    ['json', jsonCodec],
    ['msgpack', msgpackCodec],
  ] as const) {
    for (const [shape, make] of [
      ['arrays', (inner: unknown) => [inner]],
      ['objects', (inner: unknown) => ({ a: inner })],
    ] as const) {
      it(`${name}: ${MAX_VALUE_DEPTH} nested ${shape} round-trip, one more is INVALID_VALUE naming the limit`, async () => {
        const store = createMemoryStore({ codec });
        const deepest = nested(MAX_VALUE_DEPTH, make);
        await store.set('deep', deepest);
        expect(await store.get('deep')).toEqual(deepest);
        await expect(store.set('deeper', nested(MAX_VALUE_DEPTH + 1, make))).rejects.toMatchObject({
          code: 'INVALID_VALUE',
          message: expect.stringContaining(`nested deeper than ${MAX_VALUE_DEPTH} levels`),
        });
        expect(await store.has('deeper')).toBe(false);
        await store.close();
      });
    }
  }

  it('a cycle is still reported as a cycle', async () => {
    const cyclic: unknown[] = [];
    let inner: unknown[] = cyclic;
    for (let i = 0; i < 40; i++) inner = [inner];
    cyclic.push(inner);
    expect(() => jsonCodec.encode(cyclic)).toThrow(/cyclic/);
    expect(() => msgpackCodec.encode(cyclic)).toThrow(/cyclic/);
  });
});
