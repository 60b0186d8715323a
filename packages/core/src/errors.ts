/**
 * The closed list of error codes. Codes are semver-stable; messages are not.
 *
 * Tests and applications branch on `error.code`, never on `error.message`.
 */
export const ErrorCode = {
  /** The key is not a non-empty, well-formed string. */
  INVALID_KEY: 'INVALID_KEY',
  /** The value cannot round-trip exactly through this store's codec. */
  INVALID_VALUE: 'INVALID_VALUE',
  /** The key or the encoded value is over the store's size limit. */
  TOO_LARGE: 'TOO_LARGE',
  /** The stored value does not fit the operation (for example `increment` of a string). */
  WRONG_TYPE: 'WRONG_TYPE',
  /** The call did not settle within its timeout. Writes carry `maybeApplied: true`. */
  TIMEOUT: 'TIMEOUT',
  /** The call's `AbortSignal` fired. Writes already sent carry `maybeApplied: true`. */
  ABORTED: 'ABORTED',
  /** The store was closed before or while the call ran. */
  CLOSED: 'CLOSED',
  /** The channel or connection to the holder was lost. Writes in flight carry `maybeApplied: true`. */
  CONNECTION_LOST: 'CONNECTION_LOST',
  /** No holder answered: there is no channel, or nothing serves on it. */
  UNAVAILABLE: 'UNAVAILABLE',
  /** Too many calls are queued or pending; the call was not sent. */
  OVERLOADED: 'OVERLOADED',
  /** The two sides do not speak the same protocol version, codec or limits. */
  PROTOCOL: 'PROTOCOL',
  /** The store does not support this operation or option. */
  NOT_SUPPORTED: 'NOT_SUPPORTED',
  /** The backend failed (a server error, an internal error of the holder). */
  BACKEND: 'BACKEND',
  /** The backend refused the credentials. */
  AUTH: 'AUTH',
  /** The backend user lacks a permission the operation needs. */
  NOPERM: 'NOPERM',
  /**
   * A compare-and-set (`ifVersion`) found the key at another version: nothing was written
   * (`maybeApplied: false`). Read the entry again and retry.
   */
  CONFLICT: 'CONFLICT',
} as const;

/** One of the stable error codes in {@link ErrorCode}. */
export type StateErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const codes: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/** True when `code` is one of the stable {@link ErrorCode} values. */
export function isStateErrorCode(code: unknown): code is StateErrorCode {
  return typeof code === 'string' && codes.has(code);
}

/** Options of the {@link StateError} constructor. */
export interface StateErrorOptions {
  /** The underlying error, kept as `error.cause`. */
  cause?: unknown;
  /**
   * Set on every rejection of a write, absent on reads: `true` when the write may have been
   * applied and the store cannot know (a timeout, an abort or a lost connection after it
   * was sent), `false` when it is known that nothing was applied (refused before it was
   * sent, rejected by the holder, or the holder said goodbye first).
   */
  maybeApplied?: boolean;
}

// A registry-wide symbol, so that StateError.is() recognises errors made by another copy
// of @statewire/core (two versions installed side by side), where `instanceof` fails.
const brand: unique symbol = Symbol.for('statewire.StateError') as never;

/**
 * The one error class of statewire. Every failed call rejects with a `StateError`
 * (or a `TypeError` for a malformed option).
 */
export class StateError extends Error {
  /** The stable code; see {@link ErrorCode}. */
  readonly code: StateErrorCode;
  /**
   * On a write: `true` when it may have been applied and the store cannot know, `false`
   * when nothing was applied. Absent on reads.
   */
  // `declare`: a class field would make every error own a `maybeApplied: undefined`.
  declare readonly maybeApplied?: boolean;
  declare readonly cause?: unknown;
  readonly [brand] = true;

  constructor(code: StateErrorCode, message: string, options: StateErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StateError';
    this.code = code;
    if (options.maybeApplied !== undefined) this.maybeApplied = options.maybeApplied;
  }

  /**
   * Recognises a `StateError` from any copy of `@statewire/core`, optionally of one code.
   *
   * @example `if (StateError.is(err, 'TIMEOUT')) retryLater();`
   */
  static is(error: unknown, code?: StateErrorCode): error is StateError {
    if (typeof error !== 'object' || error === null) return false;
    if ((error as { [brand]?: unknown })[brand] !== true) return false;
    return code === undefined || (error as StateError).code === code;
  }
}

/**
 * Marks `error` as the rejection of a write known not to have been applied: a `StateError`
 * that does not yet say gets `maybeApplied: false`. Anything else is returned unchanged.
 * Stores call it where a write is refused before anything is sent (validation, a closed
 * store) or where the holder answered with an error.
 *
 * @returns `error` itself
 */
export function markNotApplied<E>(error: E): E {
  if (StateError.is(error) && error.maybeApplied === undefined) {
    Object.defineProperty(error, 'maybeApplied', {
      value: false,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return error;
}
