import { type Capabilities, MAX_VALUE_DEPTH } from '@statewire/core';
import { seededBytes, seededText } from './random-data.js';

/**
 * What a store must do with a value:
 * - `round-trip`: accept it and read back a strictly equal copy (see `strictDiff`);
 * - `reject`: reject it with `INVALID_VALUE`, storing nothing;
 * - `either`: one of the two — but never accept it and read back something else.
 */
export type ValueRule = 'round-trip' | 'reject' | 'either';

/** What decides a case's rule. */
export type ValueClass =
  /** JSON represents it exactly: every store must round-trip it. */
  | 'json'
  /** A Buffer or typed array: round-trips exactly when `binary`, else `INVALID_VALUE`. */
  | 'binary'
  /** Date, Map, Set, BigInt, NaN, ±Infinity, `undefined` in containers: by `structured`. */
  | 'structured'
  /** No codec can keep it (functions, symbols, class instances, top-level `undefined`). */
  | 'never'
  /**
   * Some codecs keep it exactly, others must reject it. Lone surrogates and own `__proto__`
   * keys are here although JSON keeps them: UTF-8 and msgpack codecs must reject them.
   */
  | 'optional';

/** One named value of the matrix. */
export interface ValueCase {
  /** Reads in a test name: `set() of ${name} round-trips exactly`. */
  readonly name: string;
  readonly class: ValueClass;
  /**
   * Builds the value, afresh on each call: the suite compares what it reads back with a
   * new copy, so that a store mutating the caller's value is caught too.
   */
  make(): unknown;
}

/** The rule for `valueCase` on a store with `capabilities`. */
export function ruleFor(valueCase: ValueCase, capabilities: Capabilities): ValueRule {
  switch (valueCase.class) {
    case 'json':
      return 'round-trip';
    case 'binary':
      return capabilities.binary ? 'round-trip' : 'reject';
    case 'structured':
      return capabilities.structured ? 'round-trip' : 'reject';
    case 'never':
      return 'reject';
    default:
      return 'either';
  }
}

const json = (name: string, make: () => unknown): ValueCase => ({ name, class: 'json', make });
const binary = (name: string, make: () => unknown): ValueCase => ({ name, class: 'binary', make });
const structured = (name: string, make: () => unknown): ValueCase => ({
  name,
  class: 'structured',
  make,
});
const never = (name: string, make: () => unknown): ValueCase => ({ name, class: 'never', make });
const optional = (name: string, make: () => unknown): ValueCase => ({
  name,
  class: 'optional',
  make,
});

/** `leaf` inside `depth` containers made by `wrap`, one inside another. */
export function nested(depth: number, leaf: unknown, wrap: (inner: unknown) => unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = wrap(value);
  return value;
}

function view<T>(make: (buffer: ArrayBuffer, offset: number) => T): () => T {
  // A view that does not start at offset 0 of its buffer: a transport that sends
  // `view.buffer` whole sends the wrong bytes.
  return () => make(new Uint8Array(seededBytes(64, 7)).buffer, 8);
}

// [1, <hole>, 3]: three slots, two own elements.
function sparse(): unknown[] {
  const array: unknown[] = new Array(3);
  array[0] = 1;
  array[2] = 3;
  return array;
}

function argumentsOf(..._values: unknown[]): IArguments {
  // biome-ignore lint/complexity/noArguments: the arguments object is the value under test
  return arguments;
}

// Built once, so that make() builds values equal to each other: functions, symbols and
// prototypes compare by identity.
class Point {
  x = 1;
  y = 2;
}
class Registry extends Map<number, number> {}
class List extends Array<number> {}
const customPrototype = Object.freeze({ inherited: 1 });
const aFunction = () => 1;
const anAsyncFunction = async () => 1;
const aSymbol = Symbol('s');
const aSymbolKey = Symbol.for('statewire.conformance.key');

