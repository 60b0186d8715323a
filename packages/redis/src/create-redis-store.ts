import type { Store, ValueCodec } from '@statewire/core';
import { msgpackCodec } from '@statewire/core/msgpack';
import {
  BaseStore,
  booleanOption,
  checkOptionNames,
  ENGINE_DEFAULTS,
  optionNames,
  optionsObject,
  positiveInteger,
  resolveStoreOptions,
  storeCapabilities,
} from '@statewire/core/transport';
import {
  checkClientOptions,
  checkInjectedClient,
  createOwnedClient,
  isCluster,
  isRedisClient,
  type RedisClient,
} from './redis-client.js';
import { RedisExecutor, type RedisStoreStats } from './redis-executor.js';
import { DEFAULT_PREFIX, RedisKeyLayout } from './redis-key.js';
import {
  DEFAULT_SCAN_COUNT,
  REDIS_MAX_VALUE_BYTES,
  type RedisStoreOptions,
  type WaitForReplicas,
} from './redis-store-options.js';
import { innerValueBytes, replyValueCodec } from './redis-value-codec.js';

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

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

// ioredis takes any string as a URL and quietly falls back to what it cannot read:
// `http://nope` connected to 127.0.0.1:6379, `redis:/host:6379` waited on a Unix socket named
// `/host:6379`, and `redis://host/notadb` used database 0. A typo must fail here.
function checkUrl(url: unknown): void {
  let parsed: URL | undefined;
  try {
    parsed = typeof url === 'string' && /^rediss?:\/\//i.test(url) ? new URL(url) : undefined;
  } catch {}
  const usage = 'redis: url must be a redis:// or rediss:// URL (redis://host:port/db)';
  if (parsed === undefined || (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')) {
    throw new TypeError(usage);
  }
  if (parsed.hostname === '') throw new TypeError(`${usage}: it names no host`);
  if (!/^(\/(\d{1,9})?)?$/.test(parsed.pathname)) {
    throw new TypeError(`${usage}: its path must be a database number`);
  }
}

const WAIT_FOR_REPLICAS_OPTIONS = optionNames<WaitForReplicas>({ replicas: true, timeout: true });

const REDIS_STORE_OPTIONS = optionNames<RedisStoreOptions>({
  url: true,
  client: true,
  cluster: true,
  redisOptions: true,
  closeClient: true,
  prefix: true,
  namespace: true,
  codec: true,
  timeout: true,
  maxKeyBytes: true,
  maxValueBytes: true,
  maxBatchKeys: true,
  maxReplyBytes: true,
  maxPending: true,
  scanCount: true,
  waitForReplicas: true,
  persistent: true,
});

function checkWaitForReplicas(options: RedisStoreOptions): WaitForReplicas | undefined {
  const wait = options.waitForReplicas;
  if (wait === undefined) return undefined;
  // Both are needed: no default would suit every deployment.
  if (!isObject(wait) || wait.replicas === undefined || wait.timeout === undefined) {
    throw new TypeError('redis: waitForReplicas must be { replicas, timeout }');
  }
  checkOptionNames('redis: waitForReplicas', wait, WAIT_FOR_REPLICAS_OPTIONS);
  const cluster =
    options.cluster !== undefined ||
    (options.client !== undefined && isRedisClient(options.client) && isCluster(options.client));
  if (cluster) {
    throw new TypeError(
      'redis: waitForReplicas is for standalone and Sentinel servers, not a Cluster',
    );
  }
  return {
    replicas: positiveInteger('waitForReplicas.replicas', wait.replicas, 1),
    timeout: positiveInteger('waitForReplicas.timeout', wait.timeout, 1),
  };
}

function checkCodec(codec: unknown): ValueCodec {
  const candidate = codec as Partial<ValueCodec> | null;
  if (
    !isObject(candidate) ||
    typeof candidate.name !== 'string' ||
    typeof candidate.encode !== 'function' ||
    typeof candidate.decode !== 'function' ||
    typeof candidate.keeps !== 'object'
  ) {
    throw new TypeError('redis: codec must be a ValueCodec');
  }
  return candidate as ValueCodec;
}

// Where the client comes from: at most one of url, client and cluster, each well-formed.
function checkSource(options: RedisStoreOptions): void {
  const sources = [options.url, options.client, options.cluster].filter((s) => s !== undefined);
  if (sources.length > 1) {
    throw new TypeError('redis: give at most one of url, client and cluster');
  }
  if (options.url !== undefined) checkUrl(options.url);
  if (options.client !== undefined && !isRedisClient(options.client)) {
    throw new TypeError('redis: client must be an ioredis Redis or Cluster client');
  }
  const cluster = options.cluster;
  if (cluster !== undefined && (!isObject(cluster) || !Array.isArray(cluster.nodes))) {
    throw new TypeError('redis: cluster.nodes must be an array of startup nodes');
  }
  if (cluster?.options !== undefined && !isObject(cluster.options)) {
    throw new TypeError('redis: cluster.options must be an object of ioredis ClusterOptions');
  }
  if (options.redisOptions !== undefined && !isObject(options.redisOptions)) {
    throw new TypeError('redis: redisOptions must be an object of ioredis RedisOptions');
  }
  checkClientOptions(options.redisOptions, 'redisOptions');
  checkClientOptions(cluster?.options, 'cluster.options');
}

/**
 * Creates a store on Redis (standalone, Sentinel or Cluster) through ioredis.
 *
 * Keys live under `prefix` and the store's `namespace` (see {@link RedisKeyLayout}); each
 * value is stored with its version (a 21-byte header) in front of the Redis value format
 * ({@link redisValueCodec}), so that `increment`, compare-and-set and `atomic()` commits are
 * Lua scripts atomic across every process, while Buffers, Dates, Maps and friends
 * round-trip through msgpack. Every call has a timeout; a write whose reply was lost
 * with the connection rejects with `CONNECTION_LOST` and `maybeApplied: true` and is never
 * resent.
 *
 * @example
 * ```ts
 * const store = createRedisStore<{ hits: number }>({ url: 'redis://127.0.0.1:6379' });
 * await store.increment('hits');
 * await store.close();
 * ```
 * @throws TypeError naming the option when one is malformed (a `url` that is not `redis://`
 *   or `rediss://` included), or when an injected client could resend writes
 */
export function createRedisStore<S extends object = Record<string, unknown>>(
  options: RedisStoreOptions = {},
): RedisStore<S> {
  const given = optionsObject(options, 'createRedisStore()', REDIS_STORE_OPTIONS);
  const resolved = resolveStoreOptions(given);
  if (resolved.maxValueBytes > REDIS_MAX_VALUE_BYTES) {
    throw new TypeError(
      `maxValueBytes must be at most ${REDIS_MAX_VALUE_BYTES} (Redis's 512 MiB limit less the version header), got ${resolved.maxValueBytes}`,
    );
  }
  const maxPending = positiveInteger('maxPending', given.maxPending, ENGINE_DEFAULTS.maxPending);
  const scanCount = positiveInteger('scanCount', given.scanCount, DEFAULT_SCAN_COUNT);
  const persistent = booleanOption('persistent', given.persistent, false);
  const closeClient = booleanOption('closeClient', given.closeClient, false);
  const prefix = given.prefix ?? DEFAULT_PREFIX;
  if (typeof prefix !== 'string' || !prefix.isWellFormed()) {
    throw new TypeError('redis: prefix must be a well-formed string');
  }
  const inner = checkCodec(given.codec ?? msgpackCodec);
  const codec = replyValueCodec(inner);
  checkSource(given);
  const waitForReplicas = checkWaitForReplicas(given);

  let client: RedisClient;
  const owned = given.client === undefined;
  if (given.client !== undefined) {
    checkInjectedClient(given.client);
    client = given.client;
  } else {
    const url =
      given.url ??
      (given.cluster === undefined && given.redisOptions === undefined
        ? 'redis://127.0.0.1:6379'
        : undefined);
    client = createOwnedClient({
      url,
      client: undefined,
      cluster: given.cluster,
      redisOptions: given.redisOptions,
    });
  }

  const executor = new RedisExecutor({
    client,
    layout: new RedisKeyLayout(prefix, resolved.namespace),
    closeClient: owned || closeClient,
    stopOnRefusal: owned,
    maxPending,
    scanCount,
    maxReplyBytes: resolved.maxReplyBytes,
    waitForReplicas,
  });
  const capabilities = storeCapabilities(
    codec,
    { ttl: true, shared: true, atomic: true, versions: true, persistent },
    resolved,
  );
  return new RedisBaseStore<S>(
    {
      executor,
      codec,
      capabilities,
      timeout: resolved.timeout,
      label: 'redis',
      valueBytes: innerValueBytes(inner),
    },
    executor,
    client,
  );
}
