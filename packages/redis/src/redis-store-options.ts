import type { ValueCodec } from '@statewire/core';
import type { ClusterNode, ClusterOptions, RedisOptions } from 'ioredis';
import type { RedisClient } from './redis-client.js';
import { VERSION_HEADER_BYTES } from './versioned-value.js';

/**
 * The largest `maxValueBytes`: Redis's own limit on one bulk string (`proto-max-bulk-len`,
 * 512 MiB) less the bytes the store keeps in front of every value: the version header and
 * the one-byte value marker (neither counts against `maxValueBytes`).
 */
export const REDIS_MAX_VALUE_BYTES = 512 * 1024 * 1024 - VERSION_HEADER_BYTES - 1;

/** `COUNT` hint of each `SCAN` of `keys()` and `clear()`, by default. */
export const DEFAULT_SCAN_COUNT = 1000;

/** How many replicas must have a write before the store acknowledges it. */
export interface WaitForReplicas {
  /** Replicas that must acknowledge each write (`WAIT numreplicas`), at least 1. */
  replicas: number;
  /**
   * Most milliseconds Redis waits for them (`WAIT … timeout`); a write not confirmed by
   * then rejects `TIMEOUT` with `maybeApplied: true` (it is on the master, and a failover
   * could lose it).
   */
  timeout: number;
}

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /**
   * The server to connect to: `redis://[[user]:password@]host[:port][/db]`, or `rediss://…`
   * for TLS; anything else (no `//`, no host, a path that is not a database number) is a
   * `TypeError`. A database the server does not have rejects every call `BACKEND`. The store
   * creates and owns the client. Give at most one of `url`, `client` and `cluster`.
   * @default 'redis://127.0.0.1:6379' when none of `url`, `client`, `cluster`, `redisOptions` is given
   */
  url?: string | undefined;
  /**
   * An ioredis `Redis` (standalone or Sentinel) or `Cluster` client to use instead of
   * creating one. It must not resend unanswered commands: create it with
   * `{ ...safeRedisOptions }` / `{ ...safeClusterOptions }` (a `TypeError` otherwise), and
   * without `keyPrefix`. The store leaves it open on `close()` unless `closeClient` is set.
   * On a `Cluster` client, the store makes ioredis reject commands refused with `TRYAGAIN`
   * or `CLUSTERDOWN` instead of retrying them later, out of order (for every user of the
   * client). With Sentinel, create it with `failoverDetector: true` so that it follows a
   * failover at once.
   * @default none: the store creates its own client
   */
  client?: RedisClient | undefined;
  /**
   * Creates and owns a Redis Cluster client from these startup nodes and ioredis
   * `ClusterOptions` (the safe options are forced).
   * @default none
   */
  cluster?: { nodes: ClusterNode[]; options?: ClusterOptions } | undefined;
  /**
   * More ioredis options for the client the store creates from `url` (or alone): a password,
   * `tls`, or Sentinel (`{ sentinels: [{ host, port }], name: 'mymaster' }`). The safe
   * options ({@link safeRedisOptions}) are forced.
   * @default {}
   */
  redisOptions?: RedisOptions | undefined;
  /**
   * Quit an injected `client` on `close()` too. A client the store created is always quit.
   * @default false
   */
  closeClient?: boolean | undefined;
  /**
   * Prefix of every Redis key of the store. An ACL user limited to `~<prefix>*` can run
   * every operation. A hash tag (`'{app}:'`) puts all keys in one Cluster slot, hence one
   * master: no cross-slot splitting, but no spreading of load either.
   * @default 'statewire:'
   */
  prefix?: string | undefined;
  /**
   * Isolates this store's keys from stores with another namespace under the same prefix.
   * @default ''
   */
  namespace?: string | undefined;
  /**
   * The codec of values that are not safe integers (those are stored as decimal strings,
   * which the `increment` script reads and writes). `jsonCodec` stores readable JSON but rejects Buffers,
   * Dates, Maps and friends.
   * @default msgpackCodec (binary and structured values round-trip)
   */
  codec?: ValueCodec | undefined;
  /**
   * Default timeout of each call in ms. ioredis has none; every call here has one.
   * @default 5000
   */
  timeout?: number | undefined;
  /**
   * Largest key, in UTF-8 bytes (the prefix and namespace come on top).
   * @default 1024
   */
  maxKeyBytes?: number | undefined;
  /**
   * Largest encoded value in bytes (one marker byte included), at most
   * {@link REDIS_MAX_VALUE_BYTES} (Redis's 512 MiB limit less the 21-byte version header).
   * Larger values reject with `TOO_LARGE` before anything is sent.
   * @default 67108864 (64 MiB)
   */
  maxValueBytes?: number | undefined;
  /**
   * Most keys or entries in one `getMany` / `setMany` / `deleteMany`; more reject
   * `TOO_LARGE` before anything is sent.
   * @default 100000
   */
  maxBatchKeys?: number | undefined;
  /**
   * The largest answer to one call: a `getMany` or `keys()` whose answer is over it rejects
   * `TOO_LARGE`, as on every transport.
   * @default twice `maxValueBytes`, at least 16 MiB (128 MiB)
   */
  maxReplyBytes?: number | undefined;
  /**
   * Most calls pending at once; more reject with `OVERLOADED` at once. Also bounds the
   * commands handed to ioredis and not yet answered.
   * @default 16384
   */
  maxPending?: number | undefined;
  /**
   * `COUNT` hint of each `SCAN` in `keys()` and `clear()`.
   * @default 1000
   */
  scanCount?: number | undefined;
  /**
   * Acknowledge a write only once `replicas` replicas have it: after each batch of writes
   * the store sends `WAIT replicas timeout`, and the writes resolve when Redis confirms
   * them. With Sentinel, a failover then loses no acknowledged write (Sentinel promotes the
   * replica that has replicated the most); without it, writes acknowledged in the second or
   * so before a failover are lost when the old master becomes a replica. Costs one round
   * trip to a replica per batch. Standalone and Sentinel only (a `TypeError` with
   * `cluster`). See the README, "Failures and ordering".
   * @default undefined (a write is acknowledged once the master applied it)
   */
  waitForReplicas?: WaitForReplicas | undefined;
  /**
   * Declares `capabilities.persistent`. Whether data outlives a Redis restart depends on the
   * server's configuration (AOF, RDB snapshots), which the store cannot see: set it when your
   * server runs with `appendonly yes` (see the README for what each fsync policy promises).
   * @default false
   */
  persistent?: boolean | undefined;
}
