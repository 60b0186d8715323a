export type { Backend, BackendStats } from './backend.js';
export { BaseStore, type BaseStoreOptions } from './base-store.js';
export { checkTimeout, DEFAULT_TIMEOUT_MS, readCallOptions, readTtl } from './call-options.js';
export { type BatchLimits, CallQueue, type CallQueueOptions } from './call-queue.js';
export {
  type Capabilities,
  type CapabilityFlag,
  DEFAULT_MAX_BATCH_KEYS,
  DEFAULT_MAX_KEY_BYTES,
  DEFAULT_MAX_VALUE_BYTES,
  defaultMaxReplyBytes,
  defineCapabilities,
} from './capabilities.js';
export { ClientEngine, type ClientEngineOptions, type ClientEngineStats } from './client-engine.js';
export { type Encoded, encodedSize, type ValueCodec } from './codec.js';
export {
  connectStore,
  createStore,
  type DeclaredFlags,
  type LinkStore,
  type LinkStoreAssembly,
  type StoreAssembly,
  storeCapabilities,
} from './create-store.js';
export { type DispatchContext, type DispatchLimits, dispatch, isOpCode } from './dispatch.js';
export {
  ErrorCode,
  isStateErrorCode,
  markNotApplied,
  StateError,
  type StateErrorCode,
  type StateErrorOptions,
} from './errors.js';
export { type FrameLimits, maxCallBytes, maxRequestFrameBytes } from './frame-limits.js';
export * from './frames.js';
export { HostEngine, type HostEngineOptions, type HostStats } from './host-engine.js';
export { jsonCodec } from './json-codec.js';
export { assertNamespace, checkKey, checkPrefix, describeType } from './keys.js';
export type { Link, LinkHandlers } from './link.js';
export { createLoopbackPair, type LoopbackLink, type LoopbackPair } from './loopback.js';
export { type LoopbackHost, type LoopbackHostOptions, serveLoopback } from './loopback-host.js';
export {
  MemoryBackend,
  type MemoryBackendOptions,
  type MemoryBackendStats,
} from './memory-backend.js';
export { createMemoryStore, type MemoryStoreOptions } from './memory-store.js';
export {
  type ExecuteOptions,
  type Executor,
  MutationKind,
  Op,
  type OpArgs,
  type OpCode,
  type OpResult,
  opNames,
  type WireCheck,
  type WireCommitResult,
  type WireEntry,
  type WireMutation,
  type WireTtl,
  writeOps,
} from './operations.js';
export { PendingCalls, type PendingCallsHooks } from './pending-calls.js';
export {
  type AtomicOperation,
  type CallOptions,
  type CommitResult,
  type ConditionalSetOptions,
  type DeleteOptions,
  type Entry,
  type ExpectedVersion,
  type IncrementOptions,
  type KeyOf,
  MAX_ATOMIC_STEPS,
  type NumericKeyOf,
  type ScanOptions,
  type ScanPage,
  type SetOptions,
  type Store,
  type ValuesOf,
  type VersionedEntriesOf,
  type VersionedEntry,
} from './store.js';
export {
  booleanOption,
  type ClientOptions,
  ENGINE_DEFAULTS,
  type HostOptions,
  type LimitOptions,
  optionsObject,
  positiveInteger,
  positiveNumber,
  type ResolvedClientOptions,
  type ResolvedHostOptions,
  type ResolvedStoreOptions,
  resolveClientOptions,
  resolveHostOptions,
  resolveLimits,
  resolveStoreOptions,
  type StoreLimits,
  type StoreOptions,
} from './store-options.js';
