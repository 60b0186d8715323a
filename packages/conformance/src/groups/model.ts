import { type Capabilities, StateError, type Store } from '@statewire/core';
import fc from 'fast-check';
import { describe } from 'vitest';
import type { StoreFactory } from '../factory.js';
import { createHarness, type Kit } from '../harness.js';
import { modelOp } from '../model/arbitraries.js';
import { isLinearizable, type TimedOp } from '../model/linearizability.js';
import { type ModelOp, type Observed, ObservedModel } from '../model/observed-model.js';
import { type ConformanceOptions, resolveOptions } from '../options.js';
import { randomNamespace } from '../random-data.js';

const LONG_TTL_MS = 600_000;
const SHORT_TTL_MS = 1;

function call(store: Store, op: ModelOp): Promise<unknown> {
  switch (op.op) {
    case 'set': {
      const ttl = op.ttl === 'long' ? LONG_TTL_MS : op.ttl === 'short' ? SHORT_TTL_MS : undefined;
      return store.set(op.key, op.value, ttl === undefined ? undefined : { ttl });
    }
    case 'get':
      return store.get(op.key);
    case 'has':
      return store.has(op.key);
    case 'delete':
      return store.delete(op.key);
    case 'increment':
      return store.increment(op.key, op.by);
    case 'setIfAbsent':
      return store.setIfAbsent(op.key, op.value);
    case 'getMany':
      return store.getMany(op.keys);
    case 'deleteMany':
      return store.deleteMany(op.keys);
    case 'keys':
      return store.keys();
    case 'clear':
      return store.clear();
  }
}

async function observe(kit: Kit, store: Store, op: ModelOp): Promise<Observed> {
  const outcome = await kit.attempt(op.op, () => call(store, op));
  if (outcome.kind === 'resolved') return { kind: 'resolved', value: outcome.value };
  if (outcome.kind === 'rejected') {
    return {
      kind: 'rejected',
      code: StateError.is(outcome.error)
        ? outcome.error.code
        : `not a StateError: ${String(outcome.error)}`,
    };
  }
  return { kind: 'rejected', code: `threw synchronously or did not settle (${outcome.kind})` };
}

const concurrentOp = fc.record({
  op: fc.constantFrom(
    'set' as const,
    'get' as const,
    'delete' as const,
    'increment' as const,
    'setIfAbsent' as const,
  ),
  key: fc.constantFrom('x', 'y'),
});

/**
 * Model-based testing with fast-check (RELIABILITY 40). Sequential: random sequences of
 * every operation over a small key pool (awkward and prototype-named keys included, and
 * two invalid ones), with values the store declares it keeps and ttls checked with a
 * tolerant clock, run against the store and an independent reference model that must agree;
 * a failure shrinks to a minimal sequence. Concurrent: several clients of one namespace
 * issue random single-key operations at once, and each key's history must be explainable
 * by some sequential order consistent with real time (a per-key linearizability check).
 * Runs on every store.
 */
export function describeModel(
  factory: StoreFactory,
  expectedCapabilities: Capabilities,
  options?: ConformanceOptions,
): void {
  const resolved = resolveOptions(options);
  describe('model', () => {
    const { test } = createHarness(factory, expectedCapabilities, resolved);
    const runTimeout = Math.max(resolved.timeout, 120_000);

    test(
      'every operation agrees with the reference model over random sequences',
      async (kit) => {
        await fc.assert(
          fc.asyncProperty(
            fc.array(modelOp(kit.capabilities), { maxLength: resolved.modelSteps }),
            async (ops) => {
              const store = await kit.store(randomNamespace());
              const model = new ObservedModel();
              for (const [i, op] of ops.entries()) {
                const problem = model.step(op, await observe(kit, store, op));
                if (problem) throw new Error(`step ${i}: ${problem}`);
              }
              await kit.settle(store.close(), 'close()');
            },
          ),
          { numRuns: resolved.modelRuns },
        );
      },
      runTimeout,
    );

    test(
      'concurrent clients leave each key with a linearizable history',
      async (kit) => {
        const clients = 3;
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.array(concurrentOp, { minLength: 1, maxLength: 5 }), {
              minLength: clients,
              maxLength: clients,
            }),
            async (plans) => {
              const namespace = randomNamespace();
              const stores = await Promise.all(plans.map(() => kit.store(namespace)));
              const history: TimedOp[] = [];
              await Promise.all(
                plans.map(async (plan, client) => {
                  const store = stores[client] as Store;
                  for (const [step, { op, key }] of plan.entries()) {
                    const value = 1000 * (client + 1) + step;
                    const invokedAt = performance.now();
                    const result = await kit.settle(
                      op === 'set'
                        ? store.set(key, value)
                        : op === 'setIfAbsent'
                          ? store.setIfAbsent(key, value)
                          : op === 'increment'
                            ? store.increment(key)
                            : op === 'delete'
                              ? store.delete(key)
                              : store.get(key),
                      op,
                    );
                    history.push({
                      client,
                      op,
                      key,
                      value,
                      invokedAt,
                      settledAt: performance.now(),
                      result,
                    });
                  }
                }),
              );
              for (const key of ['x', 'y']) {
                const ofKey = history.filter((entry) => entry.key === key);
                if (!isLinearizable(ofKey)) {
                  throw new Error(
                    `history of ${key} is not linearizable: ${JSON.stringify(ofKey)}`,
                  );
                }
              }
              await Promise.all(stores.map((store) => kit.settle(store.close(), 'close()')));
            },
          ),
          { numRuns: resolved.modelRuns },
        );
      },
      runTimeout,
    );
  });
}
