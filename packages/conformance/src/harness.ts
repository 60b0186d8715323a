import type { Capabilities, StateErrorCode, Store } from '@statewire/core';
import { afterEach, type ExpectStatic, it, type TestContext } from 'vitest';
import { boundedStore } from './bounded-store.js';
import { clearNamespaces } from './clear-namespaces.js';
import { makeStore, type StoreFactory } from './factory.js';
import { manifestMismatch } from './manifest-check.js';
import { isBesideManifestGroup } from './manifest-reporting.js';
import type { ResolvedOptions } from './options.js';
import { attempt, type Outcome, summarize } from './outcome.js';
import { randomNamespace } from './random-data.js';
import { closeQuietly } from './settles-within.js';

/** What every test of the suite works with. One kit per test, so tests may run concurrently. */
export interface Kit {
  /** The test's own `expect` (safe under `describe.concurrent`). */
  readonly expect: ExpectStatic;
  /** A fresh random namespace, this test's alone. */
  readonly namespace: string;
  /** The capabilities the store is expected to declare. */
  readonly capabilities: Capabilities;
  /** The options with their defaults. */
  readonly options: ResolvedOptions;
  /**
   * A new store on `namespace` (this test's namespace by default), closed after the test.
   * Every call of it is already bounded (see {@link KitStoreOptions.settleTimeout}): a call
   * that has not settled in time rejects with a `NotSettledError` naming the method, so a
   * test simply awaits its calls.
   */
  store(namespace?: string, options?: KitStoreOptions): Promise<Store>;
  /** Another fresh random namespace. */
  newNamespace(): string;
  /** Runs `call`, recording a synchronous throw, within the settle bound (or `ms`). */
  attempt<T>(what: string, call: () => PromiseLike<T> | T, ms?: number): Promise<Outcome<T>>;
  /**
   * Asserts that `call` rejects (never throws) with `code`, or with a `TypeError` for
   * `'TypeError'`, and returns the error.
   */
  rejects(what: string, call: () => unknown, code: StateErrorCode | 'TypeError'): Promise<unknown>;
}

/** Options of {@link Kit.store}. */
export interface KitStoreOptions {
  /**
   * Bound on each call of the store, in milliseconds: a call (`atomic().commit()` and each
   * `scanIterator().next()` included) that has not settled by then rejects with a
   * `NotSettledError` naming the method. Raise it for the calls that move large values.
   * @default the suite's `settleTimeout`
   */
  settleTimeout?: number;
}

/** A test body of the suite. */
export type KitTest = (kit: Kit) => Promise<void>;

/** How a group's harness treats the capabilities manifest. */
export interface HarnessOptions {
  /**
   * Skip every test, visibly and with the difference as its note, when the factory's
   * stores declare other capabilities than expected: each test's expectations follow the
   * expected manifest, so a wrong declaration would otherwise fail dozens of tests that
   * have nothing wrong but the declaration. Only the manifest group itself, which reports
   * the difference as one failure, turns it off.
   * @default true
   */
  gateOnManifest?: boolean;
}

/** Declares tests of one group. */
export interface Harness {
  /** Declares one test; `timeout` overrides the per-test timeout. */
  test(name: string, body: KitTest, timeout?: number): void;
}

/**
 * Sets up a group: an `afterEach` that closes every store its test opened (close errors
 * and hangs are ignored: closing is tested by the lifecycle group, not by cleanup) and then
 * clears every namespace the test used, so that a run leaves no keys behind on a shared
 * holder; and a `test()` that gives each test its own {@link Kit}, and skips it (visibly,
 * see {@link HarnessOptions.gateOnManifest}) while the store's manifest differs from the
 * expected one. Call it inside the group's `describe()`.
 */
// Factories whose stores' close() did not settle within settleTimeout in a cleanup.
const closeHangs = new WeakSet<StoreFactory>();
// How long a cleanup waits for close() once a close() of the same factory has hung.
const CLOSE_BOUND_AFTER_HANG_MS = 20;

export function createHarness(
  factory: StoreFactory,
  capabilities: Capabilities,
  options: ResolvedOptions,
  { gateOnManifest = true }: HarnessOptions = {},
): Harness {
  const skipOnMismatch = isBesideManifestGroup(options);
  const opened = new WeakMap<object, Store[]>();
  const used = new WeakMap<object, Set<string>>();

  afterEach(
    async (context) => {
      const stores = opened.get(context.task) ?? [];
      const namespaces = used.get(context.task) ?? [];
      opened.delete(context.task);
      used.delete(context.task);
      // Once a close() of this factory's stores has hung, cleanups stop waiting for it: the
      // lifecycle group reports the hang, and every later test would otherwise pay
      // settleTimeout twice (its store, then the cleanup store) — hours over a whole run.
      const closeBound = closeHangs.has(factory)
        ? CLOSE_BOUND_AFTER_HANG_MS
        : options.settleTimeout;
      const closed = await Promise.all(stores.map((store) => closeQuietly(store, closeBound)));
      if (closed.includes(false)) closeHangs.add(factory);
      await clearNamespaces(factory, namespaces, options.settleTimeout, () =>
        closeHangs.has(factory) ? CLOSE_BOUND_AFTER_HANG_MS : options.settleTimeout,
      );
      // Each step is bounded by settleTimeout: closing, then making, clearing and closing the
      // cleanup store. vitest's default hook timeout could be shorter than that.
    },
    4 * options.settleTimeout + 5000,
  );

  function makeKit(context: TestContext): Kit {
    const { expect } = context;
    const kit: Kit = {
      expect,
      namespace: randomNamespace(),
      capabilities,
      options,
      async store(namespace = kit.namespace, { settleTimeout = options.settleTimeout } = {}) {
        let namespaces = used.get(context.task);
        if (!namespaces) {
          namespaces = new Set();
          used.set(context.task, namespaces);
        }
        namespaces.add(namespace);
        const store = await makeStore(factory, namespace, options.settleTimeout);
        let list = opened.get(context.task);
        if (!list) {
          list = [];
          opened.set(context.task, list);
        }
        list.push(store);
        return boundedStore(store, settleTimeout);
      },
      newNamespace: randomNamespace,
      attempt(what, call, ms = options.settleTimeout) {
        return attempt(call, ms, what);
      },
      async rejects(what, call, code) {
        const outcome = await attempt(call, options.settleTimeout, what);
        expect(summarize(outcome, true), what).toBe(`rejected ${code}`);
        return outcome.kind === 'rejected' ? outcome.error : undefined;
      },
    };
    return kit;
  }

  return {
    test(name, body, timeout = options.timeout) {
      it(name, { timeout }, async (context) => {
        if (gateOnManifest) {
          const mismatch = await manifestMismatch(factory, capabilities, options.settleTimeout);
          if (mismatch !== undefined && !skipOnMismatch) {
            // A group run on its own: nothing else reports the difference.
            throw new Error(
              `the store declares other capabilities than expected (${mismatch}); fix the declaration or the expected manifest (describeConformance reports this once and skips the rest)`,
            );
          }
          if (mismatch !== undefined) {
            context.skip(
              `skipped: the store declares other capabilities than expected (${mismatch}); this test follows the expected manifest, so it runs once "capabilities equals the expected manifest" passes`,
            );
          }
        }
        await body(makeKit(context));
      });
    },
  };
}
