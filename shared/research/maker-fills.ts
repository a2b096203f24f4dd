/**
 * Honest maker execution (issue 12 item 6): what a strategy's entries would have done as posted limit orders, with
 * every fill decided by the execution kernel's limit rule in its honest mode (`limitTradeThrough`).
 *
 * The maker variant of a strategy (`makerVariant`) turns each opening BUY/SELL into a limit at the signal candle's
 * close (minus/plus `offsetBps`); the kernel fills it only when a later candle trades THROUGH it by at least one
 * tick (`tick`, price units) within `maxCandles` candles — a touch is not a fill — and cancels it otherwise (a
 * missed trade). An order already marketable when it arrives (the next open is through it) fills as taker at the
 * open, as the kernel always did. `makerFillReport` runs the strategy as is (market entries, the taker baseline)
 * and as the maker variant on the same series and reports:
 *  - fill rate: maker fills / posted orders (filled as maker + filled as taker on arrival + expired + cancelled);
 *  - adverse selection: the mean net edge of the signals that filled (their maker trades, entry at maker fee, exit
 *    as the kernel filled it) against that of the signals that were missed (their taker-baseline trades). Filled
 *    orders are the ones the market came to: when they do worse than the missed ones, passive entry selects
 *    against you. "Missed" = the baseline's trades whose signal has no maker trade; the two runs can drift apart (a
 *    position held in one blocks a signal in the other), so on long runs it also holds signals the maker run never
 *    posted — read it with the counts.
 * An open exactly AT the limit does not fill it, on arrival or later (it only joins the queue there).
 * Costs: `<venue>` fee schedule of the base tier, each fill at its own liquidity (shared/costs `as-filled`); no
 * verdict reads this report — verdicts assume taker fills (shared/costs/measured.ts).
 */
import type { CandleSeries } from '../candles/candle';
import type { BacktestConfigInput } from '../backtest/config';
import { runBacktest } from '../backtest/engine';
import type { Trade } from '../backtest/types';
import { costModelSchema, feeSchedule, type CostModel } from '../costs';
import type { Params, Strategy } from '../strategies/types';

export interface MakerOptions {
  /** Limit distance from the signal candle's close, bps (inside: a buy below, a sell above). Default 0. */
  offsetBps?: number;
  /** Candles after the signal candle a limit rests before it is cancelled (missed). Default 3. */
  maxCandles?: number;
  /** One tick of the symbol, price units: how far a later candle must trade through the limit. */
  tick: number;
  /** Venue whose fee schedule prices the fills. Default binance. */
  venue?: string;
}

/** The strategy with every opening BUY/SELL posted as a limit at the signal candle's close ∓ offset. */
export function makerVariant<P extends Params, S>(strategy: Strategy<P, S>, offsetBps = 0): Strategy<P, { inner: S; close: Float64Array }> {
  const off = offsetBps / 1e4;
  return {
    ...strategy,
    id: `${strategy.id}+maker`,
    prepare: (series: CandleSeries, params: P) => ({ inner: strategy.prepare(series, params), close: series.close }),
    evaluate: (st, i, params) => {
      const sig = strategy.evaluate(st.inner, i, params);
      if ((sig.action !== 'BUY' && sig.action !== 'SELL') || sig.limitPrice !== undefined) return sig;
      const c = st.close[i]!;
      return { ...sig, limitPrice: sig.action === 'BUY' ? c * (1 - off) : c * (1 + off) };
    },
  };
}

export interface MakerFillReport {
  options: Required<MakerOptions>;
  posted: number;
  filledMaker: number;
  filledTakerOnArrival: number;
  expired: number;
  cancelled: number;
  /** filledMaker / posted; null when nothing was posted. */
  fillRate: number | null;
  /** Mean net bps per trade of the maker-filled signals (as filled) and of the missed ones (their taker trades). */
  filledNetMeanBps: number | null;
  missedNetMeanBps: number | null;
  /** filled − missed: negative = the fills that came were the worse trades. */
  adverseSelectionBps: number | null;
  /** The taker baseline's mean net bps per trade, for reference. */
  takerNetMeanBps: number | null;
  costModel: string;
}

const meanBps = (xs: readonly number[]): number | null => (xs.length ? (xs.reduce((a, b) => a + b, 0) / xs.length) * 1e4 : null);

/** The taker baseline and the maker variant on the same series, and the fill-rate / adverse-selection report. */
export function makerFillReport<P extends Params, S>(
  series: CandleSeries,
  strategy: Strategy<P, S>,
  params: P,
  config: BacktestConfigInput,
  opts: MakerOptions,
  inputs: { reference?: CandleSeries } = {},
): MakerFillReport {
  if (!(opts.tick > 0)) throw new Error(`maker fills: tick must be a positive price step, got ${opts.tick}`);
  const o: Required<MakerOptions> = { offsetBps: opts.offsetBps ?? 0, maxCandles: opts.maxCandles ?? 3, tick: opts.tick, venue: opts.venue ?? 'binance' };
  const model: CostModel = costModelSchema.parse({ id: `${o.venue}-as-filled`, label: `${o.venue} base tier, each fill at its own liquidity`, schedule: feeSchedule(o.venue), liquidity: 'as-filled' });
  // Unparsed inputs, so the strategy's declared risk rules apply as in the run itself (a parsed config names its
  // `risk` and would drop them); the Sentinel's reference series, when the run has one, goes in too.
  const taker = runBacktest(series, strategy, params, { ...config, costs: [model] }, inputs);
  const maker = runBacktest(series, makerVariant(strategy, o.offsetBps), params, { ...config, costs: [model], limitExpiryCandles: o.maxCandles, limitTradeThrough: o.tick }, inputs);
  const net = (t: Trade): number => t.net[model.id]!;
  const filled = maker.trades.filter((t) => t.entryLiquidity === 'maker');
  const onArrival = maker.trades.length - filled.length;
  const reached = new Set(maker.trades.map((t) => t.signalTime));
  const missed = taker.trades.filter((t) => !reached.has(t.signalTime));
  const expired = maker.skipped.limitExpired;
  const cancelled = maker.skipped.limitCancelled;
  const posted = filled.length + onArrival + expired + cancelled;
  const filledNet = meanBps(filled.map(net));
  const missedNet = meanBps(missed.map(net));
  return {
    options: o,
    posted,
    filledMaker: filled.length,
    filledTakerOnArrival: onArrival,
    expired,
    cancelled,
    fillRate: posted > 0 ? filled.length / posted : null,
    filledNetMeanBps: filledNet,
    missedNetMeanBps: missedNet,
    adverseSelectionBps: filledNet !== null && missedNet !== null ? filledNet - missedNet : null,
    takerNetMeanBps: meanBps(taker.trades.map(net)),
    costModel: model.id,
  };
}
