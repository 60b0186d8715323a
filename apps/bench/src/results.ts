import type { MachineInfo } from './machine.js';
import type { CellOutcome, MemoryOutcome } from './messages.js';
import type { Scenario } from './scenarios.js';
import { median, range, spreadPercent } from './stats.js';
import type { Subject } from './subjects/subject.js';

/** Every round of one subject in one scenario, in round order. */
export interface CellRecord {
  scenario: Scenario;
  subject: string;
  /** Not run at all: the subject cannot carry the value or do the operation, or is missing. */
  skipped?: { status: 'na' | 'failed'; reason: string };
  rounds: CellOutcome[];
}

export interface MemoryRecord {
  subject: string;
  outcome: MemoryOutcome;
}

/** Everything one run measured. */
export interface RunData {
  machine: MachineInfo;
  quick: boolean;
  rounds: number;
  keyRounds: number;
  warmupMs: number;
  durationMs: number;
  startedAt: Date;
  finishedAt: Date;
  scenarios: Scenario[];
  subjects: Subject[];
  cells: CellRecord[];
  memory: MemoryRecord[];
  redis: { running: true; version: string } | { running: false; reason: string };
}

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
  spreadPct: number;
  roundsOk: number;
  /** Median calls per frame, for subjects that batch calls into frames. */
  callsPerFrame: number | undefined;
  /** Paired per-round ratio to the scenario's baseline (median, min, max). */
  ratio: PairedRatio | undefined;
  baseline: string | undefined;
}

export interface PairedRatio {
  value: number;
  min: number;
  max: number;
  rounds: number;
}

type Ok = Extract<CellOutcome, { status: 'ok' }>;
const isOk = (o: CellOutcome | undefined): o is Ok => o?.status === 'ok';

export function findCell(
  data: RunData,
  scenarioId: string,
  subject: string,
): CellRecord | undefined {
  return data.cells.find((c) => c.scenario.id === scenarioId && c.subject === subject);
}

/**
 * `a / b` round by round (both were measured within seconds of each other, so machine noise
 * hits both alike), reduced to the median and range.
 */
export function pairedRatio(
  a: CellRecord | undefined,
  b: CellRecord | undefined,
): PairedRatio | undefined {
  if (!a || !b) return undefined;
  const ratios: number[] = [];
  for (let r = 0; r < Math.min(a.rounds.length, b.rounds.length); r++) {
    const x = a.rounds[r];
    const y = b.rounds[r];
    if (isOk(x) && isOk(y) && y.opsPerSec > 0) ratios.push(x.opsPerSec / y.opsPerSec);
  }
  if (ratios.length === 0) return undefined;
  return { value: median(ratios), ...range(ratios), rounds: ratios.length };
}

function medianOps(cell: CellRecord | undefined): number {
  return median((cell?.rounds ?? []).filter(isOk).map((o) => o.opsPerSec));
}

/**
 * The baseline of a scenario for a subject's group: unbatched raw JSON IPC for the IPC
 * transports and peers, and the better (by median) of plain and auto-pipelined ioredis for
 * Redis.
 */
export function baselineOf(
  data: RunData,
  scenarioId: string,
  group: 'ipc' | 'redis',
): string | undefined {
  if (group === 'ipc') return findCell(data, scenarioId, 'raw-json') ? 'raw-json' : undefined;
  const plain = medianOps(findCell(data, scenarioId, 'ioredis'));
  const auto = medianOps(findCell(data, scenarioId, 'ioredis-auto'));
  if (Number.isNaN(plain) && Number.isNaN(auto)) return undefined;
  if (Number.isNaN(auto)) return 'ioredis';
  if (Number.isNaN(plain)) return 'ioredis-auto';
  return auto > plain ? 'ioredis-auto' : 'ioredis';
}

export function summarize(data: RunData, cell: CellRecord): CellSummary {
  const subject = data.subjects.find((s) => s.name === cell.subject)!;
  const empty = {
    scenario: cell.scenario,
    subject: cell.subject,
    opsPerSec: Number.NaN,
    p50Us: Number.NaN,
    p99Us: Number.NaN,
    spreadPct: Number.NaN,
    roundsOk: 0,
    callsPerFrame: undefined,
    ratio: undefined,
    baseline: undefined,
  };
  if (cell.skipped) return { ...empty, status: cell.skipped.status, note: cell.skipped.reason };
  const na = cell.rounds.find((o) => o.status === 'na');
  if (na?.status === 'na') return { ...empty, status: 'na', note: na.reason };
  const ok = cell.rounds.filter(isOk);
  const failed = cell.rounds.filter((o) => o.status === 'failed');
  const failure = failed[0]?.status === 'failed' ? failed[0].reason : undefined;
  if (ok.length === 0) return { ...empty, status: 'failed', note: failure ?? 'not measured' };
  const baseline = baselineOf(data, cell.scenario.id, subject.group);
  const ops = ok.map((o) => o.opsPerSec);
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
    spreadPct: spreadPercent(ops),
    roundsOk: ok.length,
    callsPerFrame: ok.some((o) => o.callsPerFrame !== undefined)
      ? median(ok.flatMap((o) => (o.callsPerFrame === undefined ? [] : [o.callsPerFrame])))
      : undefined,
    baseline,
    ratio: baseline ? pairedRatio(cell, findCell(data, cell.scenario.id, baseline)) : undefined,
  };
}
