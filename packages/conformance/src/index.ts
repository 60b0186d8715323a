export { describeConformance } from './describe-conformance.js';
export type { ConformanceGroup, FactoryOptions, StoreFactory } from './factory.js';
export { describeAllOrNothing } from './groups/all-or-nothing.js';
export { describeAtomic } from './groups/atomic.js';
export { describeAtomicCommit } from './groups/atomic-commit.js';
export { describeBasic } from './groups/basic.js';
export {
  type BoundedFactoryOptions,
  type BoundedStoreFactory,
  describeBoundedHolder,
} from './groups/bounded-holder.js';
export { describeErrors } from './groups/errors.js';
export { describeKeyRules } from './groups/keys.js';
export { describeLifecycle } from './groups/lifecycle.js';
export { describeManifest } from './groups/manifest.js';
export { describeMaybeApplied } from './groups/maybe-applied.js';
export { describeModel } from './groups/model.js';
export { describeNamespaces } from './groups/namespaces.js';
export { describeReplyLimit } from './groups/reply-limit.js';
export { describeScan } from './groups/scan.js';
export { describeTtl } from './groups/ttl.js';
export { describeValueRules } from './groups/values.js';
export { describeVersions } from './groups/versions.js';
export type { ConformanceOptions } from './options.js';
export { NotSettledError, settlesWithin } from './settles-within.js';
export { strictDiff, strictEqual } from './strict-equal.js';
export {
  ruleFor,
  type ValueCase,
  type ValueClass,
  type ValueRule,
  valueMatrix,
} from './value-matrix.js';
