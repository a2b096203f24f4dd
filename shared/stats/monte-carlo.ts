/**
 * Monte Carlo of an equity curve: how much of a backtest's final equity and drawdown is the luck of the order
 * and the sample.
 *
 * - Trade-order reshuffle: the trades' returns in a uniformly random order (Fisher–Yates permutation) — the
 *   final equity is the same on every path (a product / sum does not depend on order), only the path and its
 *   drawdown change; or resampled with replacement (`method: 'resample'`, Efron's iid bootstrap of trades),
 *   which also varies the final equity.
 * - Moving-block bootstrap of periodic returns (Künsch 1989): blocks of l consecutive returns keep short-range
 *   dependence (volatility clusters, trends); l is given or the Politis–White (2009-corrected) optimal circular
 *   block length rounded to an integer (Politis & White 2004 show the moving-block optimum equals the circular
 *   one), recorded in the result.
 *
 * Equity starts at 1: multiplicative e_t = e_{t−1}·(1 + r_t) (returns are fractions, 0.01 = +1 %) or additive
 * e_t = e_{t−1} + r_t (fixed stake). Drawdown_t = 1 − e_t / max_{s≤t} e_s (the running peak includes the start);
 * an equity at or below 0 is ruin: the path stays at 0 with drawdown 1. Max drawdown is the path's largest
 * drawdown; P(ruin) is the share of paths whose max drawdown reaches `ruinDrawdown`. Bands are the 5 / 50 / 95 %
 * quantiles over paths (Hyndman–Fan type 7). Every draw comes from mulberry32(seed): same inputs, same result.
 */
import { z } from 'zod';
import { quantileSorted } from '../research/stats';
import { optimalBlockLength } from './block-length';
import { InsufficientDataError, assertFinite } from './errors';
import { mulberry32 } from './prng';
import { iidIndices, movingBlockIndices, permutationIndices } from './resample';

const common = {
  paths: z.number().int().min(1).max(1_000_000).default(1000),
  seed: z.number().int(),
  /** A path is ruined when its max drawdown reaches this fraction of the peak (0.5 = −50 %). */
  ruinDrawdown: z.number().gt(0).max(1).default(0.5),
  compounding: z.enum(['multiplicative', 'additive']).default('multiplicative'),
  /** Number of evenly spaced steps (start and end included) at which equity bands are kept for a fan chart; 0 = none. */
  fanPoints: z.number().int().min(0).max(2000).default(0),
};
export const tradeMonteCarloOptionsSchema = z.object({ ...common, method: z.enum(['permutation', 'resample']).default('permutation') }).strict();
export const blockBootstrapOptionsSchema = z
  .object({ ...common, blockLength: z.union([z.number().int().min(1), z.literal('auto')]).default('auto') })
  .strict();
export type TradeMonteCarloOptions = z.input<typeof tradeMonteCarloOptionsSchema>;
export type BlockBootstrapOptions = z.input<typeof blockBootstrapOptionsSchema>;

export interface Band {
  p5: number;
  p50: number;
  p95: number;
}

export interface MonteCarloResult {
  method: 'trade-permutation' | 'trade-resample' | 'moving-block';
  paths: number;
  seed: number;
  /** Trades or periods per path. */
  steps: number;
  blockLength?: number;
  blockLengthSource?: 'given' | 'politis-white';
  compounding: 'multiplicative' | 'additive';
  ruinDrawdown: number;
  observed: { finalEquity: number; maxDrawdown: number };
  finalEquity: Band;
  maxDrawdown: Band;
  probabilityOfRuin: number;
  fan?: { step: number[]; p5: number[]; p50: number[]; p95: number[] };
}

/** Final equity and max drawdown of one path; fills `fanOut[i]` with the equity after `fanSteps[i]` steps. */
export function equityPath(
  returns: ArrayLike<number>,
  order: ArrayLike<number> | null,
  additive: boolean,
  fanSteps?: ArrayLike<number>,
  fanOut?: Float64Array,
  fanOffset = 0,
): { finalEquity: number; maxDrawdown: number } {
  const n = order ? order.length : returns.length;
  let e = 1;
  let peak = 1;
  let mdd = 0;
  let f = 0;
  if (fanSteps && fanOut) while (f < fanSteps.length && fanSteps[f] === 0) fanOut[fanOffset + f++] = 1;
  for (let t = 0; t < n; t++) {
    if (e > 0) {
      const r = returns[order ? order[t]! : t]!;
      e = additive ? e + r : e * (1 + r);
      if (e <= 0) {
        e = 0;
        mdd = 1;
      } else if (e > peak) peak = e;
      else {
        const dd = 1 - e / peak;
        if (dd > mdd) mdd = dd;
      }
    }
    if (fanSteps && fanOut) while (f < fanSteps.length && fanSteps[f] === t + 1) fanOut[fanOffset + f++] = e;
  }
  return { finalEquity: e, maxDrawdown: mdd };
}

