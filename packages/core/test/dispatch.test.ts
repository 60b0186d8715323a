import { afterEach, describe, expect, it } from 'vitest';
// dispatch is internal to core (no entry point exports it), so it is imported from its file.
import { type DispatchContext, dispatch, isOpCode } from '../src/dispatch.js';
import { jsonCodec, StateError } from '../src/index.js';
import { MemoryBackend, Op, opNames } from '../src/transport.js';
import { throwsWith } from './helpers.js';

const backends: MemoryBackend[] = [];

function context(namespace = 'ns'): DispatchContext {
  const backend = new MemoryBackend({ codec: jsonCodec });
  backends.push(backend);
  return {
    backend,
    codec: jsonCodec,
    namespace,
    limits: { maxKeyBytes: 16, maxValueBytes: 64, maxBatchKeys: 3 },
  };
}

afterEach(() => {
  for (const backend of backends.splice(0)) backend.close();
});

describe('dispatch() operations', () => {
  it('Op numbers 0..13 are the wire numbers of protocol v1', () => {
    expect(Op).toEqual({
      get: 0,
      set: 1,
      delete: 2,
      has: 3,
      keys: 4,
      clear: 5,
      getMany: 6,
      setMany: 7,
      deleteMany: 8,
      increment: 9,
      setIfAbsent: 10,
      scan: 11,
      getEntries: 12,
      atomic: 13,
    });
    expect(opNames).toEqual(Object.keys(Op));
  });

  it('dispatch() runs every operation with wire arguments and wire results', () => {
    const c = context();
    expect(dispatch(c, Op.get, ['k'])).toBeNull();
    expect(dispatch(c, Op.set, ['k', '"v"', 0])).toBeNull();
    expect(dispatch(c, Op.get, ['k'])).toBe('"v"');
    expect(dispatch(c, Op.has, ['k'])).toBe(true);
    expect(dispatch(c, Op.keys, [''])).toEqual(['k']);
    expect(dispatch(c, Op.setIfAbsent, ['k', '1', 0])).toBe(false);
    expect(dispatch(c, Op.setIfAbsent, ['n', '1', 0])).toBe(true);
    expect(dispatch(c, Op.increment, ['n', 2])).toBe(3);
    expect(dispatch(c, Op.getMany, [['k', 'n', 'missing']])).toEqual(['"v"', '3', null]);
    expect(
      dispatch(c, Op.setMany, [
        [
          ['a', '1', 0],
          ['b', '2', 1000],
        ],
      ]),
    ).toBeNull();
    expect(dispatch(c, Op.deleteMany, [['a', 'b', 'missing']])).toBe(2);
    expect(dispatch(c, Op.delete, ['k'])).toBe(true);
    expect(dispatch(c, Op.delete, ['k'])).toBe(false);
    expect(dispatch(c, Op.clear, [])).toBeNull();
    expect(dispatch(c, Op.keys, [''])).toEqual([]);
  });

  it('dispatch() works inside the context namespace only', () => {
    const a = context('a');
    const b = { ...a, namespace: 'b' };
    dispatch(a, Op.set, ['k', '1', 0]);
    expect(dispatch(b, Op.get, ['k'])).toBeNull();
    dispatch(b, Op.clear, []);
    expect(dispatch(a, Op.get, ['k'])).toBe('1');
  });

  it('dispatch() ignores extra arguments', () => {
    const c = context();
    expect(dispatch(c, Op.set, ['k', '1', 0, 'extra', { x: 1 }])).toBeNull();
    expect(dispatch(c, Op.get, ['k', 'ignored'])).toBe('1');
  });
});

