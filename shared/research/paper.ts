/**
 * Paper trading: a virtual account per venue cost preset that trades a strategy's signal stream the way the
 * backtester does — a signal on closed candle t fills at candle t+1's open as a taker market order (maker presets
 * price every fill at the maker fee), one position at a time, long-only unless `allowShort` — plus the daily check
 * that the live signals equal a replay of the same candles (`replaySignals` + `compareSignals`).
 *
 * Accounting (percent-equity sizing, as the engine's default): an entry commits `fraction` × realised equity as
 * notional; a closed trade's net return is gross − entryBps/1e4 − exitBps/1e4 × exit/entry (shared/costs) and its
 * PnL is notional × net. Unrealised PnL at a mark price = notional × side × (mark/entry − 1) − the entry cost
 * (the exit cost is charged when the exit fills). Stops, take-profits and trailing stops inside candles are not
 * simulated here: the account acts on signals only (the replay diff shows where the two could diverge).
 *
 * Every function is a pure state transition: the input account is never mutated.
 */
import { sideCostBps, netReturn, type CostModel, type CostPresetId } from '../costs';
import type { CandleSeries } from '../candles/candle';
import type { Side } from '../backtest/types';
import { lowerBound } from '../backtest/version';
import type { Action, Params, Strategy } from '../strategies/types';

/** A strategy decision on a closed candle: `time` is that candle's open time (ms). */
export interface PaperSignal {
  time: number;
  action: Action;
  reason?: string;
  /** Optional series identity for multi-symbol comparisons. */
  symbol?: string;
}

export interface PaperPosition {
  side: Side;
  signalTime: number;
  entryTime: number;
  entryPrice: number;
  entryCostBps: number;
  notional: number;
  entryReason: string;
}

export interface PaperTrade {
  side: Side;
  signalTime: number;
  entryTime: number;
  entryPrice: number;
  entryReason: string;
  exitSignalTime: number;
  exitTime: number;
  exitPrice: number;
  exitReason: string;
  entryCostBps: number;
  exitCostBps: number;
  roundTripBps: number;
  grossReturn: number;
  netReturn: number;
  notional: number;
  pnl: number;
}

export interface PaperAccount {
  costModel: CostModel | CostPresetId;
  allowShort: boolean;
  initialEquity: number;
  /** Share of realised equity committed per entry (1 = all of it). */
  fraction: number;
  position: PaperPosition | null;
  realisedPnl: number;
  trades: PaperTrade[];
  /** Open time of the last signal candle applied; older or equal signals are ignored (redelivery-safe). */
  lastSignalTime: number | null;
}

export function createPaperAccount(opts: { costModel: CostModel | CostPresetId; initialEquity?: number; fraction?: number; allowShort?: boolean }): PaperAccount {
  const fraction = opts.fraction ?? 1;
  if (!(fraction > 0 && fraction <= 1)) throw new Error(`fraction must be in (0, 1], got ${fraction}`);
  return {
    costModel: opts.costModel,
    allowShort: opts.allowShort ?? false,
    initialEquity: opts.initialEquity ?? 10_000,
    fraction,
    position: null,
    realisedPnl: 0,
    trades: [],
    lastSignalTime: null,
  };
}

/**
 * Apply the signal of closed candle `signal.time`, filling at `nextOpen` (the open of the next candle, open time
 * `time`) with `costPreset`'s taker cost (or the preset's forced liquidity). Long + SELL/EXIT or short + BUY/EXIT
 * closes; flat + BUY opens a long; flat + SELL opens a short only when `allowShort`; everything else (HOLD, BUY
 * while long, …) changes only `lastSignalTime`. Signals not newer than `lastSignalTime` return the account as is.
 */
export function applySignal(
  account: PaperAccount,
  signal: PaperSignal,
  nextOpen: number,
  time: number,
  costPreset: CostModel | CostPresetId = account.costModel,
  atrPct?: number | null,
): PaperAccount {
  if (account.lastSignalTime !== null && signal.time <= account.lastSignalTime) return account;
  if (!(time > signal.time)) throw new Error(`paper: fill time ${time} must be after the signal candle ${signal.time}`);
  if (!(nextOpen > 0)) throw new Error(`paper: bad fill price ${nextOpen}`);
  const next: PaperAccount = { ...account, lastSignalTime: signal.time };
  const cost = (): number => sideCostBps(costPreset, { time, liquidity: 'taker', atrPct }).totalBps;
  const pos = account.position;
  const a = signal.action;
  if (pos) {
    const closes = pos.side === 'long' ? a === 'SELL' || a === 'EXIT' : a === 'BUY' || a === 'EXIT';
    if (!closes) return next;
    const exitCostBps = cost();
    const ratio = nextOpen / pos.entryPrice;
    const grossReturn = (pos.side === 'long' ? 1 : -1) * (ratio - 1);
    const net = netReturn(grossReturn, pos.entryCostBps, exitCostBps, ratio);
    const trade: PaperTrade = {
      side: pos.side,
      signalTime: pos.signalTime,
      entryTime: pos.entryTime,
      entryPrice: pos.entryPrice,
      entryReason: pos.entryReason,
      exitSignalTime: signal.time,
      exitTime: time,
      exitPrice: nextOpen,
      exitReason: signal.reason ?? a,
      entryCostBps: pos.entryCostBps,
      exitCostBps,
      roundTripBps: pos.entryCostBps + exitCostBps,
      grossReturn,
      netReturn: net,
      notional: pos.notional,
      pnl: pos.notional * net,
    };
    return { ...next, position: null, realisedPnl: account.realisedPnl + trade.pnl, trades: [...account.trades, trade] };
  }
  const side: Side | null = a === 'BUY' ? 'long' : a === 'SELL' && account.allowShort ? 'short' : null;
  if (!side) return next;
  return {
    ...next,
    position: {
      side,
      signalTime: signal.time,
      entryTime: time,
      entryPrice: nextOpen,
      entryCostBps: cost(),
      notional: account.fraction * (account.initialEquity + account.realisedPnl),
      entryReason: signal.reason ?? a,
    },
  };
}

