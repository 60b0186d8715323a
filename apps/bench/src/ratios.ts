import { baselineOf, findCell, type PairedRatio, pairedRatio, type RunData } from './results.js';
import { BUFFER1K_MIX, type Scenario, SMALL_MIX } from './scenarios.js';

/** A named ratio and its target, as the issue states them. */
export interface RatioDefinition {
  name: string;
  /** What is compared, in words, for the report. */
  description: string;
  target: number;
  /** `>=`: the ratio must reach the target; `<=`: it must stay under it. */
  direction: '>=' | '<=';
}

interface ThroughputRatio extends RatioDefinition {
  kind: 'throughput';
  scenario: Scenario;
  subject: string;
  /** A subject, or `best-ioredis`: the better of plain and auto-pipelined ioredis. */
  versus: string;
}

interface MemoryRatio extends RatioDefinition {
  kind: 'memory';
}

function throughput(
  name: string,
  subject: string,
  versus: string,
  scenario: Scenario,
  target: number,
): ThroughputRatio {
  const what = versus === 'best-ioredis' ? 'the better of ioredis and ioredis-auto' : versus;
  return {
    kind: 'throughput',
    name,
    description: `${subject} / ${what}, ${scenario.id}`,
    scenario,
    subject,
    versus,
    target,
    direction: '>=',
  };
}

export const ratioDefinitions: readonly (ThroughputRatio | MemoryRatio)[] = [
  throughput('ipc_small_vs_raw_json', 'ipc', 'raw-json', SMALL_MIX, 1.5),
  throughput('ipc_msgpack_small_vs_raw_json', 'ipc-msgpack', 'raw-json', SMALL_MIX, 2),
  throughput('ipc_msgpack_buffer1k_vs_raw_json', 'ipc-msgpack', 'raw-json', BUFFER1K_MIX, 8),
  throughput('redis_vs_raw_ioredis', 'redis', 'best-ioredis', SMALL_MIX, 0.9),
  throughput('ipc_vs_cluster_shared_memory', 'ipc', 'cluster-shared-memory', SMALL_MIX, 2.5),
  throughput('ipc_vs_memored', 'ipc', 'memored', SMALL_MIX, 2.5),
  throughput(
    'ipc_msgpack_vs_cluster_shared_memory',
    'ipc-msgpack',
    'cluster-shared-memory',
    SMALL_MIX,
    2.5,
  ),
  throughput('ipc_msgpack_vs_memored', 'ipc-msgpack', 'memored', SMALL_MIX, 2.5),
  {
    kind: 'memory',
    name: 'memory_rss_end_vs_warm',
    description:
      'RSS at the end of the memory run / RSS after its warm-up, the worst process of the statewire IPC transports',
    target: 1.1,
    direction: '<=',
  },
];

/** A named ratio as measured: `value` is `null` when it could not be measured, with why. */
export interface RatioResult {
  name: string;
  description: string;
  value: number | null;
  target: number;
  direction: '>=' | '<=';
  met: boolean;
  /** The paired rounds' range, or which process the memory ratio is. */
  detail: string;
  paired: PairedRatio | undefined;
}

function memoryRatio(data: RunData): { value: number | null; detail: string } {
  let worst: { value: number; detail: string } | undefined;
  const failures: string[] = [];
  for (const record of data.memory) {
    if (!record.subject.startsWith('ipc')) continue;
    if (record.outcome.status !== 'ok') {
      failures.push(`${record.subject}: ${record.outcome.reason}`);
      continue;
    }
    for (const p of record.outcome.processes) {
      const value = p.end.rss / p.warm.rss;
      if (!worst || value > worst.value) worst = { value, detail: `${record.subject} ${p.role}` };
    }
  }
  if (!worst) return { value: null, detail: failures.join('; ') || 'no memory run' };
  return worst;
}

export function computeRatios(data: RunData): RatioResult[] {
  return ratioDefinitions.map((definition) => {
    const { name, description, target, direction } = definition;
    if (definition.kind === 'memory') {
      const { value, detail } = memoryRatio(data);
      return {
        name,
        description,
        target,
        direction,
        value,
        detail,
        paired: undefined,
        met: value !== null && value <= target,
      };
    }
    const scenarioId = definition.scenario.id;
    const versus =
      definition.versus === 'best-ioredis'
        ? baselineOf(data, scenarioId, 'redis')
        : definition.versus;
    const mine = findCell(data, scenarioId, definition.subject);
    const theirs = versus ? findCell(data, scenarioId, versus) : undefined;
    const paired = pairedRatio(mine, theirs);
    let detail: string;
    if (paired) {
      detail = `rounds ${paired.min.toFixed(2)}–${paired.max.toFixed(2)} (n=${paired.rounds})${
        definition.versus === 'best-ioredis' ? `, vs ${versus}` : ''
      }`;
    } else {
      const why = [mine, theirs]
        .map((cell, i) => {
          const who = i === 0 ? definition.subject : (versus ?? definition.versus);
          if (!cell) return `${who} not in this run`;
          if (cell.skipped) return `${who}: ${cell.skipped.reason}`;
          for (const o of cell.rounds) if (o.status !== 'ok') return `${who}: ${o.reason}`;
          return undefined;
        })
        .filter(Boolean);
      detail = `not measured: ${why.join('; ') || 'no round completed for both'}`;
    }
    const value = paired?.value ?? null;
    return {
      name,
      description,
      target,
      direction,
      value,
      detail,
      paired,
      met: value !== null && value >= target,
    };
  });
}
