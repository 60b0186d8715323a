import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderChart } from './chart.js';
import { renderMarkdown } from './markdown.js';
import type { RatioResult } from './ratios.js';
import type { CellSummary, RunData } from './results.js';

/** apps/bench/results/ */
export const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
/** docs/bench/ at the repository root. */
export const docsDir = fileURLToPath(new URL('../../../docs/bench/', import.meta.url));

const round1 = (n: number) => Math.round(n * 10) / 10;

/** results/latest.json: every measured cell, every named ratio with its target. */
export function toJson(data: RunData, summaries: CellSummary[], ratios: RatioResult[]): object {
  return {
    date: data.startedAt.toISOString(),
    mode: data.quick ? 'quick' : 'full',
    machine: data.machine,
    config: {
      rounds: data.rounds,
      keyRounds: data.keyRounds,
      warmupMs: data.warmupMs,
      durationMs: data.durationMs,
    },
    results: summaries
      .filter((s) => s.status === 'ok')
      .map((s) => ({
        scenario: s.scenario.id,
        subject: s.subject,
        opsPerSec: Math.round(s.opsPerSec),
        p50Us: round1(s.p50Us),
        p99Us: round1(s.p99Us),
      })),
    ratios: Object.fromEntries(
      ratios.map((r) => [
        r.name,
        {
          value: r.value === null ? null : Math.round(r.value * 1000) / 1000,
          target: r.target,
          direction: r.direction,
          met: r.met,
        },
      ]),
    ),
    notMeasured: summaries
      .filter((s) => s.status !== 'ok')
      .map((s) => ({
        scenario: s.scenario.id,
        subject: s.subject,
        status: s.status,
        reason: s.note,
      })),
    memory: data.memory,
  };
}

/**
 * Writes results/latest.json, results/latest.md and results/chart.svg, and with `docs` the
 * committed report docs/bench/README.md and docs/bench/chart.svg.
 * @returns the files written
 */
export async function writeReports(
  data: RunData,
  summaries: CellSummary[],
  ratios: RatioResult[],
  docs: boolean,
): Promise<string[]> {
  const title = `statewire bench: named ratios vs targets (${data.quick ? 'quick' : 'full'} run, ${data.startedAt.toISOString().slice(0, 10)})`;
  const chart = renderChart(ratios, title);
  const markdown = renderMarkdown(data, summaries, ratios, 'chart.svg');
  const json = `${JSON.stringify(toJson(data, summaries, ratios), null, 2)}\n`;
  const written: string[] = [];
  const write = async (dir: string, name: string, text: string) => {
    await mkdir(dir, { recursive: true });
    await writeFile(dir + name, text);
    written.push(dir + name);
  };
  await write(resultsDir, 'latest.json', json);
  await write(resultsDir, 'latest.md', markdown);
  await write(resultsDir, 'chart.svg', chart);
  if (docs) {
    await write(docsDir, 'README.md', markdown);
    await write(docsDir, 'chart.svg', chart);
  }
  return written;
}
