import { describe, expect, it } from 'vitest';
import { createMemoryStore, jsonCodec, MAX_VALUE_DEPTH, type ValueCodec } from '../src/index.js';
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

  it('msgpack: 1000 nested Maps round-trip, one more is INVALID_VALUE', async () => {
    const store = createMemoryStore({ codec: msgpackCodec });
    const wrap = (inner: unknown) => new Map([['m', inner]]);
    const deepest = nested(MAX_VALUE_DEPTH, wrap);
    await store.set('deep', deepest);
    expect(await store.get('deep')).toEqual(deepest);
    await expect(store.set('deeper', nested(MAX_VALUE_DEPTH + 1, wrap))).rejects.toMatchObject({
      code: 'INVALID_VALUE',
    });
    await store.close();
  });

  // msgpackr writes a Set as an extension around an array: 1000 nested Sets overflowed a
  // main thread's stack (RangeError at ~700), while a worker thread wrote them.
  it('msgpack: a Set counts as two levels, so 500 nested Sets round-trip and 501 are INVALID_VALUE naming the rule', async () => {
    const store = createMemoryStore({ codec: msgpackCodec });
    const wrap = (inner: unknown) => new Set([inner]);
    const deepest = nested(MAX_VALUE_DEPTH / 2, wrap);
    await store.set('deep', deepest);
    expect(await store.get('deep')).toEqual(deepest);
    await expect(store.set('deeper', nested(MAX_VALUE_DEPTH / 2 + 1, wrap))).rejects.toMatchObject({
      code: 'INVALID_VALUE',
      message: expect.stringContaining(
        `nested deeper than ${MAX_VALUE_DEPTH} levels (a Set counts as two)`,
      ),
    });
    const mixed = (arrays: number) => new Set([nested(arrays, (inner) => [inner])]);
    await store.set('mixed', mixed(MAX_VALUE_DEPTH - 2));
    await expect(store.set('mixed', mixed(MAX_VALUE_DEPTH - 1))).rejects.toMatchObject({
      code: 'INVALID_VALUE',
    });
    await store.close();
  });

  // The limit leaves room below it: a store called from deep in an application's stack still
  // writes the deepest values allowed (objects take the most stack per level in msgpackr).
  it('the deepest values allowed are written from a call 1000 frames deep', async () => {
    const deepCall = (frames: number, f: () => unknown): unknown =>
      frames === 0 ? f() : deepCall(frames - 1, f);
    const both = [jsonCodec, msgpackCodec];
    const cases: [string, ValueCodec[], unknown][] = [
      ['objects', both, nested(MAX_VALUE_DEPTH, (inner) => ({ a: inner }))],
      ['arrays', both, nested(MAX_VALUE_DEPTH, (inner) => [inner])],
      ['Maps', [msgpackCodec], nested(MAX_VALUE_DEPTH, (inner) => new Map([['m', inner]]))],
      ['Sets', [msgpackCodec], nested(MAX_VALUE_DEPTH / 2, (inner) => new Set([inner]))],
    ];
    for (const [shape, codecs, value] of cases) {
      for (const codec of codecs) {
        expect(
          () => deepCall(1000, () => codec.encode(value)),
          `${codec.name}: ${shape}`,
        ).not.toThrow();
      }
    }
  });

  it('a cycle is still reported as a cycle', async () => {
    const cyclic: unknown[] = [];
    let inner: unknown[] = cyclic;
    for (let i = 0; i < 40; i++) inner = [inner];
    cyclic.push(inner);
    expect(() => jsonCodec.encode(cyclic)).toThrow(/cyclic/);
    expect(() => msgpackCodec.encode(cyclic)).toThrow(/cyclic/);
  });
});
