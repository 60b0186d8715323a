import type { Capabilities } from '@statewire/core';
import { describe } from 'vitest';
import type { StoreFactory } from './factory.js';
import { describeAllOrNothing } from './groups/all-or-nothing.js';
import { describeAtomic } from './groups/atomic.js';
import { describeAtomicCommit } from './groups/atomic-commit.js';
import { describeBasic } from './groups/basic.js';
import { describeErrors } from './groups/errors.js';
import { describeKeyRules } from './groups/keys.js';
import { describeLifecycle } from './groups/lifecycle.js';
import { describeManifest } from './groups/manifest.js';
import { describeMaybeApplied } from './groups/maybe-applied.js';
import { describeModel } from './groups/model.js';
import { describeNamespaces } from './groups/namespaces.js';
import { describeReplyLimit } from './groups/reply-limit.js';
import { describeScan } from './groups/scan.js';
import { describeTtl } from './groups/ttl.js';
import { describeValueRules } from './groups/values.js';
import { describeVersions } from './groups/versions.js';
import { markBesideManifestGroup } from './manifest-reporting.js';
import { type ConformanceOptions, resolveOptions } from './options.js';

/**
 * The statewire conformance suite: declares, inside `describe(name)`, every test a
 * `Store` must pass. Call it at the top level of a vitest test file.
 *
 * It first checks that each store's `capabilities` equals `expectedCapabilities` and is
 * frozen, then runs the groups — basic, keys, values, all or nothing, ttl, atomic, versions,
 * atomic commits, namespaces, lifecycle, errors, model, scan — gated only by
 * `expectedCapabilities`: a group that does not apply is skipped visibly, with the
 * capability in its title. There is no other way to skip a test.
 *
 * When the store declares other capabilities than expected, that is one failure (the
 * manifest diff) and every test of the other groups is skipped, with the difference as its
 * note, since their expectations follow the expected manifest.
 *
 * Every test gets a fresh random namespace (starting with `swc-`) and calls `factory` for
 * each store it needs; the stores are closed after the test, and then each namespace the
 * test used is cleared through one more store from `factory`, so that a run leaves no keys
 * behind on a shared holder. Tests use their own `expect`, so the suite may run
 * inside `describe.concurrent`.
 *
 * @param name - names the store in the output, e.g. `'ipc'`
 * @param factory - makes a new store on a namespace; stores of the same namespace must
 *   share one holder (see {@link StoreFactory})
 * @param expectedCapabilities - what the store must declare, e.g.
 *   `defineCapabilities({ ttl: true, atomic: true })`
 * @param options - bounds and sizes; see {@link ConformanceOptions}
 * @throws TypeError when an option is malformed
 *
 * @example
 * ```ts
 * import { defineCapabilities } from '@statewire/core/transport';
 * import { describeConformance } from '@statewire/conformance';
 *
 * describeConformance('my-store', ({ namespace }) => createMyStore({ namespace }),
 *   defineCapabilities({ ttl: true, atomic: true, shared: true }));
 * ```
 */
export function describeConformance(
  name: string,
  factory: StoreFactory,
  expectedCapabilities: Capabilities,
  options?: ConformanceOptions,
): void {
  const resolved = markBesideManifestGroup(resolveOptions(options));
  describe(name, () => {
    describeManifest(factory, expectedCapabilities, resolved);
    describeBasic(factory, expectedCapabilities, resolved);
    describeKeyRules(factory, expectedCapabilities, resolved);
    describeValueRules(factory, expectedCapabilities, resolved);
    describeAllOrNothing(factory, expectedCapabilities, resolved);
    describeTtl(factory, expectedCapabilities, resolved);
    describeAtomic(factory, expectedCapabilities, resolved);
    describeVersions(factory, expectedCapabilities, resolved);
    describeAtomicCommit(factory, expectedCapabilities, resolved);
    describeNamespaces(factory, expectedCapabilities, resolved);
    describeScan(factory, expectedCapabilities, resolved);
    describeLifecycle(factory, expectedCapabilities, resolved);
    describeErrors(factory, expectedCapabilities, resolved);
    describeMaybeApplied(factory, expectedCapabilities, resolved);
    describeReplyLimit(factory, expectedCapabilities, resolved);
    describeModel(factory, expectedCapabilities, resolved);
  });
}
