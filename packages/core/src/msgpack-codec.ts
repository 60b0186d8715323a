import { Packr } from 'msgpackr';
import { type Encoded, MAX_VALUE_DEPTH, type ValueCodec } from './codec.js';
import { ErrorCode, StateError } from './errors.js';
import { describeType } from './keys.js';

/**
 * The one msgpackr configuration statewire uses, on every side of every transport. A
 * decoder configured differently from its encoder silently changes values, so both ends
 * build their `Packr` from this frozen object and nothing else.
 *
 * - `useRecords` (the default) keeps `Map` distinct from plain objects; with no shared
 *   `structures` and `sequential` off, every encoded value carries its own record
 *   definitions, so nothing depends on state shared between processes.
 * - `moreTypes` keeps typed arrays, `Set` and others with their exact types.
 * - `int64AsType: 'bigint'` and `useBigIntExtension` keep BigInts BigInts (up to ~1000 bits).
 */
export const msgpackOptions = Object.freeze({
  moreTypes: true,
  int64AsType: 'bigint',
  useBigIntExtension: true,
} as const);

const packr = new Packr({ ...msgpackOptions });

// Decodes user values. msgpackr hands `bin` back as a view of its input by default: a Buffer
// read from the memory store would then alias the stored bytes (mutating it would change
// what is stored and what every reader sees), and one read from a frame would keep the
// whole frame alive. `copyBuffers` copies each binary value, and only binary values (typed
// arrays, ArrayBuffer and DataView are copied by msgpackr in any case); it changes no value,
// so this decoder still matches the encoder. Frames themselves are unpacked without copies:
// the Encoded values inside them are decoded (or copied by the holder) right away.
const valueUnpackr = new Packr({ ...msgpackOptions, copyBuffers: true });

// Small values are decoded from a copy in this one buffer. msgpackr gives every buffer it
// reads a DataView of its own (a new object and a new property on the buffer), which costs
// more than copying a few hundred bytes into a buffer that has one already. Nothing read
// keeps a view of it: binary values are copied out (`copyBuffers`), strings are new strings.
// A decode that starts while another is running (msgpackr calling back into this codec from
// an extension) reads its own bytes instead.
const SCRATCH_BYTES = 4096;
const scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
let scratchInUse = false;

const typedArrays: ReadonlySet<unknown> = new Set([
  Buffer.prototype,
  Uint8Array.prototype,
  Uint8ClampedArray.prototype,
  Int8Array.prototype,
  Uint16Array.prototype,
  Int16Array.prototype,
  Uint32Array.prototype,
  Int32Array.prototype,
  Float32Array.prototype,
  Float64Array.prototype,
  BigInt64Array.prototype,
  BigUint64Array.prototype,
  ArrayBuffer.prototype,
  DataView.prototype,
]);

function reject(reason: string): never {
  throw new StateError(ErrorCode.INVALID_VALUE, `msgpack codec: ${reason}`);
}

function checkString(value: string, where: string): void {
  // msgpack strings are UTF-8: a lone surrogate would come back as U+FFFD.
  if (!value.isWellFormed()) reject(`${where} contains a lone surrogate`);
}

/**
 * Walks a value and rejects everything msgpackr would not give back unchanged (measured
 * with the options above): -0 (read back as 0), lone surrogates (replaced), sparse arrays
 * and arrays with extra properties, properties added to a Date, Map or Set, a `__proto__` own key (renamed to `__proto_` by
 * msgpackr's pollution guard), symbol keys (dropped), class instances and null-prototype
 * objects (read back as plain objects), functions, symbols, cycles (overflow the encoder),
 * and built-ins outside the supported set (Error, RegExp, WeakMap, Promise, …).
 */
