/**
 * Performance metrics: per-trade statistics (win rate, mean/median, profit factor, expectancy, compounded return
 * and its drawdown) and equity-curve statistics (total return, max drawdown, CAGR, Sharpe, Sortino, Calmar) with a
 * downsampled equity / drawdown series.
 *
 * Annualisation: returns are taken per step of the equity curve (per candle in single-series mode, per slice in
 * slices mode, per rebalance period in ranking mode) and scaled by sqrt(steps per year), a year being 365 × 24 h
 * (crypto trades every day): Sharpe = mean(r) / sd(r) × sqrt(N), sd the sample standard deviation (n − 1);
 * Sortino = mean(r) / sqrt(mean(min(r, 0)²)) × sqrt(N); CAGR = (E_end / E_0)^(N / steps) − 1;
 * Calmar = CAGR / max drawdown of the curve. No risk-free rate.
 */
import type { EquityCurve, Metrics } from './types';
import { netReturnOfCosts, notionalOfCapital, openPositionPnl } from '../costs/cost-model';

export const YEAR_MS = 365 * 86_400_000;

export function stepsPerYear(stepMs: number): number {
  return YEAR_MS / stepMs;
}

export type TradeStats = Pick<
  Metrics,
  'trades' | 'winRate' | 'meanReturn' | 'medianReturn' | 'avgWin' | 'avgLoss' | 'profitFactor' | 'expectancy' | 'compoundedReturn' | 'maxDrawdownTrades'
>;

export function median(values: ArrayLike<number>): number | null {
  const n = values.length;
  if (n === 0) return null;
  const a = Float64Array.from(values as ArrayLike<number>).sort();
  return n % 2 === 1 ? a[(n - 1) / 2]! : (a[n / 2 - 1]! + a[n / 2]!) / 2;
}

/** Statistics of a list of per-trade returns (fractions). A win is a return > 0. */
export function tradeStats(returns: ArrayLike<number>): TradeStats {
  const n = returns.length;
  let sum = 0;
  let wins = 0;
  let sumWin = 0;
  let losses = 0;
  let sumLoss = 0;
  let eq = 1;
  let peak = 1;
  let mdd = 0;
  for (let i = 0; i < n; i++) {
    const r = returns[i]!;
    sum += r;
    if (r > 0) {
      wins++;
      sumWin += r;
    } else if (r < 0) {
      losses++;
      sumLoss += r;
    }
    eq *= 1 + r;
    if (eq > peak) peak = eq;
    const dd = peak > 0 ? 1 - eq / peak : 1;
    if (dd > mdd) mdd = dd;
  }
  const winRate = n > 0 ? wins / n : null;
  const avgWin = wins > 0 ? sumWin / wins : null;
  const avgLoss = losses > 0 ? sumLoss / losses : null;
  return {
    trades: n,
    winRate,
    meanReturn: n > 0 ? sum / n : null,
    medianReturn: median(returns),
    avgWin,
    avgLoss,
    profitFactor: losses > 0 ? sumWin / -sumLoss : null,
    expectancy: winRate === null ? null : winRate * (avgWin ?? 0) + (1 - winRate) * (n > wins ? (sumLoss / (n - wins)) : 0),
    compoundedReturn: eq - 1,
    maxDrawdownTrades: mdd,
  };
}

export interface CurveStats {
  totalReturn: number;
  maxDrawdownEquity: number;
  cagr: number | null;
  sharpe: number | null;
  sortino: number | null;
  calmar: number | null;
}

/**
 * Streaming equity-curve statistics: push the equity at the end of each step; `finish` returns the statistics
 * and a curve downsampled to at most `maxPoints` buckets (last equity and worst drawdown of each bucket).
 */
export class CurveAccumulator {
  private prev: number;
  private peak: number;
  private mdd = 0;
  private count = 0;
  private sum = 0;
  private sumSq = 0;
  private downSq = 0;
  private readonly bucket: number;
  private inBucket = 0;
  private bucketDd = 0;
  private lastTime = 0;
  private readonly curve: EquityCurve = { time: [], equity: [], drawdown: [] };

  constructor(
    private readonly initial: number,
    private readonly perYear: number,
    expectedSteps: number,
    maxPoints: number,
  ) {
    this.prev = initial;
    this.peak = initial;
    this.bucket = Math.max(1, Math.ceil(expectedSteps / maxPoints));
  }

