/**
 * `npm run bench [-- --quick]`: every transport side by side with raw baselines and peer
 * libraries, interleaved, reported as ratios. Progress goes to stderr, the table to stdout,
 * files to results/ (latest.json only for a full unfiltered run) and (full runs)
 * docs/bench/. Exits 0 whether targets are met or not: missed targets are printed as MISSED.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { machineInfo } from './machine.js';
import { memoryRun } from './memory-run.js';
import { parseOptions, usage } from './options.js';
import { formatDuration, Progress } from './progress.js';
import { computeRatios } from './ratios.js';
import { startRedisServer } from './redis-server.js';
import { writeReports } from './report.js';
import type { MemoryRecord, RunData } from './results.js';
import { summarize } from './results.js';
import { runSchedule } from './runner.js';
import { SubjectProcess, type SubjectProcessOptions } from './subject-process.js';
import { loadSubject } from './subjects/index.js';
import { renderTable } from './table.js';

async function main(): Promise<number> {
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const startedAt = new Date();
  const machine = machineInfo();
  const subjects = await Promise.all(options.subjects.map(loadSubject));

  const needsRedis = subjects.some((s) => s.needsRedis);
  const redis = needsRedis
    ? await startRedisServer()
    : ({ running: false, reason: 'no Redis subject selected' } as const);
  if (needsRedis) {
    Progress.log(
      redis.running
        ? `redis-server ${redis.version} at ${redis.url}`
        : `no Redis rows: ${redis.reason}`,
    );
  }
  const missing = new Map<string, string>();
  if (!redis.running) {
    for (const s of subjects) if (s.needsRedis) missing.set(s.name, redis.reason);
  }

  let cpuProf: { primary: string[]; workers: string[] } = { primary: [], workers: [] };
  if (options.cpuProfDir) {
    const dir = resolve(options.cpuProfDir);
    mkdirSync(dir, { recursive: true });
    const flags = ['--cpu-prof', `--cpu-prof-dir=${dir}`];
    cpuProf = { primary: flags, workers: options.cpuProfWorkers ? flags : [] };
    Progress.log(`CPU profiles go to ${dir}`);
  }
  const optionsFor = (name: string): SubjectProcessOptions => ({
    env: {
      redisUrl: redis.running ? redis.url : undefined,
      ...(redis.running && name === 'redis' ? { redisPid: redis.pid } : {}),
      namespace: `bench-${name}`,
    },
    primaryExecArgv: cpuProf.primary,
    workerExecArgv: cpuProf.workers,
    primeMs: options.primeMs,
  });

  const processes = new Map(
    subjects.map((s) => [s.name, new SubjectProcess(s.name, optionsFor(s.name))]),
  );
  let cells: RunData['cells'];
  try {
    cells = await runSchedule({
      scenarios: options.scenarios,
      subjects,
      processes,
      rounds: options.rounds,
      keyRounds: options.keyRounds,
      warmupMs: options.warmupMs,
      durationMs: options.durationMs,
      sweepRounds: options.sweepRounds,
      sweepWarmupMs: options.sweepWarmupMs,
      sweepDurationMs: options.sweepDurationMs,
      missing,
    });
  } finally {
    await Promise.all([...processes.values()].map((p) => p.stop()));
  }

  let memory: MemoryRecord[] = [];
  if (options.memoryCalls > 0) {
    // Every statewire transport, Redis included (issue 13), in quick runs too (with fewer calls).
    const transports = ['ipc', 'ipc-msgpack', 'redis'].filter(
      (name) =>
        options.subjects.includes(name as never) &&
        !missing.has(name) &&
        !processes.get(name)?.unavailable,
    );
    memory = await memoryRun(transports, options.memoryWarmCalls, options.memoryCalls, optionsFor);
  }
  if (redis.running) await redis.stop();

  const data: RunData = {
    machine,
    quick: options.quick,
    filtered: options.filtered,
    rounds: options.rounds,
    keyRounds: options.keyRounds,
    warmupMs: options.warmupMs,
    durationMs: options.durationMs,
    sweepRounds: options.sweepRounds,
    sweepWarmupMs: options.sweepWarmupMs,
    sweepDurationMs: options.sweepDurationMs,
    startedAt,
    finishedAt: new Date(),
    scenarios: options.scenarios,
    subjects,
    cells,
    memory,
    redis: redis.running
      ? { running: true, version: redis.version }
      : { running: false, reason: redis.reason },
  };
  const summaries = cells.map((cell) => summarize(data, cell));
  const ratios = computeRatios(data);
  process.stdout.write(`${renderTable(options.scenarios, summaries, ratios, memory)}\n`);
  const written = await writeReports(data, summaries, ratios, {
    docs: options.writeDocs,
    out: options.out,
  });
  const missed = ratios.filter((r) => r.status === 'missed' || r.status === 'not-measured');
  const notInRun = ratios.filter((r) => r.status === 'not-in-run').length;
  Progress.log(
    `bench: done in ${formatDuration((data.finishedAt.getTime() - startedAt.getTime()) / 1000)}; ${
      missed.length === 0
        ? 'every target in this run met'
        : `MISSED: ${missed.map((r) => (r.status === 'missed' ? r.name : `${r.name} (not measured)`)).join(', ')}`
    }${notInRun > 0 ? `; ${notInRun} named ratios not in this run` : ''}`,
  );
  for (const file of written) Progress.log(`wrote ${file}`);
  // A smoke check, not a gate: missed targets are reported, never an exit code.
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
