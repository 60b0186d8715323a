import { describe, expect, it } from 'vitest';
import { createMemoryStore, jsonCodec } from '../src/index.js';
import { rejectsWith, throwsWith } from './helpers.js';

const SECRET = 'Sekr3t-hunter2';

class Point {
  x = 1;
  y = 2;
}

function sparseArray(): unknown[] {
  const array: unknown[] = [];
  array[2] = 'c';
  return array;
}

function deeplyNested(depth: number): unknown {
  let value: unknown = {};
  for (let i = 0; i < depth; i++) value = { v: value };
  return value;
}

function cyclicObject(): unknown {
  const value: Record<string, unknown> = { name: SECRET };
  value.self = value;
  return value;
}

function cyclicArray(): unknown {
  const value: unknown[] = [SECRET];
  value.push([value]);
  return value;
}

// Every value JSON would drop, throw on or change. Each factory builds a fresh value.
const rejected: [string, () => unknown][] = [
  ['a Buffer', () => Buffer.from(SECRET)],
  ['a Uint8Array', () => new Uint8Array([1, 2, 3])],
  ['a Float64Array', () => new Float64Array([1.5])],
  ['an ArrayBuffer', () => new ArrayBuffer(4)],
  ['a DataView', () => new DataView(new ArrayBuffer(4))],
  ['a Date', () => new Date(0)],
  ['an invalid Date', () => new Date(Number.NaN)],
  ['a Map', () => new Map([[SECRET, SECRET]])],
  ['a Set', () => new Set([SECRET])],
  ['a BigInt', () => 12345678901234567890n],
  ['NaN', () => Number.NaN],
  ['Infinity', () => Number.POSITIVE_INFINITY],
  ['-Infinity', () => Number.NEGATIVE_INFINITY],
  ['-0', () => -0],
  ['undefined at top level', () => undefined],
  ['undefined inside an object', () => ({ a: 1, b: undefined })],
  ['undefined inside an array', () => [1, undefined]],
  ['a sparse array', sparseArray],
  ['an array with an extra property', () => Object.assign([1, 2], { extra: SECRET })],
  [
    // As many own keys as its length, so only the hole gives it away.
    'a sparse array with an extra property',
    () => Object.assign(sparseArray(), { extra: 1 }),
  ],
  ['an Array subclass', () => new (class Items extends Array {})()],
  ['a class instance', () => new Point()],
  ['an Error', () => new Error(SECRET)],
  ['a RegExp', () => /x/],
  ['a Promise', () => Promise.resolve(1)],
  ['a null-prototype object', () => Object.assign(Object.create(null), { a: 1 })],
  ['an object with an inherited property', () => Object.create({ inherited: SECRET })],
  ['a boxed number', () => new Number(1)],
  ['a boxed string', () => new String(SECRET)],
  ['a boxed boolean', () => new Boolean(false)],
  ['a boxed BigInt', () => Object(1n)],
  ['a symbol', () => Symbol(SECRET)],
  ['a symbol-keyed property', () => ({ a: 1, [Symbol('s')]: SECRET })],
  ['a function', () => () => SECRET],
  ['a method inside an object', () => ({ f() {} })],
  ['an object with a toJSON method', () => ({ secret: SECRET, toJSON: () => 'replaced' })],
  ['-0 inside an array', () => [0, -0]],
  ['NaN inside an object', () => ({ n: Number.NaN })],
  ['a Date inside an object', () => ({ at: new Date(0) })],
  ['a Buffer deep inside', () => ({ a: [{ b: Buffer.from('x') }] })],
  ['a BigInt inside an array', () => [1n]],
  ['a cyclic object', cyclicObject],
  ['a cyclic array', cyclicArray],
  ['100k-deep nesting', () => deeplyNested(100_000)],
];

// What JSON represents exactly.
const accepted: [string, unknown][] = [
  ['null', null],
  ['false', false],
  ['true', true],
  ['0', 0],
  ['the empty string', ''],
  ['a negative number', -12.5],
  ['MAX_SAFE_INTEGER', Number.MAX_SAFE_INTEGER],
  ['a huge finite number', 1.7976931348623157e308],
  ['the smallest denormal', 5e-324],
  ['2^64', 2 ** 64],
  ['a string with a lone high surrogate', 'a\ud800b'],
  ['a string with a lone low surrogate', '\udc00'],
  ['a string with a reversed pair', '\udc00\ud800'],
  ['emoji, NUL, line separators', '😀\u0000\u2028\u2029\n"\\'],
  ['an empty object', {}],
  ['an empty array', []],
  ['falsy values in containers', { a: [null, false, 0, ''], b: { c: null } }],
  ['nested plain data', { users: [{ name: 'ada', tags: ['x'], age: 36 }], n: 1e21 }],
  ['an object with a non-function toJSON property', { toJSON: 1 }],
  ['prototype-named properties', { constructor: 1, toString: 'x', hasOwnProperty: null }],
  ['integer-like keys', { '1': 'a', '01': 'b', '-1': 'c' }],
  // Past the depth the codec checks in one walk: the replacer's path takes it, same result.
  ['nesting 40 deep', deeplyNested(40)],
  ['an array of arrays 50 deep', JSON.parse(`${'['.repeat(50)}1${']'.repeat(50)}`)],
  [
    'a property defined by a getter',
    Object.defineProperty({ a: 1 }, 'b', { enumerable: true, get: () => 'got' }),
  ],
  [
    'a non-enumerable own property (JSON skips it)',
    Object.defineProperty({ a: 1 }, 'hidden', { enumerable: false, value: undefined }),
  ],
];