  /** Equity at the end of a step; `ret` overrides the step return (used by the non-compounding slices curve). */
  push(time: number, equity: number, ret?: number): void {
    const r = ret ?? (this.prev !== 0 ? equity / this.prev - 1 : 0);
    this.prev = equity;
    this.count++;
    this.sum += r;
    this.sumSq += r * r;
    if (r < 0) this.downSq += r * r;
    if (equity > this.peak) this.peak = equity;
    const dd = this.peak > 0 ? Math.min(1, Math.max(0, 1 - equity / this.peak)) : 1;
    if (dd > this.mdd) this.mdd = dd;
    if (dd > this.bucketDd) this.bucketDd = dd;
    this.lastTime = time;
    if (++this.inBucket === this.bucket) this.flush();
  }

  /** Push the same equity for steps j0..j1−1 (times from `time`): one ordinary step, then zero-return steps in bulk. */
  pushConst(time: Float64Array, j0: number, j1: number, equity: number): void {
    if (j1 <= j0) return;
    this.push(time[j0]!, equity);
    let pos = j0 + 1;
    if (pos >= j1) return;
    const dd = this.peak > 0 ? Math.min(1, Math.max(0, 1 - equity / this.peak)) : 1;
    const rest = j1 - pos;
    this.count += rest;
    while (pos < j1) {
      const take = Math.min(j1 - pos, this.bucket - this.inBucket);
      pos += take;
      this.inBucket += take;
      if (dd > this.bucketDd) this.bucketDd = dd;
      this.lastTime = time[pos - 1]!;
      if (this.inBucket === this.bucket) this.flush();
    }
  }

  /**
   * Steps j0..j1−1 of an open position: the equity at step j is `e0 + openPositionPnl(capital, entryCost, dir,
   * close[j] × inv)`. Exactly `push` per step (same arithmetic, same order), with the accumulator's state held in
   * locals for the run: the per-candle curve of a 1m year is this loop (issue 14). One shortcut, exact: with the
   * peak and the bucket unchanged, a drawdown is only computed for an equity below the lowest one already
   * counted (`low`) — any other is no deeper (division and subtraction are monotone), so it could move neither
   * the bucket's worst drawdown nor the max; that saves a division on most candles.
   */
  pushOpen(time: Float64Array, close: Float64Array, j0: number, j1: number, e0: number, capital: number, entryCost: number, dir: 1 | -1, inv: number): void {
    let { prev, peak, mdd, count, sum, sumSq, downSq, inBucket, bucketDd } = this;
    const bucket = this.bucket;
    let low = Infinity;
    for (let j = j0; j < j1; j++) {
      const equity = e0 + openPositionPnl(capital, entryCost, dir, close[j]! * inv);
      const r = prev !== 0 ? equity / prev - 1 : 0;
      prev = equity;
      count++;
      sum += r;
      sumSq += r * r;
      if (r < 0) downSq += r * r;
      if (equity > peak) {
        peak = equity;
        low = Infinity;
      }
      if (equity < low || !(peak > 0)) {
        low = equity;
        const dd = peak > 0 ? Math.min(1, Math.max(0, 1 - equity / peak)) : 1;
        if (dd > mdd) mdd = dd;
        if (dd > bucketDd) bucketDd = dd;
      }
      if (++inBucket === bucket) {
        this.curve.time.push(time[j]!);
        this.curve.equity.push(prev);
        this.curve.drawdown.push(bucketDd);
        inBucket = 0;
        bucketDd = 0;
        low = Infinity;
      }
    }
    if (j1 > j0) this.lastTime = time[j1 - 1]!;
    this.prev = prev;
    this.peak = peak;
    this.mdd = mdd;
    this.count = count;
    this.sum = sum;
    this.sumSq = sumSq;
    this.downSq = downSq;
    this.inBucket = inBucket;
    this.bucketDd = bucketDd;
  }

  private flush(): void {
    if (this.inBucket === 0) return;
    this.curve.time.push(this.lastTime);
    this.curve.equity.push(this.prev);
    this.curve.drawdown.push(this.bucketDd);
    this.inBucket = 0;
    this.bucketDd = 0;
  }

