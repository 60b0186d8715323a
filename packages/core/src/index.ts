/**
 * `@statewire/core`: what an application uses. The typed {@link Store} and its options, the
 * errors and their codes, the JSON codec (msgpack is `@statewire/core/msgpack`) and the
 * in-process memory store.
 *
 * Transport authors import `@statewire/core/transport`; tests of a transport import
 * `@statewire/core/testing`.
 * @packageDocumentation
 */
export type { Capabilities } from './capabilities.js';
export { type Encoded, MAX_VALUE_DEPTH, type ValueCodec } from './codec.js';
export { ErrorCode, StateError, type StateErrorCode } from './errors.js';
export { jsonCodec } from './json-codec.js';
export { createMemoryStore, type MemoryStoreOptions } from './memory-store.js';
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
export { MAX_VERSION_LENGTH } from './versions.js';
