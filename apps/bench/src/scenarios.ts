import type { ValueKind } from './values.js';

/**
 * What each call of a scenario does. `mix` is a read-heavy cache workload every subject can
 * run: 4 gets for each set, interleaved (calls 0-3 get, call 4 sets, and so on).
 */
export type OpKind = 'get' | 'set' | 'increment' | 'mix';

/** One cell of the matrix: a value, an operation, how many workers and calls in flight. */
export interface Scenario {
  /** Stable id, used in results/latest.json: `small.mix.w2.f64`. */
  id: string;
  value: ValueKind;
  op: OpKind;
  workers: 1 | 2;
  /** Concurrent call loops in each worker. */
  inFlight: number;
  /** Distinct keys the calls cycle through (prefilled before each measurement). */
  keys: number;
  /** Only subjects of these baseline groups run it (default: every subject). */
  groups?: ('ipc' | 'redis')[];
  /** Leaves out the extra peers (see `Subject.extra`). */
  noExtras?: boolean;
}

/** Calls of a `mix` loop that set; the others get. */
export function mixSets(call: number): boolean {
  return call % 5 === 4;
}

function scenario(value: ValueKind, op: OpKind, workers: 1 | 2, inFlight: number): Scenario {
  const large = value === 'string64k' || value === 'buffer64k';
  const sweep = workers !== 2 || inFlight !== 64;
  return {
    ...(large || sweep ? { noExtras: true } : {}),
    id: `${op === 'increment' ? 'counter' : value}.${op}.w${workers}.f${inFlight}`,
    value,
    op,
    workers,
    inFlight,
    // 64 hot counters; 128 large values (8 MiB held); 1024 of the rest.
    keys: op === 'increment' ? 64 : large ? 128 : 1024,
  };
}

/** A scenario's short label for the table: `small mix · 2w × 64`. */
export function scenarioLabel(s: Scenario): string {
  const value = s.op === 'increment' ? 'counter' : s.value;
  return `${value} ${s.op} · ${s.workers}w × ${s.inFlight}`;
}

/** The scenario every named small-value ratio is measured in. */
export const SMALL_MIX = scenario('small', 'mix', 2, 64);
/** The scenario of `ipc_msgpack_buffer1k_vs_raw_json`. */
export const BUFFER1K_MIX = scenario('buffer1k', 'mix', 2, 64);

/**
 * The full matrix. Not the whole cross product (4 values x 4 ops x 3 depths x 2 worker
 * counts x 12 subjects would take hours): every value with every operation that tells
 * something new at 2 workers x 64 in flight, and the depth/worker sweep on small values.
 */
export function fullScenarios(): Scenario[] {
  return [
    SMALL_MIX,
    scenario('small', 'get', 2, 64),
    scenario('small', 'set', 2, 64),
    scenario('small', 'increment', 2, 64),
    BUFFER1K_MIX,
    scenario('buffer1k', 'get', 2, 64),
    scenario('buffer1k', 'set', 2, 64),
    scenario('string64k', 'get', 2, 64),
    scenario('string64k', 'set', 2, 64),
    scenario('buffer64k', 'get', 2, 64),
    scenario('buffer64k', 'set', 2, 64),
    scenario('small', 'mix', 1, 1),
    scenario('small', 'mix', 1, 64),
    scenario('small', 'mix', 2, 1),
    scenario('small', 'mix', 2, 256),
  ];
}

/**
 * The quick run: the scenarios the named ratios need, and nothing else (no extra peers; 1 KiB
 * Buffers only for the IPC subjects, the ones its ratio compares).
 */
export function quickScenarios(): Scenario[] {
  return [
    { ...SMALL_MIX, noExtras: true },
    { ...BUFFER1K_MIX, groups: ['ipc'], noExtras: true },
  ];
}
