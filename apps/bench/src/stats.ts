/** The median of a non-empty list (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The smallest and largest of a list. */
export function range(values: readonly number[]): { min: number; max: number } {
  return { min: Math.min(...values), max: Math.max(...values) };
}

/** How far apart the rounds were: (max - min) / median, in percent. */
export function spreadPercent(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const { min, max } = range(values);
  const mid = median(values);
  return mid > 0 ? ((max - min) / mid) * 100 : Number.NaN;
}
