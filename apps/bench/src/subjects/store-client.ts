import { ErrorCode, StateError, type Store } from '@statewire/core';
import type { BenchClient } from './subject.js';

// A CAS increment that meets this many conflicts in a row gives up: something is wrong.
const MAX_CONFLICTS = 10_000;

/**
 * Adds 1 to `key` by compare-and-set, the way an application does a read-modify-write
 * that must not lose an update: read the value and its version, write the new value only if
 * the version is unchanged, read again after a `CONFLICT`.
 * @returns how many conflicts it met before it succeeded
 */
async function casIncrement(store: Store, key: string): Promise<number> {
  for (let conflicts = 0; conflicts < MAX_CONFLICTS; conflicts++) {
    const entry = await store.getEntry(key);
    const next = ((entry?.value as number | undefined) ?? 0) + 1;
    try {
      await store.set(key, next, { ifVersion: entry?.version ?? null });
      return conflicts;
    } catch (error) {
      if (!StateError.is(error) || error.code !== ErrorCode.CONFLICT) throw error;
    }
  }
  throw new Error(`casIncrement(${key}) met ${MAX_CONFLICTS} conflicts in a row`);
}

/** A statewire store as a bench client: every subject of the statewire family drives one. */
export function storeClient(store: Store, extra: Pick<BenchClient, 'framesOut'> = {}): BenchClient {
  return {
    get: (key) => store.get(key),
    set: (key, value) => store.set(key, value),
    setWithTtl: (key, value, ttl) => store.set(key, value, { ttl }),
    increment: (key) => store.increment(key),
    casIncrement: (key) => casIncrement(store, key),
    close: () => store.close(),
    ...extra,
  };
}
