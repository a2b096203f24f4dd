/**
 * Seeded simulation of candles with a known bid-ask spread, the design of Ardia, Guidotti & Kroencke (JFE 2024,
 * §4) and of the `bidask` package's `sim()`: each period holds `trades` ticks; the efficient log price is a random
 * walk with per-tick volatility `volatility/√trades` (plus an optional close-to-open jump); every tick trades at the
 * bid or the ask, P·(1 ∓ spread/2), with equal probability; each tick is observed with probability `prob`. Open,
 * high, low and close are the first, highest, lowest and last observed prices of the period; a period with no
 * observed tick repeats the previous close four times. The spread estimators must recover `spread` from it.
 */
import type { Prng } from '../../backtest/prng';

export interface SimulateOptions {
  /** Periods (candles). */
  n: number;
  /** Ticks per period (default 390, a trading day of minutes). */
  trades?: number;
  /** Probability a tick is observed (default 1). */
  prob?: number;
  /** True full spread as a fraction (default 0.01). */
  spread?: number;
  /** Open-to-close volatility per period (default 0.03). */
  volatility?: number;
  /** Close-to-open volatility (default 0). */
  overnight?: number;
}

export interface SimulatedCandles {
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
}

/** Candles with a known spread, deterministic for a given `rng` state. */
export function simulateBidAskCandles(rng: Prng, opts: SimulateOptions): SimulatedCandles {
  const n = opts.n;
  const trades = opts.trades ?? 390;
  const prob = opts.prob ?? 1;
  const spread = opts.spread ?? 0.01;
  const sd = (opts.volatility ?? 0.03) / Math.sqrt(trades);
  const overnight = opts.overnight ?? 0;
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const close = new Float64Array(n);
  let logP = 0;
  let prev = NaN;
  for (let i = 0; i < n; i++) {
    let o = NaN;
    let h = -Infinity;
    let l = Infinity;
    let c = NaN;
    for (let k = 0; k < trades; k++) {
      logP += sd * rng.normal();
      if (k === 0 && overnight > 0) logP += overnight * rng.normal();
      const side = rng.next() < 0.5 ? -0.5 : 0.5;
      const p = Math.exp(logP) * (1 + spread * side);
      if (Number.isNaN(prev)) prev = p;
      if (rng.next() >= prob) continue;
      if (Number.isNaN(o)) o = p;
      if (p > h) h = p;
      if (p < l) l = p;
      c = p;
    }
    if (Number.isNaN(o)) o = h = l = c = prev;
    open[i] = o;
    high[i] = h;
    low[i] = l;
    close[i] = c;
    prev = c;
  }
  return { open, high, low, close };
}
