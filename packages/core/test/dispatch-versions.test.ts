// The holder re-validates every field of getEntries (op 12) and atomic (op 13) calls from
// the wire, refuses oversized and sparse lists cheaply, and applies nothing of a call it
// refuses (issue 15).
import { afterEach, describe, expect, it } from 'vitest';
// dispatch is internal to core (no entry point exports it), so it is imported from its file.
import { type DispatchContext, dispatch } from '../src/dispatch.js';
import { jsonCodec, MAX_ATOMIC_STEPS } from '../src/index.js';
import { createLoopbackPair } from '../src/testing.js';
import {
  FRAME_TAG,
  HostEngine,
  MemoryBackend,
  MutationKind,
  Op,
  PROTOCOL_VERSION,
} from '../src/transport.js';
import { settle, throwsWith } from './helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function context(maxBatchKeys = 100_000, maxReplyBytes?: number): DispatchContext {
  const backend = new MemoryBackend({ codec: jsonCodec });
  cleanups.push(() => backend.close());
  return {
    backend,
    codec: jsonCodec,
    namespace: 'ns',
    limits: { maxKeyBytes: 16, maxValueBytes: 64, maxBatchKeys, maxReplyBytes },
  };
}

function sparse(length: number, first: unknown): unknown[] {
  const list: unknown[] = [];
  list.length = length;
  list[0] = first;
  return list;
}

describe('dispatch() of getEntries', () => {
  it('answers [value, version] or null per key', () => {
    const c = context();
    dispatch(c, Op.set, ['a', '1', 0]);
    const [entry, missing] = dispatch(c, Op.getEntries, [['a', 'b']]) as unknown[];
    expect(entry).toEqual(['1', expect.any(String)]);
    expect(missing).toBeNull();
  });

  it.each([
    ['not a list', ['a'], 'PROTOCOL'],
    ['a bad key', [['a', 1]], 'INVALID_KEY'],
    ['a key over maxKeyBytes', [['x'.repeat(17)]], 'TOO_LARGE'],
    ['a hole', [sparse(2, 'a')], 'INVALID_KEY'],
    ['more keys than maxBatchKeys', [['a', 'b', 'c', 'd']], 'TOO_LARGE'],
    ['a sparse list claiming 10⁹ keys', [sparse(1e9, 'a')], 'TOO_LARGE'],
  ])('refuses %s', (_name, args, code) => {
    throwsWith(() => dispatch(context(3), Op.getEntries, args), code as never);
  });

  it('refuses an answer over maxReplyBytes with TOO_LARGE', () => {
    const c = context(100, 100);
    dispatch(c, Op.set, ['a', `"${'x'.repeat(60)}"`, 0]);
    dispatch(c, Op.set, ['b', `"${'x'.repeat(60)}"`, 0]);
    throwsWith(() => dispatch(c, Op.getEntries, [['a', 'b']]), 'TOO_LARGE');
  });
});

describe('dispatch() of key lists', () => {
  it.each([
    ['getMany', Op.getMany],
    ['deleteMany', Op.deleteMany],
    ['getEntries', Op.getEntries],
  ])('%s refuses a hole in its key list with INVALID_KEY', (_name, op) => {
    const c = context();
    dispatch(c, Op.set, ['a', '1', 0]);
    throwsWith(() => dispatch(c, op, [sparse(3, 'a')]), 'INVALID_KEY');
    expect(dispatch(c, Op.get, ['a'])).toBe('1');
  });
});

