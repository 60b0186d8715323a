import { strictDiff } from '../strict-equal.js';

/** A single-key operation of the concurrent model run, as one client saw it. */
export interface TimedOp {
  client: number;
  op:
    | 'set'
    | 'get'
    | 'delete'
    | 'increment'
    | 'setIfAbsent'
    | 'getEntry'
    | 'setIf'
    | 'deleteIf'
    | 'atomic';
  key: string;
  /** The value written (set, setIfAbsent, setIf, atomic). */
  value?: number;
  /**
   * The version a conditional write sent (setIf, deleteIf, and the check of an atomic commit
   * that then sets `value`): a version string the client read, or `null` for "missing".
   */
  ifVersion?: string | null;
  /** When the call was made and when it settled (`performance.now()`). */
  invokedAt: number;
  settledAt: number;
  /** What it resolved, or `{ rejected: code }` (a conditional write's `CONFLICT`). */
  result: unknown;
}

type State = { value: number; writer: number } | undefined;

/**
 * Which version string stands for which write, as learned along one order: a string stands
 * for one write, and a write has one string.
 */
interface Bindings {
  readonly byVersion: ReadonlyMap<string, number>;
  readonly byWriter: ReadonlyMap<number, string>;
}

const noBindings: Bindings = { byVersion: new Map(), byWriter: new Map() };

/** `bindings` plus `version` ↔ `writer`, or `undefined` if that contradicts them. */
function bind(bindings: Bindings, version: unknown, writer: number): Bindings | undefined {
  if (typeof version !== 'string') return undefined;
  const writerOf = bindings.byVersion.get(version);
  const versionOf = bindings.byWriter.get(writer);
  if (writerOf !== undefined || versionOf !== undefined) {
    return writerOf === writer && versionOf === version ? bindings : undefined;
  }
  return {
    byVersion: new Map(bindings.byVersion).set(version, writer),
    byWriter: new Map(bindings.byWriter).set(writer, version),
  };
}

const rejected = (result: unknown, code: string) =>
  typeof result === 'object' &&
  result !== null &&
  (result as { rejected?: unknown }).rejected === code;

/** Whether the key, in `state`, is at `ifVersion` (`null`: missing). */
function holds(ifVersion: string | null | undefined, state: State, bindings: Bindings): boolean {
  if (ifVersion === null) return state === undefined;
  return (
    state !== undefined &&
    ifVersion !== undefined &&
    bindings.byVersion.get(ifVersion) === state.writer
  );
}

type Step = { next: State; bindings: Bindings } | undefined;

/**
 * Applies op `index` to `state`; returns the next state (and what it taught of versions),
 * or `undefined` if `op.result` is impossible there.
 */
function apply(history: TimedOp[], index: number, state: State, bindings: Bindings): Step {
  const op = history[index] as TimedOp;
  const same = { next: state, bindings };
  const written = (value: number | undefined) => ({
    next: { value: value as number, writer: index },
    bindings,
  });
  switch (op.op) {
    case 'set':
      return op.result === undefined ? written(op.value) : undefined;
    case 'get':
      return (
        state === undefined
          ? op.result === undefined
          : strictDiff(state.value, op.result) === undefined
      )
        ? same
        : undefined;
    case 'delete':
      return op.result === (state !== undefined) ? { next: undefined, bindings } : undefined;
    case 'increment': {
      const next = (state?.value ?? 0) + 1;
      return op.result === next ? written(next) : undefined;
    }
    case 'setIfAbsent':
      if (state === undefined) return op.result === true ? written(op.value) : undefined;
      return op.result === false ? same : undefined;
    case 'getEntry': {
      if (state === undefined) return op.result === undefined ? same : undefined;
      const entry = op.result as { value?: unknown; version?: unknown } | undefined;
      if (entry === undefined || strictDiff(state.value, entry.value) !== undefined)
        return undefined;
      const learned = bind(bindings, entry.version, state.writer);
      return learned ? { next: state, bindings: learned } : undefined;
    }
    case 'setIf':
      if (!holds(op.ifVersion, state, bindings))
        return rejected(op.result, 'CONFLICT') ? same : undefined;
      return op.result === undefined ? written(op.value) : undefined;
    case 'deleteIf':
      if (!holds(op.ifVersion, state, bindings))
        return rejected(op.result, 'CONFLICT') ? same : undefined;
      return op.result === (op.ifVersion !== null) ? { next: undefined, bindings } : undefined;
    case 'atomic': {
      const result = op.result as
        | { ok?: unknown; failed?: unknown; versions?: Record<string, unknown> }
        | undefined;
      if (!holds(op.ifVersion, state, bindings)) {
        return result?.ok === false &&
          Array.isArray(result.failed) &&
          result.failed.length === 1 &&
          result.failed[0] === op.key
          ? same
          : undefined;
      }
      if (result?.ok !== true || result.versions === undefined) return undefined;
      const learned = bind(bindings, result.versions[op.key], index);
      return learned
        ? { next: { value: op.value as number, writer: index }, bindings: learned }
        : undefined;
    }
  }
}

/**
 * Whether the history of one key can be explained by some sequential order that respects
 * real time — an operation that settled before another was invoked comes first — in which
 * every result is what a single versioned register would return (Wing & Gong's search,
 * memoized on the set of operations done, the state and the versions learned). The register
 * holds a value and the write that stored it; a version string stands for exactly one write
 * (learned from the reads and commits that return it), so a conditional write applies
 * exactly when the key is still at the write its version stands for, and a version that
 * comes back for another write — a reused version — explains nothing. Histories here are
 * small (a few clients, a few operations each).
 */
export function isLinearizable(history: TimedOp[], initial: State = undefined): boolean {
  const n = history.length;
  if (n > 24) throw new RangeError('history too long for the exhaustive check');
  const seen = new Set<string>();
  const search = (done: number, state: State, bindings: Bindings): boolean => {
    if (done === (1 << n) - 1) return true;
    const memo = `${done}:${state === undefined ? '-' : `${state.value}@${state.writer}`}:${[...bindings.byVersion].join()}`;
    if (seen.has(memo)) return false;
    seen.add(memo);
    // The earliest settlement among what is left: nothing invoked after it can go first.
    let horizon = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i++)
      if (!(done & (1 << i))) horizon = Math.min(horizon, (history[i] as TimedOp).settledAt);
    for (let i = 0; i < n; i++) {
      if (done & (1 << i)) continue;
      const op = history[i] as TimedOp;
      if (op.invokedAt > horizon) continue;
      const step = apply(history, i, state, bindings);
      if (step && search(done | (1 << i), step.next, step.bindings)) return true;
    }
    return false;
  };
  return search(0, initial, noBindings);
}