  finish(): { stats: CurveStats; curve: EquityCurve } {
    this.flush();
    const n = this.count;
    const end = this.prev;
    const totalReturn = end / this.initial - 1;
    const mean = n > 0 ? this.sum / n : 0;
    const variance = n > 1 ? (this.sumSq - n * mean * mean) / (n - 1) : 0;
    const sd = variance > 0 ? Math.sqrt(variance) : 0;
    const down = n > 0 ? Math.sqrt(this.downSq / n) : 0;
    const k = Math.sqrt(this.perYear);
    const cagr = n > 0 ? (end > 0 ? Math.pow(end / this.initial, this.perYear / n) - 1 : -1) : null;
    const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
    return {
      stats: {
        totalReturn,
        maxDrawdownEquity: this.mdd,
        cagr: cagr === null ? null : finite(cagr),
        sharpe: n > 1 && sd > 0 ? (mean / sd) * k : null,
        sortino: n > 0 && down > 0 ? (mean / down) * k : null,
        calmar: cagr !== null && this.mdd > 0 ? finite(cagr / this.mdd) : null,
      },
      curve: this.curve,
    };
  }
}

/** A trade as the single-series equity curve needs it: window-relative candle indices and cost fractions. */
export interface CurveTrade {
  entryBar: number;
  exitBar: number;
  dir: 1 | -1;
  entryPrice: number;
  exitPrice: number;
  grossReturn: number;
  /** Entry and exit side costs as fractions (bps / 1e4). */
  entryCost: number;
  exitCost: number;
  /** The exit filled at its candle's open (a queued signal exit), before that candle's entries; else after them. */
  exitAtOpen?: boolean;
}

export type CurveSizing = { kind: 'fixed-notional'; notional: number } | { kind: 'percent-equity'; fraction: number };

/**
 * Mark-to-market equity per candle close over candles [w0, w1) for non-overlapping trades sorted by time.
 * Cash account: a trade commits capital C (percent-equity: fraction × equity; fixed-notional: the notional), pays
 * the entry fee out of it and holds N = C / (1 + f_entry). While it is open, equity = equity before − N·f_entry +
 * side × N × (close / entry − 1); at its exit candle it is realised: equity before + C × net return. Returns curve statistics and the turnover
 * (both legs' notional / initial equity).
 */
export function singleSeriesCurve(
  openTime: Float64Array,
  close: Float64Array,
  w0: number,
  w1: number,
  trades: readonly CurveTrade[],
  sizing: CurveSizing,
  initialEquity: number,
  perYear: number,
  maxPoints: number,
): { stats: CurveStats; curve: EquityCurve; turnover: number } {
  const costs: ViewCosts = { entry: Float64Array.from(trades, (t) => t.entryCost), exit: Float64Array.from(trades, (t) => t.exitCost) };
  return singleSeriesCurves(openTime, close, w0, w1, trades, [costs], sizing, initialEquity, perYear, maxPoints)[0]!;
}

/** One cost view's side costs per trade (fractions), index-aligned with the trades. */
export interface ViewCosts {
  entry: ArrayLike<number>;
  exit: ArrayLike<number>;
}

/**
 * `singleSeriesCurve` for several cost views of the same trades at once (the trades' own `entryCost` /
 * `exitCost` are ignored; view v uses `views[v]`). Each view's arithmetic is exactly its own single curve's; the
 * views just walk each trade's candles one after the other, so a 1m year's closes are read from memory once
 * instead of once per view (issue 14).
 */
