import type { Encoded } from './codec.js';
import type { WireCheck, WireCommitResult, WireMutation } from './operations.js';

/** Counters of a {@link Backend}: what it holds and what it reclaimed. */
export interface BackendStats {
  entries: number;
  bytes: number;
  evictions: number;
  expirations: number;
}

/**
 * What the host engine and `dispatch` need of the place the data lives: every operation of
 * the protocol, on encoded values, per namespace. Each method applies whole and at once
 * (the host relies on it for atomicity and order). `MemoryBackend` implements it; a new
 * operation (versions, leases, watch) adds its method here.
 */
export interface Backend {
  get(namespace: string, key: string): Encoded | undefined;
  has(namespace: string, key: string): boolean;
  /** `ttl` in ms, 0 for none. */
  set(namespace: string, key: string, value: Encoded, ttl: number): void;
  /** @returns whether the key was absent and is now set */
  setIfAbsent(namespace: string, key: string, value: Encoded, ttl: number): boolean;
  /** Sets every entry or none. @throws StateError when one entry cannot be set */
  setMany(
    namespace: string,
    entries: readonly (readonly [key: string, value: Encoded, ttl: number])[],
  ): void;
  /** @returns whether the key existed */
  delete(namespace: string, key: string): boolean;
  /** @throws StateError `WRONG_TYPE` or `INVALID_VALUE` */
  increment(namespace: string, key: string, by: number, ttl?: number): number;
  /** @throws StateError `TOO_LARGE` when the answer would be over `maxBytes` */
  keys(namespace: string, prefix: string, maxBytes?: number): string[];
  /**
   * @param maxBytes the most bytes of keys (each by its length) the page holds, unless its
   *   first key alone is longer: a key that would pass it starts the next page instead
   * @returns one page of keys and the next cursor (`null` at the end)
   */
  scan(
    namespace: string,
    prefix: string,
    cursor: string,
    count: number,
    maxBytes?: number,
  ): [string[], string | null];
  clear(namespace: string): void;
  /** Each key's value and version (`null` where missing), aligned with `keys`. */
  getEntries(namespace: string, keys: readonly string[]): ([Encoded, string] | null)[];
  /**
   * Runs every check, then (only if all passed) every mutation in order, as one step.
   * @throws StateError (`WRONG_TYPE`, `TOO_LARGE`, ...) before applying anything
   */
  atomic(
    namespace: string,
    checks: readonly WireCheck[],
    mutations: readonly WireMutation[],
  ): WireCommitResult;
  stats(): BackendStats;
}
