import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../src/index.js';
import { assertNamespace, checkKey, checkPrefix, describeType } from '../src/transport.js';
import { rejectsWith } from './helpers.js';

const LIMIT = 12;

describe('checkKey()', () => {
  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a number', 1],
    ['NaN', Number.NaN],
    ['a bigint', 1n],
    ['a boolean', true],
    ['an object', { toString: () => 'k' }],
    ['an array', ['k']],
    ['a symbol', Symbol('k')],
    ['a Buffer', Buffer.from('k')],
    ['a boxed string', new String('k')],
    ['a function', () => 'k'],
  ])('checkKey() rejects %s with INVALID_KEY', (_name, key) => {
    expect(checkKey(key, LIMIT)?.code).toBe('INVALID_KEY');
  });

  it('checkKey() rejects the empty string with INVALID_KEY', () => {
    expect(checkKey('', LIMIT)?.code).toBe('INVALID_KEY');
  });

  it.each([
    ['a lone high surrogate', '\ud800'],
    ['a lone low surrogate', '\udc00'],
    ['a lone surrogate inside', 'a\ud83db'],
    ['a reversed pair', '\ude00\ud83d'],
    ['a high surrogate at the end', 'abc\ud83d'],
  ])('checkKey() rejects %s with INVALID_KEY', (_name, key) => {
    expect(checkKey(key, LIMIT)?.code).toBe('INVALID_KEY');
  });

  it.each([
    ['ASCII', 'a'.repeat(LIMIT)],
    ['2-byte chars', 'é'.repeat(LIMIT / 2)],
    ['3-byte chars', '€'.repeat(LIMIT / 3)],
    ['4-byte chars (surrogate pairs)', '😀'.repeat(LIMIT / 4)],
    ['mixed widths', 'a€é😀ab'],
  ])('checkKey() accepts %s exactly at the byte limit', (_name, key) => {
    expect(Buffer.byteLength(key, 'utf8')).toBe(LIMIT);
    expect(checkKey(key, LIMIT)).toBeUndefined();
  });

  it.each([
    ['ASCII', 'a'.repeat(LIMIT + 1)],
    ['2-byte chars', `${'é'.repeat(LIMIT / 2)}a`],
    ['3-byte chars', `${'€'.repeat(LIMIT / 3)}a`],
    ['4-byte chars', `${'😀'.repeat(LIMIT / 4)}a`],
    ['one 3-byte char over', `${'a'.repeat(LIMIT - 2)}€`],
    ['one 4-byte char over', `${'a'.repeat(LIMIT - 3)}😀`],
  ])('checkKey() rejects %s one byte over the limit with TOO_LARGE', (_name, key) => {
    expect(Buffer.byteLength(key, 'utf8')).toBeGreaterThan(LIMIT);
    expect(checkKey(key, LIMIT)?.code).toBe('TOO_LARGE');
  });

  it('checkKey() counts UTF-8 bytes, not UTF-16 units', () => {
    // 4 units, 12 bytes: over a 10-byte limit although 4 < 10.
    expect(checkKey('€€€€', 10)?.code).toBe('TOO_LARGE');
    // Two surrogate pairs: 4 units, 8 bytes, under a 9-byte limit.
    expect(checkKey('😀😀', 9)).toBeUndefined();
  });

  it.each([
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    'valueOf',
    '__defineGetter__',
  ])('checkKey() accepts the prototype name %s', (key) => {
    expect(checkKey(key, LIMIT * 10)).toBeUndefined();
  });

  it.each([' ', '\n', '\u0000', 'a:b', '*?[]', '\u202eRTL', '😀', 'ß'])(
    'checkKey() accepts the awkward key %j',
    (key) => {
      expect(checkKey(key, LIMIT * 10)).toBeUndefined();
    },
  );

  it('checkKey() never puts the key in the message', () => {
    const secret = 'Sekr3t'.repeat(10);
    expect(checkKey(secret, 8)?.message).not.toContain('Sekr3t');
    expect(checkKey(`${secret}\ud800`, 1000)?.message).not.toContain('Sekr3t');
  });
});