/**
 * The value matrix (RELIABILITY D24): every value either round-trips exactly or is
 * rejected with `INVALID_VALUE`, never silently changed. JSON, structured clone and
 * msgpack each change different values; the cases below cover each change known for them.
 */
export function valueMatrix(): ValueCase[] {
  return [
    json('the number 0', () => 0),
    json('the number 1', () => 1),
    json('a negative integer', () => -42),
    json('a fraction', () => 0.1),
    json('the smallest double', () => 5e-324),
    json('the largest double', () => Number.MAX_VALUE),
    json('1e21', () => 1e21),
    json('Number.MAX_SAFE_INTEGER', () => Number.MAX_SAFE_INTEGER),
    json('Number.MIN_SAFE_INTEGER', () => Number.MIN_SAFE_INTEGER),
    json('an exact integer above 2^53', () => 2 ** 53 + 2),
    json('true', () => true),
    json('false', () => false),
    json('null', () => null),
    json('the empty string', () => ''),
    json('an ASCII string', () => 'hello'),
    json('a string with NUL, tab and newlines', () => 'a\u0000b\tc\r\nd'),
    json('a string of emoji', () => '😀👩‍👩‍👧𝄞'),
    json('RTL text', () => 'שלום مرحبا \u202E'),
    json('a combining accent', () => 'e\u0301'),
    optional('a string of a lone high surrogate', () => '\uD800'),
    optional('a string with a lone low surrogate inside', () => 'a\uDC00b'),
    optional('a string with a reversed surrogate pair', () => '\uDE00\uD83D'),
    json('a string that looks like JSON', () => '{"a":[1,null]}'),
    json('a string that looks like a number', () => '42'),
    json('the string "null"', () => 'null'),
    json('the string "undefined"', () => 'undefined'),
    json('a 64 KiB string', () => seededText(64 * 1024, 1)),
    json('an empty array', () => []),
    json('an empty object', () => ({})),
    json('an array of mixed JSON values', () => [0, -1.5, '', 'x', true, false, null, [], {}]),
    json('a nested object', () => ({ a: { b: { c: [1, 'x', null, true, { d: [] }] } } })),
    optional('an object with lone surrogates in property names', () => ({
      '\uD800': 1,
      'a\uDC00': 2,
    })),
    json('an object with integer-like property names', () => ({ b: 1, 1: 'one', 0: 'zero' })),
    json('an object with the empty property name', () => ({ '': 'empty' })),
    json('an object with awkward property names', () => ({ 'a.b': 1, 'a\nb': 2, '*': 3 })),
    json('an object with prototype-named properties', () => ({
      constructor: 1,
      toString: 'x',
      hasOwnProperty: null,
      valueOf: [],
      prototype: {},
    })),
    optional('an object with an own __proto__ property (from JSON.parse)', () =>
      JSON.parse('{"a":1,"__proto__":{"polluted":"yes"}}'),
    ),
    optional('an array holding an object with an own __proto__ property', () => [
      JSON.parse('{"__proto__":{"polluted":"yes"}}'),
    ]),
    json('an object holding the same object twice', () => {
      const shared = { n: 1 };
      return { a: shared, b: shared };
    }),
    json('a frozen object', () => Object.freeze({ a: 1, b: Object.freeze([2]) })),
    json('an object nested 100 levels deep', () => nested(100, 'leaf', (inner) => ({ inner }))),
    json('an array nested 100 levels deep', () => nested(100, 0, (inner) => [inner])),
    // MAX_VALUE_DEPTH counts containers (arrays, objects, Maps, Sets), not the leaf: both of
    // core's codecs keep exactly this many arrays or objects and refuse one more.
    json(`an array nested MAX_VALUE_DEPTH (${MAX_VALUE_DEPTH}) levels deep`, () =>
      nested(MAX_VALUE_DEPTH, 0, (inner) => [inner]),
    ),
    json(`an object nested MAX_VALUE_DEPTH (${MAX_VALUE_DEPTH}) levels deep`, () =>
      nested(MAX_VALUE_DEPTH, 'leaf', (inner) => ({ inner })),
    ),
    optional(`an array nested MAX_VALUE_DEPTH + 1 (${MAX_VALUE_DEPTH + 1}) levels deep`, () =>
      nested(MAX_VALUE_DEPTH + 1, 0, (inner) => [inner]),
    ),
    optional(`an object nested MAX_VALUE_DEPTH + 1 (${MAX_VALUE_DEPTH + 1}) levels deep`, () =>
      nested(MAX_VALUE_DEPTH + 1, 'leaf', (inner) => ({ inner })),
    ),
    json('an object with 1000 properties', () =>
      Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`p${i}`, i])),
    ),

    binary('a Buffer', () => Buffer.from('hello, bytes')),
    binary('an empty Buffer', () => Buffer.alloc(0)),
    binary('a Buffer view with a byte offset', () => {
      // seededBytes may come from Node's shared pool: offset from its own start, not the pool's.
      const bytes = seededBytes(64, 3);
      return Buffer.from(bytes.buffer, bytes.byteOffset + 8, 16);
    }),
    binary('a 1 MiB random Buffer', () => seededBytes(1024 * 1024, 11)),
    binary('a Uint8Array', () => new Uint8Array([0, 1, 127, 128, 255])),
    binary(
      'a Uint8Array view with a byte offset',
      view((b, o) => new Uint8Array(b, o, 16)),
    ),
    binary('a Uint8ClampedArray', () => new Uint8ClampedArray([0, 128, 255])),
    binary('an Int8Array', () => new Int8Array([-128, -1, 0, 127])),
    binary(
      'an Int16Array view with a byte offset',
      view((b, o) => new Int16Array(b, o, 8)),
    ),
    binary('a Uint16Array', () => new Uint16Array([0, 65535])),
    binary('an Int32Array', () => new Int32Array([-(2 ** 31), 2 ** 31 - 1])),
    binary('a Uint32Array', () => new Uint32Array([0, 2 ** 32 - 1])),
    binary('a Float32Array', () => new Float32Array([1.5, -0, Number.NaN])),
    binary('a Float64Array', () => new Float64Array([Math.PI, -0, Number.NEGATIVE_INFINITY])),
    binary('a BigInt64Array', () => new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n])),
    binary('a BigUint64Array', () => new BigUint64Array([0n, 2n ** 64n - 1n])),
    binary('an object holding a Buffer', () => ({ name: 'blob', data: Buffer.from([1, 2, 3]) })),
    binary('an array of a Buffer and a Uint8Array', () => [Buffer.from([9]), new Uint8Array([9])]),

    structured('a Date', () => new Date(1_700_000_000_123)),
    structured('a Date before 1970', () => new Date(-86_400_000 * 365)),
    structured(
      'a Map',
      () =>
        new Map<unknown, unknown>([
          ['b', 1],
          ['a', 2],
        ]),
    ),
    structured(
      'a Map with number, boolean and null keys',
      () =>
        new Map<unknown, unknown>([
          [2, 'two'],
          [1, 'one'],
          [true, 't'],
          [null, 'n'],
        ]),
    ),
    structured('an empty Map', () => new Map()),
    structured('a Set', () => new Set([3, 1, 2])),
    structured('a Set of mixed values', () => new Set<unknown>(['a', 1, true, null])),
    structured('an empty Set', () => new Set()),
    // Core's msgpack codec counts a Set as two levels of MAX_VALUE_DEPTH: this is its deepest.
    structured(`Maps nested MAX_VALUE_DEPTH (${MAX_VALUE_DEPTH}) levels deep`, () =>
      nested(MAX_VALUE_DEPTH, 0, (inner) => new Map([['m', inner]])),
    ),
    structured(`Sets nested MAX_VALUE_DEPTH / 2 (${MAX_VALUE_DEPTH / 2}) levels deep`, () =>
      nested(MAX_VALUE_DEPTH / 2, 0, (inner) => new Set([inner])),
    ),
    structured(
      'a Map of Sets of Dates',
      () => new Map([['dates', new Set([new Date(0), new Date(1)])]]),
    ),
    structured('a BigInt', () => 123n),
    structured('the BigInt 0n', () => 0n),
    structured('a negative 64-bit BigInt', () => -(2n ** 63n)),
    structured('a BigInt of 100 bits', () => 2n ** 100n + 1n),
    structured('NaN', () => Number.NaN),
    structured('Infinity', () => Number.POSITIVE_INFINITY),
    structured('-Infinity', () => Number.NEGATIVE_INFINITY),
    optional('-0', () => -0),
    optional('an array holding -0', () => [-0, 0]),
    structured('an object holding NaN and Infinity', () => ({ n: Number.NaN, i: Infinity })),
    structured('an object with an undefined property', () => ({ a: undefined, b: 1 })),
    structured('an array holding undefined', () => [undefined, 1]),
    structured('an object of a Date, a Map, a Set and a BigInt', () => ({
      at: new Date(5),
      m: new Map([['k', 1n]]),
      s: new Set(['x']),
      n: 9n,
    })),

    never('top-level undefined', () => undefined),
    never('a function', () => aFunction),
    never('an async function', () => anAsyncFunction),
    never('a Symbol', () => aSymbol),
    never('a class instance', () => new Point()),
    never('an object with a custom prototype', () => Object.create(customPrototype)),
    never('an object holding a function', () => ({ a: 1, f: aFunction })),
    never('an array holding a Symbol', () => [1, aSymbol]),
    never('an object holding a class instance', () => ({ p: new Point() })),

    optional('a cyclic object', () => {
      const o: Record<string, unknown> = { a: 1 };
      o.self = o;
      return o;
    }),
    optional('a cyclic array', () => {
      const a: unknown[] = [1];
      a.push(a);
      return a;
    }),
    optional('a sparse array', () => sparse()),
    optional('an array with an extra property', () => Object.assign([1, 2], { extra: true })),
    optional('a sparse array with an extra property of the same count', () =>
      Object.assign(sparse(), { x: 2 }),
    ),
    optional('a null-prototype object', () => Object.assign(Object.create(null), { a: 1 })),
    optional('an object with a symbol key', () => ({ a: 1, [aSymbolKey]: 2 })),
    optional('an arguments object', () => argumentsOf(1, 2)),
    optional('a boxed number', () => new Number(1)),
    optional('a boxed string', () => new String('s')),
    optional('an Error', () => new Error('boom')),
    optional('a RegExp with lastIndex', () => {
      const re = /a/g;
      re.lastIndex = 1;
      return re;
    }),
    optional('a WeakMap', () => new WeakMap()),
    optional('a Promise', () => Promise.resolve(1)),
    optional('an ArrayBuffer', () => new Uint8Array([1, 2, 3]).buffer),
    optional(
      'a DataView',
      view((b, o) => new DataView(b, o, 4)),
    ),
    optional('an invalid Date', () => new Date(Number.NaN)),
    optional('a Map with an extra property', () => Object.assign(new Map([[1, 1]]), { extra: 1 })),
    optional('a Date with an extra property', () => Object.assign(new Date(0), { extra: 1 })),
    optional('a Map subclass', () => new Registry([[1, 2]])),
    optional('an Array subclass', () => List.from([1, 2])),
    optional('a Map with object keys', () => new Map([[{ k: 1 }, 'v']])),
  ];
}

/** Values whose falsiness a careless store confuses with a missing key (D25). */
export const falsyValues: readonly { readonly name: string; readonly value: unknown }[] =
  Object.freeze([
    { name: '0', value: 0 },
    { name: 'false', value: false },
    { name: "''", value: '' },
    { name: 'null', value: null },
  ]);
