/**
 * The verdict as an edge margin: a venue keeps a strategy only when the cost the edge can bear clearly exceeds
 * what trading there costs.
 *
 *  - break-even round-trip cost c* (bps): the cost at which the mean net return per trade is 0. Under the
 *    cash-account convention (shared/costs/cost-model.ts) with c split evenly between the two fills,
 *    c* = 2·mean(gross) / (1 + mean(exit/entry)) × 1e4 (shared/costs `breakEvenRoundTripBps`).
 *  - its confidence interval: the percentile bootstrap of Efron & Tibshirani, *An Introduction to the Bootstrap*
 *    (Chapman & Hall, 1993), §13.3: draw B resamples of the n trades with replacement (a seeded mulberry32, so the
 *    same trades give the same interval), compute c* on each, sort, and take the α/2 and 1 − α/2 empirical
 *    quantiles (type-7 interpolation, `quantileSorted`) as [lo, hi] for confidence 1 − α.
 *  - the venue's measured cost distribution: the median and p90 (type-7) of the per-trade measured round-trip
 *    costs (shared/costs/measured.ts).
 *  - `clears`: lo > p90 — even the pessimistic end of what the edge can bear pays for a bad-day (p90) trade.
 * When the mean gross return is ≤ 0 there is no break-even cost (no cost makes a losing signal profitable): the
 * margin says `no-edge` ("no edge before costs"), never a negative break-even.
 */
import { breakEvenRoundTripBps } from '../costs/cost-model';
import { mulberry32 } from './prng';
import { quantileSorted } from './stats';

export interface CostDistribution {
  n: number;
  medianBps: number;
  p90Bps: number;
  meanBps: number;
}

export type EdgeMargin =
  | {
      status: 'ok';
      breakEvenBps: number;
      ci: { lo: number; hi: number; confidence: number; resamples: number; seed: number };
      cost: CostDistribution;
      /** ci.lo − cost.p90Bps. */
      marginBps: number;
      clears: boolean;
    }
  | { status: 'no-edge'; grossMeanBps: number; cost: CostDistribution; clears: false }
  | { status: 'no-trades'; clears: false };

/** Median, p90 and mean of per-trade costs (bps); null without trades. */
export function costDistribution(costsBps: ArrayLike<number>): CostDistribution | null {
  const n = costsBps.length;
  if (n === 0) return null;
  const s = Float64Array.from(costsBps).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s[i]!;
  return { n, medianBps: quantileSorted(s, 0.5), p90Bps: quantileSorted(s, 0.9), meanBps: sum / n };
}

/**
 * Break-even cost with its percentile-bootstrap CI against the measured cost distribution (rules in the module
 * doc). `gross`, `exitOverEntry` and `costsBps` are per trade, aligned.
 */
export function edgeMargin(
  gross: ArrayLike<number>,
  exitOverEntry: ArrayLike<number>,
  costsBps: ArrayLike<number>,
  opts: { resamples?: number; confidence?: number; seed?: number } = {},
): EdgeMargin {
  const n = gross.length;
  if (exitOverEntry.length !== n || costsBps.length !== n) throw new Error(`edgeMargin: ${n} gross returns, ${exitOverEntry.length} ratios, ${costsBps.length} costs`);
  const cost = costDistribution(costsBps);
  if (n === 0 || cost === null) return { status: 'no-trades', clears: false };
  let g = 0;
  for (let i = 0; i < n; i++) g += gross[i]!;
  if (!(g / n > 0)) return { status: 'no-edge', grossMeanBps: (g / n) * 1e4, cost, clears: false };
  const resamples = opts.resamples ?? 2000;
  const confidence = opts.confidence ?? 0.9;
  const seed = opts.seed ?? 1;
  if (!(confidence > 0 && confidence < 1)) throw new Error(`confidence must be in (0, 1), got ${confidence}`);
  if (!Number.isInteger(resamples) || resamples < 1) throw new Error(`resamples must be a positive integer, got ${resamples}`);
  const rng = mulberry32(seed);
  const stats = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let sg = 0;
    let sr = 0;
    for (let i = 0; i < n; i++) {
      const k = rng.int(0, n);
      sg += gross[k]!;
      sr += exitOverEntry[k]!;
    }
    stats[b] = ((2 * (sg / n)) / (1 + sr / n)) * 1e4;
  }
  stats.sort();
  const alpha = (1 - confidence) / 2;
  const lo = quantileSorted(stats, alpha);
  const hi = quantileSorted(stats, 1 - alpha);
  const breakEvenBps = breakEvenRoundTripBps(gross, exitOverEntry)!;
  return { status: 'ok', breakEvenBps, ci: { lo, hi, confidence, resamples, seed }, cost, marginBps: lo - cost.p90Bps, clears: lo > cost.p90Bps };
}
