import type { RatioResult } from './ratios.js';

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** How far a ratio got towards its target: 1 is exactly on target, above 1 is better. */
export function attainment(r: RatioResult): number | undefined {
  if (r.value === null || r.value <= 0) return undefined;
  return r.direction === '>=' ? r.value / r.target : r.target / r.value;
}

/**
 * A horizontal bar chart of every named ratio as a fraction of its target (so an 8× target
 * and a 0.9× target share one axis), with the target line at 1, green when met and red when
 * missed. Plain SVG, no chart library.
 */
export function renderChart(ratios: RatioResult[], title: string): string {
  const rowHeight = 30;
  const top = 56;
  const left = 300;
  const plotWidth = 400;
  const width = left + plotWidth + 240;
  const height = top + ratios.length * rowHeight + 44;
  const reached = ratios.map(attainment).filter((a): a is number => a !== undefined);
  const scaleMax = Math.min(4, Math.max(2, Math.ceil(Math.max(...reached, 1) * 2) / 2));
  const x = (a: number) => left + (Math.min(a, scaleMax) / scaleMax) * plotWidth;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12" role="img">`,
    '<title>statewire bench: named ratios vs targets</title>',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="12" y="40" fill="#555">bar = measured / target (for ≤ targets: target / measured); right of the dashed line = target met</text>`,
  );
  const axisY = top + ratios.length * rowHeight + 4;
  for (let tick = 0; tick <= scaleMax + 1e-9; tick += 0.5) {
    const tx = x(tick);
    parts.push(
      `<line x1="${tx}" y1="${top - 6}" x2="${tx}" y2="${axisY}" stroke="${tick === 1 ? '#222' : '#e3e3e3'}" ${tick === 1 ? 'stroke-dasharray="5,3" stroke-width="1.5"' : ''}/>`,
      `<text x="${tx}" y="${axisY + 16}" text-anchor="middle" fill="#555">${tick === 1 ? 'target' : `${tick}`}</text>`,
    );
  }
  ratios.forEach((r, i) => {
    const y = top + i * rowHeight;
    const a = attainment(r);
    parts.push(
      `<text x="${left - 10}" y="${y + 17}" text-anchor="end">${escapeXml(r.name)}</text>`,
    );
    const label =
      r.value === null
        ? `${r.status === 'not-in-run' ? 'not in this run' : 'not measured'} (target ${r.direction === '>=' ? '≥' : '≤'} ${r.target})`
        : `${r.value.toFixed(2)}× (target ${r.direction === '>=' ? '≥' : '≤'} ${r.target}) ${r.met ? 'met' : 'MISSED'}`;
    if (a === undefined) {
      parts.push(
        `<rect x="${left}" y="${y + 5}" width="${plotWidth}" height="${rowHeight - 10}" fill="#f2f2f2" stroke="#bbb" stroke-dasharray="3,3"/>`,
        `<text x="${left + 8}" y="${y + 19}" fill="#777">${escapeXml(label)}</text>`,
      );
      return;
    }
    const end = x(a);
    const colour = r.met ? '#2e7d32' : '#c62828';
    parts.push(
      `<rect x="${left}" y="${y + 5}" width="${Math.max(1, end - left)}" height="${rowHeight - 10}" fill="${colour}" opacity="0.85"/>`,
    );
    if (a > scaleMax) {
      parts.push(
        `<text x="${end - 4}" y="${y + 19}" text-anchor="end" fill="#fff" font-weight="bold">»</text>`,
      );
    }
    parts.push(`<text x="${end + 6}" y="${y + 19}" fill="#222">${escapeXml(label)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
