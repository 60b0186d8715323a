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
  // [case, options, the option the TypeError must name]
  const malformed: [string, RedisStoreOptions, RegExp][] = [
    ['maxValueBytes over 512 MiB', { maxValueBytes: REDIS_MAX_VALUE_BYTES + 1 }, /maxValueBytes/],
    ['maxValueBytes 0', { maxValueBytes: 0 }, /maxValueBytes/],
    ['maxKeyBytes fractional', { maxKeyBytes: 1.5 }, /maxKeyBytes/],
    ['maxBatchKeys 0', { maxBatchKeys: 0 }, /maxBatchKeys/],
    ['maxReplyBytes negative', { maxReplyBytes: -1 }, /maxReplyBytes/],
    ['maxPending negative', { maxPending: -1 }, /maxPending/],
    ['maxPending a string', { maxPending: 'x' as unknown as number }, /maxPending/],
    ['scanCount a string', { scanCount: '10' as unknown as number }, /scanCount/],
    ['timeout 0', { timeout: 0 }, /timeout/],
    ['namespace with a lone surrogate', { namespace: 'a\ud800' }, /namespace/],
    ['prefix not a string', { prefix: 5 as unknown as string }, /prefix/],
    ['prefix with a lone surrogate', { prefix: '\udc00' }, /prefix/],
    ['codec not a codec', { codec: {} as never }, /codec/],
    ['persistent not a boolean', { persistent: 'yes' as unknown as boolean }, /persistent/],
    ['closeClient not a boolean', { closeClient: 'yes' as unknown as boolean }, /closeClient/],
    ['redisOptions not an object', { redisOptions: 5 as never }, /redisOptions/],
    ['cluster not an object', { cluster: 5 as never, redisOptions: undefined }, /cluster/],
    [
      'cluster.options not an object',
      { cluster: { nodes: [], options: 5 as never }, redisOptions: undefined },
      /cluster\.options/,
    ],
    [
      'waitForReplicas.replicas 0',
      { waitForReplicas: { replicas: 0, timeout: 100 } },
      /waitForReplicas\.replicas/,
    ],
    [
      'waitForReplicas.timeout a string',
      { waitForReplicas: { replicas: 1, timeout: '1' as unknown as number } },
      /waitForReplicas\.timeout/,
    ],
    ['waitForReplicas not an object', { waitForReplicas: 1 as never }, /waitForReplicas/],
    [
      'waitForReplicas without timeout',
      { waitForReplicas: { replicas: 1 } as never },
      /waitForReplicas must be \{ replicas, timeout \}/,
    ],
    [
      'waitForReplicas with an unknown option',
      { waitForReplicas: { replicas: 1, timeout: 100, timout: 5 } as never },
      /waitForReplicas takes no option "timout"/,
    ],
    // ioredis options at the top level: the store used to connect to 127.0.0.1:6379 instead.
    ['host and port', { host: '127.0.0.1', port: 7000 } as never, /takes no option "host"/],
    ['a misspelt prefix', { prefx: 'x:' } as never, /takes no option "prefx"/],
    [
      'redisOptions.keyPrefix',
      { redisOptions: { ...lazy, keyPrefix: 'x:' } },
      /redisOptions has a keyPrefix; use the store option `prefix`/,
    ],
    [
      'redisOptions.enableAutoPipelining',
      { redisOptions: { ...lazy, enableAutoPipelining: true } },
      /redisOptions has enableAutoPipelining/,
    ],
    [
      'cluster.options.keyPrefix',
      { cluster: { nodes: [], options: { keyPrefix: 'x:' } }, redisOptions: undefined },
      /cluster\.options has a keyPrefix/,
    ],
    [
      'cluster.options.redisOptions.enableAutoPipelining',
      {
        cluster: { nodes: [], options: { redisOptions: { enableAutoPipelining: true } } },
        redisOptions: undefined,
      },
      /cluster\.options has enableAutoPipelining/,
    ],
    [
      'url and client',
      { url: 'redis://x', client: new Redis({ ...lazy, ...safeRedisOptions }) },
      /url.*client/,
    ],
    ['client not a client', { client: {} as never }, /client/],
    ['url of another scheme (issue 17)', { url: 'http://nope' }, /url/],
    ['url that is not a URL (issue 17)', { url: 'garbage' }, /url/],
    ['url not a string', { url: 5 as unknown as string }, /url/],
    // ioredis read this one as a Unix socket named "/127.0.0.1:6379".
    ['url without // (redis:/host:port)', { url: 'redis:/127.0.0.1:6379' }, /url/],
    ['url without // (redis:host:port)', { url: 'redis:127.0.0.1:6379' }, /url/],
    ['url without a host', { url: 'redis:///3' }, /url.*host/],
    // ioredis used database 0 for it.
    ['url whose path is not a database number', { url: 'redis://h:6379/notadb' }, /url.*database/],
  ];
  it('accepts redis:// and rediss:// URLs with a host, and an optional port, db and query', () => {
    for (const url of [
      'redis://127.0.0.1',
      'redis://127.0.0.1:6379/',
      'redis://:pw@h:1/2?family=6',
      'REDISS://user:pw@example.com:6380/15',
    ]) {
      expect(() => track(createRedisStore({ url, redisOptions: lazy }))).not.toThrow();
    }
  });

  for (const [name, options, option] of malformed) {
    it(`rejects ${name} with a TypeError naming it`, () => {
      expect(() => createRedisStore({ redisOptions: lazy, ...options })).toThrow(TypeError);
      expect(() => createRedisStore({ redisOptions: lazy, ...options })).toThrow(option);
    });
  }

  it('rejects options that are not an object with a TypeError', () => {
    expect(() => createRedisStore(5 as never)).toThrow(TypeError);
    expect(() => createRedisStore(null as never)).toThrow(/options/);
  });

  it('declares maxBatchKeys and maxReplyBytes as given, and their defaults otherwise', () => {
    const given = track(
      createRedisStore({ redisOptions: lazy, maxBatchKeys: 10, maxReplyBytes: 1 << 20 }),
    );
    expect(given.capabilities.maxBatchKeys).toBe(10);
    expect(given.capabilities.maxReplyBytes).toBe(1 << 20);
    const defaults = track(createRedisStore({ redisOptions: lazy }));
    expect(defaults.capabilities.maxBatchKeys).toBe(100_000);
    expect(defaults.capabilities.maxReplyBytes).toBe(128 * 1024 * 1024);
  });

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

  it('rejects an injected client with enableAutoPipelining (ioredis would drop the command names)', () => {
    const client = new Redis({ ...lazy, ...safeRedisOptions, enableAutoPipelining: true });
    const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], {
      lazyConnect: true,
      ...safeClusterOptions,
      enableAutoPipelining: true,
    });
    expect(() => createRedisStore({ client })).toThrow(TypeError);
    expect(() => createRedisStore({ client })).toThrow(/enableAutoPipelining/);
    expect(() => createRedisStore({ client: cluster })).toThrow(/enableAutoPipelining/);
    client.disconnect();
    cluster.disconnect();
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