describe('jsonCodec', () => {
  it('jsonCodec declares it keeps neither binary nor structured values', () => {
    expect(jsonCodec.name).toBe('json');
    expect(jsonCodec.keeps).toEqual({ binary: false, structured: false });
    expect(Object.isFrozen(jsonCodec)).toBe(true);
  });

  describe.each(rejected)('encode() rejects %s', (_name, make) => {
    it('with INVALID_VALUE', () => {
      throwsWith(() => jsonCodec.encode(make()), 'INVALID_VALUE');
    });

    it('without the value in the message', () => {
      const top = throwsWith(() => jsonCodec.encode(make()), 'INVALID_VALUE');
      expect(top.message).not.toContain(SECRET);
      expect(top.message).not.toContain('12345678901234567890');
      const inside = throwsWith(
        () => jsonCodec.encode({ password: SECRET, nested: [SECRET, { bad: make() }] }),
        'INVALID_VALUE',
      );
      expect(inside.message).not.toContain(SECRET);
      expect(inside.message).not.toContain('password');
    });

    it('through a store: set() rejects, nothing is stored', async () => {
      const store = createMemoryStore();
      await rejectsWith(store.set('k', make()), 'INVALID_VALUE');
      expect(await store.has('k')).toBe(false);
      await store.close();
    });
  });

  describe.each(accepted)('encode() accepts %s', (_name, value) => {
    it('and it round-trips exactly', () => {
      const encoded = jsonCodec.encode(value);
      expect(jsonCodec.isEncoded(encoded)).toBe(true);
      const decoded = jsonCodec.decode(encoded);
      expect(decoded).toStrictEqual(value);
      if (typeof value === 'string') expect(decoded === value).toBe(true);
      if (typeof value === 'number') expect(Object.is(decoded, value)).toBe(true);
    });

    it('and it round-trips through a store', async () => {
      const store = createMemoryStore();
      await store.set('k', value);
      expect(await store.get('k')).toStrictEqual(value);
      expect(await store.has('k')).toBe(true);
      await store.close();
    });
  });

  it('encode() of a __proto__ own property round-trips and pollutes nothing', async () => {
    const value = JSON.parse('{"__proto__":{"polluted":1},"a":1}') as Record<string, unknown>;
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
    const decoded = jsonCodec.decode(jsonCodec.encode(value)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.hasOwn(decoded, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(decoded, '__proto__')?.value).toEqual({ polluted: 1 });
    expect(decoded.polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    const store = createMemoryStore();
    await store.set('k', value);
    const read = (await store.get('k')) as Record<string, unknown>;
    expect(Object.hasOwn(read, '__proto__')).toBe(true);
    expect(read.polluted).toBeUndefined();
    expect(JSON.stringify(read)).toBe('{"__proto__":{"polluted":1},"a":1}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await store.close();
  });

  it('encode() keeps a lone surrogate distinct from U+FFFD', () => {
    const lone = jsonCodec.decode(jsonCodec.encode('\ud800'));
    expect(lone).toBe('\ud800');
    expect(lone).not.toBe('\ufffd');
  });

  it('encode() keeps the cause of a cycle, never a crash', () => {
    const error = throwsWith(() => jsonCodec.encode(cyclicObject()), 'INVALID_VALUE');
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it('encode() of 100k-deep nesting fails that call only; the codec still works', () => {
    throwsWith(() => jsonCodec.encode(deeplyNested(100_000)), 'INVALID_VALUE');
    expect(jsonCodec.decode(jsonCodec.encode({ a: [1] }))).toEqual({ a: [1] });
  });

  it('encode() writes what JSON.stringify writes for every accepted value', () => {
    for (const [, value] of accepted) expect(jsonCodec.encode(value)).toBe(JSON.stringify(value));
  });

  it('encode() ignores an enumerable property added to Object.prototype, as JSON does', () => {
    Object.defineProperty(Object.prototype, 'polluted', {
      value: undefined,
      enumerable: true,
      configurable: true,
      writable: true,
    });
    try {
      expect(jsonCodec.encode({ a: [{ b: 1 }] })).toBe('{"a":[{"b":1}]}');
    } finally {
      delete (Object.prototype as Record<string, unknown>).polluted;
    }
  });

  it('decode() accepts bytes as well as text', () => {
    expect(jsonCodec.decode(new TextEncoder().encode('{"a":"é"}'))).toEqual({ a: 'é' });
  });

  it('isEncoded() is true for text only', () => {
    expect(jsonCodec.isEncoded('1')).toBe(true);
    for (const data of [1, null, undefined, {}, [], new Uint8Array(1)]) {
      expect(jsonCodec.isEncoded(data)).toBe(false);
    }
  });
});
