import { DEFAULT_TIMEOUT_MS, readTimeout } from './call-options.js';
import {
  DEFAULT_MAX_BATCH_KEYS,
  DEFAULT_MAX_KEY_BYTES,
  DEFAULT_MAX_VALUE_BYTES,
  defaultMaxReplyBytes,
} from './capabilities.js';
import { assertNamespace } from './keys.js';
import { checkOptionNames } from './option-names.js';

/** The limits a client and its holder must agree on (the handshake checks them). */
export interface StoreLimits {
  /** @default 1024 */
  readonly maxKeyBytes: number;
  /** @default 67108864 (64 MiB) */
  readonly maxValueBytes: number;
  /** Most keys or entries in one `getMany` / `setMany` / `deleteMany`. @default 100000 */
  readonly maxBatchKeys: number;
  /** The largest answer to one call. @default twice `maxValueBytes`, at least 16 MiB */
  readonly maxReplyBytes: number;
}

/** {@link StoreLimits} as options: each may be left out (or `undefined`) for its default. */
export type LimitOptions = { [K in keyof StoreLimits]?: StoreLimits[K] | undefined };

/** What every store takes, whatever its transport: its namespace, timeout and limits. */
export interface StoreOptions extends LimitOptions {
  /** Isolates this store's keys from stores with another namespace. @default '' */
  namespace?: string | undefined;
  /** Default timeout of each call, in ms. @default 5000 */
  timeout?: number | undefined;
}

/** {@link StoreOptions} with every default filled in and validated, frozen. */
export interface ResolvedStoreOptions extends StoreLimits {
  readonly namespace: string;
  readonly timeout: number;
}

/** The options of a client engine (see `ClientEngineOptions`). */
export interface ClientOptions {
  /** Most calls queued or in flight before calls reject `OVERLOADED`. @default 16384 */
  maxPending?: number | undefined;
  /** How long to wait for the host's welcome, in ms. @default 5000 */
  handshakeTimeout?: number | undefined;
  /** Bytes of values after which a request frame is cut. @default 1048576 (1 MiB) */
  frameBudgetBytes?: number | undefined;
}

/** The options of a host engine beyond the limits (see `HostEngineOptions`). */
export interface HostOptions extends LimitOptions {
  /** Most calls in one request frame. @default 4096 */
  maxCallsPerFrame?: number | undefined;
  /** Bytes of results after which a reply frame is cut. @default 1048576 (1 MiB) */
  replyBudgetBytes?: number | undefined;
  /** Most clients on one link. @default 64 */
  maxClientsPerLink?: number | undefined;
}

/** {@link ClientOptions} with every default filled in and validated, frozen. */
export interface ResolvedClientOptions {
  readonly maxPending: number;
  readonly handshakeTimeout: number;
  readonly frameBudgetBytes: number;
}

/** {@link HostOptions} with every default filled in and validated, frozen. */
export interface ResolvedHostOptions extends StoreLimits {
  readonly maxCallsPerFrame: number;
  readonly replyBudgetBytes: number;
  readonly maxClientsPerLink: number;
}

/**
 * The defaults of every engine option, in one place. The limits' defaults are
 * `DEFAULT_MAX_KEY_BYTES`, `DEFAULT_MAX_VALUE_BYTES`, `DEFAULT_MAX_BATCH_KEYS` and
 * `defaultMaxReplyBytes()`; the timeout's is `DEFAULT_TIMEOUT_MS`.
 */
export const ENGINE_DEFAULTS = Object.freeze({
  maxPending: 16_384,
  handshakeTimeout: DEFAULT_TIMEOUT_MS,
  frameBudgetBytes: 1024 * 1024,
  maxCallsPerFrame: 4096,
  replyBudgetBytes: 1024 * 1024,
  maxClientsPerLink: 64,
});

/**
 * Reads an option that must be a positive whole number; `undefined` is `fallback`.
 * @throws TypeError naming the option when it is anything else
 */
export function positiveInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) <= 0) {
    throw new TypeError(`${name} must be a positive whole number, got ${String(value)}`);
  }
  return value as number;
}

/**
 * Reads an option that must be a positive number, `Infinity` included; `undefined` is
 * `fallback`.
 * @throws TypeError naming the option when it is anything else (NaN, zero, negative)
 */
