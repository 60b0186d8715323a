import { formatMiB } from './format.js';
import type { MemorySpec } from './messages.js';
import { Progress } from './progress.js';
import type { MemoryRecord } from './results.js';
import { SMALL_MIX, TTL_WRITES } from './scenarios.js';
import { SubjectProcess, type SubjectProcessOptions } from './subject-process.js';

/**
 * V8's young generation grows by doubling up to its maximum (16 MiB semi-spaces on 64-bit,
 * Node's default) at a moment of its own choosing: under this load, once, somewhere between
 * 0.5 and 1.5 M calls, adding ~13-16 MiB of RSS to every process at once while old space
 * stays flat. Wherever that one-off sizing step falls relative to the warm-up, it would
 * decide `memory_rss_end_vs_warm` on its own. Starting the young generation at that same
 * default maximum takes it out, so the ratio shows what it is for: growth that the calls
 * cause (a leak). See apps/bench/README.md, "Memory run".
 */
export const YOUNG_GENERATION_AT_MAX = '--min-semi-space-size=16';

/**
 * The Node flags of every process of a memory run (primary and workers): the young
 * generation at its maximum, and `globalThis.gc`, so that the warm and end samples are taken
 * after full collections (see `settledSample` in messages.ts), not at some point of V8's
 * sawtooth between them. Only the memory runs: a collection forced in a cell would be
 * measured as the subject's time.
 */
export const MEMORY_RUN_FLAGS: readonly string[] = [YOUNG_GENERATION_AT_MAX, '--expose-gc'];

/**
 * The memory runs: for each statewire transport, twice, a fresh primary and two workers make
 * `warmCalls` calls of warm-up, then `calls` calls, 64 in flight per worker, while RSS and
 * heap of every process are sampled for the peak (and the redis-server's RSS for Redis); the
 * warm and end samples are taken at rest after full collections (primary.ts); once the
 * small-value read-heavy mix, once the TTL run, where every call writes a new key with a
 * 100 ms ttl, so that only the reclaiming of expired entries keeps the holder from growing.
 */
export async function memoryRun(
  subjects: string[],
  warmCalls: number,
  calls: number,
  optionsFor: (subject: string) => SubjectProcessOptions,
): Promise<MemoryRecord[]> {
  const records: MemoryRecord[] = [];
  const runs = [
    { run: 'mix' as const, scenario: SMALL_MIX },
    { run: 'ttl' as const, scenario: TTL_WRITES },
  ];
  for (const subject of subjects)
    for (const { run, scenario } of runs) {
      records.push(
        await memoryRunOf(subject, run, { scenario, calls, warmCalls, sampleMs: 100 }, optionsFor),
      );
    }
  return records;
}

async function memoryRunOf(
  subject: string,
  run: MemoryRecord['run'],
  spec: MemorySpec,
  optionsFor: (subject: string) => SubjectProcessOptions,
): Promise<MemoryRecord> {
  const { calls } = spec;
  Progress.log(
    `memory run: ${subject} ${run}, ${calls.toLocaleString('en-US')} calls after ${spec.warmCalls.toLocaleString('en-US')} of warm-up`,
  );
  const base = optionsFor(subject);
  const proc = new SubjectProcess(subject, {
    ...base,
    primaryExecArgv: [...MEMORY_RUN_FLAGS, ...base.primaryExecArgv],
    workerExecArgv: [...MEMORY_RUN_FLAGS, ...base.workerExecArgv],
  });
  const outcome = await proc.memory(spec);
  await proc.stop();
  if (outcome.status === 'ok') {
    const line = outcome.processes
      .map((p) => `${p.role} ${formatMiB(p.warm.rss)} → ${formatMiB(p.end.rss)}`)
      .join(', ');
    Progress.log(
      `memory run: ${subject} ${run} done in ${outcome.seconds.toFixed(1)} s: RSS ${line}`,
    );
  } else {
    Progress.log(`memory run: ${subject} ${run} FAILED: ${outcome.reason}`);
  }
  return { subject, run, outcome };
}
