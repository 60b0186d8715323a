import { strictDiff } from '../strict-equal.js';

/** One operation of a model-based run. */
export type ModelOp =
  | { op: 'set'; key: string; value: unknown; ttl: 'none' | 'long' | 'short' }
  | { op: 'get'; key: string }
  | { op: 'has'; key: string }
  | { op: 'delete'; key: string }
  | { op: 'increment'; key: string; by: number }
  | { op: 'setIfAbsent'; key: string; value: unknown }
  | { op: 'getMany'; keys: string[] }
  | { op: 'deleteMany'; keys: string[] }
  | { op: 'keys' }
  | { op: 'clear' }
  | { op: 'getEntry'; key: string }
  | { op: 'getEntries'; keys: string[] }
  | {
      op: 'setIf';
      key: string;
      value: unknown;
      ttl: 'none' | 'long' | 'short';
      expect: Expectation;
      /** The version sent, chosen by {@link ObservedModel.versionFor} before the call. */
      ifVersion?: ExpectedVersion;
    }
  | { op: 'deleteIf'; key: string; expect: Expectation; ifVersion?: ExpectedVersion }
  | { op: 'atomic'; checks: readonly ModelCheck[]; mutations: readonly ModelMutation[] };

/**
 * Which version a conditional write expects: the key's current one, one it had before
 * (`stale`), none (`missing`: `null`), or one no store ever handed out (`bogus`).
 */
export type Expectation = 'current' | 'stale' | 'missing' | 'bogus';

/** One check of an atomic commit. */
export interface ModelCheck {
  key: string;
  expect: Expectation;
  /** The version sent, chosen by {@link ObservedModel.versionFor} before the call. */
  ifVersion?: ExpectedVersion;
}

/** One mutation of an atomic commit. */
export type ModelMutation =
  | { kind: 'set'; key: string; value: unknown; ttl: 'none' | 'long' }
  | { kind: 'delete'; key: string }
  | { kind: 'increment'; key: string; by: number };

/** What a conditional write sends: a version string, or `null` for "must be missing". */
export type ExpectedVersion = string | null;

/** What a call did: resolved with a value, or rejected with a code (or a non-StateError). */
export type Observed = { kind: 'resolved'; value: unknown } | { kind: 'rejected'; code: string };

interface Entry {
  /** The value, or {@link UNKNOWN} when the model cannot tell which of several it is. */
  value: unknown;
  /** Set with a short ttl: it may have expired at any moment since. */
  mayExpire: boolean;
  /** The abstract version: a number the model gives each write, never reused. */
  version: number;
}

/**
 * The value of an entry that an atomic increment changed while it may have expired just
 * before: it is the old value plus the step or the step alone, and the commit does not say
 * which. The next read tells; until then any number is accepted.
 */
const UNKNOWN: unique symbol = Symbol('unknown value');

/** A version no store hands out, for checks that must fail. */
const BOGUS_VERSION = 'statewire-conformance: a version never handed out';

const isValidKey = (key: string) => key !== '' && key.isWellFormed();

