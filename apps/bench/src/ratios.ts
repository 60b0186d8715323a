import {
  type BaselineRounds,
  baselineNames,
  cellRounds,
  familyBaselines,
  findCell,
  type PairedRatio,
  pairedRatio,
  type RunData,
  strongestRounds,
} from './results.js';
import {
  BUFFER1K_MIX,
  ONE_IN_FLIGHT,
  type Scenario,
  SMALL_MIX,
  STRING64K_GET,
  STRING64K_SET,
  sweepScenarios,
} from './scenarios.js';
import type { BaselineGroup } from './subjects/subject.js';

/** A named ratio and its target, as the issues state them. */
export interface RatioDefinition {
  name: string;
  /** What is compared, in words, for the report. */
  description: string;
  target: number;
  /** `>=`: the ratio must reach the target; `<=`: it must stay under it. */
  direction: '>=' | '<=';
}

/** Against the strongest baseline of a family, or one named subject. */
type Versus = { family: BaselineGroup } | { subject: string };

interface ThroughputRatio extends RatioDefinition {
  kind: 'throughput';
  scenario: Scenario;
  subject: string;
  versus: Versus;
}

/** The worst cell of the sweep, over several subjects, against one baseline. */
interface SweepRatio extends RatioDefinition {
  kind: 'sweep-worst';
  subjects: string[];
  versus: string;
}

interface MemoryRatio extends RatioDefinition {
  kind: 'memory';
}

function versusText(versus: Versus): string {
  return 'family' in versus
    ? `the strongest of ${familyBaselines[versus.family].join(', ')} (per round)`
    : versus.subject;
}

function throughput(
  name: string,
  subject: string,
  versus: Versus,
  scenario: Scenario,
  target: number,
  note = '',
): ThroughputRatio {
  return {
    kind: 'throughput',
    name,
    description: `${subject} / ${versusText(versus)}, ${scenario.id}${note}`,
    scenario,
    subject,
    versus,
    target,
    direction: '>=',
  };
}

const IPC: Versus = { family: 'ipc' };
const REDIS: Versus = { family: 'redis' };

/** The named ratios: the targets of issue 13 first, then the peers' (issue 4's). */
export const ratioDefinitions: readonly (ThroughputRatio | SweepRatio | MemoryRatio)[] = [
  throughput('ipc_small_vs_strongest_raw', 'ipc', IPC, SMALL_MIX, 1),
  throughput(
    'ipc_msgpack_small_vs_strongest_raw',
    'ipc-msgpack',
    IPC,
    SMALL_MIX,
    1,
    ' (stretch: 1.3)',
  ),
  {
    kind: 'sweep-worst',
    name: 'ipc_sweep_worst_vs_raw_json',
    description:
      'the lowest ipc or ipc-msgpack / raw-json (unbatched) over every closed-loop cell of the workers x depth sweep',
    subjects: ['ipc', 'ipc-msgpack'],
    versus: 'raw-json',
    target: 1,
    direction: '>=',
  },
  throughput(
    'ipc_msgpack_buffer1k_vs_raw_base64',
    'ipc-msgpack',
    IPC,
    BUFFER1K_MIX,
    3,
    ' (both raw baselines carry Buffers as base64)',
  ),
  throughput('ipc_string64k_get_vs_strongest_raw', 'ipc', IPC, STRING64K_GET, 1),
  throughput('ipc_string64k_set_vs_strongest_raw', 'ipc', IPC, STRING64K_SET, 1),
  throughput('redis_small_vs_strongest_ioredis', 'redis', REDIS, SMALL_MIX, 1),
  throughput('redis_one_in_flight_vs_strongest_ioredis', 'redis', REDIS, ONE_IN_FLIGHT, 0.95),
  throughput('redis_string64k_get_vs_strongest_ioredis', 'redis', REDIS, STRING64K_GET, 0.95),
  throughput('redis_string64k_set_vs_strongest_ioredis', 'redis', REDIS, STRING64K_SET, 0.95),
  throughput(
    'ipc_vs_cluster_shared_memory',
    'ipc',
    { subject: 'cluster-shared-memory' },
    SMALL_MIX,
    2.5,
  ),
  throughput('ipc_vs_memored', 'ipc', { subject: 'memored' }, SMALL_MIX, 2.5),
  throughput(
    'ipc_msgpack_vs_cluster_shared_memory',
    'ipc-msgpack',
    { subject: 'cluster-shared-memory' },
    SMALL_MIX,
    2.5,
  ),
  throughput('ipc_msgpack_vs_memored', 'ipc-msgpack', { subject: 'memored' }, SMALL_MIX, 2.5),
  {
    kind: 'memory',
    name: 'memory_rss_end_vs_warm',
    description:
      "RSS at the end of a memory run / RSS after its warm-up, the worst of the statewire transports' processes (ipc, ipc-msgpack, redis; the mix and the TTL run)",
    target: 1.1,
    direction: '<=',
  },
];

/**
 * A named ratio as measured. `status`: `met` / `missed`; `not-measured` when its cells were
 * in the run but did not complete; `not-in-run` when the run did not include them (a quick
 * or filtered run).
 */
export interface RatioResult {
  name: string;
  description: string;
  value: number | null;
  target: number;
  direction: '>=' | '<=';
  met: boolean;
  status: 'met' | 'missed' | 'not-measured' | 'not-in-run';
  /** The paired rounds' range and baselines, or which cell or process decided it. */
  detail: string;
  paired: PairedRatio | undefined;
  /** Round by round, what the ratio was computed from (for results/*.json). */
  rounds?: {
    subject: (number | null)[];
    baseline: (number | null)[];
    baselineSubject: (string | null)[];
  };
}

