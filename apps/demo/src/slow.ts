import { setTimeout as sleep } from 'node:timers/promises';
import type { Store } from '@statewire/core';
import type Keyv from 'keyv';
import { HttpError } from './http-errors.js';

/** The answer of `GET /slow?n=…`, as cached. */
export interface SlowAnswer {
  n: number;
  /** The n-th Fibonacci number, in decimal (it outgrows a JS number). */
  result: string;
  /** The pid of the worker that computed it. */
  computedBy: number;
  computedAt: string;
}

/** The largest `n` accepted (the 1000th Fibonacci number has 209 digits). */
export const MAX_N = 1000;

/** Who is computing which answer: a claim per `n`, held by a worker's pid. */
export type SlowClaims = Store<Record<`slow:${number}`, number>>;

/** Options of {@link createSlowCache}. */
export interface SlowCacheOptions {
  /** The cache shared by the workers (a Keyv over a statewire store). */
  cache: Keyv<SlowAnswer>;
  /** Where a worker claims the computation of an answer, so that only one computes it. */
  claims: SlowClaims;
  /** How long one computation takes, ms. */
  computeMs: number;
  /** How long an answer stays cached, ms. */
  ttlMs: number;
}

/** How often a worker waiting for another one's computation looks for its answer. */
const POLL_MS = 25;

/**
 * Parses the `n` of `/slow?n=…`.
 * @throws HttpError 400 `INVALID_N` unless it is a whole number from 0 to {@link MAX_N}
 */
export function parseN(raw: string | undefined): number {
  const n = Number(raw);
  if (raw === undefined || !/^\d+$/.test(raw) || n > MAX_N)
    throw new HttpError(400, 'INVALID_N', `n must be a whole number from 0 to ${MAX_N}`);
  return n;
}

function fibonacci(n: number): string {
  let [a, b] = [0n, 1n];
  for (let i = 0; i < n; i++) [a, b] = [b, a + b];
  return a.toString();
}

/**
 * Returns `answer(n)`: the cached answer when a worker computed it within the TTL, else
 * one computation shared by every worker that asks meanwhile. cache-manager's `wrap()`
 * coalesces the misses of one process only; here a worker first claims `n` with an atomic
 * `setIfAbsent` (with a TTL, so that the claim of a worker killed mid-computation lapses),
 * and the others wait for its answer to appear in the cache.
 */
export function createSlowCache(options: SlowCacheOptions) {
  const { cache, claims, computeMs, ttlMs } = options;
  // Long enough for a computation, short enough that a dead worker's claim lapses soon.
  const claimTtl = computeMs + 5000;

  async function compute(n: number): Promise<SlowAnswer> {
    // Stands for a slow query or call: it waits without blocking the worker.
    await sleep(computeMs);
    return {
      n,
      result: fibonacci(n),
      computedBy: process.pid,
      computedAt: new Date().toISOString(),
    };
  }

  return async function answer(n: number): Promise<SlowAnswer & { cached: boolean }> {
    const key = `slow:${n}` as const;
    // Waiting never outlasts a claim: a claim that lapses is taken over by a waiter.
    const deadline = Date.now() + 3 * claimTtl;
    while (Date.now() < deadline) {
      const hit = await cache.get(key);
      if (hit !== undefined) return { ...hit, cached: true };
      if (await claims.setIfAbsent(key, process.pid, { ttl: claimTtl })) {
        try {
          // The answer may have landed between the read above and the claim (its worker
          // then dropped its claim): read again rather than compute twice.
          const landed = await cache.get(key);
          if (landed !== undefined) return { ...landed, cached: true };
          const computed = await compute(n);
          await cache.set(key, computed, ttlMs);
          return { ...computed, cached: false };
        } finally {
          // A claim that cannot be dropped (the store is failing) lapses with its TTL; the
          // request's own outcome is what the client needs to hear about.
          await claims.delete(key).catch(() => {});
        }
      }
      await sleep(POLL_MS);
    }
    throw new HttpError(503, 'SLOW_BUSY', `the answer for n=${n} did not arrive in time`);
  };
}
