import {
  formatMiB,
  formatNote,
  formatOps,
  formatRatio,
  formatSpread,
  formatUs,
  formatVerdict,
} from './format.js';
import type { RatioResult } from './ratios.js';
import type { CellSummary, MemoryRecord } from './results.js';
import { type Scenario, scenarioLabel } from './scenarios.js';

/** Lays rows out in columns; the first column left-aligned, the rest right-aligned. */
export function columns(rows: string[][], indent = '  '): string {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  return rows
    .map(
      (row) =>
        indent +
        row
          .map((cell, i) =>
            i === 0 || i === row.length - 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!),
          )
          .join('  ')
          .trimEnd(),
    )
    .join('\n');
}

function paired(p: CellSummary['ratio']): string {
  if (!p) return '—';
  return `${formatRatio(p.value)}${p.rounds > 1 ? ` (${p.min.toFixed(2)}–${p.max.toFixed(2)})` : ''}`;
}

/** One row of a scenario's block: the measured numbers, or n/a / FAILED and why. */
export function cellRow(s: CellSummary): string[] {
  if (s.status !== 'ok') {
    return [s.subject, s.status === 'na' ? 'n/a' : 'FAILED', '', '', '', '', '', '', s.note ?? ''];
  }
  return [
    s.subject,
    formatOps(s.opsPerSec),
    formatSpread(s.spreadPct),
    formatUs(s.p50Us),
    formatUs(s.p99Us),
    formatUs(s.p999Us),
    s.ratio ? `${paired(s.ratio)} vs ${s.baseline}` : '—',
    paired(s.limit),
    [formatNote(s.note, s.callsPerFrame, s.conflictRatio), s.dropped ? `${s.dropped} dropped` : '']
      .filter(Boolean)
      .join('; '),
  ];
}

export const cellHeader = [
  'subject',
  'ops/s',
  'spread',
  'p50',
  'p99',
  'p99.9',
  '× strongest baseline (rounds)',
  '× limit',
  'note',
];

export function ratioRow(r: RatioResult): string[] {
  return [
    r.name,
    formatRatio(r.value),
    `${r.direction} ${r.target}`,
    formatVerdict(r.status),
    r.detail,
  ];
}

export function memoryRows(records: MemoryRecord[]): string[][] {
  const rows: string[][] = [];
  for (const record of records) {
    if (record.outcome.status !== 'ok') {
      rows.push([
        `${record.subject} ${record.run}`,
        'FAILED',
        '',
        '',
        '',
        '',
        record.outcome.reason,
      ]);
      continue;
    }
    for (const p of record.outcome.processes) {
      const server = p.role === 'redis-server';
      rows.push([
        `${record.subject} ${record.run} ${p.role}`,
        `${formatMiB(p.warm.rss)} → ${formatMiB(p.end.rss)}`,
        formatMiB(p.peak.rss),
        server ? '—' : `${formatMiB(p.warm.heapUsed)} → ${formatMiB(p.end.heapUsed)}`,
        server ? '—' : `${formatMiB(p.warm.heapTotal)} → ${formatMiB(p.end.heapTotal)}`,
        formatRatio(p.end.rss / p.warm.rss),
        server ? "Redis's own (not in the named ratio)" : '',
      ]);
    }
  }
  return rows;
}

export const memoryHeader = [
  'process',
  'RSS warm → end',
  'RSS peak',
  'heap used warm → end',
  'V8 heap warm → end',
  'RSS end/warm',
  '',
];

/** The whole plain-text report for stdout. */
export function renderTable(
  scenarios: Scenario[],
  summaries: CellSummary[],
  ratios: RatioResult[],
  memory: MemoryRecord[],
): string {
  const out: string[] = [];
  for (const scenario of scenarios) {
    const rows = summaries.filter((s) => s.scenario.id === scenario.id);
    out.push(`${scenarioLabel(scenario)}   [${scenario.id}]`);
    out.push(columns([cellHeader, ...rows.map(cellRow)]));
    out.push('');
  }
  if (memory.length > 0) {
    out.push('memory runs');
    out.push(columns([memoryHeader, ...memoryRows(memory)]));
    out.push('');
  }
  out.push('named ratios (median of paired rounds, against the strongest baseline of the family)');
  out.push(columns([['ratio', 'measured', 'target', '', 'detail'], ...ratios.map(ratioRow)]));
  return out.join('\n');
}