describe('dispatch() of unknown or malformed ops', () => {
  const badOps: unknown[] = [
    14,
    15,
    255,
    -1,
    0.5,
    1.5,
    -0.1,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    2 ** 53,
    2 ** 32,
    '0',
    '1',
    'get',
    'set',
    'constructor',
    '__proto__',
    'toString',
    'valueOf',
    'hasOwnProperty',
    'length',
    'map',
    null,
    undefined,
    true,
    0n,
    {},
    [0],
    Object(0),
    Symbol.iterator,
  ];

  it.each(badOps.map((op) => [String(op), op]))('dispatch() of op %s is PROTOCOL', (_, op) => {
    const c = context();
    expect(isOpCode(op)).toBe(false);
    throwsWith(() => dispatch(c, op, ['k', '1', 0]), 'PROTOCOL');
    expect(c.backend.stats().entries).toBe(0);
  });

  it('isOpCode() accepts exactly 0..13', () => {
    for (let op = 0; op <= 13; op++) expect(isOpCode(op)).toBe(true);
  });

  it.each([
    ['a string', 'k'],
    ['a number', 5],
    ['null', null],
    ['undefined', undefined],
    ['an object', { 0: 'k', length: 1 }],
  ])('dispatch() with %s instead of an argument list is PROTOCOL', (_name, args) => {
    const c = context();
    for (let op = 0; op <= 11; op++) {
      throwsWith(() => dispatch(c, op, args as never), 'PROTOCOL');
    }
    expect(c.backend.stats().entries).toBe(0);
  });
});

