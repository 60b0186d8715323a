/**
 * The closed list of error codes of `@statewire/cluster`. Codes are semver-stable;
 * messages are not: branch on `error.code`, never on `error.message`.
 */
export const ClusterErrorCode = {
  /** `supervise()` was called in a process that is not the cluster primary. */
  NOT_PRIMARY: 'NOT_PRIMARY',
  /** A replacement worker exited before it was ready, so `reload()` stopped. */
  WORKER_EXITED: 'WORKER_EXITED',
  /** A replacement worker was not ready within `readyTimeoutMs`, so `reload()` stopped. */
  READY_TIMEOUT: 'READY_TIMEOUT',
  /** A seat crashed `maxRestarts` times before its first worker was ready (rejects `ready`). */
  GAVE_UP: 'GAVE_UP',
  /**
   * A worker ended with a failure that a restart cannot fix (`exitFatal()` or exit code
   * `FATAL_EXIT_CODE`): `ready` rejects with it, and so does `reload()` for a replacement.
   */
  WORKER_FATAL: 'WORKER_FATAL',
  /** The supervisor is shutting down or has shut down. */
  SHUT_DOWN: 'SHUT_DOWN',
} as const;

/** One of the stable codes in {@link ClusterErrorCode}. */
export type ClusterErrorCodeName = (typeof ClusterErrorCode)[keyof typeof ClusterErrorCode];

// A registry-wide symbol, so that ClusterError.is() recognises errors made by another copy
// of this package (two versions installed side by side), where `instanceof` fails.
const brand: unique symbol = Symbol.for('statewire.ClusterError') as never;

/**
 * The error of `@statewire/cluster`: `reload()` and `ready` reject with it, and
 * `supervise()` throws it outside the primary. A malformed option is a `TypeError`.
 */
export class ClusterError extends Error {
  /** The stable code; see {@link ClusterErrorCode}. */
  readonly code: ClusterErrorCodeName;
  declare readonly cause?: unknown;
  readonly [brand] = true;

  constructor(code: ClusterErrorCodeName, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ClusterError';
    this.code = code;
  }

  /** True when `value` is a `ClusterError` from any copy of this package. */
  static is(value: unknown): value is ClusterError {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as { [brand]?: unknown })[brand] === true
    );
  }
}
