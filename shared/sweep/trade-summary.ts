/**
 * Sweep mode (issue 14, "costs at trade level"): one combo's compact summary straight from the engine's raw
 * trades, without building the full result (per-bar equity curves and priced trade objects for every cost view,
 * then its canonical JSON and sha256). Cost views are applied to the trade list (side costs per trade per view,
 * in typed arrays); the per-trade metrics come from those returns; the equity-curve metrics (Sharpe, Sortino,
 * max drawdown, total return, CAGR) come from one typed-array pass per distinct cost view over the candles a
 * position is open (flat stretches are O(1)), with no curve kept. Every figure is computed with the same
 * operations in the same order as shared/backtest/result.ts + metrics.ts, so the summary equals
 * `summarizeResult(runBacktest(...))` bit for bit (./trade-summary.test.ts checks every bundled strategy on real
 * candles); only `resultHash` differs: it is the combo hash below, versioned by `SWEEP_SUMMARY_VERSION`.
 *
 * The combo hash is the sha256 of a compact canonical form of the run: a canonical-JSON header (the version, the
 * engine version, strategy id / version / params, the measured series window, the parsed config, the risk skip
 * counts) followed by each trade's fills as six little-endian float64s (a code for side, fill liquidities and exit
 * kind; signal and entry time, entry price, exit time, exit price). What follows from those and the candles is
 * left out (gross return, bars held, the ATR/price at the fills), and so are the reason texts (rendered from the
 * same numbers). `comboHashOfResult` gives the same hash for a full `BacktestResult`, so a combo can still be
 * reproduced from a full run.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { CandleSeries } from '../candles/candle';
import { timeframeMs } from '../candles/timeframe';
import { breakEvenRoundTripBps, netReturn, netReturnOfCosts, openPositionTerms, tradeSideCostsBps, type CostModel } from '../costs';
import { costModelsOf, parseBacktestConfig, withStrategyRisk, type BacktestConfig, type BacktestConfigInput } from '../backtest/config';
import { INITIAL_CARRY, resolveWindow, runChunk } from '../backtest/engine';
import { canonicalJson } from '../backtest/hash';
import { singleSeriesCurve, stepsPerYear, tradeStats, type CurveStats, type CurveTrade } from '../backtest/metrics';
import { priceTrades } from '../backtest/result';
import type { ExitKind, RawTrade, RiskSkipCounts, SeriesRef, StrategyRef, Trade } from '../backtest/types';
import { ENGINE_VERSION_ID, lowerBound } from '../backtest/version';
import { comboKey, meanSd, viewSummary, type ComboSummary, type NetViewSummary, type ViewSummary } from '../research/summary';
import type { Params, Strategy } from '../strategies/types';

/**
 * Version of the sweep's per-combo summary and hash (part of every sweep context and every combo hash). 2.0.0:
 * the combo hash is the compact trade-level hash of this module (1.x: the full result's `resultHash`).
 */
export const SWEEP_SUMMARY_VERSION = 'sweep-summary/2.0.0';

/** What the combo hash covers (a `BacktestResult` has all of it). */
export interface ComboHashInput {
  engineVersion: string;
  strategy: StrategyRef;
  series: SeriesRef;
  config: BacktestConfig;
  trades: readonly RawTrade[];
  skipped: RiskSkipCounts;
}

const EXIT_KINDS: readonly ExitKind[] = ['signal', 'stop', 'take-profit', 'trailing', 'end-of-data', 'slice-end'];
const FIELDS = 6;

/** Side, both fill liquidities and the exit kind of a trade as one small integer. */
function tradeCode(t: RawTrade): number {
  return (t.side === 'long' ? 0 : 1) + (t.entryLiquidity === 'maker' ? 2 : 0) + (t.exitLiquidity === 'maker' ? 4 : 0) + 8 * EXIT_KINDS.indexOf(t.exitKind);
}

