/**
 * Downsampling an equity curve for display without inventing points or hiding extremes: the first point, and in
 * each of ⌊(maxPoints − 1) / 6⌋ equal buckets the points holding its last value, its net and gross minimum and
 * maximum and its worst drawdown. The same selection as the run detail's SQL (shared/db/queries/lab-runs.ts,
 * `equityExtremesSql`), used for curves that only exist in a result's jsonb (runs recorded before the equity
 * table) and for stored curves of up to `EQUITY_READ_WHOLE_MAX` rows, which the detail reads whole.
 */
export interface EquityColumnsIn {
  time: readonly number[];
  equityGross: readonly number[];
  equityNet: readonly number[];
  drawdown: readonly number[];
}

export const KEPT_PER_BUCKET = 6;

/** Indices (ascending) of the points kept; every index when the curve already fits. */
export function extremeIndices(c: EquityColumnsIn, maxPoints: number): number[] {
  const n = c.time.length;
  if (n === 0) return [];
  const buckets = Math.max(1, Math.floor((maxPoints - 1) / KEPT_PER_BUCKET));
  const size = Math.max(1, Math.ceil(n / buckets));
  const keep = new Set<number>([0]);
  for (let lo = 0; lo < n; lo += size) {
    const hi = Math.min(n, lo + size);
    let netLo = lo, netHi = lo, grossLo = lo, grossHi = lo, dd = lo;
    for (let i = lo + 1; i < hi; i++) {
      if (c.equityNet[i]! < c.equityNet[netLo]!) netLo = i;
      if (c.equityNet[i]! > c.equityNet[netHi]!) netHi = i;
      if (c.equityGross[i]! < c.equityGross[grossLo]!) grossLo = i;
      if (c.equityGross[i]! > c.equityGross[grossHi]!) grossHi = i;
      if (c.drawdown[i]! > c.drawdown[dd]!) dd = i;
    }
    for (const k of [hi - 1, netLo, netHi, grossLo, grossHi, dd]) keep.add(k);
  }
  return [...keep].sort((a, b) => a - b);
}

/** The kept points, as columns. */
export function keepExtremes(c: EquityColumnsIn, maxPoints: number): { time: number[]; equityGross: number[]; equityNet: number[]; drawdown: number[] } {
  const idx = extremeIndices(c, maxPoints);
  return { time: idx.map((i) => c.time[i]!), equityGross: idx.map((i) => c.equityGross[i]!), equityNet: idx.map((i) => c.equityNet[i]!), drawdown: idx.map((i) => c.drawdown[i]!) };
}