describe('dispatch() validation of arguments', () => {
  it.each([
    ['a number', 5],
    ['null', null],
    ['undefined', undefined],
    ['an object', {}],
    ['an array', ['"v"']],
    ['bytes', new Uint8Array([0x31])],
  ])('set() of a value that is not JSON-encoded (%s) is PROTOCOL', (_name, value) => {
    const c = context();
    throwsWith(() => dispatch(c, Op.set, ['k', value, 0]), 'PROTOCOL');
    throwsWith(() => dispatch(c, Op.setIfAbsent, ['k', value, 0]), 'PROTOCOL');
    throwsWith(() => dispatch(c, Op.setMany, [[['k', value, 0]]]), 'PROTOCOL');
    expect(c.backend.stats().entries).toBe(0);
  });

  it.each([
    ['negative', -1],
    ['fractional', 1.5],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['unsafe', 2 ** 53],
    ['a string', '100'],
    ['missing', undefined],
    ['null', null],
  ])('set() with a %s ttl is PROTOCOL', (_name, ttl) => {
    const c = context();
    throwsWith(() => dispatch(c, Op.set, ['k', '1', ttl]), 'PROTOCOL');
    throwsWith(() => dispatch(c, Op.setIfAbsent, ['k', '1', ttl]), 'PROTOCOL');
    throwsWith(() => dispatch(c, Op.setMany, [[['k', '1', ttl]]]), 'PROTOCOL');
    expect(c.backend.stats().entries).toBe(0);
  });

  it('set() with a value over maxValueBytes is TOO_LARGE', () => {
    const c = context();
    const big = `"${'x'.repeat(64)}"`;
    throwsWith(() => dispatch(c, Op.set, ['k', big, 0]), 'TOO_LARGE');
    throwsWith(() => dispatch(c, Op.setIfAbsent, ['k', big, 0]), 'TOO_LARGE');
    throwsWith(() => dispatch(c, Op.setMany, [[['k', big, 0]]]), 'TOO_LARGE');
    expect(dispatch(c, Op.set, ['k', `"${'x'.repeat(62)}"`, 0])).toBeNull();
  });

  it.each([
    ['a number', 1, 'INVALID_KEY'],
    ['null', null, 'INVALID_KEY'],
    ['an empty string', '', 'INVALID_KEY'],
    ['a lone surrogate', '\ud800', 'INVALID_KEY'],
    ['an object', { toString: () => 'k' }, 'INVALID_KEY'],
    ['a key over maxKeyBytes', 'k'.repeat(17), 'TOO_LARGE'],
  ] as const)('every keyed op rejects %s', (_name, key, code) => {
    const c = context();
    throwsWith(() => dispatch(c, Op.get, [key]), code);
    throwsWith(() => dispatch(c, Op.set, [key, '1', 0]), code);
    throwsWith(() => dispatch(c, Op.delete, [key]), code);
    throwsWith(() => dispatch(c, Op.has, [key]), code);
    throwsWith(() => dispatch(c, Op.increment, [key, 1]), code);
    throwsWith(() => dispatch(c, Op.setIfAbsent, [key, '1', 0]), code);
    throwsWith(() => dispatch(c, Op.getMany, [['ok', key]]), code);
    throwsWith(() => dispatch(c, Op.deleteMany, [['ok', key]]), code);
    throwsWith(
      () =>
        dispatch(c, Op.setMany, [
          [
            ['ok', '1', 0],
            [key, '1', 0],
          ],
        ]),
      code,
    );
    expect(c.backend.stats().entries).toBe(0);
  });

  it('keys() accepts the empty prefix and rejects a malformed one', () => {
    const c = context();
    expect(dispatch(c, Op.keys, [''])).toEqual([]);
    throwsWith(() => dispatch(c, Op.keys, [1]), 'INVALID_KEY');
    throwsWith(() => dispatch(c, Op.keys, [undefined]), 'INVALID_KEY');
    throwsWith(() => dispatch(c, Op.keys, ['\udfff']), 'INVALID_KEY');
  });

  it('getMany(), deleteMany() and setMany() reject non-lists and lists over maxBatchKeys', () => {
    const c = context();
    for (const op of [Op.getMany, Op.deleteMany, Op.setMany]) {
      for (const notList of ['k', 1, null, undefined, { length: 1, 0: 'k' }]) {
        throwsWith(() => dispatch(c, op, [notList]), 'PROTOCOL');
      }
    }
    throwsWith(() => dispatch(c, Op.getMany, [['a', 'b', 'c', 'd']]), 'TOO_LARGE');
    throwsWith(() => dispatch(c, Op.deleteMany, [['a', 'b', 'c', 'd']]), 'TOO_LARGE');
    const entries = ['a', 'b', 'c', 'd'].map((k) => [k, '1', 0]);
    throwsWith(() => dispatch(c, Op.setMany, [entries]), 'TOO_LARGE');
    expect(c.backend.stats().entries).toBe(0);
  });

  it('setMany() with one bad entry applies none', () => {
    const c = context();
    for (const bad of ['not an entry', null, ['k'], ['k', 5, 0], ['k', '1', -1]]) {
      expect(() => dispatch(c, Op.setMany, [[['good', '1', 0], bad]])).toThrow(StateError);
    }
    expect(c.backend.stats().entries).toBe(0);
  });

  it('setMany() with a sparse entry list (a hole for an entry) is PROTOCOL and applies none', () => {
    const c = context();
    const entries: unknown[] = [['good', '1', 0]];
    entries.length = 3;
    // A hole is a malformed call, not a host error: never a plain TypeError from the backend.
    throwsWith(() => dispatch(c, Op.setMany, [entries]), 'PROTOCOL');
    expect(c.backend.stats().entries).toBe(0);
  });

  it.each([
    ['a string', '1'],
    ['a fraction', 1.5],
    ['NaN', Number.NaN],
    ['an unsafe integer', 2 ** 53],
    ['missing', undefined],
  ])('increment() by %s is INVALID_VALUE', (_name, by) => {
    const c = context();
    throwsWith(() => dispatch(c, Op.increment, ['k', by]), 'INVALID_VALUE');
    expect(c.backend.stats().entries).toBe(0);
  });

  it('dispatch() treats prototype-named keys as ordinary keys', () => {
    const c = context();
    for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      dispatch(c, Op.set, [key, `"${key}"`, 0]);
    }
    for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(dispatch(c, Op.get, [key])).toBe(`"${key}"`);
    }
    expect(({} as Record<string, unknown>).constructor).toBe(Object);
  });

  it('dispatch() of any garbage either answers or throws a StateError, never anything else', () => {
    const c = context();
    const garbage: unknown[] = [
      undefined,
      null,
      0,
      -1,
      1.5,
      Number.NaN,
      2 ** 53,
      '',
      'k',
      '1',
      '\ud800',
      'x'.repeat(100),
      [],
      ['k'],
      [['k', '1', 0]],
      [['k']],
      {},
      { length: 2 },
      true,
    ];
    let answered = 0;
    let refused = 0;
    for (let op = -1; op <= 11; op++) {
      for (const a of garbage) {
        for (const b of garbage) {
          for (const t of [undefined, 0, -1, 'x']) {
            try {
              dispatch(c, op, [a, b, t]);
              answered++;
            } catch (error) {
              if (!StateError.is(error)) throw error;
              refused++;
            }
          }
        }
      }
    }
    expect(answered).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});