function describeOp(op: ModelOp): string {
  return JSON.stringify(op, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
}

/** The keys an operation names (checks and mutations of a commit included). */
function keysOf(op: ModelOp): string[] {
  if (op.op === 'atomic') {
    return [...op.checks.map((c) => c.key), ...op.mutations.map((m) => m.key)];
  }
  return 'key' in op ? [op.key] : 'keys' in op ? op.keys : [];
}

/** One way an atomic commit may have gone: its answer and the entries it left. */
interface CommitScenario {
  outcome: string;
  entries: Map<string, Entry>;
}

/**
 * The reference model of a store: a Map, written independently of every implementation.
 * It is an *observer*: for each operation it checks that what the store did is one of the
 * outcomes the semantics allow, then updates itself from what was observed. Entries set with
 * a short ttl may expire at any time (a tolerant clock): a read may see them or not, and once
 * one is seen missing it is gone.
 *
 * Versions are tracked abstractly: every write gives its key a new number, and the model
 * learns which version string stands for which number from what reads and commits resolve.
 * A string must keep standing for one number (a version changes on every write and never
 * without one) and never for two (a version is never reused for its key, not even after a
 * delete and re-create of the same value). A conditional write must apply exactly when the
 * key is at the number its version stands for.
 */
/** What a conditional write finds: the entry, and whether its `ifVersion` matches. */
interface Condition {
  key: string;
  ifVersion: string | null;
  entry: Entry | undefined;
  /** The version matches the entry as the model holds it. */
  now: boolean;
  /** The version would match once the entry expired (it may have, unseen). */
  ifExpired: boolean;
}

export class ObservedModel {
  readonly #entries = new Map<string, Entry>();
  /** Per key: every version string seen for it, and the abstract version it stands for. */
  readonly #seen = new Map<string, Map<string, number>>();
  /** The version string of each abstract version, once seen. */
  readonly #strings = new Map<number, string>();
  #lastVersion = 0;
  readonly #versions: boolean;

  /**
   * @param options.versions - whether the store declares `versions`: without it, the model
   *   takes no notice of the `versions` an atomic commit resolves
   */
  constructor(options: { versions?: boolean } = {}) {
    this.#versions = options.versions ?? false;
  }

  /**
   * The version a conditional write with `expect` sends for `key`: the key's current
   * version string, one it had before, `null`, or one never handed out. `'read'` when the
   * current version is not known yet: the caller reads the key (`getEntry`, as a step of
   * its own) and asks again.
   */
  versionFor(key: string, expect: Expectation): { ifVersion: ExpectedVersion } | 'read' {
    const entry = this.#entries.get(key);
    switch (expect) {
      case 'missing':
        return { ifVersion: null };
      case 'bogus':
        return { ifVersion: BOGUS_VERSION };
      case 'current': {
        if (!entry) return { ifVersion: null };
        const known = this.#strings.get(entry.version);
        return known === undefined ? 'read' : { ifVersion: known };
      }
      case 'stale': {
        const old = [...(this.#seen.get(key) ?? [])].filter(([, v]) => v !== entry?.version);
        return { ifVersion: old.at(-1)?.[0] ?? BOGUS_VERSION };
      }
    }
  }

  /**
   * Checks `observed` against the model for `op` and advances the model.
   * @returns undefined when allowed, else what was wrong
   */
  step(op: ModelOp, observed: Observed): string | undefined {
    const where = `${describeOp(op)} → ${observed.kind === 'resolved' ? `resolved ${String(describeValue(observed.value))}` : `rejected ${observed.code}`}`;
    if (keysOf(op).some((key) => !isValidKey(key))) {
      return observed.kind === 'rejected' && observed.code === 'INVALID_KEY'
        ? undefined
        : `${where}: expected INVALID_KEY`;
    }
    if (
      observed.kind === 'rejected' &&
      !['increment', 'setIf', 'deleteIf', 'atomic'].includes(op.op)
    ) {
      return `${where}: expected it to resolve`;
    }
    const resolved = observed.kind === 'resolved' ? observed.value : undefined;
    switch (op.op) {
      case 'set':
        this.#entries.set(op.key, this.#written(op.value, op.ttl === 'short'));
        return resolved === undefined ? undefined : `${where}: expected undefined`;
      case 'get':
        return this.#read(op.key, resolved, where);
      case 'has': {
        const entry = this.#entries.get(op.key);
        if (resolved === true && entry) return undefined;
        if (resolved === false && !entry) return undefined;
        if (resolved === false && entry?.mayExpire) {
          this.#entries.delete(op.key);
          return undefined;
        }
        return `${where}: expected ${entry ? 'true' : 'false'}`;
      }
      case 'delete': {
        const entry = this.#entries.get(op.key);
        this.#entries.delete(op.key);
        if (resolved === Boolean(entry) || (entry?.mayExpire && resolved === false))
          return undefined;
        return `${where}: expected ${Boolean(entry)}`;
      }
      case 'increment':
        return this.#increment(op.key, op.by, observed, where);
      case 'setIfAbsent': {
        const entry = this.#entries.get(op.key);
        if (resolved === true && (!entry || entry.mayExpire)) {
          this.#entries.set(op.key, this.#written(op.value, false));
          return undefined;
        }
        if (resolved === false && entry) return undefined;
        return `${where}: expected ${!entry}`;
      }
      case 'getMany': {
        if (!Array.isArray(resolved) || resolved.length !== op.keys.length)
          return `${where}: expected ${op.keys.length} values`;
        for (let i = 0; i < op.keys.length; i++) {
          const problem = this.#read(op.keys[i] as string, resolved[i], where);
          if (problem) return problem;
        }
        return undefined;
      }
      case 'deleteMany': {
        const unique = [...new Set(op.keys)];
        const certain = unique.filter((key) => this.#entries.get(key)?.mayExpire === false).length;
        const possible = unique.filter((key) => this.#entries.has(key)).length;
        for (const key of unique) this.#entries.delete(key);
        if (typeof resolved === 'number' && resolved >= certain && resolved <= possible)
          return undefined;
        return `${where}: expected a count in [${certain}, ${possible}]`;
      }
      case 'keys': {
        if (!Array.isArray(resolved)) return `${where}: expected an array`;
        const seen = new Set(resolved as string[]);
        if (seen.size !== resolved.length) return `${where}: duplicate keys`;
        for (const key of seen)
          if (!this.#entries.has(key)) return `${where}: unexpected key ${JSON.stringify(key)}`;
        for (const [key, entry] of this.#entries) {
          if (seen.has(key)) continue;
          if (!entry.mayExpire) return `${where}: missing key ${JSON.stringify(key)}`;
          this.#entries.delete(key);
        }
        return undefined;
      }
      case 'clear':
        this.#entries.clear();
        return resolved === undefined ? undefined : `${where}: expected undefined`;
      case 'getEntry':
        return this.#readEntry(op.key, resolved, where);
      case 'getEntries': {
        if (!Array.isArray(resolved) || resolved.length !== op.keys.length)
          return `${where}: expected ${op.keys.length} entries`;
        for (let i = 0; i < op.keys.length; i++) {
          const problem = this.#readEntry(op.keys[i] as string, resolved[i], where);
          if (problem) return problem;
        }
        return undefined;
      }
      case 'setIf':
        return this.#setIf(op, observed, where);
      case 'deleteIf':
        return this.#deleteIf(op, observed, where);
      case 'atomic':
        return this.#atomic(op, observed, where);
    }
  }

  /** A new entry, with a version no write had before. */
  #written(value: unknown, mayExpire: boolean): Entry {
    return { value, mayExpire, version: ++this.#lastVersion };
  }

  /** Whether `ifVersion` stands for the version of `entry` (`null`: for a missing key). */
  #matches(key: string, ifVersion: ExpectedVersion, entry: Entry | undefined): boolean {
    if (ifVersion === null) return entry === undefined;
    return entry !== undefined && this.#seen.get(key)?.get(ifVersion) === entry.version;
  }

  /**
   * Learns that `version` is the string of the abstract version `abstract` of `key`, or
   * says why it cannot be: the version changed without a write, or a string of another
   * version of the key came back (reused).
   */
  #learn(key: string, version: unknown, abstract: number, where: string): string | undefined {
    if (typeof version !== 'string' || version === '')
      return `${where}: the version of ${JSON.stringify(key)} is not a non-empty string`;
    const known = this.#strings.get(abstract);
    if (known !== undefined && known !== version)
      return `${where}: the version of ${JSON.stringify(key)} changed from ${known} to ${version} without a write`;
    let seen = this.#seen.get(key);
    if (!seen) {
      seen = new Map();
      this.#seen.set(key, seen);
    }
    const other = seen.get(version);
    if (other !== undefined && other !== abstract)
      return `${where}: ${JSON.stringify(key)} got version ${version} again after a write (a reused version)`;
    seen.set(version, abstract);
    this.#strings.set(abstract, version);
    return undefined;
  }

  #read(key: string, value: unknown, where: string): string | undefined {
    const entry = this.#entries.get(key);
    if (value === undefined) {
      if (!entry) return undefined;
      if (entry.mayExpire) {
        this.#entries.delete(key);
        return undefined;
      }
      return `${where}: ${JSON.stringify(key)} read back missing`;
    }
    if (!entry) return `${where}: ${JSON.stringify(key)} should be missing`;
    if (entry.value === UNKNOWN) {
      if (!Number.isSafeInteger(value))
        return `${where}: ${JSON.stringify(key)} should be a number`;
      entry.value = value;
      return undefined;
    }
    const diff = strictDiff(entry.value, value);
    return diff === undefined
      ? undefined
      : `${where}: ${JSON.stringify(key)} read back changed: ${diff}`;
  }

  #readEntry(key: string, result: unknown, where: string): string | undefined {
    if (result === undefined) return this.#read(key, undefined, where);
    if (
      typeof result !== 'object' ||
      result === null ||
      Object.keys(result).sort().join() !== 'value,version'
    ) {
      return `${where}: expected undefined or { value, version }`;
    }
    const { value, version } = result as { value: unknown; version: unknown };
    const problem = this.#read(key, value, where);
    if (problem) return problem;
    return this.#learn(key, version, (this.#entries.get(key) as Entry).version, where);
  }

  #increment(key: string, by: number, observed: Observed, where: string): string | undefined {
    const entry = this.#entries.get(key);
    const current = entry?.value;
    const numeric = entry === undefined || current === UNKNOWN || Number.isSafeInteger(current);
    if (observed.kind === 'rejected') {
      if (observed.code === 'WRONG_TYPE' && entry && !numeric) return undefined;
      return `${where}: expected ${numeric ? 'a number' : 'WRONG_TYPE'}`;
    }
    const result = observed.value;
    if (current === UNKNOWN && Number.isSafeInteger(result)) {
      this.#entries.set(key, { ...this.#written(result, true) });
      return undefined;
    }
    // Only a number is added to: the stored value may be anything (a BigInt, say) that an
    // increment refuses, or that may have expired first.
    const fromCurrent = entry === undefined ? by : numeric ? (current as number) + by : undefined;
    if (numeric && result === fromCurrent) {
      this.#entries.set(key, this.#written(result, entry?.mayExpire ?? false));
      return undefined;
    }
    // The entry may have expired first: the increment then started from 0, with no expiry.
    if (entry?.mayExpire && result === by) {
      this.#entries.set(key, this.#written(result, false));
      return undefined;
    }
    return `${where}: expected ${numeric ? fromCurrent : 'WRONG_TYPE'}`;
  }

  #setIf(
    op: Extract<ModelOp, { op: 'setIf' }>,
    observed: Observed,
    where: string,
  ): string | undefined {
    if (op.ifVersion === undefined) return `${where}: the run sent no ifVersion`;
    const found = this.#expected(op.key, op.ifVersion);
    if (observed.kind === 'resolved') {
      if (!found.now && !found.ifExpired) return `${where}: expected CONFLICT`;
      if (observed.value !== undefined) return `${where}: expected undefined`;
      this.#entries.set(op.key, this.#written(op.value, op.ttl === 'short'));
      return undefined;
    }
    return this.#conflicted(found, observed, where, found.now ? 'undefined' : 'CONFLICT');
  }

  /** The entry a conditional write finds, and whether `ifVersion` matches it now or once it expired. */
  #expected(key: string, ifVersion: string | null): Condition {
    const entry = this.#entries.get(key);
    const now = this.#matches(key, ifVersion, entry);
    // A key that may have expired may be missing by the time the store looks.
    const ifExpired = entry?.mayExpire === true && this.#matches(key, ifVersion, undefined);
    return { key, ifVersion, entry, now, ifExpired };
  }

  /**
   * A conditional write that rejected: only `CONFLICT` is right, and only when the version
   * did not match (or matched a key that may have expired before the store looked).
   */
  #conflicted(
    { key, ifVersion, entry, now }: Condition,
    observed: Observed,
    where: string,
    expected: string | boolean,
  ): string | undefined {
    if (observed.kind !== 'rejected' || observed.code !== 'CONFLICT')
      return `${where}: expected ${expected}`;
    if (!now) return undefined;
    if (entry?.mayExpire && ifVersion !== null) {
      this.#entries.delete(key);
      return undefined;
    }
    return `${where}: expected it to apply`;
  }

  #deleteIf(
    op: Extract<ModelOp, { op: 'deleteIf' }>,
    observed: Observed,
    where: string,
  ): string | undefined {
    if (op.ifVersion === undefined) return `${where}: the run sent no ifVersion`;
    const found = this.#expected(op.key, op.ifVersion);
    // `ifVersion: null` of a missing key deletes nothing and resolves false; a version that
    // holds deletes the key and resolves true.
    const answer = op.ifVersion !== null;
    if (observed.kind === 'resolved') {
      if (!found.now && !found.ifExpired) return `${where}: expected CONFLICT`;
      if (observed.value !== answer) return `${where}: expected ${answer}`;
      this.#entries.delete(op.key);
      return undefined;
    }
    return this.#conflicted(found, observed, where, found.now ? answer : 'CONFLICT');
  }

  /**
   * An atomic commit: every way it may have gone — one per subset of the touched entries
   * that may have expired — is played on a copy of the entries; the observed answer must be
   * one of theirs, and the model goes on from the entries of the ways that gave it.
   */
  #atomic(
    op: Extract<ModelOp, { op: 'atomic' }>,
    observed: Observed,
    where: string,
  ): string | undefined {
    if (op.checks.some((check) => check.ifVersion === undefined))
      return `${where}: the run sent a check without a version`;
    const touched = [...new Set(keysOf(op))].filter((key) => this.#entries.get(key)?.mayExpire);
    const firstNew = this.#lastVersion + 1;
    const scenarios: CommitScenario[] = [];
    for (let mask = 0; mask < 1 << touched.length; mask++) {
      const entries = new Map(this.#entries);
      touched.forEach((key, i) => {
        if (mask & (1 << i)) entries.delete(key);
      });
      scenarios.push(this.#commit(op, entries, firstNew));
    }
    const answer =
      observed.kind === 'rejected'
        ? `rejected ${observed.code}`
        : this.#commitAnswer(observed.value);
    const matching = scenarios.filter((scenario) => scenario.outcome === answer);
    if (matching.length === 0) {
      const allowed = [...new Set(scenarios.map((scenario) => scenario.outcome))];
      return `${where}: expected ${allowed.join(' or ')}`;
    }
    this.#lastVersion = Math.max(
      this.#lastVersion,
      ...matching.flatMap((scenario) => [...scenario.entries.values()].map((e) => e.version)),
    );
    const keys = new Set(matching.flatMap((scenario) => [...scenario.entries.keys()]));
    for (const key of [...this.#entries.keys(), ...keys]) {
      const candidates = matching.map((scenario) => scenario.entries.get(key));
      const first = candidates[0];
      if (candidates.every((c) => c === undefined)) {
        this.#entries.delete(key);
      } else if (candidates.every((c) => c !== undefined && c.version === first?.version)) {
        const all = candidates as Entry[];
        const same = all.every((c) => strictDiff(c.value, first?.value) === undefined);
        this.#entries.set(key, {
          value: same ? first?.value : UNKNOWN,
          mayExpire: all.some((c) => c.mayExpire),
          version: (first as Entry).version,
        });
      } else {
        // Present in some ways and missing in others: only an entry that may expire.
        const present = candidates.find((c) => c !== undefined) as Entry;
        this.#entries.set(key, { ...present, mayExpire: true });
      }
    }
    if (observed.kind === 'resolved') {
      const { ok, versions } = observed.value as {
        ok: boolean;
        versions?: Record<string, unknown>;
      };
      if (ok && versions && this.#versions) {
        for (const [key, version] of Object.entries(versions)) {
          const entry = this.#entries.get(key);
          if (!entry)
            return `${where}: a version for ${JSON.stringify(key)}, which the commit left missing`;
          const problem = this.#learn(key, version, entry.version, where);
          if (problem) return problem;
        }
      }
    }
    return undefined;
  }

  /** Plays `op` on `entries` (changed in place); new versions count from `firstNew`. */
  #commit(
    op: Extract<ModelOp, { op: 'atomic' }>,
    entries: Map<string, Entry>,
    firstNew: number,
  ): CommitScenario {
    const before = new Map(entries);
    const failed = new Set(
      op.checks
        .filter(
          (check) => !this.#matches(check.key, check.ifVersion ?? null, entries.get(check.key)),
        )
        .map((check) => check.key),
    );
    if (failed.size > 0) {
      return { outcome: `resolved ok: false, failed: ${[...failed].sort().join(', ')}`, entries };
    }
    // One new version per key the commit leaves set, the same in every way it may have gone.
    const mutated = [...new Set(op.mutations.map((m) => m.key))];
    const versionOf = (key: string) => firstNew + mutated.indexOf(key);
    for (const mutation of op.mutations) {
      const entry = entries.get(mutation.key);
      if (mutation.kind === 'set') {
        entries.set(mutation.key, {
          value: mutation.value,
          mayExpire: false,
          version: versionOf(mutation.key),
        });
      } else if (mutation.kind === 'delete') {
        entries.delete(mutation.key);
      } else {
        const current = entry?.value;
        if (entry !== undefined && current !== UNKNOWN && !Number.isSafeInteger(current)) {
          return { outcome: 'rejected WRONG_TYPE', entries: before };
        }
        entries.set(mutation.key, {
          value:
            current === UNKNOWN ? UNKNOWN : ((current as number | undefined) ?? 0) + mutation.by,
          mayExpire: entry?.mayExpire ?? false,
          version: versionOf(mutation.key),
        });
      }
    }
    const left = mutated.filter((key) => entries.has(key)).sort();
    return { outcome: this.#okAnswer(left), entries };
  }

  #okAnswer(keys: string[]): string {
    return this.#versions
      ? `resolved ok: true, versions of: ${keys.join(', ')}`
      : 'resolved ok: true';
  }

  /** The observed answer of a commit, in the words of {@link CommitScenario.outcome}. */
  #commitAnswer(result: unknown): string {
    if (typeof result !== 'object' || result === null) return `resolved ${String(result)}`;
    const { ok, versions, failed } = result as {
      ok?: unknown;
      versions?: unknown;
      failed?: unknown;
    };
    if (ok === false && Array.isArray(failed)) {
      return `resolved ok: false, failed: ${[...new Set(failed.map(String))].sort().join(', ')}`;
    }
    if (ok === true && typeof versions === 'object' && versions !== null) {
      return this.#okAnswer(Object.keys(versions).sort());
    }
    return `resolved ${String(describeValue(result))}`;
  }
}

function describeValue(value: unknown): unknown {
  try {
    return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
  } catch {
    return String(value);
  }
}