/** The versioned combo hash (see the module header). */
export function sweepComboHash(r: ComboHashInput): string {
  const header = canonicalJson({ v: SWEEP_SUMMARY_VERSION, engineVersion: r.engineVersion, strategy: r.strategy, series: r.series, config: r.config, skipped: r.skipped });
  const trades = r.trades;
  const bytes = new Uint8Array(trades.length * FIELDS * 8);
  const dv = new DataView(bytes.buffer);
  for (let k = 0, o = 0; k < trades.length; k++, o += FIELDS * 8) {
    const t = trades[k]!;
    dv.setFloat64(o, tradeCode(t), true);
    dv.setFloat64(o + 8, t.signalTime, true);
    dv.setFloat64(o + 16, t.entryTime, true);
    dv.setFloat64(o + 24, t.entryPrice, true);
    dv.setFloat64(o + 32, t.exitTime, true);
    dv.setFloat64(o + 40, t.exitPrice, true);
  }
  return bytesToHex(sha256.create().update(utf8ToBytes(header)).update(bytes).digest());
}

/** The combo hash of a full backtest result (equal to the sweep's for the same run). */
export function comboHashOfResult(r: ComboHashInput): string {
  return sweepComboHash(r);
}

/** Trades as typed columns (window-relative bars are absolute candle indices here, as in result.ts). */
interface TradeColumns {
  n: number;
  entryBar: Int32Array;
  exitBar: Int32Array;
  dir: Int8Array;
  entryPrice: Float64Array;
  exitPrice: Float64Array;
  gross: Float64Array;
  ratio: Float64Array;
  exitAtOpen: Uint8Array;
  overlapping: boolean;
}

/** Side costs of every trade under one model, as fractions, plus round-trip bps and net returns. */
interface PricedView {
  id: string;
  entry: Float64Array;
  exit: Float64Array;
  roundTrip: Float64Array;
  net: Float64Array;
}

function priceView(m: CostModel, raw: readonly RawTrade[], cols: TradeColumns): PricedView {
  const n = raw.length;
  const v: PricedView = { id: m.id, entry: new Float64Array(n), exit: new Float64Array(n), roundTrip: new Float64Array(n), net: new Float64Array(n) };
  for (let k = 0; k < n; k++) {
    const { entryBps, exitBps } = tradeSideCostsBps(m, raw[k]!);
    v.roundTrip[k] = entryBps + exitBps;
    v.net[k] = netReturn(cols.gross[k]!, entryBps, exitBps, cols.ratio[k]!);
    v.entry[k] = entryBps / 1e4;
    v.exit[k] = exitBps / 1e4;
  }
  return v;
}

function sameCosts(a: PricedView, b: PricedView): boolean {
  for (let k = 0; k < a.entry.length; k++) if (a.entry[k] !== b.entry[k] || a.exit[k] !== b.exit[k]) return false;
  return true;
}

type Sizing = BacktestConfig['sizing'];
type ViewCurveStats = Pick<CurveStats, 'totalReturn' | 'maxDrawdownEquity' | 'cagr' | 'sharpe' | 'sortino'>;

/**
 * A bound below which an equity may deepen the max drawdown: every equity whose computed drawdown
 * `1 − equity / peak` exceeds `mdd` lies below it (the margin, 1e-12, is far above the rounding of that
 * expression), so equities above it skip the division without changing any result.
 */
function drawdownFloor(peak: number, mdd: number): number {
  return peak * (1 - mdd + 1e-12);
}

/** The closes of a constant-equity step (see `pushMarks`). */
const UNIT = new Float64Array([1]);

/**
 * `CurveAccumulator.push` (shared/backtest/metrics.ts) for the marks e0 + (fee + dn × (close[j] × inv − 1)) of
 * candles j0 … end−1, on locals, without the bucket bookkeeping; returns the last equity (the next `prev`). A step
 * at a constant equity e is the run (0, 1) over `UNIT` with e0 = e and fee = dn = inv = 0: e + (0 + 0 × −1) is e
 * exactly. `acc` holds the rest of the running state, [peak, max drawdown, Σr, Σr², Σ min(r, 0)²] (the step
 * count is kept by the caller).
 */
