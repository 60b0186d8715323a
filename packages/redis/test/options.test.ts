import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import {
  createRedisStore,
  REDIS_MAX_VALUE_BYTES,
  type RedisStoreOptions,
  safeClusterOptions,
  safeRedisOptions,
} from '../src/index.js';
import { track } from './support/stores.js';

// lazyConnect: these clients never open a connection.
const lazy = { lazyConnect: true };

describe('createRedisStore() options', () => {
  const malformed: [string, RedisStoreOptions][] = [
    ['maxValueBytes over 512 MiB', { maxValueBytes: REDIS_MAX_VALUE_BYTES + 1 }],
    ['maxValueBytes 0', { maxValueBytes: 0 }],
    ['maxKeyBytes fractional', { maxKeyBytes: 1.5 }],
    ['maxPending negative', { maxPending: -1 }],
    ['scanCount a string', { scanCount: '10' as unknown as number }],
    ['timeout 0', { timeout: 0 }],
    ['namespace with a lone surrogate', { namespace: 'a\ud800' }],
    ['prefix not a string', { prefix: 5 as unknown as string }],
    ['prefix with a lone surrogate', { prefix: '\udc00' }],
    ['codec not a codec', { codec: {} as never }],
    ['persistent not a boolean', { persistent: 'yes' as unknown as boolean }],
    ['url and client', { url: 'redis://x', client: new Redis({ ...lazy, ...safeRedisOptions }) }],
    ['client not a client', { client: {} as never }],
    ['url of another scheme (issue 17)', { url: 'http://nope' }],
    ['url that is not a URL (issue 17)', { url: 'garbage' }],
    ['url not a string', { url: 5 as unknown as string }],
  ];
  for (const [name, options] of malformed) {
    it(`rejects ${name} with TypeError`, () => {
      expect(() => createRedisStore({ redisOptions: lazy, ...options })).toThrow(TypeError);
    });
  }

  it('accepts maxValueBytes up to 512 MiB and declares it', async () => {
    const store = track(
      createRedisStore({ redisOptions: lazy, maxValueBytes: REDIS_MAX_VALUE_BYTES }),
    );
    expect(store.capabilities.maxValueBytes).toBe(REDIS_MAX_VALUE_BYTES);
    expect(store.capabilities.persistent).toBe(false);
    expect(
      track(createRedisStore({ redisOptions: lazy, persistent: true })).capabilities.persistent,
    ).toBe(true);
  });

  it('rejects an injected client that would resend unanswered commands', () => {
    const unsafe = new Redis(lazy);
    expect(() => createRedisStore({ client: unsafe })).toThrow(/autoResendUnfulfilledCommands/);
    const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true });
    expect(() => createRedisStore({ client: cluster })).toThrow(/retryDelayOnFailover/);
    const prefixed = new Redis({ ...lazy, ...safeRedisOptions, keyPrefix: 'x:' });
    expect(() => createRedisStore({ client: prefixed })).toThrow(/keyPrefix/);
    unsafe.disconnect();
    cluster.disconnect();
    prefixed.disconnect();
  });

  it('accepts injected clients made with the safe options', () => {
    const client = new Redis({ ...lazy, ...safeRedisOptions });
    const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], {
      lazyConnect: true,
      ...safeClusterOptions,
    });
    expect(track(createRedisStore({ client, closeClient: true })).client).toBe(client);
    expect(track(createRedisStore({ client: cluster, closeClient: true })).client).toBe(cluster);
  });
});
