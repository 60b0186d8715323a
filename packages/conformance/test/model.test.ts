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

describe('ObservedModel with versions', () => {
  const entry = (value: unknown, version: string) => ok({ value, version });
  const conflict = { kind: 'rejected' as const, code: 'CONFLICT' };

  it('step() flags a version that changes without a write, and one reused after a delete and re-create (ABA)', () => {
    const model = new ObservedModel({ versions: true });
    model.step({ op: 'set', key: 'k', value: 1, ttl: 'none' }, ok(undefined));
    expect(model.step({ op: 'getEntry', key: 'k' }, entry(1, 'v1'))).toBeUndefined();
    expect(model.step({ op: 'getEntry', key: 'k' }, entry(1, 'v2'))).toMatch(/without a write/);
    model.step({ op: 'delete', key: 'k' }, ok(true));
    model.step({ op: 'set', key: 'k', value: 1, ttl: 'none' }, ok(undefined));
    expect(model.step({ op: 'getEntry', key: 'k' }, entry(1, 'v1'))).toMatch(/reused/);
  });

  it('versionFor() asks for a read until the current version is known, then sends it; setIf applies only at it', () => {
    const model = new ObservedModel({ versions: true });
    expect(model.versionFor('k', 'current')).toEqual({ ifVersion: null });
    model.step({ op: 'set', key: 'k', value: 1, ttl: 'none' }, ok(undefined));
    expect(model.versionFor('k', 'current')).toBe('read');
    model.step({ op: 'getEntry', key: 'k' }, entry(1, 'v1'));
    expect(model.versionFor('k', 'current')).toEqual({ ifVersion: 'v1' });
    const setIf = (ifVersion: string | null) =>
      ({ op: 'setIf', key: 'k', value: 2, ttl: 'none', expect: 'current', ifVersion }) as const;
    expect(model.step(setIf('v1'), conflict)).toMatch(/expected it to apply/);
    expect(model.step(setIf('v1'), ok(undefined))).toBeUndefined();
    // The write moved the key on: the old version is stale now, and so must fail.
    expect(model.versionFor('k', 'stale')).toEqual({ ifVersion: 'v1' });
    expect(model.step(setIf('v1'), ok(undefined))).toMatch(/expected CONFLICT/);
  });

  it('step() of deleteIf: null of a missing key resolves false, of an existing key is a CONFLICT', () => {
    const model = new ObservedModel({ versions: true });
    const deleteIf = (ifVersion: string | null) =>
      ({ op: 'deleteIf', key: 'k', expect: 'missing', ifVersion }) as const;
    expect(model.step(deleteIf(null), ok(false))).toBeUndefined();
    model.step({ op: 'set', key: 'k', value: 1, ttl: 'none' }, ok(undefined));
    expect(model.step(deleteIf(null), ok(false))).toMatch(/expected CONFLICT/);
    expect(model.step(deleteIf(null), conflict)).toBeUndefined();
  });

  it('step() of an atomic commit demands all of its mutations or none, and names failed checks', () => {
    const model = new ObservedModel({ versions: true });
    model.step({ op: 'set', key: 't', value: 'text', ttl: 'none' }, ok(undefined));
    const wrongType = {
      op: 'atomic',
      checks: [],
      mutations: [
        { kind: 'set', key: 'a', value: 1, ttl: 'none' },
        { kind: 'increment', key: 't', by: 1 },
      ],
    } as const;
    expect(model.step(wrongType, ok({ ok: true, versions: { a: 'x', t: 'y' } }))).toMatch(
      /WRONG_TYPE/,
    );
    expect(model.step(wrongType, { kind: 'rejected', code: 'WRONG_TYPE' })).toBeUndefined();
    // Nothing of it was applied: `a` is still missing.
    expect(model.step({ op: 'get', key: 'a' }, ok(1))).toMatch(/should be missing/);
    const checked = {
      op: 'atomic',
      checks: [
        { key: 't', expect: 'missing', ifVersion: null },
        { key: 'a', expect: 'missing', ifVersion: null },
      ],
      mutations: [{ kind: 'set', key: 'a', value: 2, ttl: 'none' }],
    } as const;
    expect(model.step(checked, ok({ ok: false, failed: ['a', 't'] }))).toMatch(/failed: t/);
    expect(model.step(checked, ok({ ok: false, failed: ['t'] }))).toBeUndefined();
    const commit = { ...checked, checks: [checked.checks[1]] };
    expect(model.step(commit, ok({ ok: true, versions: { a: 'va' } }))).toBeUndefined();
    expect(model.step({ op: 'getEntry', key: 'a' }, entry(2, 'other'))).toMatch(/without a write/);
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

  it('rejects a compare-and-set that applied over a write it did not see (a lost update)', () => {
    const read = { ...op(0, 'getEntry', 0, 1, { value: 1, version: 'v1' }) };
    const other = op(1, 'set', 2, 3, undefined, 5);
    const cas = { ...op(0, 'setIf', 4, 5, undefined, 2), ifVersion: 'v1' };
    const history = [op(0, 'set', -2, -1, undefined, 1), read, other, cas];
    expect(isLinearizable(history)).toBe(false);
    expect(
      isLinearizable([...history.slice(0, 3), { ...cas, result: { rejected: 'CONFLICT' } }]),
    ).toBe(true);
  });

  it('rejects a version that comes back after a delete and re-create of the same value (ABA)', () => {
    expect(
      isLinearizable([
        op(0, 'set', 0, 1, undefined, 7),
        op(0, 'getEntry', 2, 3, { value: 7, version: 'v1' }),
        op(0, 'delete', 4, 5, true),
        op(0, 'set', 6, 7, undefined, 7),
        op(0, 'getEntry', 8, 9, { value: 7, version: 'v1' }),
      ]),
    ).toBe(false);
  });
});