function pushMarks(acc: Float64Array, prevIn: number, close: Float64Array, j0: number, end: number, e0: number, fee: number, dn: number, inv: number): number {
  let prev = prevIn;
  let peak = acc[0]!;
  let mdd = acc[1]!;
  let floor = drawdownFloor(peak, mdd);
  let sum = acc[2]!;
  let sumSq = acc[3]!;
  let downSq = acc[4]!;
  for (let j = j0; j < end; j++) {
    const mark = e0 + (fee + dn * (close[j]! * inv - 1));
    const r = prev !== 0 ? mark / prev - 1 : 0;
    prev = mark;
    sum += r;
    sumSq += r * r;
    if (r < 0) downSq += r * r;
    // The peak starts at the (positive) initial equity and only rises, so the accumulator's `peak > 0` holds.
    if (mark > peak) {
      peak = mark;
      floor = drawdownFloor(peak, mdd);
    } else if (mark < floor) {
      const dd = Math.min(1, Math.max(0, 1 - mark / peak));
      if (dd > mdd) {
        mdd = dd;
        floor = drawdownFloor(peak, mdd);
      }
    }
  }
  acc[0] = peak;
  acc[1] = mdd;
  acc[2] = sum;
  acc[3] = sumSq;
  acc[4] = downSq;
  return prev;
}

/**
 * The equity-curve statistics of `singleSeriesCurve` + `CurveAccumulator` (shared/backtest/metrics.ts) for one
 * cost view over candles [w0, w1), without the curve: the same arithmetic in the same order. Trades must not
 * overlap (the caller falls back to `singleSeriesCurve` for a multi-lot grid's overlapping lots).
 */
function curveStats(close: Float64Array, w0: number, w1: number, c: TradeColumns, entryCost: Float64Array | null, exitCost: Float64Array | null, sizing: Sizing, initial: number, perYear: number): ViewCurveStats {
  const fixed = sizing.kind === 'fixed-notional';
  const notional = fixed ? sizing.notional : 0;
  const fraction = fixed ? 0 : sizing.fraction;
  const acc = new Float64Array(5);
  acc[0] = initial;
  let prev = initial;
  let count = 0;
  let e = initial;
  let j = w0;
  // Per trade as singleSeriesCurve steps it: the flat stretch before the entry (one step, then zero-return steps
  // that only count), the marks while open, the exit candle; then the flat tail (pushConst).
  for (let k = 0; k < c.n; k++) {
    const flatEnd = Math.min(c.entryBar[k]!, w1);
    if (flatEnd > j) {
      prev = pushMarks(acc, prev, UNIT, 0, 1, e, 0, 0, 0);
      count += flatEnd - j;
      j = flatEnd;
    }
    const ec = entryCost ? entryCost[k]! : 0;
    const capital = fixed ? notional : fraction * e;
    const e0 = e;
    // openPositionPnl(capital, ec, dir, m) = fee + dirNotional × (m − 1), its terms fixed per trade.
    const terms = openPositionTerms(capital, ec, c.dir[k]! as 1 | -1);
    const exitBar = c.exitBar[k]!;
    const end = Math.min(exitBar, w1);
    if (end > j) {
      prev = pushMarks(acc, prev, close, j, end, e0, terms.fee, terms.dirNotional, 1 / c.entryPrice[k]!);
      count += end - j;
      j = end;
    }
    e = e0 + capital * netReturnOfCosts(c.gross[k]!, ec, exitCost ? exitCost[k]! : 0, c.ratio[k]!);
    if (j === exitBar && j < w1) {
      prev = pushMarks(acc, prev, UNIT, 0, 1, e, 0, 0, 0);
      count++;
      j++;
    }
  }
  if (w1 > j) {
    prev = pushMarks(acc, prev, UNIT, 0, 1, e, 0, 0, 0);
    count += w1 - j;
  }
  const n = count;
  const mean = n > 0 ? acc[2]! / n : 0;
  const variance = n > 1 ? (acc[3]! - n * mean * mean) / (n - 1) : 0;
  const sd = variance > 0 ? Math.sqrt(variance) : 0;
  const down = n > 0 ? Math.sqrt(acc[4]! / n) : 0;
  const ann = Math.sqrt(perYear);
  const cagr = n > 0 ? (prev > 0 ? Math.pow(prev / initial, perYear / n) - 1 : -1) : null;
  return {
    totalReturn: prev / initial - 1,
    maxDrawdownEquity: acc[1]!,
    cagr: cagr === null || !Number.isFinite(cagr) ? null : cagr,
    sharpe: n > 1 && sd > 0 ? (mean / sd) * ann : null,
    sortino: n > 0 && down > 0 ? (mean / down) * ann : null,
  };
}

