/**
 * Real equity minutes with overnight gaps: MSFT 1-minute bars, 09:30–16:00, 2023-08-17 … 2023-09-01, copied from
 * the `bidask` package's r/inst/extdata/msft.csv (PROVENANCE.md §8). MSFT trades at a one-cent quoted spread
 * (≈ 0.3 bp at $320), so the estimators must report a spread of a fraction of a bp to a few bps, and the pairs that
 * straddle the close-to-open gap must be handled: estimating per session, or putting one NaN (missing) candle at
 * each gap so no pair straddles it, is the clean way; Corwin–Schultz's overnight adjustment (Corwin & Schultz 2012,
 * §II.B) is what keeps its pooled two-day estimates sane.
 */
import { expect, it } from 'vitest';
import { describeWithData } from '../../testing/data';
import { readEstimatorReference } from './reference-data.test-util';
import { abdiRanaldoSpread } from './abdi-ranaldo';
import { corwinSchultzSpread } from './corwin-schultz';
import { edgeSpread } from './edge';

describeWithData('MSFT 1-minute bars (12 sessions)', () => {
  const x = readEstimatorReference('msft_1min_regular_hours_first12days.csv');
  const days = [...new Set(x.time!.map((t) => t.slice(0, 10)))];
  const session = (d: string) => {
    const idx = x.time!.flatMap((t, i) => (t.startsWith(d) ? [i] : []));
    const [a, b] = [idx[0]!, idx[idx.length - 1]! + 1];
    return { open: x.open.subarray(a, b), high: x.high.subarray(a, b), low: x.low.subarray(a, b), close: x.close.subarray(a, b) };
  };

  it('per-session EDGE is a fraction of a bp to a few bps on every day', () => {
    expect(days.length).toBe(12);
    const perDay = days.map((d) => {
      const r = edgeSpread(session(d));
      if (!r.ok) throw new Error(`${d}: ${r.detail}`);
      return r.signed * 1e4;
    });
    console.info(`MSFT per-session EDGE (bps, signed): ${perDay.map((v) => v.toFixed(2)).join(', ')}`);
    for (const v of perDay) expect(Math.abs(v)).toBeLessThan(5);
    const sorted = [...perDay].sort((a, b) => a - b);
    expect((sorted[5]! + sorted[6]!) / 2).toBeLessThan(2);
  });

  it('pooled across sessions, the 11 overnight pairs inflate every estimator; a NaN candle at each gap removes them', () => {
    const pooled = { e: edgeSpread(x), cs: corwinSchultzSpread(x), ar: abdiRanaldoSpread(x) };
    // the same bars with one missing (NaN) candle between sessions: no pair straddles a close-to-open gap
    const cols = { open: [] as number[], high: [] as number[], low: [] as number[], close: [] as number[] };
    x.time!.forEach((t, i) => {
      if (i > 0 && t.slice(0, 10) !== x.time![i - 1]!.slice(0, 10)) for (const k of ['open', 'high', 'low', 'close'] as const) cols[k].push(NaN);
      for (const k of ['open', 'high', 'low', 'close'] as const) cols[k].push(x[k][i]!);
    });
    const split = { e: edgeSpread(cols), cs: corwinSchultzSpread(cols), ar: abdiRanaldoSpread(cols) };
    const f = (r: typeof pooled.e) => (r.ok ? (r.signed * 1e4).toFixed(2) : r.reason);
    console.info(`MSFT pooled (bps, signed): EDGE ${f(pooled.e)}, CS ${f(pooled.cs)}, AR ${f(pooled.ar)}; with a NaN candle at each overnight gap: EDGE ${f(split.e)}, CS ${f(split.cs)}, AR ${f(split.ar)}`);
    const bp = (r: typeof pooled.e): number => {
      if (!r.ok) throw new Error(r.detail);
      return r.signed * 1e4;
    };
    for (const k of ['e', 'cs', 'ar'] as const) expect(split[k].ok && pooled[k].ok && split[k].pairs).toBe(pooled[k].ok && pooled[k].pairs - 11);
    // EDGE: 11 gap pairs among 4,691 carry most of the pooled estimate
    expect(Math.abs(bp(split.e))).toBeLessThan(1);
    expect(bp(pooled.e)).toBeGreaterThan(3 * Math.abs(bp(split.e)));
    // Corwin–Schultz: its overnight adjustment already neutralises the gaps
    expect(Math.abs(bp(pooled.cs) - bp(split.cs))).toBeLessThan(0.1);
    // Abdi–Ranaldo has a noise floor of about 2 bp on these minutes even without gaps
    expect(Math.abs(bp(split.ar))).toBeLessThan(3);
  });
});
