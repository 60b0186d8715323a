import type { Encoded, ValueCodec } from './codec.js';
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