export function positiveNumber(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0)) {
    throw new TypeError(`${name} must be a positive number, got ${String(value)}`);
  }
  return value;
}

/**
 * Reads an option that must be a boolean; `undefined` is `fallback`.
 * @throws TypeError naming the option when it is anything else
 */
export function booleanOption(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new TypeError(`${name} must be true or false, got ${String(value)}`);
  }
  return value;
}

/**
 * Reads an options argument: `undefined` is `{}`. An option set to `null` is refused: no
 * option takes it, and read as "not given" it would quietly pick the default (a `namespace:
 * null` would read and write the default namespace).
 * @param names - the options `of` takes (see `optionNames()`): any other is refused
 * @throws TypeError when it is not an object, holds an option `of` does not take, or an
 *   option set to `null`
 */
export function optionsObject<T extends object>(
  options: T | undefined,
  of: string,
  names?: ReadonlySet<string>,
): T {
  if (options === undefined) return {} as T;
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`the options of ${of} must be an object`);
  }
  if (names) checkOptionNames(of, options, names);
  for (const [name, value] of Object.entries(options)) {
    if (value === null) {
      throw new TypeError(
        `${of}: option ${name} is null; leave it out (or set it to undefined) for its default`,
      );
    }
  }
  return options;
}

/**
 * Fills in and validates the limits both sides must agree on.
 * @throws TypeError naming the first malformed limit
 */
export function resolveLimits(options: LimitOptions): StoreLimits {
  const maxValueBytes = positiveInteger(
    'maxValueBytes',
    options.maxValueBytes,
    DEFAULT_MAX_VALUE_BYTES,
  );
  return Object.freeze({
    maxKeyBytes: positiveInteger('maxKeyBytes', options.maxKeyBytes, DEFAULT_MAX_KEY_BYTES),
    maxValueBytes,
    maxBatchKeys: positiveInteger('maxBatchKeys', options.maxBatchKeys, DEFAULT_MAX_BATCH_KEYS),
    maxReplyBytes: positiveInteger(
      'maxReplyBytes',
      options.maxReplyBytes,
      defaultMaxReplyBytes(maxValueBytes),
    ),
  });
}

/**
 * Fills in and validates what every store takes: limits, namespace and timeout. Each
 * transport calls it once, before it opens anything.
 * @throws TypeError naming the first malformed option
 * @throws StateError `INVALID_KEY` when the namespace is malformed
 */
export function resolveStoreOptions(options: StoreOptions): ResolvedStoreOptions {
  const limits = resolveLimits(options);
  const namespace = options.namespace ?? '';
  assertNamespace(namespace, limits.maxKeyBytes);
  const timeout = readTimeout(options.timeout ?? DEFAULT_TIMEOUT_MS);
  return Object.freeze({ ...limits, namespace, timeout });
}

/**
 * Fills in and validates a client engine's options.
 * @throws TypeError naming the first malformed option
 */
export function resolveClientOptions(options: ClientOptions): ResolvedClientOptions {
  return Object.freeze({
    maxPending: positiveInteger('maxPending', options.maxPending, ENGINE_DEFAULTS.maxPending),
    handshakeTimeout: readTimeout(
      options.handshakeTimeout ?? ENGINE_DEFAULTS.handshakeTimeout,
      'handshakeTimeout',
    ),
    frameBudgetBytes: positiveInteger(
      'frameBudgetBytes',
      options.frameBudgetBytes,
      ENGINE_DEFAULTS.frameBudgetBytes,
    ),
  });
}

/**
 * Fills in and validates a host engine's limits and options.
 * @throws TypeError naming the first malformed option
 */
export function resolveHostOptions(options: HostOptions): ResolvedHostOptions {
  return Object.freeze({
    ...resolveLimits(options),
    maxCallsPerFrame: positiveInteger(
      'maxCallsPerFrame',
      options.maxCallsPerFrame,
      ENGINE_DEFAULTS.maxCallsPerFrame,
    ),
    replyBudgetBytes: positiveInteger(
      'replyBudgetBytes',
      options.replyBudgetBytes,
      ENGINE_DEFAULTS.replyBudgetBytes,
    ),
    maxClientsPerLink: positiveInteger(
      'maxClientsPerLink',
      options.maxClientsPerLink,
      ENGINE_DEFAULTS.maxClientsPerLink,
    ),
  });
}
