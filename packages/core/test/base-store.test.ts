import { describe, expect, it } from 'vitest';
import { type Capabilities, jsonCodec, StateError } from '../src/index.js';
import {
  BaseStore,
  DEFAULT_MAX_KEY_BYTES,
  DEFAULT_MAX_VALUE_BYTES,
  DEFAULT_TIMEOUT_MS,
  defineCapabilities,
  type ExecuteOptions,
  type Executor,
  Op,
  type OpCode,
  readCallOptions,
  readTimeout,
  readTtl,
} from '../src/transport.js';
import { caught, rejectsWith } from './helpers.js';

interface Recorded {
  op: OpCode;
  args: unknown[];
  options: ExecuteOptions;
}

/** An executor that records calls and answers with `reply(op)`. */
function recordingStore(
  reply: (op: OpCode, args: unknown[]) => unknown = () => null,
  capabilities: Partial<Capabilities> = { ttl: true },
) {
  const calls: Recorded[] = [];
  let closes = 0;
  const executor: Executor = {
    async execute(op, args, options) {
      calls.push({ op, args: structuredClone(args) as unknown[], options });
      return reply(op, args as unknown[]) as never;
    },
    async close() {
      closes++;
    },
  };
  const store = new BaseStore({
    executor,
    codec: jsonCodec,
    capabilities: defineCapabilities({ maxKeyBytes: 16, maxValueBytes: 32, ...capabilities }),
    timeout: 1234,
    label: 'recorder',
  });
  return { store, calls, closes: () => closes };
}

describe('BaseStore', () => {
  it('hands validated, encoded calls to the executor', async () => {
    const { store, calls } = recordingStore();
    await store.set('k', { a: 1 }, { ttl: 10.2 });
    await store.setIfAbsent('k', 'v');
    await store.setMany([{ key: 'a', value: [1], ttl: 5 }]);
    await store.increment('n');
    await store.keys();
    expect(calls.map(({ op, args }) => [op, args])).toEqual([
      [Op.set, ['k', '{"a":1}', 11]],
      [Op.setIfAbsent, ['k', '"v"', 0]],
      [Op.setMany, [[['a', '[1]', 5]]]],
      [Op.increment, ['n', 1, 0]],
      [Op.keys, ['']],
    ]);
    expect(calls[0]?.options).toEqual({ timeout: 1234, signal: undefined });
  });

  it('rejects bad keys, values and options before any call reaches the executor', async () => {
    const { store, calls } = recordingStore();
    await rejectsWith(store.get(1 as never), 'INVALID_KEY');
    await rejectsWith(store.get(''), 'INVALID_KEY');
    await rejectsWith(store.has('\ud800'), 'INVALID_KEY');
    await rejectsWith(store.delete('x'.repeat(17)), 'TOO_LARGE');
    await rejectsWith(store.keys(5 as never), 'INVALID_KEY');
    await rejectsWith(store.set('k', undefined), 'INVALID_VALUE');
    await rejectsWith(store.set('k', new Map()), 'INVALID_VALUE');
    await rejectsWith(store.set('k', 'x'.repeat(40)), 'TOO_LARGE');
    await rejectsWith(store.getMany('k' as never), 'INVALID_KEY');
    await rejectsWith(store.getMany(['a', 1 as never]), 'INVALID_KEY');
    await rejectsWith(store.deleteMany([null as never]), 'INVALID_KEY');
    await rejectsWith(store.setMany('k' as never), 'INVALID_KEY');
    await rejectsWith(store.setMany([null as never]), 'INVALID_KEY');
    await rejectsWith(
      store.setMany([
        { key: 'a', value: 1 },
        { key: 'b', value: -0 },
      ]),
      'INVALID_VALUE',
    );
    await rejectsWith(store.increment('n', 0.5), 'INVALID_VALUE');
    await rejectsWith(store.increment('n', 2 ** 53), 'INVALID_VALUE');
    expect(await caught(store.set('k', 1, { ttl: -1 }))).toBeInstanceOf(TypeError);
    expect(await caught(store.get('k', { timeout: -1 }))).toBeInstanceOf(TypeError);
    expect(calls).toEqual([]);
  });

  it('error messages name the store', async () => {
    const { store } = recordingStore();
    const error = await rejectsWith(store.get(''), 'INVALID_KEY');
    expect(error.message).toContain('recorder');
  });

  it('empty batches resolve without a call', async () => {
    const { store, calls } = recordingStore();
    expect(await store.getMany([])).toEqual([]);
    expect(await store.deleteMany([])).toBe(0);
    await store.setMany([]);
    expect(calls).toEqual([]);
  });

  it('ttl on a store without capabilities.ttl rejects NOT_SUPPORTED', async () => {
    const { store, calls } = recordingStore(() => null, { ttl: false });
    await rejectsWith(store.set('k', 1, { ttl: 10 }), 'NOT_SUPPORTED');
    await rejectsWith(store.setIfAbsent('k', 1, { ttl: 10 }), 'NOT_SUPPORTED');
    await rejectsWith(store.setMany([{ key: 'k', value: 1, ttl: 10 }]), 'NOT_SUPPORTED');
    await store.set('k', 1);
    expect(calls).toHaveLength(1);
  });

  it('get() decodes what the executor returns; null is a missing value', async () => {
    const { store } = recordingStore((op) => (op === Op.get ? '{"a":[1]}' : null));
    expect(await store.get('k')).toEqual({ a: [1] });
    const missing = recordingStore(() => null);
    expect(await missing.store.get('k')).toBeUndefined();
  });

  it('malformed results from the executor reject PROTOCOL', async () => {
    const notEncoded = recordingStore(() => 42);
    await rejectsWith(notEncoded.store.get('k'), 'PROTOCOL');
    const undecodable = recordingStore(() => '{nope');
    const error = await rejectsWith(undecodable.store.get('k'), 'PROTOCOL');
    expect(error.cause).toBeInstanceOf(SyntaxError);
    const short = recordingStore(() => ['1']);
    await rejectsWith(short.store.getMany(['a', 'b']), 'PROTOCOL');
    const notList = recordingStore(() => '1');
    await rejectsWith(notList.store.getMany(['a']), 'PROTOCOL');
  });

  it('errors from the executor reach the caller unchanged', async () => {
    const failure = new StateError('BACKEND', 'down', { maybeApplied: true });
    const { store } = recordingStore(() => {
      throw failure;
    });
    expect(await caught(store.set('k', 1))).toBe(failure);
  });

  it('close() closes the executor once and returns the same promise', async () => {
    const { store, calls, closes } = recordingStore();
    const first = store.close();
    expect(store.close()).toBe(first);
    await first;
    expect(closes()).toBe(1);
    await rejectsWith(store.get('k'), 'CLOSED');
    expect(calls).toEqual([]);
  });
});

