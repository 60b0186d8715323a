import { availableParallelism } from 'node:os';
import type { ValueKind } from './values.js';

/**
 * What each call of a scenario does. `mix` is a read-heavy cache workload every subject can
 * run: 4 gets for each set, interleaved (calls 0-3 get, call 4 sets, and so on). `set-ttl`
 * writes a new key every call with a short ttl (the memory run's TTL run: only expiry keeps
 * the holder from growing). `cas-increment` is a compare-and-set increment, retried until it
 * succeeds: `getEntry`, then `set` with `ifVersion`, again on `CONFLICT` (issue 15); one call
 * is one successful increment, and the conflicts on the way are counted.
 */
export type OpKind = 'get' | 'set' | 'increment' | 'mix' | 'set-ttl' | 'cas-increment';

/** One cell of the matrix: a value, an operation, how many workers and calls in flight. */
export interface Scenario {
  /** Stable id, used in results/*.json: `small.mix.w2.f64`, `hot.increment.w2.f64`, `small.mix.w2.r20000`. */
  id: string;
  value: ValueKind;
  op: OpKind;
  workers: number;
  /**
   * Closed loop: concurrent call loops in each worker. Open loop: the most calls a worker
   * leaves outstanding before it drops the ones due (and reports them).
   */
  inFlight: number;
  /** Distinct keys the calls cycle through (prefilled before each measurement). */
  keys: number;
  /** Only subjects of these baseline groups run it (default: every subject). */
  groups?: ('ipc' | 'redis')[];
  /** Only subjects of these families run it (default: every family). */
  families?: ('statewire' | 'baseline' | 'peer' | 'limit')[];
  /** Leaves out the extra peers (see `Subject.extra`). */
  noExtras?: boolean;
  /** Leaves out every peer library (the 64 KiB scenarios: no target names a peer there). */
  noPeers?: boolean;
  /** Subjects left out by name (the quick run leaves out what no named ratio uses). */
  skip?: string[];
  /**
   * Part of the workers x depth sweep, the hot key or the open loop: measured with the sweep's
   * (shorter) windows, and without the subjects marked `notInSweep`.
   */
  sweep?: boolean;
  /** Open loop: calls per second over all workers, issued on schedule whatever the replies. */
  rate?: number;
  /** `set-ttl`: the ttl of every write, ms. */
  ttlMs?: number;
}

/** The machine's cores: the sweep runs `cores` and `4 x cores` workers. */
export const cores = Math.max(1, availableParallelism());

/** Calls in flight per worker in the sweep. */
export const SWEEP_DEPTHS = [1, 4, 16, 64] as const;

/** Calls of a `mix` loop that set; the others get. */
export function mixSets(call: number): boolean {
  return call % 5 === 4;
}

