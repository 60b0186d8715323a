import { type Encoded, MAX_VALUE_DEPTH, type ValueCodec } from './codec.js';
import { ErrorCode, StateError } from './errors.js';
import { describeType } from './keys.js';

function reject(reason: string, cause?: unknown): never {
  throw new StateError(ErrorCode.INVALID_VALUE, `json codec: ${reason}`, { cause });
}

/**
 * Called by JSON.stringify for every value before it is written. `this` is the holder, so
 * `this[key]` is the value *before* `toJSON` ran: that is what must be plain.
 */
function strictReplacer(this: unknown, key: string, _converted: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  switch (typeof raw) {
    case 'string':
    case 'boolean':
      return raw;
    case 'number':
      if (!Number.isFinite(raw)) reject(`${raw} is not representable in JSON`);
      if (Object.is(raw, -0)) reject('-0 would read back as 0');
      return raw;
    case 'object': {
      if (raw === null) return raw;
      const proto: unknown = Object.getPrototypeOf(raw);
      if (Array.isArray(raw)) {
        if (proto !== Array.prototype) reject('array subclasses are not plain arrays');
        // Holes read back as null and extra properties are dropped.
        if (Object.keys(raw).length !== raw.length)
          reject('sparse arrays and arrays with extra properties change');
      } else if (proto !== Object.prototype) {
        reject(`${describeType(raw)} is not a plain object`);
      }
      if (Object.getOwnPropertySymbols(raw).length > 0)
        reject('symbol-keyed properties would be dropped');
      return raw;
    }
    default:
      // undefined, function, symbol, bigint: JSON drops, throws on or changes them.
      return reject(`${typeof raw} is not representable in JSON`);
  }
}

// Deeper values take the replacer's path, which also tells a cycle from deep nesting.
const FAST_PATH_MAX_DEPTH = 32;

// Whether `value` holds more than MAX_VALUE_DEPTH containers inside one another. A cycle
// ends the walk (the replacer reports it); `ancestors` are the containers above `value`.
function nestsTooDeep(value: unknown, depth: number, ancestors: object[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (ancestors.includes(value)) return false;
  if (depth >= MAX_VALUE_DEPTH) return true;
  ancestors.push(value);
  for (const item of Array.isArray(value) ? value : Object.values(value)) {
    if (nestsTooDeep(item, depth + 1, ancestors)) return true;
  }
  ancestors.pop();
  return false;
}

/**
 * Whether `value` is certainly what {@link strictReplacer} accepts, so that the native
 * `JSON.stringify` without a replacer (several times faster) writes the same text. `false`
 * only means "not certain": the caller then takes the replacer's path, which accepts or
 * rejects with the reason. It applies the replacer's rules to the same values, in the same
 * order: anything a `toJSON` could change is a function-valued property here, and is left
 * to the replacer.
 */
function isPlainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (depth >= FAST_PATH_MAX_DEPTH) return false;
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto === Array.prototype) {
        const array = value as unknown[];
        if (Object.keys(array).length !== array.length) return false;
        if (Object.getOwnPropertySymbols(array).length > 0) return false;
        for (let i = 0; i < array.length; i++) {
          if (!isPlainJson(array[i], depth + 1)) return false;
        }
        return true;
      }
      if (proto !== Object.prototype || Object.getOwnPropertySymbols(value).length > 0) {
        return false;
      }
      // for-in also lists enumerable properties inherited from a polluted Object.prototype,
      // which JSON skips: checking them too is only stricter.
      for (const key in value) {
        if (!isPlainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/**
 * The strict JSON codec: accepts exactly what JSON represents without change — `null`,
 * booleans, finite numbers other than `-0`, strings (lone surrogates included), dense
 * plain arrays and plain objects of these — and rejects everything else with
 * `INVALID_VALUE` (Buffer, typed arrays, Date, Map, Set, BigInt, NaN, ±Infinity, -0,
 * `undefined`, class instances, null-prototype objects, cycles, symbol keys).
 */
export const jsonCodec: ValueCodec = Object.freeze({
  name: 'json',
  keeps: Object.freeze({ binary: false, structured: false }),
  encode(value: unknown): Encoded {
    if (isPlainJson(value, 0)) return JSON.stringify(value);
    if (nestsTooDeep(value, 0, [])) reject(`nested deeper than ${MAX_VALUE_DEPTH} levels`);
    let text: string | undefined;
    try {
      text = JSON.stringify(value, strictReplacer);
    } catch (error) {
      if (StateError.is(error)) throw error;
      // A cycle (TypeError) or nesting deeper than the stack (RangeError).
      reject('value is cyclic or too deeply nested', error);
    }
    if (text === undefined) reject(`${typeof value} is not representable in JSON`);
    return text;
  },
  decode(encoded: Encoded): unknown {
    return JSON.parse(
      typeof encoded === 'string' ? encoded : Buffer.from(encoded).toString('utf8'),
    );
  },
  isEncoded(data: unknown): data is Encoded {
    return typeof data === 'string';
  },
});
