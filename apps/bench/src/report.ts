import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderChart } from './chart.js';
import { renderMarkdown } from './markdown.js';
import type { RatioResult } from './ratios.js';
import { type CellSummary, familyBaselines, LIMIT_SUBJECT, type RunData } from './results.js';

/** apps/bench/results/ */
export const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
/** docs/bench/ at the repository root. */
export const docsDir = fileURLToPath(new URL('../../../docs/bench/', import.meta.url));

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Which file a run writes by default: only a full unfiltered run writes the committed one. */
export function defaultJsonPath(data: RunData): string {
  const name = data.filtered ? 'filtered' : data.quick ? 'quick' : 'latest';
  return join(resultsDir, `${name}.json`);
}

/**
 * The JSON results: every cell with every round (so each ratio can be recomputed from the
 * file), the medians, every named ratio with the rounds it was computed from, the memory
 * runs, and what each subject is and does on the wire.
 */
export function toJson(data: RunData, summaries: CellSummary[], ratios: RatioResult[]): object {
  return {
    date: data.startedAt.toISOString(),
    mode: data.quick ? 'quick' : 'full',
    filtered: data.filtered,
    machine: data.machine,
    config: {
      rounds: data.rounds,
      keyRounds: data.keyRounds,
      warmupMs: data.warmupMs,
      durationMs: data.durationMs,
      sweepRounds: data.sweepRounds,
      sweepWarmupMs: data.sweepWarmupMs,
      sweepDurationMs: data.sweepDurationMs,
    },
    method: {
      ratio:
        "median over rounds of subject ops/s / baseline ops/s in the same round; a family's baseline in a round is its strongest member in that round",
      baselines: familyBaselines,
      limit: LIMIT_SUBJECT,
    },
    subjects: data.subjects.map((s) => ({
      name: s.name,
      family: s.family,
      group: s.group,
      description: s.description,
      wire: s.wire,
    })),
    scenarios: data.scenarios,
    results: summaries
      .filter((s) => s.status === 'ok')
      .map((s) => ({
        scenario: s.scenario.id,
        subject: s.subject,
        opsPerSec: Math.round(s.opsPerSec),
        p50Us: round1(s.p50Us),
        p99Us: round1(s.p99Us),
        p999Us: round1(s.p999Us),
        ...(s.ratio
          ? { ratio: Math.round(s.ratio.value * 1000) / 1000, baseline: s.baseline }
          : {}),
        ...(s.limit ? { ofLimit: Math.round(s.limit.value * 1000) / 1000 } : {}),
      })),
    cells: data.cells.map((cell) => ({
      scenario: cell.scenario.id,
      subject: cell.subject,
      ...(cell.skipped ? { skipped: cell.skipped } : {}),
      rounds: cell.rounds.map((o) =>
        o.status === 'ok'
          ? {
              status: o.status,
              opsPerSec: Math.round(o.opsPerSec),
              p50Us: round1(o.p50Us),
              p99Us: round1(o.p99Us),
              p999Us: round1(o.p999Us),
              ...(o.callsPerFrame === undefined ? {} : { callsPerFrame: round1(o.callsPerFrame) }),
              ...(o.offered === undefined ? {} : { offered: o.offered, dropped: o.dropped }),
              ...(o.conflictRatio === undefined
                ? {}
                : { conflictRatio: Math.round(o.conflictRatio * 1000) / 1000 }),
              ...(o.errors > 0 ? { errors: o.errors, firstError: o.firstError } : {}),
            }
          : o,
      ),
    })),
    ratios: Object.fromEntries(
      ratios.map((r) => [
        r.name,
        {
          value: r.value === null ? null : Math.round(r.value * 1000) / 1000,
          target: r.target,
          direction: r.direction,
          met: r.met,
          status: r.status,
          description: r.description,
          detail: r.detail,
          ...(r.rounds
            ? {
                rounds: r.rounds,
                perRound: r.paired?.perRound.map((x) =>
                  x === null ? null : Math.round(x * 1000) / 1000,
                ),
              }
            : {}),
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
 * Writes the JSON results (see {@link defaultJsonPath}, or `out`), the markdown report and
 * the chart beside it, and with `docs` the committed report docs/bench/README.md and
 * docs/bench/chart.svg.
 * @returns the files written
 */
export async function writeReports(
  data: RunData,
  summaries: CellSummary[],
  ratios: RatioResult[],
  options: { docs: boolean; out: string | undefined },
): Promise<string[]> {
  const mode = data.quick ? 'quick' : data.filtered ? 'filtered' : 'full';
  const title = `statewire bench: named ratios vs targets (${mode} run, ${data.startedAt.toISOString().slice(0, 10)})`;
  const chart = renderChart(ratios, title);
  const jsonPath = options.out ? resolve(options.out) : defaultJsonPath(data);
  const stem = basename(jsonPath).replace(/\.json$/, '');
  const json = `${JSON.stringify(toJson(data, summaries, ratios), null, 2)}\n`;
  const written: string[] = [];
  const write = async (path: string, text: string) => {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
    written.push(path);
  };
  await write(jsonPath, json);
  await write(
    join(dirname(jsonPath), `${stem}.md`),
    renderMarkdown(data, summaries, ratios, `${stem}.svg`),
  );
  await write(join(dirname(jsonPath), `${stem}.svg`), chart);
  if (options.docs) {
    await write(join(docsDir, 'README.md'), renderMarkdown(data, summaries, ratios, 'chart.svg'));
    await write(join(docsDir, 'chart.svg'), chart);
  }
  return written;
}