function scenario(value: ValueKind, op: OpKind, workers: number, inFlight: number): Scenario {
  const large = value === 'string64k' || value === 'buffer64k';
  // The extra peers run only in the small-value mix at 2 x 64, where their ratios are taken.
  const main = value === 'small' && op === 'mix' && workers === 2 && inFlight === 64;
  return {
    ...(main ? {} : { noExtras: true }),
    ...(large ? { noPeers: true } : {}),
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
  if (s.rate !== undefined)
    return `${s.value} ${s.op} · ${s.workers}w open loop at ${s.rate.toLocaleString('en-US')}/s`;
  const value =
    s.op === 'increment' || s.op === 'cas-increment'
      ? s.keys === 1
        ? 'one hot counter'
        : 'counter'
      : s.value;
  return `${value} ${s.op} · ${s.workers}w × ${s.inFlight}`;
}

/** The scenario every named small-value ratio is measured in (issue 13: 2 workers x 64). */
export const SMALL_MIX = scenario('small', 'mix', 2, 64);
/** The scenario of the 1 KiB Buffer ratio. */
export const BUFFER1K_MIX = scenario('buffer1k', 'mix', 2, 64);
/** 64 KiB JSON strings, read. */
export const STRING64K_GET = scenario('string64k', 'get', 2, 64);
/** 64 KiB JSON strings, written. */
export const STRING64K_SET = scenario('string64k', 'set', 2, 64);

/** A sweep cell: small values, the mix, `workers` x `inFlight`. */
export function sweepScenario(workers: number, inFlight: number): Scenario {
  const s = scenario('small', 'mix', workers, inFlight);
  // The sweep's 2 x 64 cell is the named ratios' cell: one measurement serves both.
  return s.id === SMALL_MIX.id ? SMALL_MIX : { ...s, sweep: true };
}

/** Every cell of the workers x depth sweep, in order. */
export function sweepScenarios(): Scenario[] {
  return [cores, 4 * cores].flatMap((w) => SWEEP_DEPTHS.map((f) => sweepScenario(w, f)));
}

/** The 1-call-in-flight cell at `cores` workers (a lone call must not wait a turn). */
export const ONE_IN_FLIGHT = sweepScenario(cores, 1);

/** Every worker increments one counter. */
export const HOT_KEY: Scenario = {
  id: `hot.increment.w${cores}.f64`,
  value: 'small',
  op: 'increment',
  workers: cores,
  inFlight: 64,
  keys: 1,
  noExtras: true,
  sweep: true,
};

/**
 * Compare-and-set under contention (issue 15): 4 workers, one call loop each, all on one
 * counter. Its ops/s are successful CAS increments per second; the note gives the share of
 * attempts that met a `CONFLICT`. Only statewire's transports have versions.
 */
export const CAS_INCREMENT: Scenario = {
  id: 'hot.cas-increment.w4.f1',
  value: 'small',
  op: 'cas-increment',
  workers: 4,
  inFlight: 1,
  keys: 1,
  families: ['statewire'],
  sweep: true,
};

/** Plain reads and writes of small values, which versions must not slow down (issue 15). */
export const SMALL_GET = scenario('small', 'get', 2, 64);
/** See {@link SMALL_GET}. */
export const SMALL_SET = scenario('small', 'set', 2, 64);

/** An open-loop cell: `rate` calls/s over `cores` workers, small values, the mix. */
export function openLoopScenario(rate: number): Scenario {
  return {
    id: `small.mix.w${cores}.r${rate}`,
    value: 'small',
    op: 'mix',
    workers: cores,
    // Past this many outstanding calls per worker the subject is saturated: further calls
    // due are dropped and counted, rather than queued without bound.
    inFlight: 4096,
    keys: 1024,
    noExtras: true,
    sweep: true,
    rate,
  };
}

/** The memory run's TTL run: a new key per call, 100 ms ttl. */
export const TTL_WRITES: Scenario = {
  id: 'small.set-ttl.w2.f64',
  value: 'small',
  op: 'set-ttl',
  workers: 2,
  inFlight: 64,
  keys: 0,
  ttlMs: 100,
};

/**
 * The full matrix. Not the whole cross product (4 values x 4 ops x depths x worker counts x
 * 16 subjects would take hours): every value with every operation that tells something new
 * at 2 workers x 64 in flight; then the sweep of small-value mixes at `cores` and
 * `4 x cores` workers x 1, 4, 16, 64 in flight, one hot key, and the open loop at `rates`.
 */
export function fullScenarios(rates: readonly number[]): Scenario[] {
  const main = [
    SMALL_MIX,
    SMALL_GET,
    SMALL_SET,
    scenario('small', 'increment', 2, 64),
    BUFFER1K_MIX,
    scenario('buffer1k', 'get', 2, 64),
    scenario('buffer1k', 'set', 2, 64),
    STRING64K_GET,
    STRING64K_SET,
    scenario('buffer64k', 'get', 2, 64),
    scenario('buffer64k', 'set', 2, 64),
  ];
  const sweep = sweepScenarios().filter((s) => s !== SMALL_MIX);
  return [...main, ...sweep, HOT_KEY, CAS_INCREMENT, ...rates.map(openLoopScenario)];
}

/**
 * The quick run: the named ratios' main cells and the one-in-flight cell (no extra peers, no
 * `raw-advanced`; 1 KiB Buffers only for the IPC subjects, the ones its ratio compares); plain
 * small gets and sets of the transports and their baselines, and the CAS increment.
 */
export function quickScenarios(): Scenario[] {
  const skip = ['raw-advanced'];
  const plain: Scenario['families'] = ['statewire', 'baseline'];
  return [
    { ...SMALL_MIX, noExtras: true, skip },
    { ...BUFFER1K_MIX, groups: ['ipc'], noExtras: true, skip },
    ONE_IN_FLIGHT,
    { ...SMALL_GET, families: plain, skip },
    { ...SMALL_SET, families: plain, skip },
    CAS_INCREMENT,
  ];
}

/** Every scenario a run could name with `--scenarios`. */
export function knownScenarios(rates: readonly number[]): Scenario[] {
  return [...fullScenarios(rates), ...quickScenarios()];
}
