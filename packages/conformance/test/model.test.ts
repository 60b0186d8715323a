import { describe, expect, it } from 'vitest';
import { isLinearizable, type TimedOp } from '../src/model/linearizability.js';
import { ObservedModel } from '../src/model/observed-model.js';

const ok = (value: unknown) => ({ kind: 'resolved' as const, value });

describe('ObservedModel', () => {
  it('step() accepts what a correct store does and flags a stored 0 read back as missing', () => {
    const model = new ObservedModel();
    expect(
      model.step({ op: 'set', key: 'a', value: 0, ttl: 'none' }, ok(undefined)),
    ).toBeUndefined();
    expect(model.step({ op: 'get', key: 'a' }, ok(0))).toBeUndefined();
    expect(model.step({ op: 'get', key: 'a' }, ok(undefined))).toMatch(/read back missing/);
  });

  it('step() flags a Buffer read back as a plain object', () => {
    const model = new ObservedModel();
    model.step({ op: 'set', key: 'b', value: Buffer.from([1]), ttl: 'none' }, ok(undefined));
    expect(model.step({ op: 'get', key: 'b' }, ok({ type: 'Buffer', data: [1] }))).toMatch(
      /changed/,
    );
  });

  it('step() lets an entry with a short ttl expire once, then holds it missing', () => {
    const model = new ObservedModel();
    model.step({ op: 'set', key: 'c', value: 'v', ttl: 'short' }, ok(undefined));
    expect(model.step({ op: 'get', key: 'c' }, ok('v'))).toBeUndefined();
    expect(model.step({ op: 'get', key: 'c' }, ok(undefined))).toBeUndefined();
    expect(model.step({ op: 'get', key: 'c' }, ok('v'))).toMatch(/should be missing/);
  });

  it('step() demands INVALID_KEY for the empty key and WRONG_TYPE for increment of a string', () => {
    const model = new ObservedModel();
    expect(model.step({ op: 'get', key: '' }, ok(undefined))).toMatch(/INVALID_KEY/);
    model.step({ op: 'set', key: 'd', value: 'text', ttl: 'none' }, ok(undefined));
    expect(model.step({ op: 'increment', key: 'd', by: 1 }, ok(1))).toMatch(/WRONG_TYPE/);
    expect(
      model.step({ op: 'increment', key: 'd', by: 1 }, { kind: 'rejected', code: 'WRONG_TYPE' }),
    ).toBeUndefined();
  });

  it('step() accepts an increment from 0 over a non-number that may have expired (regression: a BigInt threw)', () => {
    const model = new ObservedModel();
    model.step({ op: 'set', key: 'n', value: 0n, ttl: 'short' }, ok(undefined));
    // The BigInt expired first: the increment started from 0.
    expect(model.step({ op: 'increment', key: 'n', by: 0 }, ok(0))).toBeUndefined();
    expect(model.step({ op: 'get', key: 'n' }, ok(0))).toBeUndefined();
    model.step({ op: 'set', key: 'm', value: 5n, ttl: 'none' }, ok(undefined));
    expect(model.step({ op: 'increment', key: 'm', by: 1 }, ok(1))).toMatch(/WRONG_TYPE/);
    expect(
      model.step({ op: 'increment', key: 'm', by: 1 }, { kind: 'rejected', code: 'WRONG_TYPE' }),
    ).toBeUndefined();
  });

  it('step() checks keys() against the entries, and deleteMany() counts within bounds', () => {
    const model = new ObservedModel();
    model.step({ op: 'set', key: 'x', value: 1, ttl: 'none' }, ok(undefined));
    expect(model.step({ op: 'keys' }, ok(['x', 'leaked']))).toMatch(/unexpected key/);
    expect(model.step({ op: 'deleteMany', keys: ['x', 'x', 'y'] }, ok(2))).toMatch(/count/);
  });
});

const op = (
  client: number,
  kind: TimedOp['op'],
  invokedAt: number,
  settledAt: number,
  result: unknown,
  value?: number,
): TimedOp => ({
  client,
  op: kind,
  key: 'k',
  invokedAt,
  settledAt,
  result,
  ...(value === undefined ? {} : { value }),
});

describe('isLinearizable()', () => {
  it('accepts overlapping increments that each saw a distinct count', () => {
    expect(isLinearizable([op(0, 'increment', 0, 10, 2), op(1, 'increment', 1, 9, 1)])).toBe(true);
  });

  it('rejects a lost update: two increments that both resolved 1', () => {
    expect(isLinearizable([op(0, 'increment', 0, 10, 1), op(1, 'increment', 1, 9, 1)])).toBe(false);
  });

  it('rejects a read of a value written only after the read settled', () => {
    expect(isLinearizable([op(0, 'get', 0, 1, 7), op(1, 'set', 2, 3, undefined, 7)])).toBe(false);
    expect(isLinearizable([op(0, 'get', 0, 5, 7), op(1, 'set', 2, 3, undefined, 7)])).toBe(true);
  });

  it('rejects two setIfAbsent() winners', () => {
    expect(
      isLinearizable([op(0, 'setIfAbsent', 0, 5, true, 1), op(1, 'setIfAbsent', 0, 5, true, 2)]),
    ).toBe(false);
  });
});
