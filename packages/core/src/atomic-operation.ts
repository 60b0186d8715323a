import { OPTION_NAMES } from './call-options.js';
import type { Capabilities } from './capabilities.js';
import type { Encoded } from './codec.js';
import { ErrorCode, markNotApplied, StateError } from './errors.js';
import { describeType } from './keys.js';
import {
  type ExecuteOptions,
  MutationKind,
  type WireCheck,
  type WireCommitResult,
  type WireMutation,
} from './operations.js';
import { checkOptionNames } from './option-names.js';
import type {
  AtomicOperation,
  CallOptions,
  CommitResult,
  ExpectedVersion,
  KeyOf,
  NumericKeyOf,
} from './store.js';
import { isExpectedVersion, MAX_VERSION_LENGTH, maxAtomicSteps } from './versions.js';

/**
 * What an {@link AtomicCommit} needs of its store: the store's own validation (so that a
 * commit checks keys, values and ttls exactly as `set` does) and a way to send the commit.
 * Each validating member throws the `StateError` (or `TypeError`) to reject with, already
 * marked `maybeApplied: false`.
 */
export interface AtomicCommitter {
  /** The store's capabilities as they stand when the commit is made. */
  readonly capabilities: Capabilities;
  /** Names the store in error messages. */
  readonly label: string;
  /** Validates the call options and that the store is open. */
  begin(opts: CallOptions | undefined): ExecuteOptions;
  /** Validates one key. */
  key(key: unknown): void;
  /** Encodes one value, within the value limit. */
  encode(value: unknown): Encoded;
  /** How many bytes of an encoded value count against the value limit. */
  valueBytes(encoded: Encoded): number;
  /** Validates a `ttl` option; 0 for none. */
  ttl(opts: { ttl?: number | undefined } | undefined): number;
  /** Sends the validated commit as one `atomic` call. */
  send(
    checks: WireCheck[],
    mutations: WireMutation[],
    options: ExecuteOptions,
  ): Promise<WireCommitResult>;
}

// What the builder records: the caller's arguments as given, validated only by commit().
type Step =
  | [kind: 'check', key: unknown, version: unknown]
  | [kind: 'set', key: unknown, value: unknown, opts: unknown]
  | [kind: 'delete', key: unknown]
  | [kind: 'increment', key: unknown, by: unknown];

/**
 * The builder `store.atomic()` returns. Its methods only record; {@link commit} validates
 * every step (keys, values through the codec, ttls, increments, versions, the number of
 * steps) and then sends them as one call, so that a commit that cannot be sent rejects and
 * sends nothing. Gating: a commit with a check needs `capabilities.versions`, any commit
 * needs `capabilities.atomic`; without them it rejects `NOT_SUPPORTED` and never runs with
 * a step left out.
 */
