import { parseArgs } from 'node:util';
import { fullScenarios, knownScenarios, quickScenarios, type Scenario } from './scenarios.js';
import { isSubjectName, type SubjectName, subjectNames } from './subjects/index.js';

export interface BenchOptions {
  quick: boolean;
  rounds: number;
  /** Rounds of the scenarios the named ratios are measured in. */
  keyRounds: number;
  warmupMs: number;
  durationMs: number;
  /** Rounds, warm-up and window of the sweep, hot-key and open-loop cells. */
  sweepRounds: number;
  sweepWarmupMs: number;
  sweepDurationMs: number;
  /** Offered rates (calls/s over all workers) of the open-loop cells. */
  rates: number[];
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
  /** Only some scenarios or subjects were selected. */
  filtered: boolean;
  /**
   * Where the JSON results go (the markdown and the chart beside it). Default:
   * results/latest.json for a full unfiltered run (the committed one), results/quick.json
   * for a quick run, results/filtered.json for a filtered one.
   */
  out: string | undefined;
}

export const usage = `Usage: npm run bench -- [options]

  --quick                 the named ratios' main cells, 1 in flight, plain get/set and the
                          CAS increment, 1 s rounds (~4 minutes)
  --rounds N              rounds per cell (default 3)
  --key-rounds N          rounds of the named ratios' scenarios (default 3 quick, 5 full)
  --duration MS           measured window per round (default 1000 quick, 1500 full)
  --warmup MS             warm-up before each window (default 250 quick, 300 full)
  --sweep-rounds N        rounds of the sweep, hot-key and open-loop cells (default 3)
  --sweep-duration MS     their measured window (default 1000)
  --sweep-warmup MS       their warm-up (default 1000)
  --rates N,N             open-loop rates, calls/s over all workers (default 10000,40000)
  --out FILE              write the JSON results here (and .md, .svg beside it); default
                          results/latest.json (full), results/quick.json, results/filtered.json
  --subjects a,b          only these subjects (${subjectNames.join(', ')})
  --scenarios id,id       only these scenario ids (e.g. small.mix.w2.f64)
  --memory-calls N        calls of each memory run (default 100000 quick, 1000000 full)
  --memory-warmup-calls N calls of warm-up before it (default 50000 quick, 200000 full)
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
      'sweep-rounds': { type: 'string' },
      'sweep-duration': { type: 'string' },
      'sweep-warmup': { type: 'string' },
      rates: { type: 'string' },
      out: { type: 'string' },
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
  const rates = (values.rates ?? '10000,40000').split(',').map((text) => {
    const rate = Number(text);
    if (!Number.isInteger(rate) || rate <= 0)
      throw new Error('--rates must be positive integers, comma-separated');
    return rate;
  });
  const all = knownScenarios(rates);
  let scenarios = quick ? quickScenarios() : fullScenarios(rates);
  if (values.scenarios) {
    const ids = values.scenarios.split(',');
    scenarios = ids.map((id) => {
      const found = all.find((s) => s.id === id);
      if (!found)
        throw new Error(
          `unknown scenario ${id}; known: ${fullScenarios(rates)
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
    durationMs: Math.max(100, positive('duration', values.duration, quick ? 1000 : 1500)),
    sweepRounds: Math.max(1, Math.round(positive('sweep-rounds', values['sweep-rounds'], 3))),
    sweepWarmupMs: positive('sweep-warmup', values['sweep-warmup'], 1000),
    sweepDurationMs: Math.max(100, positive('sweep-duration', values['sweep-duration'], 1000)),
    rates,
    primeMs: quick ? 500 : 2000,
    scenarios,
    subjects,
    memoryCalls: values['no-memory']
      ? 0
      : Math.round(positive('memory-calls', values['memory-calls'], quick ? 100_000 : 1_000_000)),
    memoryWarmCalls: Math.round(
      positive('memory-warmup-calls', values['memory-warmup-calls'], quick ? 50_000 : 200_000),
    ),
    cpuProfDir: values['cpu-prof'],
    cpuProfWorkers: values['cpu-prof-workers'] ?? false,
    writeDocs: values['write-docs'] || (!quick && !filtered),
    filtered,
    out: values.out,
  };
}
