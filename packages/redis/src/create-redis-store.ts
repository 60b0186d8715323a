import {
  assertNamespace,
  BaseStore,
  checkTimeout,
  DEFAULT_MAX_KEY_BYTES,
  DEFAULT_MAX_VALUE_BYTES,
  DEFAULT_TIMEOUT_MS,
  defineCapabilities,
  type Store,
  type ValueCodec,
} from '@statewire/core';
import { msgpackCodec } from '@statewire/core/msgpack';
import {
  checkInjectedClient,
  createOwnedClient,
  isCluster,
  isRedisClient,
  type RedisClient,
} from './redis-client.js';
import { RedisExecutor, type RedisStoreStats } from './redis-executor.js';
import { DEFAULT_PREFIX, RedisKeyLayout } from './redis-key.js';
import {
  REDIS_MAX_VALUE_BYTES,
  type RedisStoreOptions,
  type WaitForReplicas,
} from './redis-store-options.js';
import { redisValueCodec } from './redis-value-codec.js';

/** A statewire store on Redis: the {@link Store} contract plus the client and counters. */
export interface RedisStore<S extends object = Record<string, unknown>> extends Store<S> {
  /** The ioredis client the store uses (its own, or the injected one). */
  readonly client: RedisClient;
  /** Counters: pending, queued and in-flight calls, timers, timeouts. */
  stats(): RedisStoreStats;
}

class RedisBaseStore<S extends object> extends BaseStore<S> implements RedisStore<S> {
  readonly client: RedisClient;
  readonly #executor: RedisExecutor;

  constructor(
    options: ConstructorParameters<typeof BaseStore>[0],
    executor: RedisExecutor,
    client: RedisClient,
  ) {
    super(options);
    this.#executor = executor;
    this.client = client;
  }

  stats(): RedisStoreStats {
    return this.#executor.stats();
  }
}

function positiveInteger(value: unknown, name: string, fallback: number, max = Infinity): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new TypeError(
      `redis: ${name} must be a positive integer${max === Infinity ? '' : ` up to ${max}`}`,
    );
  }
  return value;
}

// ioredis takes any string as a URL and quietly falls back to 127.0.0.1:6379 for what it
// cannot read (`http://nope` connected to the local server): a typo must fail here.
function checkUrl(url: unknown): void {
  let parsed: URL | undefined;
  try {
    parsed = typeof url === 'string' ? new URL(url) : undefined;
  } catch {}
  if (parsed === undefined || (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')) {
    throw new TypeError('redis: url must be a redis:// or rediss:// URL (redis://host:port/db)');
  }
}

function checkWaitForReplicas(options: RedisStoreOptions): WaitForReplicas | undefined {
  const wait = options.waitForReplicas;
  if (wait === undefined) return undefined;
  if (typeof wait !== 'object' || wait === null) {
    throw new TypeError('redis: waitForReplicas must be { replicas, timeout }');
  }
  const cluster =
    options.cluster !== undefined ||
    (options.client !== undefined && isRedisClient(options.client) && isCluster(options.client));
  if (cluster) {
    throw new TypeError(
      'redis: waitForReplicas is for standalone and Sentinel servers, not a Cluster',
    );
  }
  return {
    replicas: positiveInteger(wait.replicas, 'waitForReplicas.replicas', 1),
    timeout: positiveInteger(wait.timeout, 'waitForReplicas.timeout', 1000),
  };
}

function checkCodec(codec: unknown): ValueCodec {
  const candidate = codec as Partial<ValueCodec> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.name !== 'string' ||
    typeof candidate.encode !== 'function' ||
    typeof candidate.decode !== 'function' ||
    typeof candidate.keeps !== 'object'
  ) {
    throw new TypeError('redis: codec must be a ValueCodec');
  }
  return candidate as ValueCodec;
}

/**
 * Creates a store on Redis (standalone, Sentinel or Cluster) through ioredis.
 *
 * Keys live under `prefix` and the store's `namespace` (see {@link RedisKeyLayout}); values
 * are stored in the Redis value format ({@link redisValueCodec}) so that `increment` is an
 * atomic `INCRBY` across every process and server client, while Buffers, Dates, Maps and
 * friends round-trip through msgpack. Every call has a timeout; a write whose reply was lost
 * with the connection rejects with `CONNECTION_LOST` and `maybeApplied: true` and is never
 * resent.
 *
 * @example
 * ```ts
 * const store = createRedisStore<{ hits: number }>({ url: 'redis://127.0.0.1:6379' });
 * await store.increment('hits');
 * await store.close();
 * ```
 * @throws TypeError when an option is malformed (a `url` that is not `redis://` or
 *   `rediss://`, included), or an injected client could resend writes
 */
export function createRedisStore<S extends object = Record<string, unknown>>(
  options: RedisStoreOptions = {},
): RedisStore<S> {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('redis: options must be an object');
  }
  const maxKeyBytes = positiveInteger(options.maxKeyBytes, 'maxKeyBytes', DEFAULT_MAX_KEY_BYTES);
  const maxValueBytes = positiveInteger(
    options.maxValueBytes,
    'maxValueBytes',
    DEFAULT_MAX_VALUE_BYTES,
    REDIS_MAX_VALUE_BYTES,
  );
  const maxPending = positiveInteger(options.maxPending, 'maxPending', 16_384);
  const scanCount = positiveInteger(options.scanCount, 'scanCount', 1000);
  const timeout = checkTimeout(options.timeout ?? DEFAULT_TIMEOUT_MS);
  const namespace = options.namespace ?? '';
  assertNamespace(namespace, maxKeyBytes);
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  if (typeof prefix !== 'string' || !prefix.isWellFormed()) {
    throw new TypeError('redis: prefix must be a well-formed string');
  }
  const codec = redisValueCodec(checkCodec(options.codec ?? msgpackCodec));
  if (options.persistent !== undefined && typeof options.persistent !== 'boolean') {
    throw new TypeError('redis: persistent must be a boolean');
  }
  const sources = [options.url, options.client, options.cluster].filter((s) => s !== undefined);
  if (sources.length > 1) {
    throw new TypeError('redis: give at most one of url, client and cluster');
  }
  if (options.url !== undefined) checkUrl(options.url);
  if (options.cluster !== undefined && !Array.isArray(options.cluster?.nodes)) {
    throw new TypeError('redis: cluster.nodes must be an array of startup nodes');
  }
  const waitForReplicas = checkWaitForReplicas(options);

  let client: RedisClient;
  const owned = options.client === undefined;
  if (options.client !== undefined) {
    if (!isRedisClient(options.client)) {
      throw new TypeError('redis: client must be an ioredis Redis or Cluster client');
    }
    checkInjectedClient(options.client);
    client = options.client;
  } else {
    const url =
      options.url ??
      (options.cluster === undefined && options.redisOptions === undefined
        ? 'redis://127.0.0.1:6379'
        : undefined);
    client = createOwnedClient({
      url,
      client: undefined,
      cluster: options.cluster,
      redisOptions: options.redisOptions,
    });
  }

  const executor = new RedisExecutor({
    client,
    layout: new RedisKeyLayout(prefix, namespace),
    closeClient: owned || options.closeClient === true,
    stopOnAuthFailure: owned,
    maxPending,
    scanCount,
    waitForReplicas,
  });
  const capabilities = defineCapabilities({
    ...codec.keeps,
    ttl: true,
    shared: true,
    atomic: true,
    persistent: options.persistent ?? false,
    maxKeyBytes,
    maxValueBytes,
  });
  return new RedisBaseStore<S>(
    { executor, codec, capabilities, timeout, label: 'redis' },
    executor,
    client,
  );
}