function check(value: unknown, ancestors: object[]): void {
  switch (typeof value) {
    case 'string':
      checkString(value, 'a string');
      return;
    case 'number':
      if (Object.is(value, -0)) reject('-0 would read back as 0');
      return;
    case 'boolean':
    case 'bigint':
    case 'undefined':
      return;
    case 'object':
      break;
    default:
      reject(`${typeof value} is not a value`);
  }
  if (value === null) return;
  const proto: unknown = Object.getPrototypeOf(value);
  // A binary value is its type and its bytes. Own properties added to it are dropped, not
  // rejected (a documented limit): every way JavaScript offers to list a typed array's own
  // string keys (Object.keys, for-in, Reflect.ownKeys) lists each index first, one string per
  // byte, which would make every binary value cost time in its size.
  if (typedArrays.has(proto)) return;
  if (proto === Date.prototype || proto === Map.prototype || proto === Set.prototype) {
    if (Object.keys(value).length > 0 || Object.getOwnPropertySymbols(value).length > 0) {
      reject(`properties added to a ${describeType(value)} would be dropped`);
    }
    if (proto === Date.prototype) return;
  }
  if (ancestors.includes(value)) reject('cyclic values are not supported');
  // msgpackr writes a Set as an extension around an array of its items: two levels of its
  // encoder's stack, so a Set counts as two levels of MAX_VALUE_DEPTH (1000 nested Sets
  // overflow a main thread's stack; 500 take less of it than 1000 objects do).
  const levels = proto === Set.prototype ? 2 : 1;
  if (ancestors.length + levels > MAX_VALUE_DEPTH) {
    const sets = levels === 2 || ancestors.some((a) => a instanceof Set);
    reject(`nested deeper than ${MAX_VALUE_DEPTH} levels${sets ? ' (a Set counts as two)' : ''}`);
  }
  ancestors.push(value);
  if (levels === 2) ancestors.push(value);
  if (proto === Array.prototype) {
    const array = value as unknown[];
    if (Object.keys(array).length !== array.length) reject('arrays with extra properties change');
    for (let i = 0; i < array.length; i++) {
      if (!(i in array)) reject('sparse arrays read back with undefined in their holes');
      check(array[i], ancestors);
    }
  } else if (proto === Map.prototype) {
    for (const [k, v] of value as Map<unknown, unknown>) {
      check(k, ancestors);
      check(v, ancestors);
    }
  } else if (proto === Set.prototype) {
    for (const item of value as Set<unknown>) check(item, ancestors);
  } else if (proto === Object.prototype) {
    if (Object.getOwnPropertySymbols(value).length > 0)
      reject('symbol-keyed properties would be dropped');
    for (const key of Object.keys(value)) {
      if (key === '__proto__') reject('an own "__proto__" key would be renamed');
      checkString(key, 'a property name');
      check((value as Record<string, unknown>)[key], ancestors);
    }
  } else {
    reject(`${describeType(value)} is not a supported type`);
  }
  ancestors.length -= levels;
}

// The containers on the path from the root to the value being checked. An array, not a
// `Set`: a long-lived `Set` that gains and loses entries on every call rebuilds its table
// often, and V8 links discarded tables together, which keeps every checked value alive
// through young collections (see IdTable). Paths are short, so `includes` is cheap.
let spareAncestors: object[] | undefined = [];

/**
 * The msgpack codec (msgpackr): keeps Buffer (as Buffer), every typed array, ArrayBuffer,
 * DataView, Date, Map, Set, BigInt, NaN, ±Infinity and `undefined` inside containers with
 * their exact types, besides everything JSON keeps. It rejects with `INVALID_VALUE` what
 * msgpack would change: -0, lone surrogates, sparse arrays, `__proto__` own keys, symbol
 * keys, class instances, null-prototype objects, cycles, functions, symbols. Own properties
 * added to a Buffer or typed array are dropped, not rejected (checking costs time per byte).
 * Binary values it decodes are copies, never views of the encoded bytes.
 */
export const msgpackCodec: ValueCodec = Object.freeze({
  name: 'msgpack',
  keeps: Object.freeze({ binary: true, structured: true }),
  encode(value: unknown): Encoded {
    // One list of ancestors serves every call; a value whose getter encodes another value
    // while it is checked gets a set of its own.
    const ancestors = spareAncestors ?? [];
    spareAncestors = undefined;
    try {
      check(value, ancestors);
    } finally {
      ancestors.length = 0;
      spareAncestors = ancestors;
    }
    try {
      return packr.pack(value);
    } catch (error) {
      throw new StateError(ErrorCode.INVALID_VALUE, 'msgpack codec: the value cannot be encoded', {
        cause: error,
      });
    }
  },
  decode(encoded: Encoded): unknown {
    if (typeof encoded !== 'string' && encoded.byteLength <= SCRATCH_BYTES && !scratchInUse) {
      scratch.set(encoded);
      scratchInUse = true;
      try {
        return valueUnpackr.unpack(scratch, encoded.byteLength);
      } finally {
        scratchInUse = false;
      }
    }
    return valueUnpackr.unpack(asBuffer(encoded));
  },
  isEncoded(data: unknown): data is Encoded {
    return data instanceof Uint8Array;
  },
});

/**
 * `encoded` as a Buffer, without copying bytes: msgpackr decodes `bin` to the class of its
 * input, so bytes that arrive as a plain Uint8Array (a worker thread's structured clone of
 * a Buffer) would otherwise read back a Buffer as a Uint8Array.
 */
function asBuffer(encoded: Encoded): Buffer {
  if (typeof encoded === 'string') return Buffer.from(encoded, 'latin1');
  if (Buffer.isBuffer(encoded)) return encoded;
  return Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
}