/** The full engine's curve for one view (overlapping lots): `singleSeriesCurve` on CurveTrade objects. */
function curveStatsByEngine(series: CandleSeries, w0: number, w1: number, c: TradeColumns, v: PricedView | null, config: BacktestConfig, perYear: number): ViewCurveStats {
  const ct: CurveTrade[] = [];
  for (let k = 0; k < c.n; k++) {
    ct.push({
      entryBar: c.entryBar[k]!,
      exitBar: c.exitBar[k]!,
      dir: c.dir[k]! as 1 | -1,
      entryPrice: c.entryPrice[k]!,
      exitPrice: c.exitPrice[k]!,
      grossReturn: c.gross[k]!,
      exitAtOpen: c.exitAtOpen[k]! === 1,
      entryCost: v ? v.entry[k]! : 0,
      exitCost: v ? v.exit[k]! : 0,
    });
  }
  return singleSeriesCurve(series.openTime, series.close, w0, w1, ct, config.sizing, config.initialEquity, perYear, config.equityPoints).stats;
}

/** One combo in sweep mode: its summary, its raw trades and (on demand) the trades priced like the full result's. */
export interface SweepComboRun {
  summary: ComboSummary;
  raw: RawTrade[];
  /** Cost model ids, in config order. */
  views: string[];
  /** The trades priced under every cost model, as `BacktestResult.trades` (built on first call). */
  priced(): Trade[];
}

/**
 * Run one combo in sweep mode: the engine's loop and the execution kernel as `runBacktest` runs them, then the
 * summary from the raw trades (see the module header). `configInput` as for `runBacktest`; `parsed: true` when
 * it is already `parseBacktestConfig`'s output (parsing it again gives the same config). `reference` as for
 * `runBacktest`: the series the Sentinel watches (`risk.sentinel`) when `series` is another symbol.
 */
