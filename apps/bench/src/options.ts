import { parseArgs } from 'node:util';
import { fullScenarios, quickScenarios, type Scenario } from './scenarios.js';
import { isSubjectName, type SubjectName, subjectNames } from './subjects/index.js';

export interface BenchOptions {
  quick: boolean;
  rounds: number;
  /** Rounds of the scenarios the named ratios are measured in. */
  keyRounds: number;
  warmupMs: number;
  durationMs: number;
  /** Unmeasured load each subject runs when it starts. */
  primeMs: number;
  scenarios: Scenario[];
  subjects: SubjectName[];
  /** Calls of the memory run per transport; 0 skips it. */
  memoryCalls: number;
  /** Calls of warm-up before the memory run's first sample. */
  memoryWarmCalls: number;
  /** Directory for `--cpu-prof` profiles of the subject primaries (and workers), if asked. */
  cpuProfDir: string | undefined;
  cpuProfWorkers: boolean;
  /** Also write docs/bench/ (default: only for a full run of every scenario and subject). */
  writeDocs: boolean;
}

export const usage = `Usage: npm run bench -- [options]

  --quick                 the scenarios the named ratios need, 1 s rounds (under 2 minutes)
  --rounds N              rounds per cell (default 3)
  --key-rounds N          rounds of the named ratios' scenarios (default 3 quick, 5 full)
  --duration MS           measured window per round (default 1000 quick, 1800 full)
  --warmup MS             warm-up before each window (default 250 quick, 300 full)
  --subjects a,b          only these subjects (${subjectNames.join(', ')})
  --scenarios id,id       only these scenario ids (e.g. small.mix.w2.f64)
  --memory-calls N        calls of the memory run (default 200000 quick, 1000000 full)
  --memory-warmup-calls N calls of warm-up before it (default 100000 quick, 200000 full)
  --no-memory             skip the memory run
  --cpu-prof DIR          write a .cpuprofile of every subject primary into DIR
  --cpu-prof-workers      ... and of every worker
  --write-docs            also write docs/bench/ (default only for a full, unfiltered run)
  --help`;

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number ≥ 0`);
  return value;
}

/** Parses the command line. @throws Error with a message for the user */
export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      'key-rounds': { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      subjects: { type: 'string' },
      scenarios: { type: 'string' },
      'memory-calls': { type: 'string' },
      'memory-warmup-calls': { type: 'string' },
      'no-memory': { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
      'cpu-prof-workers': { type: 'boolean', default: false },
      'write-docs': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const quick = values.quick ?? false;
  const all = [...fullScenarios(), ...quickScenarios()];
  let scenarios = quick ? quickScenarios() : fullScenarios();
  if (values.scenarios) {
    const ids = values.scenarios.split(',');
    scenarios = ids.map((id) => {
      const found = all.find((s) => s.id === id);
      if (!found)
        throw new Error(
          `unknown scenario ${id}; known: ${fullScenarios()
            .map((s) => s.id)
            .join(', ')}`,
        );
      return found;
    });
  }
  let subjects: SubjectName[] = [...subjectNames];
  if (values.subjects) {
    subjects = values.subjects.split(',').map((name) => {
      if (!isSubjectName(name))
        throw new Error(`unknown subject ${name}; known: ${subjectNames.join(', ')}`);
      return name;
    });
  }
  const rounds = Math.max(1, Math.round(positive('rounds', values.rounds, 3)));
  const filtered = values.scenarios !== undefined || values.subjects !== undefined;
  return {
    quick,
    rounds,
    keyRounds: Math.max(
      rounds,
      Math.round(
        positive('key-rounds', values['key-rounds'], quick ? rounds : Math.max(rounds, 5)),
      ),
    ),
    warmupMs: positive('warmup', values.warmup, quick ? 250 : 300),
    durationMs: Math.max(100, positive('duration', values.duration, quick ? 1000 : 1800)),
    primeMs: quick ? 500 : 2000,
    scenarios,
    subjects,
    memoryCalls: values['no-memory']
      ? 0
      : Math.round(positive('memory-calls', values['memory-calls'], quick ? 200_000 : 1_000_000)),
    memoryWarmCalls: Math.round(
      positive('memory-warmup-calls', values['memory-warmup-calls'], quick ? 100_000 : 200_000),
    ),
    cpuProfDir: values['cpu-prof'],
    cpuProfWorkers: values['cpu-prof-workers'] ?? false,
    writeDocs: values['write-docs'] || (!quick && !filtered),
  };
}
