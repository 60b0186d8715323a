import type { MachineInfo } from './machine.js';
import type { CellOutcome, MemoryOutcome } from './messages.js';
import type { Scenario } from './scenarios.js';
import { median, range, spreadPercent } from './stats.js';
import type { BaselineGroup, Subject } from './subjects/subject.js';

/** Every round of one subject in one scenario, in round order. */
export interface CellRecord {
  scenario: Scenario;
  subject: string;
  /** Not run at all: the subject cannot carry the value or do the operation, or is missing. */
  skipped?: { status: 'na' | 'failed'; reason: string };
  rounds: CellOutcome[];
}

/** One memory run: the small-value mix, or the TTL run's short-lived writes. */
export interface MemoryRecord {
  subject: string;
  run: 'mix' | 'ttl';
  outcome: MemoryOutcome;
}

/** Everything one run measured. */
export interface RunData {
  machine: MachineInfo;
  quick: boolean;
  /** Only some scenarios or subjects were selected. */
  filtered: boolean;
  rounds: number;
  keyRounds: number;
  warmupMs: number;
  durationMs: number;
  sweepRounds: number;
  sweepWarmupMs: number;
  sweepDurationMs: number;
  startedAt: Date;
  finishedAt: Date;
  scenarios: Scenario[];
  subjects: Subject[];
  cells: CellRecord[];
  memory: MemoryRecord[];
  redis: { running: true; version: string } | { running: false; reason: string };
}

/**
 * The baselines of each family (issue 13): every ratio of a subject is taken against the
 * strongest of its family's baselines, round by round; the naive ones stay in the tables.
 */
export const familyBaselines: Readonly<Record<BaselineGroup, readonly string[]>> = {
  ipc: ['raw-json', 'raw-batched'],
  redis: ['ioredis', 'ioredis-auto', 'ioredis-coalesce'],
};

/** The carrier's physical limit (a Unix socket, no codec), for the IPC rows. */
export const LIMIT_SUBJECT = 'raw-socket';

/** A cell reduced to what the table shows. */
export interface CellSummary {
  scenario: Scenario;
  subject: string;
  status: 'ok' | 'na' | 'failed';
  /** Why n/a or failed, or which rounds failed. */
  note: string | undefined;
  /** Medians over the rounds that completed. */
  opsPerSec: number;
  p50Us: number;
  p99Us: number;
  p999Us: number;
  spreadPct: number;
  roundsOk: number;
  /** Median calls per frame, for subjects that batch calls into frames. */
  callsPerFrame: number | undefined;
  /** Open loop: calls dropped as outstanding, summed over the rounds. */
  dropped: number | undefined;
  /** CAS increments: the median share of attempts that met a `CONFLICT`. */
  conflictRatio: number | undefined;
  /** Paired per-round ratio to the strongest baseline of the family (median, min, max). */
  ratio: PairedRatio | undefined;
  /** Which baselines were the strongest in the rounds, e.g. `raw-batched` or `raw-json/raw-batched`. */
  baseline: string | undefined;
  /** Paired per-round ratio to the physical limit (IPC subjects). */
  limit: PairedRatio | undefined;
}

export interface PairedRatio {
  value: number;
  min: number;
  max: number;
  rounds: number;
  /** Each round's ratio, `null` where either side did not complete the round. */
  perRound: (number | null)[];
}

type Ok = Extract<CellOutcome, { status: 'ok' }>;
/** Whether a round was measured (not n/a, not failed). */
export const isOk = (o: CellOutcome | undefined): o is Ok => o?.status === 'ok';

export function findCell(
  data: RunData,
  scenarioId: string,
  subject: string,
): CellRecord | undefined {
  return data.cells.find((c) => c.scenario.id === scenarioId && c.subject === subject);
}

/** Per round, the ops/s to compare against, and which subject it was. */
export type BaselineRounds = ({ ops: number; subject: string } | undefined)[];

/** The rounds of one cell as a baseline. */
export function cellRounds(cell: CellRecord | undefined): BaselineRounds {
  return (cell?.rounds ?? []).map((o) =>
    isOk(o) && o.opsPerSec > 0 ? { ops: o.opsPerSec, subject: cell!.subject } : undefined,
  );
}

/**
 * The strongest baseline of a family, round by round: in each round, the baseline that did
 * the most ops/s in that round (all were measured within seconds of each other).
 */
