/** A named sample key (or non-key) of the key rules. */
export interface KeySample {
  readonly name: string;
  readonly key: unknown;
}

/** Things that are not strings: every one is `INVALID_KEY` (RELIABILITY C17). */
export function nonStringKeys(): KeySample[] {
  return [
    { name: 'undefined', key: undefined },
    { name: 'null', key: null },
    { name: 'the number 0', key: 0 },
    { name: 'the number 42', key: 42 },
    { name: 'NaN', key: Number.NaN },
    { name: 'true', key: true },
    { name: 'a bigint', key: 7n },
    { name: 'a plain object', key: {} },
    { name: 'an object with a toString()', key: { toString: () => 'k' } },
    { name: 'an array of one string', key: ['k'] },
    { name: 'a Symbol', key: Symbol('k') },
    { name: 'a Buffer', key: Buffer.from('k') },
    { name: 'a String object', key: new String('k') },
    { name: 'a function', key: () => 'k' },
  ];
}

/** Strings that are not well-formed UTF-16: every one is `INVALID_KEY` (RELIABILITY C21). */
export const loneSurrogateKeys: readonly KeySample[] = Object.freeze([
  { name: 'a lone high surrogate', key: '\uD800' },
  { name: 'a lone low surrogate inside text', key: 'a\uDC00b' },
  { name: 'a high surrogate at the end', key: 'emoji\uD83D' },
  { name: 'a reversed surrogate pair', key: '\uDE00\uD83D' },
  { name: 'the last high surrogate', key: '\uDBFF' },
]);

/** Prototype member names: ordinary keys that must round-trip and pollute nothing (C19). */
export const prototypeKeys: readonly string[] = Object.freeze([
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  'valueOf',
  'isPrototypeOf',
  '__defineGetter__',
]);

/**
 * Awkward but valid keys that must round-trip exactly and stay distinct (C20), including
 * pairs that a careless backend would merge (NFC normalisation, case folding, trimming).
 */
export function awkwardKeys(maxKeyBytes: number): KeySample[] {
  return [
    { name: 'a newline', key: 'a\nb' },
    { name: 'CR LF', key: 'a\r\nb' },
    { name: 'a NUL', key: 'a\u0000b' },
    { name: 'only NUL', key: '\u0000' },
    { name: 'a tab', key: '\t' },
    { name: 'an emoji', key: '😀' },
    { name: 'an emoji ZWJ sequence', key: '👩‍👩‍👧' },
    { name: 'an astral character', key: '𝄞' },
    { name: 'RTL text', key: 'שלום' },
    { name: 'an RTL override', key: '\u202Eabc' },
    { name: 'a combining accent', key: 'e\u0301' },
    { name: 'a precomposed accent', key: 'é' },
    { name: 'a zero-width space', key: 'a\u200Bb' },
    { name: 'a BOM', key: '\uFEFF' },
    { name: 'U+FFFF', key: '\uFFFF' },
    { name: 'spaces around', key: ' a b ' },
    { name: 'a single space', key: ' ' },
    { name: 'a trailing space', key: 'key ' },
    { name: 'lower case', key: 'key' },
    { name: 'upper case', key: 'KEY' },
    { name: 'a glob star', key: '*' },
    { name: 'a glob question mark', key: 'a?' },
    { name: 'a glob class', key: '[abc]' },
    { name: 'glob characters mixed', key: 'a*b?[c]\\*' },
    { name: 'a Redis hash tag', key: '{tag}x' },
    { name: 'a colon', key: ':' },
    { name: 'colon separators', key: 'a:b:c' },
    { name: 'a leading colon', key: ':a' },
    { name: 'a backslash', key: 'a\\b' },
    { name: 'a slash path', key: '../a/b' },
    { name: 'a dot', key: '.' },
    { name: 'printf directives', key: '%s%d%%' },
    { name: 'quotes', key: `"'\`` },
    { name: 'JSON text', key: '{"a":1}' },
    { name: 'the digit 0', key: '0' },
    { name: 'the text -0', key: '-0' },
    { name: 'the text undefined', key: 'undefined' },
    { name: 'the text null', key: 'null' },
    { name: 'a key one byte under the limit', key: keyOfBytes(maxKeyBytes - 1, 'é') },
  ];
}

/** A string of exactly `bytes` UTF-8 bytes: `unit` repeated, padded with ASCII `k`. */
export function keyOfBytes(bytes: number, unit = 'k'): string {
  const unitBytes = Buffer.byteLength(unit, 'utf8');
  const count = Math.floor(bytes / unitBytes);
  return unit.repeat(count) + 'k'.repeat(bytes - count * unitBytes);
}

/**
 * Keys of exactly `maxKeyBytes` UTF-8 bytes (which must be accepted) made of 1-, 2-, 3- and
 * 4-byte characters.
 */
export function keysAtLimit(maxKeyBytes: number): KeySample[] {
  return [
    { name: 'ASCII', key: keyOfBytes(maxKeyBytes, 'k') },
    { name: '2-byte characters', key: keyOfBytes(maxKeyBytes, 'é') },
    { name: '3-byte characters', key: keyOfBytes(maxKeyBytes, '€') },
    { name: '4-byte characters', key: keyOfBytes(maxKeyBytes, '😀') },
  ];
}

/**
 * Keys over `maxKeyBytes` UTF-8 bytes (which must be `TOO_LARGE`), including ones with
 * fewer UTF-16 units than the limit, which catch a store that counts characters.
 */
export function keysOverLimit(maxKeyBytes: number): KeySample[] {
  return [
    { name: 'ASCII, one byte over', key: keyOfBytes(maxKeyBytes + 1, 'k') },
    {
      name: '3-byte characters, fewer characters than the limit',
      key: '€'.repeat(Math.ceil((maxKeyBytes + 1) / 3)),
    },
    { name: '4-byte characters, one over', key: `${keyOfBytes(maxKeyBytes - 3, 'k')}😀` },
  ];
}