export class AtomicCommit<S extends object = Record<string, unknown>>
  implements AtomicOperation<S>
{
  readonly #store: AtomicCommitter;
  readonly #steps: Step[] = [];

  constructor(store: AtomicCommitter) {
    this.#store = store;
  }

  check(key: KeyOf<S>, version: ExpectedVersion): this {
    this.#steps.push(['check', key, version]);
    return this;
  }

  set<K extends KeyOf<S>>(key: K, value: S[K], opts?: { ttl?: number | undefined }): this {
    this.#steps.push(['set', key, value, opts]);
    return this;
  }

  delete(key: KeyOf<S>): this {
    this.#steps.push(['delete', key]);
    return this;
  }

  increment(key: NumericKeyOf<S>, by = 1): this {
    this.#steps.push(['increment', key, by]);
    return this;
  }

  /**
   * Validates and sends the commit. An empty commit resolves `{ ok: true, versions: {} }`
   * without a round trip.
   * @throws `NOT_SUPPORTED` without the capabilities; `TOO_LARGE` past
   *   {@link MAX_ATOMIC_STEPS} steps (or `capabilities.maxBatchKeys`, when lower) or when
   *   the values together are over `capabilities.maxValueBytes`; `INVALID_KEY`,
   *   `INVALID_VALUE` as `set` and `increment` (all rejected, not thrown, with
   *   `maybeApplied: false`); a `TypeError` for a malformed option or version
   */
  async commit(opts?: CallOptions): Promise<CommitResult> {
    const store = this.#store;
    const options = store.begin(opts);
    const { capabilities, label } = store;
    const steps = this.#steps;
    if (!capabilities.atomic) throw notSupported(label, 'this store does not support atomic()');
    if (!capabilities.versions && steps.some((step) => step[0] === 'check')) {
      throw notSupported(label, 'this store does not support versions (atomic().check())');
    }
    if (steps.length === 0) return { ok: true, versions: Object.create(null) };
    const limit = maxAtomicSteps(capabilities.maxBatchKeys);
    if (steps.length > limit) {
      throw markNotApplied(
        new StateError(
          ErrorCode.TOO_LARGE,
          `${label}: more than ${limit} checks and mutations in one atomic commit; split it`,
        ),
      );
    }
    const checks: WireCheck[] = [];
    const mutations: WireMutation[] = [];
    let valueBytes = 0;
    for (const [index, step] of steps.entries()) {
      store.key(step[1]);
      const key = step[1] as string;
      switch (step[0]) {
        case 'check':
          if (!isExpectedVersion(step[2])) {
            throw new TypeError(
              `atomic().check() takes a version string from getEntry() (at most ${MAX_VERSION_LENGTH} characters) or null`,
            );
          }
          checks.push([key, step[2]]);
          break;
        case 'set': {
          const opts = step[3];
          if (opts !== undefined) {
            const of = `${store.label}: atomic().set() (step ${index + 1})`;
            if (typeof opts !== 'object' || opts === null) {
              throw new TypeError(`${of}: options must be an object`);
            }
            checkOptionNames(of, opts, OPTION_NAMES.atomicSet);
          }
          const ttl = store.ttl(opts as { ttl?: number | undefined } | undefined);
          const value = store.encode(step[2]);
          valueBytes += store.valueBytes(value);
          mutations.push([MutationKind.set, key, value, ttl]);
          break;
        }
        case 'delete':
          mutations.push([MutationKind.delete, key]);
          break;
        case 'increment':
          if (!Number.isSafeInteger(step[2])) {
            throw markNotApplied(
              new StateError(
                ErrorCode.INVALID_VALUE,
                `${label}: atomic().increment() takes a safe integer, got ${describeType(step[2])}`,
              ),
            );
          }
          mutations.push([MutationKind.increment, key, step[2] as number]);
          break;
      }
    }
    // One commit is one call on the wire: its values together obey the value limit, as
    // those of setMany() do.
    if (valueBytes > capabilities.maxValueBytes) {
      throw markNotApplied(
        new StateError(
          ErrorCode.TOO_LARGE,
          `${label}: atomic() values total over the ${capabilities.maxValueBytes}-byte limit; split the commit`,
        ),
      );
    }
    return commitResult(label, mutations, await store.send(checks, mutations, options));
  }
}

function notSupported(label: string, message: string): StateError {
  return new StateError(ErrorCode.NOT_SUPPORTED, `${label}: ${message}`, { maybeApplied: false });
}

/**
 * Turns the wire answer of an atomic call into a {@link CommitResult}: the last version
 * each key was left at (keys whose last mutation deleted them are absent), or the keys
 * whose check failed.
 * @throws StateError `PROTOCOL` (with `maybeApplied: true`: the holder answered, but not
 *   what it applied) when the answer is malformed
 */
export function commitResult(
  label: string,
  mutations: readonly WireMutation[],
  answer: unknown,
): CommitResult {
  if (Array.isArray(answer) && Array.isArray(answer[1])) {
    const list: unknown[] = answer[1];
    if (answer[0] === false && list.every((key) => typeof key === 'string')) {
      return { ok: false, failed: list as string[] };
    }
    if (answer[0] === true && list.length === mutations.length) {
      // A null prototype: keys such as `__proto__` are ordinary keys here too.
      const versions: Record<string, string> = Object.create(null);
      for (let i = 0; i < list.length; i++) {
        const key = (mutations[i] as WireMutation)[1];
        const version = list[i];
        if (typeof version === 'string') versions[key] = version;
        else if (version === null) delete versions[key];
        else return malformedCommit(label);
      }
      return { ok: true, versions };
    }
  }
  return malformedCommit(label);
}

function malformedCommit(label: string): never {
  throw new StateError(ErrorCode.PROTOCOL, `${label}: atomic() got a malformed reply`, {
    maybeApplied: true,
  });
}
