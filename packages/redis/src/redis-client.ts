import { Cluster, type ClusterNode, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';

/** A connected ioredis client: standalone (or Sentinel-managed) or Cluster. */
export type RedisClient = Redis | Cluster;

// Exponential backoff with jitter, capped, so that a restarted server is found again within
// about two seconds and a dead one is not hammered.
function reconnectDelay(times: number): number {
  return Math.min(50 * 2 ** Math.min(times - 1, 10), 2000) + Math.floor(Math.random() * 100);
}

// ioredis's disconnect() arms a timer of this length to destroy a socket that does not
// close; called while reconnecting (its socket already closed) the timer is never cleared
// and keeps the process alive for its whole length (2 s by default).
const DISCONNECT_TIMEOUT_MS = 100;

// A Cluster client learns of a new slot owner only from a MOVED reply or a lost
// connection; a master that stalls (SIGSTOP, a partition) gives neither, so calls of its
// slots kept timing out for as long as it stalled, long after its replica took over.
// Asking the cluster for its slots this often bounds that.
const SLOTS_REFRESH_INTERVAL_MS = 2000;

// ioredis asks the sentinels one at a time for the master, with no time limit by default:
// one sentinel that accepts connections and never answers held the store disconnected for
// as long as it stalled, the other sentinels being fine.
const SENTINEL_COMMAND_TIMEOUT_MS = 1000;

/**
 * The ioredis options that make a standalone or Sentinel client safe for statewire. Spread
 * them into your own options when you inject a client:
 * `new Redis(url, { ...safeRedisOptions, ...yours })`.
 *
 * - `autoResendUnfulfilledCommands: false` — by default ioredis sends again, after a
 *   reconnect, every command that was sent but not answered: an `INCRBY` whose reply was
 *   lost would be applied twice. statewire instead rejects such a call with
 *   `CONNECTION_LOST` and `maybeApplied: true`.
 * - `maxRetriesPerRequest: 0` — commands ioredis holds while disconnected are rejected at
 *   each disconnect rather than replayed later (ioredis drops the unanswered ones without
 *   settling them otherwise). statewire keeps its own queue, bounded by each call's timeout,
 *   and only hands calls to ioredis while the connection is ready.
 */
// Typed as the literal options (not as `RedisOptions`) so that `{ ...safeRedisOptions }`
// compiles under exactOptionalPropertyTypes: ioredis's `RedisOptions` is not assignable to
// its own constructor's parameter there (`replyMapping?: … | undefined`).
export const safeRedisOptions = Object.freeze({
  autoResendUnfulfilledCommands: false,
  maxRetriesPerRequest: 0,
} as const satisfies RedisOptions);

/**
 * The ioredis options that make a Cluster client safe for statewire:
 * `new Cluster(nodes, { ...safeClusterOptions, ...yours })`.
 *
 * - `retryDelayOnFailover: 0` — by default a Cluster sends a command again, to another node,
 *   when its node's connection closed before the reply: applied twice, possibly.
 * - node connections get {@link safeRedisOptions}.
 */
export const safeClusterOptions = Object.freeze({
  retryDelayOnFailover: 0,
  redisOptions: safeRedisOptions,
} as const satisfies ClusterOptions);

/** How the store gets its client. */
export interface ClientSource {
  url: string | undefined;
  client: RedisClient | undefined;
  cluster: { nodes: ClusterNode[]; options?: ClusterOptions } | undefined;
  redisOptions: RedisOptions | undefined;
}

/** Whether `value` looks like an ioredis client (duck-typed: two copies of ioredis may meet). */
export function isRedisClient(value: unknown): value is RedisClient {
  if (typeof value !== 'object' || value === null) return false;
  const client = value as Partial<Record<'status' | 'pipeline' | 'on' | 'call', unknown>>;
  return (
    typeof client.status === 'string' &&
    typeof client.pipeline === 'function' &&
    typeof client.on === 'function' &&
    typeof client.call === 'function'
  );
}

/** Whether an ioredis client is a Cluster client. */
export function isCluster(client: RedisClient): client is Cluster {
  return (client as { isCluster?: unknown }).isCluster === true;
}

/**
 * Creates the client a store owns, with {@link safeRedisOptions} (or
 * {@link safeClusterOptions}) forced, a capped reconnect backoff, no `CLIENT SETINFO`
 * round trips, a Cluster's slots refreshed every 2 s and, with Sentinel, `failoverDetector`
 * on and a 1 s `sentinelCommandTimeout`, unless the options say otherwise.
 */
export function createOwnedClient(source: ClientSource): RedisClient {
  if (source.cluster) {
    const options = source.cluster.options ?? {};
    return new Cluster(source.cluster.nodes, {
      clusterRetryStrategy: reconnectDelay,
      slotsRefreshInterval: SLOTS_REFRESH_INTERVAL_MS,
      ...options,
      ...safeClusterOptions,
      redisOptions: {
        disableClientInfo: true,
        disconnectTimeout: DISCONNECT_TIMEOUT_MS,
        ...options.redisOptions,
        ...safeRedisOptions,
      },
    });
  }
  const options: RedisOptions = {
    retryStrategy: reconnectDelay,
    disableClientInfo: true,
    disconnectTimeout: DISCONNECT_TIMEOUT_MS,
    // With Sentinel: listen for +switch-master and move to the new master at once, instead
    // of writing to the demoted one until it turns into a replica (issue 12, item 7).
    ...(source.redisOptions?.sentinels
      ? { failoverDetector: true, sentinelCommandTimeout: SENTINEL_COMMAND_TIMEOUT_MS }
      : {}),
    ...source.redisOptions,
    ...safeRedisOptions,
  };
  return source.url === undefined ? new Redis(options) : new Redis(source.url, options);
}

/**
 * Refuses ioredis options under which the store cannot work, whether they configure an
 * injected client or one the store creates (`redisOptions`, `cluster.options`).
 * @param where - names the options in the message
 * @throws TypeError naming the option
 */
export function checkClientOptions(
  options: (RedisOptions & ClusterOptions) | undefined,
  where: string,
): void {
  const keyPrefix = options?.keyPrefix ?? options?.redisOptions?.keyPrefix;
  if (keyPrefix) {
    throw new TypeError(
      `redis: ${where} has a keyPrefix; use the store option \`prefix\` instead (SCAN patterns are not prefixed by ioredis)`,
    );
  }
  if (options?.enableAutoPipelining || options?.redisOptions?.enableAutoPipelining) {
    throw new TypeError(
      `redis: ${where} has enableAutoPipelining, under which ioredis loses the command name of the commands the store sends (every call would fail "ERR unknown command"); leave it out: the store batches its own calls`,
    );
  }
}

/**
 * Checks that an injected client cannot apply a write twice or rewrite our keys.
 * @throws TypeError naming the option to change
 */
export function checkInjectedClient(client: RedisClient): void {
  const options = client.options as (RedisOptions & ClusterOptions) | undefined;
  checkClientOptions(options, 'the injected client');
  if (isCluster(client)) {
    if (options?.retryDelayOnFailover !== 0) {
      throw new TypeError(
        'redis: the injected Cluster resends a command whose connection closed before the reply (retryDelayOnFailover), which can apply a write twice; create it with { ...safeClusterOptions }',
      );
    }
    if (
      typeof options?.clusterNodeRetryStrategy === 'function' &&
      options.redisOptions?.autoResendUnfulfilledCommands !== false
    ) {
      throw new TypeError(
        'redis: the injected Cluster reconnects nodes and resends unanswered commands (redisOptions.autoResendUnfulfilledCommands), which can apply a write twice; create it with { ...safeClusterOptions }',
      );
    }
    return;
  }
  if (options?.autoResendUnfulfilledCommands !== false) {
    throw new TypeError(
      'redis: the injected client resends unanswered commands after a reconnect (autoResendUnfulfilledCommands), which can apply a write twice; create it with { ...safeRedisOptions }',
    );
  }
}
