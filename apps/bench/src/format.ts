/** Number formats shared by the table, the markdown report and the chart. */

export function formatOps(ops: number): string {
  return Number.isFinite(ops) ? Math.round(ops).toLocaleString('en-US') : '—';
}

export function formatUs(us: number): string {
  if (!Number.isFinite(us)) return '—';
  if (us >= 10_000) return `${(us / 1000).toFixed(0)} ms`;
  if (us >= 1000) return `${(us / 1000).toFixed(1)} ms`;
  return `${us.toFixed(0)} µs`;
}

export function formatRatio(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value)
    ? '—'
    : `${value.toFixed(2)}×`;
}

export function formatMiB(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** The share of compare-and-set attempts that met a `CONFLICT` and were retried. */
export function formatConflicts(ratio: number): string {
  return `${(ratio * 100).toFixed(0)}% of CAS attempts conflicted`;
}

/** The note column of a measured cell: batching, CAS conflicts, then whatever went wrong. */
export function formatNote(
  note: string | undefined,
  callsPerFrame: number | undefined,
  conflictRatio?: number,
): string {
  const batch = callsPerFrame === undefined ? undefined : `${callsPerFrame.toFixed(1)} calls/frame`;
  const conflicts = conflictRatio === undefined ? undefined : formatConflicts(conflictRatio);
  return [batch, conflicts, note].filter(Boolean).join('; ');
}

/** A spread, (max - min) / median of the rounds, as a percentage. */
export function formatSpread(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(0)}%` : '';
}

/** A named ratio's verdict; bold in markdown when it needs attention. */
export function formatVerdict(
  status: 'met' | 'missed' | 'not-measured' | 'not-in-run',
  markdown = false,
): string {
  const text = {
    met: 'met',
    missed: 'MISSED',
    'not-measured': 'NOT MEASURED',
    'not-in-run': 'not in this run',
  }[status];
  return markdown && (status === 'missed' || status === 'not-measured') ? `**${text}**` : text;
}
