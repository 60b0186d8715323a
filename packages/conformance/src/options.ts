import { isBesideManifestGroup, markBesideManifestGroup } from './manifest-reporting.js';
/** Options of {@link describeConformance} and of every group. */
export interface ConformanceOptions {
  /**
   * Timeout of each test, in milliseconds (vitest's per-test timeout).
   * @default 30000
   */
  timeout?: number;
  /**
   * Bound on every single awaited call, in milliseconds: a call (or `close()`, or the
   * factory) that has not settled by then fails its test with a `NotSettledError`. Keep it
   * above the store's own call timeout (5000 ms by default) so that a slow holder fails with
   * its own `TIMEOUT` rather than this bound.
   * @default 10000
   */
  settleTimeout?: number;
  /**
   * Sizes in bytes of the large values that must round-trip: a string of each size, and a
   * Buffer of each size on binary stores. Each must fit under `maxValueBytes` with the
   * codec's overhead. Transports opt into 16 and 64 MiB here; the default keeps the suite
   * fast.
   * @default [1048576] (1 MiB)
   */
  largeValueBytes?: number[];
  /**
   * How many calls the concurrency tests issue at once (increments, `setIfAbsent`).
   * @default 200
   */
  concurrency?: number;
  /**
   * How many stores on one namespace the atomic tests spread their calls over.
   * @default 4
   */
  atomicStores?: number;
  /**
   * The short time to live of the expiry tests, in milliseconds.
   * @default 100
   */
  ttl?: number;
  /**
   * How long an expiry test waits for a key with the short `ttl` to disappear, in
   * milliseconds, polling meanwhile.
   * @default 3000
   */
  expiryTimeout?: number;
  /**
   * How many random sequences each model-based test runs (fast-check `numRuns`).
   * @default 25
   */
  modelRuns?: number;
  /**
   * The longest random sequence of the sequential model-based test.
   * @default 40
   */
  modelSteps?: number;
}

/** {@link ConformanceOptions} with every default applied. */
export type ResolvedOptions = Required<ConformanceOptions>;

// The options that are positive integers; largeValueBytes is the only other one.
const INTEGER_OPTIONS = [
  'timeout',
  'settleTimeout',
  'concurrency',
  'atomicStores',
  'ttl',
  'expiryTimeout',
  'modelRuns',
  'modelSteps',
] as const;

const OPTION_NAMES: ReadonlySet<string> = new Set([...INTEGER_OPTIONS, 'largeValueBytes']);

// The options that are durations given to timers.
const TIMER_OPTIONS: ReadonlySet<string> = new Set([
  'timeout',
  'settleTimeout',
  'ttl',
  'expiryTimeout',
]);
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Applies the defaults of {@link ConformanceOptions} and checks the given values.
 * @throws TypeError when an option is malformed
 */
export function resolveOptions(options: ConformanceOptions = {}): ResolvedOptions {
  const prototype =
    typeof options === 'object' && options !== null && Object.getPrototypeOf(options);
  if (prototype !== Object.prototype && prototype !== null) {
    // A Map or a class instance would be read as no options at all.
    throw new TypeError('conformance options must be a plain object');
  }
  for (const name of Object.keys(options)) {
    if (!OPTION_NAMES.has(name)) throw new TypeError(`unknown conformance option ${name}`);
  }
  const resolved: ResolvedOptions = {
    timeout: options.timeout ?? 30_000,
    settleTimeout: options.settleTimeout ?? 10_000,
    largeValueBytes: options.largeValueBytes ?? [1024 * 1024],
    concurrency: options.concurrency ?? 200,
    atomicStores: options.atomicStores ?? 4,
    ttl: options.ttl ?? 100,
    expiryTimeout: options.expiryTimeout ?? 3000,
    modelRuns: options.modelRuns ?? 25,
    modelSteps: options.modelSteps ?? 40,
  };
  for (const name of INTEGER_OPTIONS) {
    const value = resolved[name];
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new TypeError(`conformance option ${name} must be a positive integer`);
    }
    // A longer timer fires at once in Node, with a TimeoutOverflowWarning.
    if (TIMER_OPTIONS.has(name) && value > MAX_TIMER_MS) {
      throw new TypeError(
        `conformance option ${name} must be at most ${MAX_TIMER_MS} ms (Node's longest timer)`,
      );
    }
  }
  if (
    !Array.isArray(resolved.largeValueBytes) ||
    resolved.largeValueBytes.length === 0 ||
    !resolved.largeValueBytes.every((size) => Number.isSafeInteger(size) && size > 0)
  ) {
    throw new TypeError(
      'conformance option largeValueBytes must be a non-empty array of positive integers',
    );
  }
  return isBesideManifestGroup(options) ? markBesideManifestGroup(resolved) : resolved;
}