describe('dispatch() of atomic', () => {
  const set = (key: unknown, value: unknown = '1', ttl: unknown = 0) => [
    MutationKind.set,
    key,
    value,
    ttl,
  ];

  it('applies checked mutations and answers their versions', () => {
    const c = context();
    const answer = dispatch(c, Op.atomic, [
      [['a', null]],
      [set('a'), [MutationKind.increment, 'a', 2], [MutationKind.delete, 'b']],
    ]) as [boolean, unknown[]];
    expect(answer[0]).toBe(true);
    expect(answer[1]).toEqual([expect.any(String), expect.any(String), null]);
    expect(dispatch(c, Op.get, ['a'])).toBe('3');
  });

  it.each([
    ['no lists', [], 'PROTOCOL'],
    ['checks that are not a list', ['a', []], 'PROTOCOL'],
    ['mutations that are not a list', [[], { length: 1 }], 'PROTOCOL'],
    ['a check that is not a list', [['a'], []], 'PROTOCOL'],
    ['a check with a numeric version', [[['a', 1]], []], 'PROTOCOL'],
    ['a check with an object version', [[['a', { toString: 1 }]], []], 'PROTOCOL'],
    ['a check with a version over 256 characters', [[['a', 'v'.repeat(257)]], []], 'PROTOCOL'],
    ['a check with a missing version', [[['a']], []], 'PROTOCOL'],
    ['a check with a bad key', [[[7, null]], []], 'INVALID_KEY'],
    ['a mutation that is not a list', [[], ['set']], 'PROTOCOL'],
    ['a mutation of unknown kind', [[], [[3, 'a']]], 'PROTOCOL'],
    ['a mutation kind named after a prototype member', [[], [['constructor', 'a']]], 'PROTOCOL'],
    ['a mutation kind as a string', [[], [['0', 'a', '1', 0]]], 'PROTOCOL'],
    ['a set without a value', [[], [[MutationKind.set, 'a']]], 'PROTOCOL'],
    ['a set of a value that is not encoded', [[], [set('a', 1)]], 'PROTOCOL'],
    ['a set of a value over maxValueBytes', [[], [set('a', `"${'x'.repeat(70)}"`)]], 'TOO_LARGE'],
    ['a set with a negative ttl', [[], [set('a', '1', -1)]], 'PROTOCOL'],
    ['a set with a fractional ttl', [[], [set('a', '1', 0.5)]], 'PROTOCOL'],
    ['a set with no ttl', [[], [[MutationKind.set, 'a', '1']]], 'PROTOCOL'],
    ['a set with a bad key', [[], [set('')]], 'INVALID_KEY'],
    ['a delete with a bad key', [[], [[MutationKind.delete, null]]], 'INVALID_KEY'],
    ['an increment by a fraction', [[], [[MutationKind.increment, 'a', 0.5]]], 'INVALID_VALUE'],
    ['an increment by 2⁵³', [[], [[MutationKind.increment, 'a', 2 ** 53]]], 'INVALID_VALUE'],
    ['an increment by a string', [[], [[MutationKind.increment, 'a', '1']]], 'INVALID_VALUE'],
    ['a hole among checks', [sparse(2, ['a', null]), []], 'PROTOCOL'],
    ['a hole among mutations', [[], sparse(2, set('a'))], 'PROTOCOL'],
    ['sparse checks claiming 10⁹ entries', [sparse(1e9, ['a', null]), [set('a')]], 'TOO_LARGE'],
    ['sparse mutations claiming 10⁹ entries', [[], sparse(1e9, set('a'))], 'TOO_LARGE'],
  ])('refuses %s and applies nothing', (_name, args, code) => {
    const c = context();
    // A valid mutation first: it must not be applied when a later field is refused.
    const [checks, mutations] = args as [unknown, unknown];
    const short = Array.isArray(mutations) && mutations.length < 10;
    const withValid = short ? [set('first'), ...mutations] : mutations;
    throwsWith(() => dispatch(c, Op.atomic, [checks, withValid]), code as never);
    expect(c.backend.stats().entries).toBe(0);
  });

  it(`refuses more than ${MAX_ATOMIC_STEPS} steps, or more than maxBatchKeys, with TOO_LARGE`, () => {
    const c = context();
    const checks = Array.from({ length: 1 }, () => ['c', null]);
    const mutations = Array.from({ length: MAX_ATOMIC_STEPS }, (_, i) => set(`k${i}`));
    throwsWith(() => dispatch(c, Op.atomic, [checks, mutations]), 'TOO_LARGE');
    expect(c.backend.stats().entries).toBe(0);
    expect((dispatch(c, Op.atomic, [[], mutations]) as [boolean])[0]).toBe(true);
    const small = context(3);
    throwsWith(
      () => dispatch(small, Op.atomic, [[['c', null]], [set('a'), set('b'), set('d')]]),
      'TOO_LARGE',
    );
  });

  it('answers [false, keys] for failed checks, each key once, and writes nothing', () => {
    const c = context();
    dispatch(c, Op.set, ['a', '1', 0]);
    const answer = dispatch(c, Op.atomic, [
      [
        ['a', null],
        ['b', 'not a version'],
        ['a', 'nor this'],
      ],
      [set('b'), [MutationKind.delete, 'a']],
    ]);
    expect(answer).toEqual([false, ['a', 'b']]);
    expect(dispatch(c, Op.getMany, [['a', 'b']])).toEqual(['1', null]);
  });
});