describe('call options', () => {
  it('readTimeout() accepts (0, 2^31-1] and throws TypeError otherwise', () => {
    expect(readTimeout(1)).toBe(1);
    expect(readTimeout(0.5)).toBe(0.5);
    expect(readTimeout(2 ** 31 - 1)).toBe(2 ** 31 - 1);
    for (const bad of [0, -1, 2 ** 31, Number.NaN, Number.POSITIVE_INFINITY, '5', null]) {
      expect(() => readTimeout(bad)).toThrow(TypeError);
    }
    expect(() => readTimeout(0, 'handshakeTimeout')).toThrow(/handshakeTimeout/);
  });

  it('readTtl() rounds up to whole ms, 0 meaning none, and throws TypeError when malformed', () => {
    expect(readTtl(undefined)).toBe(0);
    expect(readTtl(1)).toBe(1);
    expect(readTtl(0.1)).toBe(1);
    expect(readTtl(1e300)).toBe(Number.MAX_SAFE_INTEGER);
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '5', null]) {
      expect(() => readTtl(bad as never)).toThrow(TypeError);
    }
  });

  it('readCallOptions() fills the default timeout and checks the signal', () => {
    expect(readCallOptions(undefined, 99)).toEqual({ timeout: 99, signal: undefined });
    const signal = new AbortController().signal;
    expect(readCallOptions({ timeout: 5, signal }, 99)).toEqual({ timeout: 5, signal });
    expect(() => readCallOptions({ signal: {} as never }, 99)).toThrow(TypeError);
    expect(() => readCallOptions('x' as never, 99)).toThrow(TypeError);
    expect(DEFAULT_TIMEOUT_MS).toBe(5000);
  });
});

describe('defineCapabilities()', () => {
  it('defineCapabilities() defaults every flag to false and the limits to the defaults', () => {
    const capabilities = defineCapabilities({ ttl: true });
    expect(capabilities).toEqual({
      binary: false,
      structured: false,
      ttl: true,
      shared: false,
      persistent: false,
      atomic: false,
      versions: false,
      maxKeyBytes: DEFAULT_MAX_KEY_BYTES,
      maxValueBytes: DEFAULT_MAX_VALUE_BYTES,
      maxBatchKeys: 100_000,
      maxReplyBytes: 2 * DEFAULT_MAX_VALUE_BYTES,
    });
    expect(Object.isFrozen(capabilities)).toBe(true);
    expect(DEFAULT_MAX_KEY_BYTES).toBe(1024);
    expect(DEFAULT_MAX_VALUE_BYTES).toBe(64 * 1024 * 1024);
  });
});
