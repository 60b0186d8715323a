import { StateError, type Store } from '@statewire/core';
import fc from 'fast-check';
import { describe } from 'vitest';
import type { ConformanceGroup } from '../factory.js';
import { createHarness, type Kit } from '../harness.js';
import { modelOp } from '../model/arbitraries.js';
import { concurrentKeys, concurrentOp, timedCall } from '../model/concurrent-op.js';
import { isLinearizable, type TimedOp } from '../model/linearizability.js';
import {
  type Expectation,
  type ModelOp,
  type Observed,
  ObservedModel,
} from '../model/observed-model.js';
import { resolveOptions } from '../options.js';
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
    case 'getEntry':
      return store.getEntry(op.key);
    case 'getEntries':
      return store.getEntries(op.keys);
    case 'setIf': {
      const ttl = op.ttl === 'long' ? LONG_TTL_MS : op.ttl === 'short' ? SHORT_TTL_MS : undefined;
      return store.set(op.key, op.value, {
        ifVersion: op.ifVersion ?? null,
        ...(ttl ? { ttl } : {}),
      });
    }
    case 'deleteIf':
      return store.delete(op.key, { ifVersion: op.ifVersion ?? null });
    case 'atomic': {
      const commit = store.atomic();
      for (const check of op.checks) commit.check(check.key, check.ifVersion ?? null);
      for (const m of op.mutations) {
        if (m.kind === 'set')
          commit.set(m.key, m.value, m.ttl === 'long' ? { ttl: LONG_TTL_MS } : {});
        else if (m.kind === 'delete') commit.delete(m.key);
        else commit.increment(m.key, m.by);
      }
      return commit.commit();
    }
  }
}

/**
 * Fills in the versions a conditional operation sends, from what the model has seen; when
 * it needs the key's current version and has not seen it, reads it first — a step of its
 * own, checked like any other.
 */
async function withVersions(
  kit: Kit,
  store: Store,
  model: ObservedModel,
  op: ModelOp,
): Promise<ModelOp> {
  const choose = async (key: string, expect: Expectation) => {
    let choice = model.versionFor(key, expect);
    if (choice === 'read') {
      const read: ModelOp = { op: 'getEntry', key };
      const problem = model.step(read, await observe(kit, store, read));
      if (problem) throw new Error(`reading a version to send: ${problem}`);
      choice = model.versionFor(key, expect);
    }
    return choice === 'read' ? null : choice.ifVersion;
  };
  if (op.op === 'setIf' || op.op === 'deleteIf') {
    return { ...op, ifVersion: await choose(op.key, op.expect) };
  }
  if (op.op === 'atomic') {
    const checks = [];
    for (const check of op.checks) {
      checks.push({ ...check, ifVersion: await choose(check.key, check.expect) });
    }
    return { ...op, checks };
  }
  return op;
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

/**
 * Model-based testing with fast-check (RELIABILITY 40). Sequential: random sequences of
 * every operation over a small key pool (awkward and prototype-named keys included, and
 * two invalid ones), with values the store declares it keeps and ttls checked with a
 * tolerant clock, run against the store and an independent reference model that must agree;
 * a failure shrinks to a minimal sequence. Concurrent: several clients of one namespace
 * issue random single-key operations at once, and each key's history must be explainable
 * by some sequential order consistent with real time (a per-key linearizability check).
 * With `capabilities.versions` both runs add reads of entries and conditional writes
 * (`ifVersion` of the current version, a stale one, `null` or one never handed out), and
 * with `atomic` atomic commits: a compare-and-set must apply exactly when the model's
 * abstract version of the key is the one its version stands for, and a version string must
 * never stand for two writes. Runs on every store.
 */
export const describeModel: ConformanceGroup = (factory, expectedCapabilities, options) => {
  const resolved = resolveOptions(options);
  describe('model', () => {
    const { test } = createHarness(factory, expectedCapabilities, resolved);
    const runTimeout = Math.max(resolved.timeout, 120_000);

    test(
      'every operation agrees with the reference model over random sequences',
      async (kit) => {
        await fc.assert(
          fc.asyncProperty(
            fc.array(modelOp(kit.capabilities), { maxLength: resolved.modelSteps, size: 'max' }),
            async (ops) => {
              const store = await kit.store(randomNamespace());
              const model = new ObservedModel({ versions: kit.capabilities.versions });
              for (const [i, planned] of ops.entries()) {
                const op = await withVersions(kit, store, model, planned);
                const problem = model.step(op, await observe(kit, store, op));
                if (problem) throw new Error(`step ${i}: ${problem}`);
              }
              await store.close();
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
            fc.array(fc.array(concurrentOp(kit.capabilities), { minLength: 1, maxLength: 5 }), {
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
                  const seen = new Map<string, string | null>();
                  for (const [step, planned] of plan.entries()) {
                    const value = 1000 * (client + 1) + step;
                    history.push(await timedCall(store, client, value, planned, seen));
                  }
                }),
              );
              for (const key of concurrentKeys) {
                const ofKey = history.filter((entry) => entry.key === key);
                if (!isLinearizable(ofKey)) {
                  throw new Error(
                    `history of ${key} is not linearizable: ${JSON.stringify(ofKey)}`,
                  );
                }
              }
              await Promise.all(stores.map((store) => store.close()));
            },
          ),
          { numRuns: resolved.modelRuns },
        );
      },
      runTimeout,
    );
  });
};