/** Realised and unrealised PnL and equity at a mark price (see module doc). */
export function markToMarket(account: PaperAccount, markPrice: number): { realisedPnl: number; unrealisedPnl: number; equity: number } {
  const p = account.position;
  const unrealisedPnl = p ? p.notional * ((p.side === 'long' ? 1 : -1) * (markPrice / p.entryPrice - 1)) - (p.notional * p.entryCostBps) / 1e4 : 0;
  return { realisedPnl: account.realisedPnl, unrealisedPnl, equity: account.initialEquity + account.realisedPnl + unrealisedPnl };
}

/**
 * Run a signal stream through an account on `series`: each signal on candle i fills at candle i+1's open (signals
 * on the last candle, or on times not in the series, are not filled and are returned in `unfilled`).
 */
export function runPaper(account: PaperAccount, series: CandleSeries, signals: readonly PaperSignal[]): { account: PaperAccount; unfilled: PaperSignal[] } {
  const sorted = [...signals].sort((x, y) => x.time - y.time);
  const unfilled: PaperSignal[] = [];
  let acc = account;
  for (const s of sorted) {
    const i = lowerBound(series.openTime, s.time);
    if (i >= series.length || series.openTime[i] !== s.time || i + 1 >= series.length) {
      if (s.action !== 'HOLD') unfilled.push(s);
      continue;
    }
    acc = applySignal(acc, s, series.open[i + 1]!, series.openTime[i + 1]!);
  }
  return { account: acc, unfilled };
}

/**
 * The strategy's non-HOLD signals on every closed candle with open time in [from, to) and index ≥ its startup
 * (prepared once over the whole series: the replay side of the paper-vs-backtest comparison).
 */
export function replaySignals<P extends Params, S>(
  series: CandleSeries,
  strategy: Strategy<P, S>,
  params: P,
  opts: { from?: number; to?: number } = {},
): PaperSignal[] {
  const prepared = strategy.prepare(series, params);
  const startup = strategy.startupCandles(params);
  const a = Math.max(startup, opts.from !== undefined ? lowerBound(series.openTime, opts.from) : 0);
  const b = opts.to !== undefined ? lowerBound(series.openTime, opts.to) : series.length;
  const out: PaperSignal[] = [];
  for (let i = a; i < b; i++) {
    const sig = strategy.evaluate(prepared, i, params);
    if (sig.action !== 'HOLD') out.push({ time: series.openTime[i]!, action: sig.action, reason: sig.reason, ...(series.symbol ? { symbol: series.symbol } : {}) });
  }
  return out;
}

export interface SignalComparison {
  /** Same candle, same action (paper's record). */
  matched: PaperSignal[];
  /** In the replay, not in paper: the live loop missed a signal. */
  missing: PaperSignal[];
  /** In paper, not in the replay: the live loop saw something the candles do not support. */
  extra: PaperSignal[];
  /** Same candle, different action. */
  mismatched: { time: number; symbol?: string; paper: PaperSignal; replay: PaperSignal }[];
  ok: boolean;
  summary: string;
}

/**
 * Diff paper signals against replayed ones, keyed by (symbol, candle open time); HOLDs are ignored, reasons are
 * not compared (only actions). Restrict both to [from, to) when given. Lists are sorted by time then symbol; a
 * second signal for the same key in one list is ignored.
 */
export function compareSignals(paper: readonly PaperSignal[], replay: readonly PaperSignal[], opts: { from?: number; to?: number } = {}): SignalComparison {
  const inWindow = (s: PaperSignal): boolean => s.action !== 'HOLD' && (opts.from === undefined || s.time >= opts.from) && (opts.to === undefined || s.time < opts.to);
  const keyOf = (s: PaperSignal): string => `${s.symbol ?? ''}|${s.time}`;
  const index = (xs: readonly PaperSignal[]): Map<string, PaperSignal> => {
    const m = new Map<string, PaperSignal>();
    for (const s of xs) if (inWindow(s) && !m.has(keyOf(s))) m.set(keyOf(s), s);
    return m;
  };
  const P = index(paper);
  const R = index(replay);
  const order = (x: PaperSignal, y: PaperSignal): number => x.time - y.time || ((x.symbol ?? '') < (y.symbol ?? '') ? -1 : (x.symbol ?? '') > (y.symbol ?? '') ? 1 : 0);
  const matched: PaperSignal[] = [];
  const extra: PaperSignal[] = [];
  const mismatched: SignalComparison['mismatched'] = [];
  for (const [k, p] of P) {
    const r = R.get(k);
    if (!r) extra.push(p);
    else if (r.action === p.action) matched.push(p);
    else mismatched.push({ time: p.time, ...(p.symbol !== undefined ? { symbol: p.symbol } : {}), paper: p, replay: r });
  }
  const missing = [...R].filter(([k]) => !P.has(k)).map(([, r]) => r);
  matched.sort(order);
  extra.sort(order);
  missing.sort(order);
  mismatched.sort((x, y) => order(x.paper, y.paper));
  const ok = missing.length === 0 && extra.length === 0 && mismatched.length === 0;
  const summary = ok
    ? `paper matches replay: ${matched.length} signals`
    : `paper vs replay: ${matched.length} matched, ${missing.length} missing, ${extra.length} extra, ${mismatched.length} mismatched`;
  return { matched, missing, extra, mismatched, ok, summary };
}