function band(values: Float64Array): Band {
  const s = values.slice().sort();
  return { p5: quantileSorted(s, 0.05), p50: quantileSorted(s, 0.5), p95: quantileSorted(s, 0.95) };
}

function simulate(
  returns: ArrayLike<number>,
  o: z.infer<typeof tradeMonteCarloOptionsSchema> | z.infer<typeof blockBootstrapOptionsSchema>,
  draw: (out: Int32Array) => void,
): Omit<MonteCarloResult, 'method'> {
  const n = returns.length;
  const additive = o.compounding === 'additive';
  const finals = new Float64Array(o.paths);
  const mdds = new Float64Array(o.paths);
  const F = o.fanPoints;
  const fanSteps: number[] = [];
  for (let i = 0; i < F; i++) fanSteps.push(F === 1 ? n : Math.round((i * n) / (F - 1)));
  const fan = F > 0 ? new Float64Array(o.paths * F) : undefined;
  const order = new Int32Array(n);
  let ruined = 0;
  for (let p = 0; p < o.paths; p++) {
    draw(order);
    const r = equityPath(returns, order, additive, F > 0 ? fanSteps : undefined, fan, p * F);
    finals[p] = r.finalEquity;
    mdds[p] = r.maxDrawdown;
    if (r.maxDrawdown >= o.ruinDrawdown) ruined++;
  }
  let fanOut: MonteCarloResult['fan'];
  if (fan) {
    fanOut = { step: fanSteps, p5: [], p50: [], p95: [] };
    const col = new Float64Array(o.paths);
    for (let i = 0; i < F; i++) {
      for (let p = 0; p < o.paths; p++) col[p] = fan[p * F + i]!;
      const b = band(col);
      fanOut.p5.push(b.p5);
      fanOut.p50.push(b.p50);
      fanOut.p95.push(b.p95);
    }
  }
  return {
    paths: o.paths,
    seed: o.seed,
    steps: n,
    compounding: o.compounding,
    ruinDrawdown: o.ruinDrawdown,
    observed: equityPath(returns, null, additive),
    finalEquity: band(finals),
    maxDrawdown: band(mdds),
    probabilityOfRuin: ruined / o.paths,
    ...(fanOut ? { fan: fanOut } : {}),
  };
}

/** Trade-order Monte Carlo over per-trade returns (fractions). Needs at least 2 trades. */
export function tradeMonteCarlo(tradeReturns: ArrayLike<number>, options: TradeMonteCarloOptions): MonteCarloResult {
  const o = tradeMonteCarloOptionsSchema.parse(options);
  if (tradeReturns.length < 2) throw new InsufficientDataError('trades', tradeReturns.length, 2);
  assertFinite(tradeReturns, 'trade returns');
  const rng = mulberry32(o.seed);
  const n = tradeReturns.length;
  const draw = o.method === 'permutation' ? (out: Int32Array) => permutationIndices(n, rng, out) : (out: Int32Array) => iidIndices(n, rng, out);
  return { method: o.method === 'permutation' ? 'trade-permutation' : 'trade-resample', ...simulate(tradeReturns, o, draw) };
}

/** Moving-block bootstrap Monte Carlo of periodic returns (fractions). Needs at least 9 periods. */
export function blockBootstrapMonteCarlo(returns: ArrayLike<number>, options: BlockBootstrapOptions): MonteCarloResult {
  const o = blockBootstrapOptionsSchema.parse(options);
  const n = returns.length;
  if (n < 9) throw new InsufficientDataError('periods', n, 9);
  assertFinite(returns, 'returns');
  const block = o.blockLength === 'auto' ? Math.min(n, Math.max(1, Math.round(optimalBlockLength(returns).circular))) : Math.min(o.blockLength, n);
  const rng = mulberry32(o.seed);
  return {
    method: 'moving-block',
    blockLength: block,
    blockLengthSource: o.blockLength === 'auto' ? 'politis-white' : 'given',
    ...simulate(returns, o, (out) => movingBlockIndices(n, block, rng, out)),
  };
}