describe('checkPrefix()', () => {
  it('checkPrefix() accepts the empty prefix and valid keys', () => {
    expect(checkPrefix('', LIMIT)).toBeUndefined();
    expect(checkPrefix('user:', LIMIT)).toBeUndefined();
  });

  it('checkPrefix() rejects what checkKey() rejects', () => {
    expect(checkPrefix(undefined, LIMIT)?.code).toBe('INVALID_KEY');
    expect(checkPrefix(1, LIMIT)?.code).toBe('INVALID_KEY');
    expect(checkPrefix('\ud800', LIMIT)?.code).toBe('INVALID_KEY');
    expect(checkPrefix('a'.repeat(LIMIT + 1), LIMIT)?.code).toBe('TOO_LARGE');
  });
});

describe('assertNamespace()', () => {
  it('assertNamespace() accepts the empty namespace and separators', () => {
    expect(() => assertNamespace('', LIMIT)).not.toThrow();
    expect(() => assertNamespace('a:b:', LIMIT)).not.toThrow();
  });

  it('assertNamespace() throws TypeError for non-strings, lone surrogates and over the limit', () => {
    for (const namespace of [undefined, null, 1, {}, '\ud800', 'x'.repeat(LIMIT + 1)]) {
      expect(() => assertNamespace(namespace, LIMIT)).toThrow(TypeError);
    }
  });
});

describe('describeType()', () => {
  it('describeType() names the type, never the value', () => {
    expect(describeType(null)).toBe('null');
    expect(describeType([1])).toBe('array');
    expect(describeType(Object.create(null))).toBe('object');
    expect(describeType(new Map())).toBe('Map');
    expect(describeType('secret')).toBe('string');
    expect(describeType(1n)).toBe('bigint');
  });
});

describe('key rules through a store', () => {
  it('get() of a non-string key rejects INVALID_KEY asynchronously, never throws', async () => {
    const store = createMemoryStore();
    let promise: Promise<unknown> | undefined;
    expect(() => {
      promise = store.get(42 as never);
    }).not.toThrow();
    await rejectsWith(promise as Promise<unknown>, 'INVALID_KEY');
    await rejectsWith(store.set(Symbol('k') as never, 1), 'INVALID_KEY');
    await rejectsWith(store.has('' as never), 'INVALID_KEY');
    await rejectsWith(store.delete('\ud800'), 'INVALID_KEY');
    await rejectsWith(store.getMany(['a', null as never]), 'INVALID_KEY');
    await rejectsWith(store.set('x'.repeat(2000), 1), 'TOO_LARGE');
    await store.close();
  });

  it('set() of prototype-named keys keeps them ordinary and pollutes nothing', async () => {
    const store = createMemoryStore();
    const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'prototype'];
    for (const [i, name] of names.entries()) await store.set(name, { i });
    for (const [i, name] of names.entries()) expect(await store.get(name)).toEqual({ i });
    expect((await store.keys()).sort()).toEqual([...names].sort());
    expect(({} as Record<string, unknown>).i).toBeUndefined();
    expect(typeof ({} as { toString: unknown }).toString).toBe('function');
    await store.close();
  });

  it('set() of awkward keys keeps them distinct and exact', async () => {
    const store = createMemoryStore();
    const keys = ['a', 'a ', ' a', 'A', 'a\n', 'a\u0000', 'a:', ':a', 'é', 'e\u0301', '😀', '*'];
    for (const [i, key] of keys.entries()) await store.set(key, i);
    for (const [i, key] of keys.entries()) expect(await store.get(key)).toBe(i);
    expect((await store.keys()).sort()).toEqual([...keys].sort());
    await store.close();
  });
});
