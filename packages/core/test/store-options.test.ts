// Every transport in core validates every option the same way, before anything is opened:
// a malformed one is a TypeError naming it (issue 14).
import { describe, expect, it } from 'vitest';
import { createMemoryStore, jsonCodec } from '../src/index.js';
import { serveLoopback } from '../src/testing.js';
import { MemoryBackend, resolveStoreOptions } from '../src/transport.js';

const namingIt = (name: string) =>
  expect.objectContaining({ name: 'TypeError', message: expect.stringContaining(name) });

const malformedStore: [string, Record<string, unknown>][] = [
  ['maxKeyBytes', { maxKeyBytes: -1 }],
  ['maxValueBytes', { maxValueBytes: 'x' }],
  ['maxBatchKeys', { maxBatchKeys: 0 }],
  ['maxReplyBytes', { maxReplyBytes: Number.NaN }],
  ['timeout', { timeout: Number.NaN }],
  ['timeout', { timeout: -1 }],
  ['maxEntries', { maxEntries: -1 }],
  ['maxBytes', { maxBytes: Number.NaN }],
  ['sweepIntervalMs', { sweepIntervalMs: Number.NaN }],
  ['sweepBatch', { sweepBatch: 'x' }],
  // null is no "not given": namespace: null read and wrote the default namespace.
  ['namespace', { namespace: null }],
  ['timeout', { timeout: null }],
  ['codec', { codec: null }],
];

describe('options', () => {
  it.each(malformedStore)(
    'createMemoryStore() rejects a malformed %s with a TypeError naming it',
    (name, options) => {
      expect(() => createMemoryStore(options)).toThrow(namingIt(name));
    },
  );

  it.each([
    // The loopback host takes the batch and reply limits in `host`, like the host engine.
    ...malformedStore.filter(([name]) => name !== 'maxBatchKeys' && name !== 'maxReplyBytes'),
    ['maxReplyBytes', { host: { maxReplyBytes: -1 } }],
    ['maxPending', { client: { maxPending: 'x' } }],
    ['maxPending', { client: { maxPending: -3 } }],
    ['handshakeTimeout', { client: { handshakeTimeout: Number.NaN } }],
    ['frameBudgetBytes', { client: { frameBudgetBytes: 0 } }],
    ['maxCallsPerFrame', { host: { maxCallsPerFrame: -1 } }],
    ['maxClientsPerLink', { host: { maxClientsPerLink: 'x' } }],
    ['maxBatchKeys', { host: { maxBatchKeys: Number.NaN } }],
  ] as [string, Record<string, unknown>][])(
    'serveLoopback() rejects a malformed %s with a TypeError naming it',
    (name, options) => {
      expect(() => serveLoopback(options)).toThrow(namingIt(name));
    },
  );

  it('createMemoryStore() and serveLoopback() reject options that are not an object', () => {
    expect(() => createMemoryStore(null as never)).toThrow(TypeError);
    expect(() => serveLoopback(7 as never)).toThrow(TypeError);
  });

  it('resolveStoreOptions() fills in the defaults once, frozen', () => {
    const resolved = resolveStoreOptions({ maxValueBytes: 1024 });
    expect(resolved).toEqual({
      namespace: '',
      timeout: 5000,
      maxKeyBytes: 1024,
      maxValueBytes: 1024,
      maxBatchKeys: 100_000,
      maxReplyBytes: 16 * 1024 * 1024,
    });
    expect(Object.isFrozen(resolved)).toBe(true);
  });

  it('a store on a shared backend leaves the backend open when it closes', async () => {
    const backend = new MemoryBackend({ codec: jsonCodec });
    const store = createMemoryStore({ backend });
    await store.set('a', 1);
    await store.close();
    expect(await createMemoryStore({ backend }).get('a')).toBe(1);
    backend.close();
  });
});