export function runSweepCombo<P extends Params, S>(series: CandleSeries, strategy: Strategy<P, S>, params: P, configInput: BacktestConfigInput | BacktestConfig = {}, opts: { parsed?: boolean; reference?: CandleSeries } = {}): SweepComboRun {
  const input = withStrategyRisk(strategy, params, configInput);
  // A config the caller parsed (a sweep chunk's) is used as is when the strategy adds no risk rules to it.
  const config = opts.parsed === true && input === configInput ? (input as BacktestConfig) : parseBacktestConfig(input);
  const window = resolveWindow(series, strategy, params, config);
  const chunk = runChunk(series, strategy, params, config, window, INITIAL_CARRY, opts.reference ? { reasons: false, reference: opts.reference } : { reasons: false });
  const raw = chunk.trades;
  const models = costModelsOf(config);

  const n = series.length;
  const tf = timeframeMs(series.timeframe);
  const { openTime, close } = series;
  const w0 = lowerBound(openTime, window.from);
  const exitBarOf = (t: RawTrade): number => (t.exitKind === 'end-of-data' ? lowerBound(openTime, t.exitTime - tf) : lowerBound(openTime, t.exitTime));
  let latest: RawTrade | null = null;
  for (const t of raw) if (latest === null || t.exitTime > latest.exitTime) latest = t;
  const lastExit = latest !== null ? exitBarOf(latest) : -1;
  const w1 = Math.min(n, Math.max(lowerBound(openTime, window.to), lastExit + 1));
  const perYear = stepsPerYear(tf);
  const bars = Math.max(0, w1 - w0);

  const m = raw.length;
  const cols: TradeColumns = {
    n: m,
    entryBar: new Int32Array(m),
    exitBar: new Int32Array(m),
    dir: new Int8Array(m),
    entryPrice: new Float64Array(m),
    exitPrice: new Float64Array(m),
    gross: new Float64Array(m),
    ratio: new Float64Array(m),
    exitAtOpen: new Uint8Array(m),
    overlapping: false,
  };
  let barsHeld = 0;
  let lastExitBar = -1;
  for (let k = 0; k < m; k++) {
    const t = raw[k]!;
    const eb = lowerBound(openTime, t.entryTime);
    const xb = exitBarOf(t);
    cols.entryBar[k] = eb;
    cols.exitBar[k] = xb;
    cols.dir[k] = t.side === 'long' ? 1 : -1;
    cols.entryPrice[k] = t.entryPrice;
    cols.exitPrice[k] = t.exitPrice;
    cols.gross[k] = t.grossReturn;
    cols.ratio[k] = t.exitPrice / t.entryPrice;
    cols.exitAtOpen[k] = t.exitKind === 'signal' ? 1 : 0;
    if (eb < lastExitBar) cols.overlapping = true;
    lastExitBar = Math.max(lastExitBar, xb);
    barsHeld += t.bars;
  }
  const exposure = bars > 0 ? barsHeld / bars : 0;
  const stats = (v: PricedView | null): ViewCurveStats =>
    cols.overlapping
      ? curveStatsByEngine(series, w0, w1, cols, v, config, perYear)
      : curveStats(close, w0, w1, cols, v ? v.entry : null, v ? v.exit : null, config.sizing, config.initialEquity, perYear);

  const priced = models.map((mo) => priceView(mo, raw, cols));
  // Models that cost every trade the same (the same side-cost fractions, so the same net returns) share one
  // computed view, as in result.ts; only the round-trip mean is each model's own.
  const views: ViewSummary[] = [];
  priced.forEach((v, i) => {
    const twin = priced.findIndex((w, j) => j < i && sameCosts(w, v));
    views.push(twin >= 0 ? views[twin]! : viewSummary({ ...tradeStats(v.net), ...stats(v) }, v.net));
  });
  const net: Record<string, NetViewSummary> = {};
  const order = priced.map((_, i) => i).sort((a, b) => (priced[a]!.id < priced[b]!.id ? -1 : priced[a]!.id > priced[b]!.id ? 1 : 0));
  for (const i of order) net[priced[i]!.id] = { ...views[i]!, roundTripBps: meanSd(priced[i]!.roundTrip).mean };
  const strategyRef = { id: strategy.id, version: strategy.version, params: { ...params } };
  const seriesRef: SeriesRef = {
    symbol: series.symbol,
    timeframe: series.timeframe,
    from: bars > 0 ? openTime[w0]! : window.from,
    to: bars > 0 ? openTime[w1 - 1]! + tf : window.from,
    bars,
  };
  const summary: ComboSummary = {
    key: comboKey(params),
    params: { ...params },
    trades: m,
    exposure,
    gross: viewSummary({ ...tradeStats(cols.gross), ...stats(null) }, cols.gross),
    net,
    breakEvenRoundTripBps: breakEvenRoundTripBps(cols.gross, cols.ratio),
    resultHash: sweepComboHash({ engineVersion: ENGINE_VERSION_ID, strategy: strategyRef, series: seriesRef, config, trades: raw, skipped: chunk.skipped }),
  };
  let pricedTrades: Trade[] | null = null;
  return { summary, raw, views: models.map((mo) => mo.id), priced: () => (pricedTrades ??= priceTrades(raw, models).trades) };
}
