import type { CellOutcome } from '../src/messages.js';
import type { CellRecord, RunData } from '../src/results.js';
import type { Scenario } from '../src/scenarios.js';
import type { Subject } from '../src/subjects/subject.js';

/** A measured round of `ops` ops/s. */
export function ok(ops: number): CellOutcome {
  return {
    status: 'ok',
    opsPerSec: ops,
    p50Us: 1,
    p99Us: 2,
    p999Us: 3,
    errors: 0,
    firstError: undefined,
  };
}

/** A round that failed. */
export function failed(reason: string): CellOutcome {
  return { status: 'failed', reason };
}

function subject(name: string, family: Subject['family'], group: Subject['group']): Subject {
  return {
    name,
    family,
    group,
    description: name,
    wire: name,
    serialization: 'json',
    needsRedis: group === 'redis',
    cannotCarry: () => undefined,
    cannotDo: () => undefined,
    host: () => Promise.reject(new Error('not started in tests')),
    client: () => Promise.reject(new Error('not started in tests')),
  };
}

export const subjects: Subject[] = [
  subject('ipc', 'statewire', 'ipc'),
  subject('ipc-msgpack', 'statewire', 'ipc'),
  subject('raw-socket', 'limit', 'ipc'),
  subject('raw-json', 'baseline', 'ipc'),
  subject('raw-batched', 'baseline', 'ipc'),
  subject('redis', 'statewire', 'redis'),
  subject('ioredis', 'baseline', 'redis'),
  subject('ioredis-auto', 'baseline', 'redis'),
  subject('ioredis-coalesce', 'baseline', 'redis'),
];

/** A run made of the given cells: `{ [scenario id]: { [subject]: rounds } }`. */
export function runData(
  scenarios: Scenario[],
  cells: Record<string, Record<string, CellOutcome[]>>,
  overrides: Partial<RunData> = {},
): RunData {
  const records: CellRecord[] = [];
  for (const scenario of scenarios)
    for (const [name, rounds] of Object.entries(cells[scenario.id] ?? {}))
      records.push({ scenario, subject: name, rounds });
  return {
    machine: {
      cpu: 'test',
      cores: 2,
      memoryGiB: 1,
      os: 'test',
      node: process.version,
      loadAtStart: 0,
    },
    quick: false,
    filtered: false,
    rounds: 3,
    keyRounds: 3,
    warmupMs: 0,
    durationMs: 1000,
    sweepRounds: 3,
    sweepWarmupMs: 0,
    sweepDurationMs: 1000,
    startedAt: new Date(0),
    finishedAt: new Date(1000),
    scenarios,
    subjects,
    cells: records,
    memory: [],
    redis: { running: true, version: 'test' },
    ...overrides,
  };
}
