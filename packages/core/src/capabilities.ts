/**
 * What a store can do, declared by its implementation (never inferred at run time).
 * The conformance suite first checks that a store's manifest equals the one its test
 * expects, then runs or skips whole groups of tests by these flags.
 */
export interface Capabilities {
  /** Buffers and typed arrays round-trip with their exact type. */
  readonly binary: boolean;
  /** Date, Map, Set, BigInt, `undefined` inside containers, NaN and ±Infinity round-trip. */
  readonly structured: boolean;
  /** `SetOptions.ttl` is honoured. */
  readonly ttl: boolean;
  /** Other processes see the same data (false for the in-process memory store). */
  readonly shared: boolean;
  /** Data outlives the process that holds it (Redis with persistence). */
  readonly persistent: boolean;
  /**
   * `increment` and `setIfAbsent` are atomic across every client of the holder, and
   * `atomic()` commits apply all of their mutations or none.
   */
  readonly atomic: boolean;
  /**
   * Entries carry versions: `getEntry`, `getEntries`, `ifVersion` on `set` and `delete`,
   * and `atomic().check()`. Without it those reject with `NOT_SUPPORTED`.
   */
  readonly versions: boolean;
  /** The largest key, in UTF-8 bytes. */
  readonly maxKeyBytes: number;
  /** The largest encoded value, in bytes. */
  readonly maxValueBytes: number;
  /**
   * Most keys or entries in one `getMany` / `setMany` / `deleteMany`; a longer call rejects
   * `TOO_LARGE` before it is sent. Adapters split larger batches into chunks of this size.
   */
  readonly maxBatchKeys: number;
  /**
   * The largest answer to one call, in bytes (as the holder estimates it: strings by length,
   * binary by byte length). A call whose answer would be larger (`getMany` of many large
   * values, `keys()` of a huge namespace) rejects `TOO_LARGE` and the store keeps working;
   * page through a namespace with `scan()` instead.
   */
  readonly maxReplyBytes: number;
}

/** The flags of {@link Capabilities}; every flag defaults to `false`. */
export type CapabilityFlag = {
  [K in keyof Capabilities]: Capabilities[K] extends boolean ? K : never;
}[keyof Capabilities];

/** Default key size limit: 1 KiB of UTF-8. */
export const DEFAULT_MAX_KEY_BYTES = 1024;
/** Default encoded value size limit: 64 MiB. */
export const DEFAULT_MAX_VALUE_BYTES = 64 * 1024 * 1024;

/** Default batch limit: keys or entries in one `getMany` / `setMany` / `deleteMany`. */
export const DEFAULT_MAX_BATCH_KEYS = 100_000;

/**
 * Default reply limit for a given value limit: twice the largest value (128 MiB by
 * default), so that one value always fits in a reply with room to spare, and never less
 * than 16 MiB, so that a small value limit leaves room for a full batch of small answers.
 */
export function defaultMaxReplyBytes(maxValueBytes: number): number {
  return Math.max(2 * maxValueBytes, 16 * 1024 * 1024);
}

/**
 * Builds a frozen capabilities manifest. Every flag not given is `false`; the limits
 * default to {@link DEFAULT_MAX_KEY_BYTES}, {@link DEFAULT_MAX_VALUE_BYTES},
 * {@link DEFAULT_MAX_BATCH_KEYS} and {@link defaultMaxReplyBytes} of the value limit.
 */
export function defineCapabilities(declared: Partial<Capabilities>): Capabilities {
  const maxValueBytes = declared.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
  return Object.freeze({
    binary: declared.binary ?? false,
    structured: declared.structured ?? false,
    ttl: declared.ttl ?? false,
    shared: declared.shared ?? false,
    persistent: declared.persistent ?? false,
    atomic: declared.atomic ?? false,
    versions: declared.versions ?? false,
    maxKeyBytes: declared.maxKeyBytes ?? DEFAULT_MAX_KEY_BYTES,
    maxValueBytes,
    maxBatchKeys: declared.maxBatchKeys ?? DEFAULT_MAX_BATCH_KEYS,
    maxReplyBytes: declared.maxReplyBytes ?? defaultMaxReplyBytes(maxValueBytes),
  });
}
