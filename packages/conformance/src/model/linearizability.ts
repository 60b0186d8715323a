import { strictDiff } from '../strict-equal.js';

/** A single-key operation of the concurrent model run, as one client saw it. */
export interface TimedOp {
  client: number;
  op: 'set' | 'get' | 'delete' | 'increment' | 'setIfAbsent';
  key: string;
  /** The value written (set, setIfAbsent). */
  value?: number;
  /** When the call was made and when it settled (`performance.now()`). */
  invokedAt: number;
  settledAt: number;
  /** What it resolved (every operation of this run resolves). */
  result: unknown;
}

type State = number | undefined;

/** Applies `op` to `state`; returns the next state, or `undefined` if `op.result` is impossible. */
function apply(op: TimedOp, state: State): { next: State } | undefined {
  switch (op.op) {
    case 'set':
      return op.result === undefined ? { next: op.value } : undefined;
    case 'get':
      return (
        state === undefined
          ? op.result === undefined
          : strictDiff(state, op.result) === undefined
      )
        ? { next: state }
        : undefined;
    case 'delete':
      return op.result === (state !== undefined) ? { next: undefined } : undefined;
    case 'increment': {
      const next = (state ?? 0) + 1;
      return op.result === next ? { next } : undefined;
    }
    case 'setIfAbsent':
      if (state === undefined) return op.result === true ? { next: op.value } : undefined;
      return op.result === false ? { next: state } : undefined;
  }
}

/**
 * Whether the history of one key can be explained by some sequential order that respects
 * real time — an operation that settled before another was invoked comes first — in which
 * every result is what a single register would return (Wing & Gong's search, memoized on
 * the set of operations done and the state). Histories here are small (a few clients, a
 * few operations each).
 */
export function isLinearizable(history: TimedOp[], initial: State = undefined): boolean {
  const n = history.length;
  if (n > 24) throw new RangeError('history too long for the exhaustive check');
  const seen = new Set<string>();
  const search = (done: number, state: State): boolean => {
    if (done === (1 << n) - 1) return true;
    const memo = `${done}:${String(state)}`;
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
      const step = apply(op, state);
      if (step && search(done | (1 << i), step.next)) return true;
    }
    return false;
  };
  return search(0, initial);
}
