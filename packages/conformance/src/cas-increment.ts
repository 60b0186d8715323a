import { StateError, type Store } from '@statewire/core';

/** How one compare-and-set increment is made: `set` with `ifVersion`, or an atomic commit. */
export type CasVia = 'set' | 'atomic';

/** What the compare-and-set loops of several stores did. */
export interface CasTally {
  /** Compare-and-sets that applied, per store. */
  readonly applied: number[];
  /** Compare-and-sets refused because the key had moved on (`CONFLICT` or `ok: false`). */
  readonly conflicts: number;
  /** Anything else: a failure of the test, described. */
  readonly errors: string[];
}

/**
 * One read-modify-write of a counter: reads the entry, then writes the value plus one only
 * if the key is still at the version read (`null`: still missing). Resolves whether it
 * applied; a `CONFLICT` (or `ok: false`) is not applied, anything else rejects.
 */
export async function casIncrement(store: Store, key: string, via: CasVia): Promise<boolean> {
  const entry = await store.getEntry(key);
  const next = ((entry?.value as number | undefined) ?? 0) + 1;
  const version = entry?.version ?? null;
  if (via === 'atomic') {
    const result = await store.atomic().check(key, version).set(key, next).commit();
    return result.ok;
  }
  try {
    await store.set(key, next, { ifVersion: version });
    return true;
  } catch (error) {
    if (StateError.is(error) && error.code === 'CONFLICT' && error.maybeApplied !== true) {
      return false;
    }
    throw error;
  }
}

/**
 * Runs `attempts` compare-and-set increments of `key` on each store at once (the stores take
 * turns at random points, so their reads and writes interleave) and counts what applied. The
 * final value of `key` must then be the sum of `applied`: a compare-and-set that applied
 * over another's write would lose an update.
 */
export async function casIncrementLoops(
  stores: readonly Store[],
  key: string,
  attempts: number,
  via: CasVia,
): Promise<CasTally> {
  const applied = stores.map(() => 0);
  const errors: string[] = [];
  let conflicts = 0;
  await Promise.all(
    stores.map(async (store, index) => {
      for (let i = 0; i < attempts; i++) {
        try {
          if (await casIncrement(store, key, via)) applied[index] = (applied[index] ?? 0) + 1;
          else conflicts++;
        } catch (error) {
          errors.push(
            `store ${index}, attempt ${i}: ${StateError.is(error) ? error.code : String(error)}`,
          );
          return;
        }
      }
    }),
  );
  return { applied, conflicts, errors };
}
