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
  | { op: 'clear' };

/** What a call did: resolved with a value, or rejected with a code (or a non-StateError). */
export type Observed = { kind: 'resolved'; value: unknown } | { kind: 'rejected'; code: string };

interface Entry {
  value: unknown;
  /** Set with a short ttl: it may have expired at any moment since. */
  mayExpire: boolean;
}

const isValidKey = (key: string) => key !== '' && key.isWellFormed();

function describeOp(op: ModelOp): string {
  return JSON.stringify(op, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
}

/**
 * The reference model of a store: a Map, written independently of every implementation.
 * It is an *observer*: for each operation it checks that what the store did is one of the
 * outcomes the semantics allow, then updates itself from what was observed. Entries set with
 * a short ttl may expire at any time (a tolerant clock): a read may see them or not, and once
 * one is seen missing it is gone.
 */
export class ObservedModel {
  readonly #entries = new Map<string, Entry>();

  /**
   * Checks `observed` against the model for `op` and advances the model.
   * @returns undefined when allowed, else what was wrong
   */
  step(op: ModelOp, observed: Observed): string | undefined {
    const where = `${describeOp(op)} → ${observed.kind === 'resolved' ? `resolved ${String(describeValue(observed.value))}` : `rejected ${observed.code}`}`;
    const keysOf = 'key' in op ? [op.key] : 'keys' in op ? op.keys : [];
    if (keysOf.some((key) => !isValidKey(key))) {
      return observed.kind === 'rejected' && observed.code === 'INVALID_KEY'
        ? undefined
        : `${where}: expected INVALID_KEY`;
    }
    if (observed.kind === 'rejected' && op.op !== 'increment')
      return `${where}: expected it to resolve`;
    const resolved = observed.kind === 'resolved' ? observed.value : undefined;
    switch (op.op) {
      case 'set':
        this.#entries.set(op.key, { value: op.value, mayExpire: op.ttl === 'short' });
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
          this.#entries.set(op.key, { value: op.value, mayExpire: false });
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
    }
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
    const diff = strictDiff(entry.value, value);
    return diff === undefined
      ? undefined
      : `${where}: ${JSON.stringify(key)} read back changed: ${diff}`;
  }

  #increment(key: string, by: number, observed: Observed, where: string): string | undefined {
    const entry = this.#entries.get(key);
    const current = entry?.value;
    const numeric = entry === undefined || Number.isSafeInteger(current);
    if (observed.kind === 'rejected') {
      if (observed.code === 'WRONG_TYPE' && entry && !numeric) return undefined;
      return `${where}: expected ${numeric ? 'a number' : 'WRONG_TYPE'}`;
    }
    const result = observed.value;
    // Only a number is added to: the stored value may be anything (a BigInt, say) that an
    // increment refuses, or that may have expired first.
    const fromCurrent = entry === undefined ? by : numeric ? (current as number) + by : undefined;
    if (numeric && result === fromCurrent) {
      this.#entries.set(key, { value: result, mayExpire: entry?.mayExpire ?? false });
      return undefined;
    }
    // The entry may have expired first: the increment then started from 0, with no expiry.
    if (entry?.mayExpire && result === by) {
      this.#entries.set(key, { value: result, mayExpire: false });
      return undefined;
    }
    return `${where}: expected ${numeric ? fromCurrent : 'WRONG_TYPE'}`;
  }
}

function describeValue(value: unknown): unknown {
  try {
    return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
  } catch {
    return String(value);
  }
}
