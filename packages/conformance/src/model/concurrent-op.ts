import { type Capabilities, StateError, type Store } from '@statewire/core';
import fc from 'fast-check';
import type { TimedOp } from './linearizability.js';

/** The keys of the concurrent run: few, so that operations collide. */
export const concurrentKeys = ['x', 'y'];

/** One planned operation of a client in the concurrent run. */
export interface ConcurrentOp {
  op: TimedOp['op'];
  key: string;
  /**
   * For conditional writes: send the version this client last saw for the key (`null` if
   * it saw none, or saw it missing), or `null` outright.
   */
  expect: 'last' | 'missing';
}

/**
 * A random single-key operation for the concurrent run: the plain ones on every store; with
 * `capabilities.versions`, reads of entries and conditional writes; with `atomic` too, a
 * commit of one check and one set.
 */
export function concurrentOp(capabilities: Capabilities): fc.Arbitrary<ConcurrentOp> {
  const ops: TimedOp['op'][] = ['set', 'get', 'delete', 'increment', 'setIfAbsent'];
  if (capabilities.versions) ops.push('getEntry', 'getEntry', 'setIf', 'setIf', 'deleteIf');
  if (capabilities.versions && capabilities.atomic) ops.push('atomic', 'atomic');
  return fc.record({
    op: fc.constantFrom(...ops),
    key: fc.constantFrom(...concurrentKeys),
    expect: fc.constantFrom<'last' | 'missing'>('last', 'last', 'missing'),
  });
}

/**
 * Runs one planned operation of client `client` and records it for the linearizability
 * check. `seen` holds the versions this client read (and committed), by key: a conditional
 * write sends the last one. A `CONFLICT` is recorded as `{ rejected: 'CONFLICT' }`; any
 * other rejection fails the run.
 */
export async function timedCall(
  store: Store,
  client: number,
  value: number,
  planned: ConcurrentOp,
  seen: Map<string, string | null>,
): Promise<TimedOp> {
  const { op, key } = planned;
  const ifVersion = planned.expect === 'last' ? (seen.get(key) ?? null) : null;
  const invokedAt = performance.now();
  let result: unknown;
  try {
    switch (op) {
      case 'set':
        result = await store.set(key, value);
        break;
      case 'get':
        result = await store.get(key);
        break;
      case 'delete':
        result = await store.delete(key);
        break;
      case 'increment':
        result = await store.increment(key);
        break;
      case 'setIfAbsent':
        result = await store.setIfAbsent(key, value);
        break;
      case 'getEntry': {
        const entry = await store.getEntry(key);
        seen.set(key, entry?.version ?? null);
        result = entry;
        break;
      }
      case 'setIf':
        result = await store.set(key, value, { ifVersion });
        break;
      case 'deleteIf':
        result = await store.delete(key, { ifVersion });
        break;
      case 'atomic': {
        const commit = await store.atomic().check(key, ifVersion).set(key, value).commit();
        if (commit.ok) seen.set(key, commit.versions[key] ?? null);
        result = commit;
        break;
      }
    }
  } catch (error) {
    if (!StateError.is(error) || error.code !== 'CONFLICT') throw error;
    result = { rejected: error.code };
  }
  return {
    client,
    op,
    key,
    value,
    ...(op === 'setIf' || op === 'deleteIf' || op === 'atomic' ? { ifVersion } : {}),
    invokedAt,
    settledAt: performance.now(),
    result,
  };
}