describe('HostEngine with malformed getEntries and atomic calls', () => {
  it('answers each with an error (PROTOCOL for a malformed one), keeps serving, and counts no internal error', async () => {
    const backend = new MemoryBackend({ codec: jsonCodec });
    const engine = new HostEngine({ backend, codec: jsonCodec });
    cleanups.push(() => {
      engine.close();
      backend.close();
    });
    const pair = createLoopbackPair();
    engine.attach(pair.host);
    const received: Record<string, unknown>[] = [];
    pair.client.open({
      message: (message) => received.push(message as Record<string, unknown>),
      close() {},
      drain() {},
    });
    cleanups.push(() => pair.disconnect());
    const send = (frame: object) =>
      pair.client.send({ [FRAME_TAG]: PROTOCOL_VERSION, from: 'c1', ...frame });
    send({
      k: 'hello',
      codec: 'json',
      namespace: '',
      maxKeyBytes: 1024,
      maxValueBytes: 64 * 1024 * 1024,
      maxBatchKeys: 100_000,
      maxReplyBytes: 128 * 1024 * 1024,
    });
    await settle();
    expect(received.at(-1)).toMatchObject({ k: 'welcome', ops: 14 });
    const calls = [
      [1, Op.getEntries],
      [2, Op.getEntries, 'a'],
      [3, Op.getEntries, { length: 1e9 }],
      [4, Op.atomic],
      [5, Op.atomic, null, null],
      [6, Op.atomic, [['a', 5]], []],
      [7, Op.atomic, [], [[9, 'a']]],
      [8, Op.atomic, [], [['__proto__', 'a']]],
      [9, Op.atomic, [], [[MutationKind.set, 'a', { v: 1 }, 0]]],
      [10, Op.atomic, [], [[MutationKind.set, 'a', '1', 0]], 'extra'],
      [11, Op.getEntries, ['a']],
    ];
    send({ k: 'req', c: calls });
    await settle();
    const replies = (received.at(-1) as { r: unknown[][] }).r;
    expect(replies.map((reply) => reply.slice(0, 3))).toEqual([
      [1, 1, 'PROTOCOL'],
      [2, 1, 'PROTOCOL'],
      [3, 1, 'PROTOCOL'],
      [4, 1, 'PROTOCOL'],
      [5, 1, 'PROTOCOL'],
      [6, 1, 'PROTOCOL'],
      [7, 1, 'PROTOCOL'],
      [8, 1, 'PROTOCOL'],
      [9, 1, 'PROTOCOL'],
      // Extra arguments are ignored, as for every operation.
      [10, 0, [true, [expect.any(String)]]],
      [11, 0, [['1', expect.any(String)]]],
    ]);
    expect(engine.stats()).toMatchObject({ internalErrors: 0, clients: 1 });
  });
});
