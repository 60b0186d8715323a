/**
 * `@statewire/core/transport`: what a transport author builds a store from. The base store and
 * its {@link Executor} contract, the client and host engines with their {@link Link} contract,
 * request correlation ({@link PendingCalls}) and same-tick batching ({@link CallQueue}), the
 * {@link Backend} interface and the in-memory backend, capability helpers, the store
 * assembly (`createStore` / `connectStore`) and the option resolvers every transport
 * validates with, the operation codes and their wire shapes, and the key checks.
 *
 * Applications import `@statewire/core` instead; tests import `@statewire/core/testing`.
 * The wire frames and the host's dispatch table are internal: only the frame tag, the
 * protocol version and {@link isTagged} are here, because a transport that negotiates a
 * second channel must recognise statewire messages on it.
 * @packageDocumentation
 */
export type { Backend, BackendStats } from './backend.js';
export { BaseStore, type BaseStoreOptions } from './base-store.js';
export {
  DEFAULT_TIMEOUT_MS,
  OPTION_NAMES,
  readCallOptions,
  readTimeout,
  readTtl,
} from './call-options.js';
export { type BatchLimits, CallQueue, type CallQueueOptions } from './call-queue.js';
export {
  type CapabilityFlag,
  DEFAULT_MAX_BATCH_KEYS,
  DEFAULT_MAX_KEY_BYTES,
  DEFAULT_MAX_VALUE_BYTES,
  defaultMaxReplyBytes,
  defineCapabilities,
} from './capabilities.js';
export { ClientEngine, type ClientEngineOptions, type ClientEngineStats } from './client-engine.js';
export { encodedSize } from './codec.js';
export {
  connectStore,
  createStore,
  type DeclaredFlags,
  type LinkStore,
  type LinkStoreAssembly,
  type StoreAssembly,
  storeCapabilities,
} from './create-store.js';
export { isStateErrorCode, markNotApplied, type StateErrorOptions } from './errors.js';
export { type FrameLimits, maxCallBytes, maxRequestFrameBytes } from './frame-limits.js';
export { FRAME_TAG, isTagged, PROTOCOL_VERSION } from './frames.js';
export { HostEngine, type HostEngineOptions, type HostStats } from './host-engine.js';
export { IdTable } from './id-table.js';
export { assertNamespace, checkKey, checkPrefix, describeType } from './keys.js';
export type { Link, LinkHandlers } from './link.js';
export {
  MemoryBackend,
  type MemoryBackendOptions,
  type MemoryBackendStats,
} from './memory-backend.js';
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
export { checkOptionNames, optionNames } from './option-names.js';
export { PendingCalls, type PendingCallsHooks } from './pending-calls.js';
export { SCAN_PAGE_BYTES, scanPageBytes } from './scan.js';
export { whyNotAStore } from './store-check.js';
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
