import type { Capabilities } from '@statewire/core';
import { makeStore, type StoreFactory } from './factory.js';
import { randomNamespace } from './random-data.js';
import { closeQuietly } from './settles-within.js';

const verdicts = new WeakMap<StoreFactory, Map<Capabilities, Promise<string | undefined>>>();

/**
 * How the capabilities a store of `factory` declares differ from `expected`, as one line
 * (`binary: expected false, declared true; maxValueBytes: …`), or `undefined` when they
 * are equal. Asked once per factory and manifest (one store, on a namespace of its own that
 * it writes nothing to), then remembered. When no store can be made or it has no readable capabilities, the
 * answer is `undefined`: every test then fails or passes on its own, as without the check.
 */
export function manifestMismatch(
  factory: StoreFactory,
  expected: Capabilities,
  ms: number,
): Promise<string | undefined> {
  let byManifest = verdicts.get(factory);
  if (!byManifest) {
    byManifest = new Map();
    verdicts.set(factory, byManifest);
  }
  let verdict = byManifest.get(expected);
  if (!verdict) {
    verdict = ask(factory, expected, ms);
    byManifest.set(expected, verdict);
  }
  return verdict;
}

async function ask(
  factory: StoreFactory,
  expected: Capabilities,
  ms: number,
): Promise<string | undefined> {
  const namespace = randomNamespace();
  try {
    const store = await makeStore(factory, namespace, ms);
    try {
      return describeDifference(expected, { ...store.capabilities });
    } finally {
      await closeQuietly(store, ms);
    }
  } catch {
    return undefined;
  }
}

function describeDifference(
  expected: Capabilities,
  declared: Record<string, unknown>,
): string | undefined {
  const wanted: Record<string, unknown> = { ...expected };
  const names = [...new Set([...Object.keys(wanted), ...Object.keys(declared)])].sort();
  const differences = names
    .filter((name) => !Object.is(wanted[name], declared[name]))
    .map(
      (name) =>
        `${name}: expected ${String(wanted[name] ?? 'nothing')}, declared ${String(declared[name] ?? 'nothing')}`,
    );
  return differences.length > 0 ? differences.join('; ') : undefined;
}