export function singleSeriesCurves(
  openTime: Float64Array,
  close: Float64Array,
  w0: number,
  w1: number,
  trades: readonly CurveTrade[],
  views: readonly ViewCosts[],
  sizing: CurveSizing,
  initialEquity: number,
  perYear: number,
  maxPoints: number,
): { stats: CurveStats; curve: EquityCurve; turnover: number }[] {
  let lastExit = -1;
  for (const t of trades) {
    if (t.entryBar < lastExit) {
      return views.map((v) => {
        const own = trades.map((x, k) => ({ ...x, entryCost: v.entry[k]!, exitCost: v.exit[k]! }));
        return overlappingLotsCurve(openTime, close, w0, w1, own, sizing, initialEquity, perYear, maxPoints);
      });
    }
    lastExit = Math.max(lastExit, t.exitBar);
  }
  const V = views.length;
  const acc = views.map(() => new CurveAccumulator(initialEquity, perYear, Math.max(0, w1 - w0), maxPoints));
  const e = new Float64Array(V).fill(initialEquity);
  const traded = new Float64Array(V);
  let j = w0;
  for (let k = 0; k < trades.length; k++) {
    const t = trades[k]!;
    const flatEnd = Math.min(t.entryBar, w1);
    if (flatEnd > j) {
      for (let v = 0; v < V; v++) acc[v]!.pushConst(openTime, j, flatEnd, e[v]!);
      j = flatEnd;
    }
    const inv = 1 / t.entryPrice;
    const held = Math.min(t.exitBar, w1);
    const ratio = t.exitPrice / t.entryPrice;
    const exitPush = (held > j ? held : j) === t.exitBar && t.exitBar < w1;
    for (let v = 0; v < V; v++) {
      const entryCost = views[v]!.entry[k]!;
      const exitCost = views[v]!.exit[k]!;
      // Cash account (shared/costs/cost-model.ts): the committed capital pays the entry fee, the rest is the notional.
      const e0 = e[v]!;
      const capital = sizing.kind === 'fixed-notional' ? sizing.notional : sizing.fraction * e0;
      if (held > j) acc[v]!.pushOpen(openTime, close, j, held, e0, capital, entryCost, t.dir, inv);
      const after = e0 + capital * netReturnOfCosts(t.grossReturn, entryCost, exitCost, ratio);
      e[v] = after;
      traded[v] = traded[v]! + notionalOfCapital(capital, entryCost) * (1 + ratio);
      if (exitPush) acc[v]!.push(openTime[t.exitBar]!, after);
    }
    if (held > j) j = held;
    if (exitPush) j++;
  }
  return acc.map((a, v) => {
    a.pushConst(openTime, j, w1, e[v]!);
    const { stats, curve } = a.finish();
    return { stats, curve, turnover: traded[v]! / initialEquity };
  });
}

/**
 * The curve when trades overlap (a multi-lot grid's lots, in entry order): each lot commits its capital from the
 * REALISED equity at its fill (percent-equity: fraction × realised equity) and is realised at its exit, exactly as
 * the paper account books fills (shared/research/paper.ts). Within a candle the kernel's order holds: exits at the
 * open, then entries, then stops / targets / the end-of-data close (in entry order, the kernel's lot order). The
 * mark at each close = realised equity + every open lot's mark-to-market.
 */
function overlappingLotsCurve(...args: Parameters<typeof singleSeriesCurve>): ReturnType<typeof singleSeriesCurve> {
  const [openTime, close, w0, w1, trades, sizing, initialEquity, perYear, maxPoints] = args;
  const acc = new CurveAccumulator(initialEquity, perYear, Math.max(0, w1 - w0), maxPoints);
  const byExit = trades.map((_, k) => k).sort((a, b) => trades[a]!.exitBar - trades[b]!.exitBar || a - b);
  const capital = new Float64Array(trades.length);
  const open = new Set<number>();
  let e = initialEquity;
  let traded = 0;
  let next = 0; // next trade (entry order) to enter
  let x = 0; // next exit (exit order)
  const realise = (k: number): void => {
    const t = trades[k]!;
    const ratio = t.exitPrice / t.entryPrice;
    e = e + capital[k]! * netReturnOfCosts(t.grossReturn, t.entryCost, t.exitCost, ratio);
    traded += notionalOfCapital(capital[k]!, t.entryCost) * (1 + ratio);
    open.delete(k);
  };
  for (let j = w0; j < w1; j++) {
    // Exits at this open (queued signal exits), then this candle's entries, then its other exits.
    const atJ: number[] = [];
    for (; x < byExit.length && trades[byExit[x]!]!.exitBar === j; x++) atJ.push(byExit[x]!);
    for (const k of atJ) if (trades[k]!.exitAtOpen && open.has(k)) realise(k);
    for (; next < trades.length && trades[next]!.entryBar === j; next++) {
      capital[next] = sizing.kind === 'fixed-notional' ? sizing.notional : sizing.fraction * e;
      open.add(next);
    }
    for (const k of atJ) if (open.has(k)) realise(k);
    let mark = e;
    for (const k of open) {
      const t = trades[k]!;
      mark += openPositionPnl(capital[k]!, t.entryCost, t.dir, close[j]! / t.entryPrice);
    }
    acc.push(openTime[j]!, mark);
  }
  const { stats, curve } = acc.finish();
  return { stats, curve, turnover: traded / initialEquity };
}
