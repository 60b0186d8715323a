import { formatConflicts, formatOps } from './format.js';
import type { CellOutcome, CellSpec } from './messages.js';
import { Progress } from './progress.js';
import type { CellRecord } from './results.js';
import type { Scenario } from './scenarios.js';
import {
  BUFFER1K_MIX,
  ONE_IN_FLIGHT,
  SMALL_MIX,
  STRING64K_GET,
  STRING64K_SET,
  scenarioLabel,
} from './scenarios.js';
import type { SubjectProcess } from './subject-process.js';
import type { Subject } from './subjects/subject.js';

export interface Schedule {
  scenarios: Scenario[];
  subjects: Subject[];
  processes: Map<string, SubjectProcess>;
  rounds: number;
  /** Rounds of the scenarios the named ratios are measured in. */
  keyRounds: number;
  warmupMs: number;
  durationMs: number;
  sweepRounds: number;
  sweepWarmupMs: number;
  sweepDurationMs: number;
  /** Why a subject cannot run at all (e.g. no redis-server), by name. */
  missing: Map<string, string>;
}

/** Why a subject will not be run in a scenario, decided before anything runs. */
function staticSkip(
  subject: Subject,
  scenario: Scenario,
  missing: Map<string, string>,
): CellRecord['skipped'] {
  const missingReason = missing.get(subject.name);
  if (missingReason) return { status: 'failed', reason: missingReason };
  const cannotDo = subject.cannotDo(scenario.op);
  if (cannotDo) return { status: 'na', reason: cannotDo };
  const counts = scenario.op === 'increment' || scenario.op === 'cas-increment';
  const cannotCarry = counts ? undefined : subject.cannotCarry(scenario.value);
  if (cannotCarry) return { status: 'na', reason: cannotCarry };
  return undefined;
}

function describe(outcome: CellOutcome): string {
  switch (outcome.status) {
    case 'ok':
      return outcome.offered === undefined
        ? `${formatOps(outcome.opsPerSec)} ops/s${outcome.conflictRatio === undefined ? '' : `, ${formatConflicts(outcome.conflictRatio)}`}`
        : `${formatOps(outcome.opsPerSec)} of ${formatOps(outcome.offered)} ops/s, p99 ${Math.round(outcome.p99Us)} µs${outcome.dropped ? `, ${outcome.dropped} dropped` : ''}`;
    case 'na':
      return `n/a: ${outcome.reason}`;
    case 'failed':
      return `FAILED: ${outcome.reason}`;
  }
}

/**
 * Runs the matrix scenario by scenario. Within a scenario the subjects take turns, round
 * after round, each round starting one subject later (round-robin), so a burst of machine
 * noise lands on every subject alike instead of on whichever ran during it; the ratios pair
 * each subject's round with its baseline's round.
 */
export async function runSchedule(schedule: Schedule): Promise<CellRecord[]> {
  const { scenarios, subjects, processes, missing } = schedule;
  // The named ratios' cells get more rounds; the sweep's cells shorter windows.
  const keyIds = new Set(
    [SMALL_MIX, BUFFER1K_MIX, STRING64K_GET, STRING64K_SET, ONE_IN_FLIGHT].map((s) => s.id),
  );
  const roundsOf = (s: Scenario) =>
    keyIds.has(s.id) ? schedule.keyRounds : s.sweep ? schedule.sweepRounds : schedule.rounds;
  const timingOf = (s: Scenario) =>
    s.sweep
      ? { warmupMs: schedule.sweepWarmupMs, durationMs: schedule.sweepDurationMs }
      : { warmupMs: schedule.warmupMs, durationMs: schedule.durationMs };
  const cells: CellRecord[] = [];
  const plan: { scenario: Scenario; runnable: CellRecord[] }[] = [];
  for (const scenario of scenarios) {
    const runnable: CellRecord[] = [];
    for (const subject of subjects) {
      if (scenario.groups && !scenario.groups.includes(subject.group)) continue;
      if (scenario.families && !scenario.families.includes(subject.family)) continue;
      if (scenario.noExtras && subject.extra) continue;
      if (scenario.sweep && subject.notInSweep) continue;
      if (scenario.noPeers && subject.family === 'peer') continue;
      if (scenario.skip?.includes(subject.name)) continue;
      const skipped = staticSkip(subject, scenario, missing);
      const cell: CellRecord = skipped
        ? { scenario, subject: subject.name, skipped, rounds: [] }
        : { scenario, subject: subject.name, rounds: [] };
      cells.push(cell);
      if (!skipped) runnable.push(cell);
    }
    plan.push({ scenario, runnable });
  }
  const steps = plan.reduce((sum, p) => sum + p.runnable.length * roundsOf(p.scenario), 0);
  const progress = new Progress(steps, (schedule.warmupMs + schedule.durationMs) / 1000 + 0.5);
  Progress.log(
    `bench: ${scenarios.length} scenarios, ${subjects.length} subjects, ${schedule.rounds} rounds (${schedule.keyRounds} for the named ratios' scenarios) of ${schedule.durationMs} ms (+${schedule.warmupMs} ms warm-up), the sweep ${schedule.sweepRounds} rounds of ${schedule.sweepDurationMs} ms (+${schedule.sweepWarmupMs} ms): ${steps} measurements`,
  );

  for (const { scenario, runnable } of plan) {
    const spec: CellSpec = { scenario, ...timingOf(scenario) };
    const rounds = roundsOf(scenario);
    for (let round = 0; round < rounds; round++) {
      for (let turn = 0; turn < runnable.length; turn++) {
        const cell = runnable[(turn + round) % runnable.length]!;
        const last = cell.rounds[cell.rounds.length - 1];
        const proc = processes.get(cell.subject)!;
        let outcome: CellOutcome;
        if (last?.status === 'na') {
          // Found at run time (e.g. a value that does not round-trip): once is enough.
          outcome = last;
        } else if (proc.unavailable) {
          outcome = { status: 'failed', reason: proc.unavailable };
        } else {
          outcome = await proc.run(spec);
        }
        cell.rounds.push(outcome);
        progress.step(
          `${scenarioLabel(scenario)}  round ${round + 1}/${rounds}  ${cell.subject.padEnd(22)} ${describe(outcome)}`,
        );
      }
    }
  }
  return cells;
}
