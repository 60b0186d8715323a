import { randomUUID } from 'node:crypto';
import {
  type StateError,
  StateError as StateErrorClass,
  type StateErrorCode,
} from '@statewire/core';
import { DEFAULT_MAX_VALUE_BYTES, defineCapabilities } from '@statewire/core/transport';
import { expect, inject } from 'vitest';
import { createRedisStore, type RedisStore, type RedisStoreOptions } from '../../src/index.js';

/** The capabilities a Redis store with the default (msgpack) codec declares. */
export const msgpackCapabilities = defineCapabilities({
  binary: true,
  structured: true,
  ttl: true,
  shared: true,
  atomic: true,
  versions: true,
  maxValueBytes: DEFAULT_MAX_VALUE_BYTES,
});

/** What the checks after each test need of a store. */
interface Tracked {
  stats(): { pending: number; timers: number };
  close(): Promise<void>;
}

const tracked = new Set<Tracked>();

/** A namespace no other test uses. */
export function uniqueNamespace(): string {
  return `t-${randomUUID()}`;
}

/** Registers a store to be checked (nothing pending, no timers) and closed after the test. */
export function track<S extends object>(store: RedisStore<S>): RedisStore<S> {
  tracked.add(store);
  return store;
}

/** A store on the standalone test server, in a fresh namespace. */
export function standaloneStore<S extends object = Record<string, unknown>>(
  options: RedisStoreOptions = {},
): RedisStore<S> {
  return track(
    createRedisStore<S>({ url: inject('redisUrl'), namespace: uniqueNamespace(), ...options }),
  );
}

/** A store on the 3-master test Cluster (a client the store owns), in a fresh namespace. */
export function clusterStore<S extends object = Record<string, unknown>>(
  options: RedisStoreOptions = {},
): RedisStore<S> {
  return track(
    createRedisStore<S>({
      cluster: { nodes: inject('clusterNodes') },
      namespace: uniqueNamespace(),
      ...options,
    }),
  );
}

/** Checks and closes every tracked store: called after each test by the setup file. */
export async function closeTrackedStores(): Promise<void> {
  const stores = [...tracked];
  tracked.clear();
  for (const store of stores) {
    const stats = store.stats();
    expect(stats.pending, 'calls still pending after the test').toBe(0);
    expect(stats.timers, 'deadline timers still armed after the test').toBe(0);
  }
  await Promise.all(stores.map((store) => store.close()));
}

/** Awaits a promise that must reject with a `StateError` of `code`, and returns the error. */
export async function rejection(
  promise: Promise<unknown>,
  code: StateErrorCode,
): Promise<StateError> {
  let error: unknown;
  try {
    await promise;
  } catch (caught) {
    error = caught;
  }
  expect(StateErrorClass.is(error), `expected a StateError ${code}, got ${String(error)}`).toBe(
    true,
  );
  expect((error as StateError).code).toBe(code);
  return error as StateError;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs `call` until it settles other than `UNAVAILABLE`: a store refuses calls at once
 * while its last connection attempt failed, until its next attempt succeeds.
 */
export async function whenReachable<T>(call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      const unavailable = StateErrorClass.is(error) && error.code === 'UNAVAILABLE';
      if (!unavailable || Date.now() > deadline) throw error;
      await sleep(50);
    }
  }
}
