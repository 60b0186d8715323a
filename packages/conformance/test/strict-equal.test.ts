import { describe, it } from 'vitest';
import { strictDiff, strictEqual, valueMatrix } from '../src/index.js';

function cyclic(): Record<string, unknown> {
  const o: Record<string, unknown> = { a: 1 };
  o.self = o;
  return o;
}

function sparse(): unknown[] {
  const array: unknown[] = new Array(3);
  array[0] = 1;
  array[2] = 3;
  return array;
}

describe('strictDiff()', () => {
  const equal: [string, () => unknown][] = [
    ['NaN', () => Number.NaN],
    ['nested plain values', () => ({ a: [1, 'x', null, { b: true }] })],
    ['a Buffer', () => Buffer.from('abc')],
    [
      'a Map in order',
      () =>
        new Map([
          ['a', 1],
          ['b', 2],
        ]),
    ],
    ['a Date', () => new Date(5)],
    ['an invalid Date', () => new Date(Number.NaN)],
    ['a BigInt', () => 2n ** 70n],
    ['a cyclic object', cyclic],
    ['an own __proto__ property', () => JSON.parse('{"__proto__":{"x":1}}')],
  ];
  for (const [name, make] of equal) {
    it(`strictDiff() finds no difference between two copies of ${name}`, ({ expect }) => {
      expect(strictDiff(make(), make())).toBeUndefined();
      expect(strictEqual(make(), make())).toBe(true);
    });
  }

  const different: [string, unknown, unknown][] = [
    ['-0 and 0', -0, 0],
    ['a Buffer and a Uint8Array', Buffer.from([1]), new Uint8Array([1])],
    ['a Buffer and its toJSON() form', Buffer.from([1]), { type: 'Buffer', data: [1] }],
    ['a Date and its ISO string', new Date(0), new Date(0).toISOString()],
    ['a class instance and a plain object', new (class P {})(), {}],
    ['a hole and an undefined element', sparse(), [1, undefined, 3]],
    ['a missing and an undefined property', {}, { a: undefined }],
    [
      'Map entries in another order',
      new Map([
        ['a', 1],
        ['b', 2],
      ]),
      new Map([
        ['b', 2],
        ['a', 1],
      ]),
    ],
    ['Set items in another order', new Set([1, 2]), new Set([2, 1])],
    ['a Map and a plain object', new Map([['a', 1]]), { a: 1 }],
    ['a BigInt and a number', 1n, 1],
    ['different bytes', Buffer.from([1, 2]), Buffer.from([1, 3])],
    [
      'an own __proto__ property and a prototype',
      JSON.parse('{"__proto__":{"x":1}}'),
      Object.create({ x: 1 }),
    ],
    [
      'an arguments object and a plain object',
      (function (..._a: unknown[]) {
        // biome-ignore lint/complexity/noArguments: the arguments object is the value under test
        return arguments;
      })(1),
      { 0: 1 },
    ],
    ['a cycle and a finite copy', cyclic(), { a: 1, self: { a: 1, self: null } }],
    ['an extra array property', Object.assign([1], { x: 1 }), [1]],
  ];
  for (const [name, a, b] of different) {
    it(`strictDiff() tells apart ${name}`, ({ expect }) => {
      expect(strictDiff(a, b)).toEqual(expect.any(String));
      expect(strictDiff(b, a)).toEqual(expect.any(String));
    });
  }

  it('strictDiff() names the path of the first difference', ({ expect }) => {
    expect(strictDiff({ a: [1, { b: -0 }] }, { a: [1, { b: 0 }] })).toBe(
      'value.a[1].b: expected -0, got 0',
    );
  });
});

describe('valueMatrix()', () => {
  it('valueMatrix() cases build values equal to each other and have unique names', ({ expect }) => {
    const cases = valueMatrix();
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    for (const c of cases) expect(strictDiff(c.make(), c.make()), c.name).toBeUndefined();
  });
});
