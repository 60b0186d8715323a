import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeRatios } from '../src/ratios.js';
import { defaultJsonPath, resultsDir, toJson } from '../src/report.js';
import { summarize } from '../src/results.js';
import { SMALL_MIX } from '../src/scenarios.js';
import { failed, ok, runData } from './run-data.js';

// Issue 13: quick and filtered runs overwrote the committed results/latest.json, and the
// file kept only medians, so no ratio could be recomputed from it.
describe('defaultJsonPath()', () => {
  it('defaultJsonPath() is latest.json only for a full unfiltered run', () => {
    expect(defaultJsonPath(runData([], {}))).toBe(join(resultsDir, 'latest.json'));
    expect(defaultJsonPath(runData([], {}, { quick: true }))).toBe(join(resultsDir, 'quick.json'));
    expect(defaultJsonPath(runData([], {}, { filtered: true }))).toBe(
      join(resultsDir, 'filtered.json'),
    );
    expect(defaultJsonPath(runData([], {}, { quick: true, filtered: true }))).toBe(
      join(resultsDir, 'filtered.json'),
    );
  });
});

describe('toJson()', () => {
  it('toJson() keeps every round of every cell, failures with their cause', () => {
    const data = runData([SMALL_MIX], {
      [SMALL_MIX.id]: {
        ipc: [ok(100), ok(110), failed('prefill: set failed: UNAVAILABLE: gone')],
        'raw-batched': [ok(90), ok(120), ok(100)],
      },
    });
    const ratios = computeRatios(data);
    const json = toJson(
      data,
      data.cells.map((cell) => summarize(data, cell)),
      ratios,
    ) as {
      cells: {
        subject: string;
        rounds: { status: string; opsPerSec?: number; reason?: string }[];
      }[];
      ratios: Record<string, { perRound?: (number | null)[]; rounds?: { baseline: unknown[] } }>;
    };
    const ipc = json.cells.find((c) => c.subject === 'ipc')!;
    expect(ipc.rounds.map((r) => r.opsPerSec ?? r.reason)).toEqual([
      100,
      110,
      'prefill: set failed: UNAVAILABLE: gone',
    ]);
    const named = json.ratios.ipc_small_vs_strongest_raw!;
    expect(named.rounds?.baseline).toEqual([90, 120, 100]);
    expect(named.perRound).toEqual([1.111, 0.917, null]);
  });
});
