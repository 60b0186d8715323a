/** How long to wait before respawning a worker that died; see {@link backoffDelay}. */
export interface BackoffOptions {
  /**
   * Delay before the first respawn, in milliseconds.
   * @default 100
   */
  initialMs?: number | undefined;
  /**
   * Upper bound of any delay, jitter included, in milliseconds.
   * @default 10_000
   */
  maxMs?: number | undefined;
  /**
   * Each further consecutive crash multiplies the delay by this factor (at least 1).
   * @default 2
   */
  factor?: number | undefined;
  /**
   * Random spread, as a fraction of the delay: `0.2` gives a delay in ±20 % of the
   * exponential value, so workers that died together do not all come back together.
   * Between 0 and 1.
   * @default 0.2
   */
  jitter?: number | undefined;
}

/** {@link BackoffOptions} with every default filled in and validated. */
export type ResolvedBackoff = Readonly<Required<BackoffOptions>>;

// setTimeout() silently turns larger delays into 1 ms (TimeoutOverflowWarning).
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Fills the defaults of `options` in and validates them.
 *
 * @throws TypeError when an option is out of range.
 */
export function resolveBackoff(options: BackoffOptions = {}): ResolvedBackoff {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(
      `backoff must be an object of initialMs, maxMs, factor and jitter, got ${String(options)}`,
    );
  }
  const { initialMs = 100, maxMs = 10_000, factor = 2, jitter = 0.2 } = options;
  if (!isFiniteNumber(initialMs) || initialMs < 0 || initialMs > MAX_TIMER_MS) {
    throw new TypeError(
      `backoff.initialMs must be between 0 and ${MAX_TIMER_MS}, got ${initialMs}`,
    );
  }
  if (!isFiniteNumber(maxMs) || maxMs < initialMs || maxMs > MAX_TIMER_MS) {
    throw new TypeError(
      `backoff.maxMs must be between initialMs and ${MAX_TIMER_MS}, got ${maxMs}`,
    );
  }
  if (!isFiniteNumber(factor) || factor < 1) {
    throw new TypeError(`backoff.factor must be a finite number >= 1, got ${factor}`);
  }
  if (!isFiniteNumber(jitter) || jitter < 0 || jitter > 1) {
    throw new TypeError(`backoff.jitter must be between 0 and 1, got ${jitter}`);
  }
  return Object.freeze({ initialMs, maxMs, factor, jitter });
}

/**
 * The delay before respawn number `attempt` (0 for the first after a healthy run):
 * `initialMs * factor ** attempt`, spread by ±`jitter`, capped at `maxMs`, rounded
 * to whole milliseconds. Pure apart from `random`, which a test can pin.
 *
 * @param attempt - consecutive crashes before this one, a non-negative integer
 * @param options - the backoff settings; defaults as in {@link BackoffOptions}
 * @param random - a source of numbers in [0, 1); `Math.random` when omitted
 * @throws TypeError when `attempt` or an option is out of range.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  if (!Number.isSafeInteger(attempt) || attempt < 0) {
    throw new TypeError(`attempt must be a non-negative integer, got ${attempt}`);
  }
  const { initialMs, maxMs, factor, jitter } = resolveBackoff(options);
  // `factor ** attempt` overflows to Infinity after enough crashes; min() caps it, and a
  // zero initial delay must stay zero rather than become 0 * Infinity = NaN.
  const base = initialMs === 0 ? 0 : Math.min(maxMs, initialMs * factor ** attempt);
  const spread = jitter * (2 * random() - 1);
  return Math.max(0, Math.min(maxMs, Math.round(base * (1 + spread))));
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