export function strongestRounds(
  data: RunData,
  scenarioId: string,
  group: BaselineGroup,
): BaselineRounds {
  const cells = familyBaselines[group]
    .map((name) => findCell(data, scenarioId, name))
    .filter((cell): cell is CellRecord => cell !== undefined);
  const length = Math.max(0, ...cells.map((c) => c.rounds.length));
  const out: BaselineRounds = [];
  for (let r = 0; r < length; r++) {
    let best: { ops: number; subject: string } | undefined;
    for (const cell of cells) {
      const o = cell.rounds[r];
      if (isOk(o) && o.opsPerSec > 0 && (!best || o.opsPerSec > best.ops))
        best = { ops: o.opsPerSec, subject: cell.subject };
    }
    out.push(best);
  }
  return out;
}

/** Which baselines the rounds used, `a/b` when it changed from round to round. */
export function baselineNames(rounds: BaselineRounds): string | undefined {
  const names = [...new Set(rounds.flatMap((r) => (r ? [r.subject] : [])))];
  return names.length === 0 ? undefined : names.sort().join('/');
}

/**
 * `cell / baseline` round by round (both measured within seconds of each other, so machine
 * noise hits both alike), reduced to the median and range.
 */
export function pairedRatio(
  cell: CellRecord | undefined,
  baseline: BaselineRounds,
): PairedRatio | undefined {
  if (!cell) return undefined;
  const perRound = cell.rounds.map((o, r) => {
    const b = baseline[r];
    return isOk(o) && b ? o.opsPerSec / b.ops : null;
  });
  const ratios = perRound.filter((x): x is number => x !== null);
  if (ratios.length === 0) return undefined;
  return { value: median(ratios), ...range(ratios), rounds: ratios.length, perRound };
}

export function summarize(data: RunData, cell: CellRecord): CellSummary {
  const subject = data.subjects.find((s) => s.name === cell.subject)!;
  const empty = {
    scenario: cell.scenario,
    subject: cell.subject,
    opsPerSec: Number.NaN,
    p50Us: Number.NaN,
    p99Us: Number.NaN,
    p999Us: Number.NaN,
    spreadPct: Number.NaN,
    roundsOk: 0,
    callsPerFrame: undefined,
    dropped: undefined,
    conflictRatio: undefined,
    ratio: undefined,
    baseline: undefined,
    limit: undefined,
  };
  if (cell.skipped) return { ...empty, status: cell.skipped.status, note: cell.skipped.reason };
  const na = cell.rounds.find((o) => o.status === 'na');
  if (na?.status === 'na') return { ...empty, status: 'na', note: na.reason };
  const ok = cell.rounds.filter(isOk);
  const failed = cell.rounds.filter((o) => o.status === 'failed');
  const failure = failed[0]?.status === 'failed' ? failed[0].reason : undefined;
  if (ok.length === 0) return { ...empty, status: 'failed', note: failure ?? 'not measured' };
  const ops = ok.map((o) => o.opsPerSec);
  const open = cell.scenario.rate !== undefined;
  // In the open loop every subject is offered the same rate: throughput ratios say nothing.
  const strongest = open ? [] : strongestRounds(data, cell.scenario.id, subject.group);
  const limitCell =
    open || subject.group !== 'ipc' || cell.subject === LIMIT_SUBJECT
      ? undefined
      : findCell(data, cell.scenario.id, LIMIT_SUBJECT);
  return {
    ...empty,
    status: 'ok',
    note:
      failed.length > 0
        ? `${failed.length} of ${cell.rounds.length} rounds failed: ${failure}`
        : undefined,
    opsPerSec: median(ops),
    p50Us: median(ok.map((o) => o.p50Us)),
    p99Us: median(ok.map((o) => o.p99Us)),
    p999Us: median(ok.map((o) => o.p999Us)),
    spreadPct: spreadPercent(ops),
    roundsOk: ok.length,
    callsPerFrame: ok.some((o) => o.callsPerFrame !== undefined)
      ? median(ok.flatMap((o) => (o.callsPerFrame === undefined ? [] : [o.callsPerFrame])))
      : undefined,
    dropped: open ? ok.reduce((sum, o) => sum + (o.dropped ?? 0), 0) : undefined,
    conflictRatio: ok.some((o) => o.conflictRatio !== undefined)
      ? median(ok.flatMap((o) => (o.conflictRatio === undefined ? [] : [o.conflictRatio])))
      : undefined,
    baseline: baselineNames(strongest),
    ratio: pairedRatio(cell, strongest),
    limit: limitCell ? pairedRatio(cell, cellRounds(limitCell)) : undefined,
  };
}