function statusOf(value: number | null, target: number, direction: '>=' | '<=') {
  if (value === null) return 'not-measured' as const;
  return (direction === '>=' ? value >= target : value <= target) ? 'met' : 'missed';
}

function memoryRatio(data: RunData): { value: number | null; detail: string; inRun: boolean } {
  let worst: { value: number; detail: string } | undefined;
  const failures: string[] = [];
  for (const record of data.memory) {
    if (record.outcome.status !== 'ok') {
      failures.push(`${record.subject} ${record.run}: ${record.outcome.reason}`);
      continue;
    }
    for (const p of record.outcome.processes) {
      // The redis-server is Redis's own memory, shown in the table but not statewire's.
      if (p.role === 'redis-server') continue;
      const value = p.end.rss / p.warm.rss;
      if (!worst || value > worst.value)
        worst = { value, detail: `${record.subject} ${record.run} run, ${p.role}` };
    }
  }
  const runs = [...new Set(data.memory.map((r) => `${r.subject} ${r.run}`))].join(', ');
  if (!worst)
    return {
      value: null,
      detail: failures.join('; ') || 'no memory run',
      inRun: data.memory.length > 0,
    };
  return {
    value: worst.value,
    detail: `${worst.detail} (runs: ${runs})${failures.length ? `; FAILED: ${failures.join('; ')}` : ''}`,
    inRun: true,
  };
}

function whyNot(data: RunData, scenarioId: string, names: string[]): string {
  const why: string[] = [];
  for (const name of names) {
    const cell = findCell(data, scenarioId, name);
    if (!cell) continue;
    if (cell.skipped) why.push(`${name}: ${cell.skipped.reason}`);
    else
      for (const o of cell.rounds)
        if (o.status !== 'ok') {
          why.push(`${name}: ${o.reason}`);
          break;
        }
  }
  return why.join('; ') || 'no round completed for both';
}

function roundsDetail(cell: ReturnType<typeof findCell>, baseline: BaselineRounds) {
  return {
    subject: (cell?.rounds ?? []).map((o) => (o.status === 'ok' ? Math.round(o.opsPerSec) : null)),
    baseline: baseline.map((b) => (b ? Math.round(b.ops) : null)),
    baselineSubject: baseline.map((b) => b?.subject ?? null),
  };
}

export function computeRatios(data: RunData): RatioResult[] {
  return ratioDefinitions.map((definition): RatioResult => {
    const { name, description, target, direction } = definition;
    const base = { name, description, target, direction };
    if (definition.kind === 'memory') {
      const { value, detail, inRun } = memoryRatio(data);
      const status = inRun ? statusOf(value, target, direction) : 'not-in-run';
      return { ...base, value, detail, paired: undefined, status, met: status === 'met' };
    }
    if (definition.kind === 'sweep-worst') {
      let worst: { value: number; detail: string } | undefined;
      let cells = 0;
      const missing: string[] = [];
      for (const scenario of sweepScenarios()) {
        const baseline = cellRounds(findCell(data, scenario.id, definition.versus));
        for (const subject of definition.subjects) {
          const cell = findCell(data, scenario.id, subject);
          if (!cell) continue;
          cells++;
          const paired = pairedRatio(cell, baseline);
          if (!paired) {
            missing.push(`${subject} ${scenario.id}`);
            continue;
          }
          if (!worst || paired.value < worst.value)
            worst = {
              value: paired.value,
              detail: `${subject} ${scenario.id}: rounds ${paired.min.toFixed(2)}–${paired.max.toFixed(2)} (n=${paired.rounds})`,
            };
        }
      }
      if (cells === 0)
        return {
          ...base,
          value: null,
          detail: 'the sweep was not in this run',
          paired: undefined,
          status: 'not-in-run',
          met: false,
        };
      const value = worst?.value ?? null;
      const status = statusOf(value, target, direction);
      const detail = `${worst ? `worst: ${worst.detail}` : 'no cell measured'}; ${cells} subject × cell pairs in this run${missing.length ? `; not measured: ${missing.join(', ')}` : ''}`;
      return { ...base, value, detail, paired: undefined, status, met: status === 'met' };
    }
    const scenarioId = definition.scenario.id;
    const mine = findCell(data, scenarioId, definition.subject);
    const versus = definition.versus;
    const baseline =
      'family' in versus
        ? strongestRounds(data, scenarioId, versus.family)
        : cellRounds(findCell(data, scenarioId, versus.subject));
    const names = 'family' in versus ? [...familyBaselines[versus.family]] : [versus.subject];
    const inRun =
      mine !== undefined && names.some((n) => findCell(data, scenarioId, n) !== undefined);
    if (!inRun) {
      return {
        ...base,
        value: null,
        detail: `${scenarioId} with ${definition.subject} and its baseline was not in this run`,
        paired: undefined,
        status: 'not-in-run',
        met: false,
      };
    }
    const paired = pairedRatio(mine, baseline);
    const absent = names.filter((n) => !findCell(data, scenarioId, n));
    const detail = paired
      ? `rounds ${paired.min.toFixed(2)}–${paired.max.toFixed(2)} (n=${paired.rounds}), vs ${baselineNames(baseline)}${absent.length ? ` (${absent.join(', ')} not in this run)` : ''}`
      : `not measured: ${whyNot(data, scenarioId, [definition.subject, ...names])}`;
    const value = paired?.value ?? null;
    const status = statusOf(value, target, direction);
    return {
      ...base,
      value,
      detail,
      paired,
      status,
      met: status === 'met',
      rounds: roundsDetail(mine, baseline),
    };
  });
}
