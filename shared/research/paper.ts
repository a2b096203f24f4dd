/**
 * Paper trading on the execution kernel: a virtual account per venue cost preset that trades a strategy exactly
 * as a backtest does — the same kernel (shared/execution: next-open market fills, limit entries, stops,
 * take-profits, trailing stops, the risk rules), stepped candle by candle as the cron sees them, with the kernel
 * state carried in the account between cycles — plus the daily check that the live signals equal a replay of the
 * same candles (`replaySignals` + `compareSignals`) and that the paper fills equal a backtest's (`compareLedgers`).
 *
 * Accounting (percent-equity sizing, as the engine's default; the cash-account fee convention of
 * shared/costs/cost-model.ts): an entry commits `fraction` × realised equity as capital and pays its entry cost out
 * of it; a closed trade's PnL is capital × net, net = (gross − f_entry − f_exit·r)/(1 + f_entry), and realised
 * equity is updated exactly as the backtest's equity curve updates it, so a paper ledger and a backtest of the
 * same candles agree to the last bit. Each fill is priced like the backtest prices that fill: the preset's fee for
 * the fill's liquidity (maker for limit entries and take-profits, taker otherwise, unless the preset forces one),
 * plus half-spread and slippage for taker fills. A multi-lot strategy (a grid) has one priced entry per open lot
 * (`openLots`, by lot key; each commits `fraction` × the realised equity at its fill), and every lot's fill is
 * its own ledger row.
 *
 * The account is plain JSON (`paperAccountSchema`): store it, parse it back, step on. Every function is a pure
 * state transition: the input account is never mutated.
 */
import { z } from 'zod';
import { costRefSchema, parseBacktestConfig, withStrategyRisk, type BacktestConfigInput, type RiskConfigInput } from '../backtest/config';
import type { RawTrade } from '../backtest/types';
import { lowerBound } from '../backtest/version';
import type { CandleSeries } from '../candles/candle';
import { netReturn, openPositionPnl, sideCostBps, type CostModel, type CostPresetId } from '../costs';
import { initialKernelState, kernelStateSchema, type Fill, type KernelEvent } from '../execution';
import { stepSeries, type SeriesKernelOptions } from '../execution/series';
import type { Action, Params, Signal, Strategy } from '../strategies/types';

/** A strategy decision on a closed candle: `time` is that candle's open time (ms). */
export interface PaperSignal {
  time: number;
  action: Action;
  reason?: string;
  /** Optional series identity for multi-symbol comparisons. */
  symbol?: string;
}

export const paperAccountSchema = z.object({
  version: z.literal(2),
  costModel: costRefSchema,
  initialEquity: z.number().positive(),
  /** Share of realised equity committed per entry (1 = all of it). */
  fraction: z.number().positive().max(1),
  /** Realised equity: initial + Σ capital × net, accumulated trade by trade. */
  equity: z.number(),
  /** The execution kernel's state (position, pending orders, risk carry). */
  kernel: kernelStateSchema,
  /** The open position's pricing: the capital committed and the entry cost paid (null when flat). */
  open: z.object({ capital: z.number().positive(), entryCostBps: z.number() }).nullable(),
  /** A multi-lot strategy's open lots' pricing, by lot key (each lot commits `fraction` × realised equity at its fill). */
  openLots: z.record(z.string(), z.object({ capital: z.number().positive(), entryCostBps: z.number() })).default({}),
  /** Closed trades so far. */
  trades: z.number().int().min(0),
});
export type PaperAccount = z.infer<typeof paperAccountSchema>;

/** A fill priced under the account's cost model. */
export interface PaperFill extends Fill {
  costBps: number;
  /** Committed capital of the position (entry fee included). */
  capital: number;
  /** Closing fills: the trade's net return and PnL. */
  netReturn?: number;
  pnl?: number;
}

/** A closed trade priced under the account's cost model (the backtest's trade plus its money). */
export interface PaperTrade extends RawTrade {
  entryCostBps: number;
  exitCostBps: number;
  roundTripBps: number;
  netReturn: number;
  capital: number;
  pnl: number;
}

export function createPaperAccount(opts: { costModel: CostModel | CostPresetId; initialEquity?: number; fraction?: number }): PaperAccount {
  const fraction = opts.fraction ?? 1;
  if (!(fraction > 0 && fraction <= 1)) throw new Error(`fraction must be in (0, 1], got ${fraction}`);
  const initialEquity = opts.initialEquity ?? 10_000;
  return { version: 2, costModel: opts.costModel, initialEquity, fraction, equity: initialEquity, kernel: initialKernelState(), open: null, openLots: {}, trades: 0 };
}

/** Validate a stored account (a jsonb column); throws a ZodError naming the bad field. */
export function parsePaperAccount(input: unknown): PaperAccount {
  return paperAccountSchema.parse(input) as PaperAccount;
}

/**
 * The kernel options a strategy trades under in paper and live: the backtest defaults (or `config`), the
 * strategy's declared risk rules for `params` (unless `config` names its own), and its short rule.
 */
export function paperKernelOptions<P>(
  strategy: { id: string; allowShort: boolean; risk?: (params: P) => RiskConfigInput },
  params: P,
  config: BacktestConfigInput = {},
): SeriesKernelOptions {
  const c = parseBacktestConfig(withStrategyRisk(strategy, params, config));
  return { risk: c.risk, limitExpiryCandles: c.limitExpiryCandles, atrPeriod: c.atrPeriod, allowShort: strategy.allowShort };
}

/**
 * Step candles [range.from, range.to) of `series` through the account's kernel: `signalAt(i)` is the strategy's
 * decision on closed candle i. Returns the new account, the priced fills and trades and the kernel's events.
 * A candle not after the last one stepped is refused (KernelOrderError): a redelivered cycle cannot fill twice.
 * With `risk.sentinel` on another symbol, `opts.reference` is the watched series (as for `stepSeries`).
 */
export function stepPaper(
  account: PaperAccount,
  series: CandleSeries,
  range: { from: number; to: number },
  signalAt: (i: number) => Signal | null,
  opts: SeriesKernelOptions & { reference?: CandleSeries },
): { account: PaperAccount; fills: PaperFill[]; trades: PaperTrade[]; events: KernelEvent[] } {
  const r = stepSeries(account.kernel, series, range, signalAt, opts);
  const model = account.costModel;
  let equity = account.equity;
  let open = account.open;
  const openLots = { ...account.openLots };
  let count = account.trades;
  const fills: PaperFill[] = [];
  const trades: PaperTrade[] = [];
  let k = 0;
  for (const f of r.fills) {
    const costBps = sideCostBps(model, { time: f.time, liquidity: f.liquidity, atrPct: f.atrPct }).totalBps;
    if (f.effect === 'open') {
      const priced = { capital: account.fraction * equity, entryCostBps: costBps };
      if (f.lot !== undefined) openLots[f.lot] = priced;
      else open = priced;
      fills.push({ ...f, costBps, capital: priced.capital });
      continue;
    }
    const t = r.trades[k++]!;
    const o = f.lot !== undefined ? openLots[f.lot]! : open!;
    const net = netReturn(t.grossReturn, o.entryCostBps, costBps, t.exitPrice / t.entryPrice);
    const pnl = o.capital * net;
    equity = equity + pnl;
    count++;
    trades.push({ ...t, entryCostBps: o.entryCostBps, exitCostBps: costBps, roundTripBps: o.entryCostBps + costBps, netReturn: net, capital: o.capital, pnl });
    fills.push({ ...f, costBps, capital: o.capital, netReturn: net, pnl });
    if (f.lot !== undefined) delete openLots[f.lot];
    else open = null;
  }
  return { account: { ...account, equity, kernel: r.state, open, openLots, trades: count }, fills, trades, events: r.events };
}

/** Realised and unrealised PnL and equity at a mark price (unrealised: −N·f_entry + side × N × (mark/entry − 1)). */
export function markToMarket(account: PaperAccount, markPrice: number): { realisedPnl: number; unrealisedPnl: number; equity: number } {
  const p = account.kernel.position;
  const o = account.open;
  let unrealisedPnl = p && o ? openPositionPnl(o.capital, o.entryCostBps / 1e4, p.dir, markPrice / p.entryPrice) : 0;
  for (const lot of account.kernel.lots) {
    const ol = account.openLots[lot.key];
    if (ol) unrealisedPnl += openPositionPnl(ol.capital, ol.entryCostBps / 1e4, lot.dir, markPrice / lot.entryPrice);
  }
  return { realisedPnl: account.equity - account.initialEquity, unrealisedPnl, equity: account.equity + unrealisedPnl };
}

/**
 * Replay a strategy through a fresh paper account over candles [from, to) of `series` in one go (prepared once
 * over the whole series, signals up to the last candle) — the reference a live account is compared with.
 * `inputs.reference` is the Sentinel's watched series when `risk.sentinel` watches another symbol.
 */
export function replayPaper<P extends Params, S>(
  series: CandleSeries,
  strategy: Strategy<P, S>,
  params: P,
  account: PaperAccount,
  range: { from: number; to: number },
  config: BacktestConfigInput = {},
  inputs: { reference?: CandleSeries } = {},
): ReturnType<typeof stepPaper> {
  const prepared = strategy.prepare(series, params);
  const last = series.length - 1;
  const opts = paperKernelOptions(strategy, params, config);
  return stepPaper(account, series, range, (i) => (i === last ? null : strategy.evaluate(prepared, i, params)), inputs.reference ? { ...opts, reference: inputs.reference } : opts);
}

/** What a fill comparison reads of a fill (a kernel fill priced by `stepPaper`, or a stored `paper_fills` row). */
export type LedgerFill = Pick<PaperFill, 'time' | 'effect' | 'side' | 'price' | 'liquidity' | 'costBps' | 'signalTime'> & {
  pnl?: number | null;
  exitKind?: PaperFill['exitKind'] | null;
  /** A multi-lot strategy's lot key (fills of several lots may share a candle). */
  lot?: string | null;
};

export interface LedgerComparison<F extends LedgerFill = LedgerFill> {
  matched: number;
  /** Fills one side has and the other lacks, or has at another price, liquidity or cost (first 100). */
  differences: { time: number; effect: 'open' | 'close'; paper: F | null; replay: F | null }[];
  ok: boolean;
  summary: string;
}

/** Compare two fill ledgers keyed by (fill time, effect): price, liquidity, cost and PnL must be identical. */
export function compareLedgers<F extends LedgerFill>(paper: readonly F[], replay: readonly F[]): LedgerComparison<F> {
  const key = (f: F): string => `${f.time}|${f.effect}|${f.lot ?? ''}`;
  const R = new Map(replay.map((f) => [key(f), f]));
  const P = new Map(paper.map((f) => [key(f), f]));
  const differences: LedgerComparison<F>['differences'] = [];
  let matched = 0;
  const same = (a: F, b: F): boolean =>
    a.price === b.price && a.liquidity === b.liquidity && a.costBps === b.costBps && a.side === b.side && (a.pnl ?? null) === (b.pnl ?? null) && (a.exitKind ?? null) === (b.exitKind ?? null);
  for (const [k, p] of P) {
    const r = R.get(k);
    if (r && same(p, r)) matched++;
    else differences.push({ time: p.time, effect: p.effect, paper: p, replay: r ?? null });
  }
  for (const [k, r] of R) if (!P.has(k)) differences.push({ time: r.time, effect: r.effect, paper: null, replay: r });
  differences.sort((x, y) => x.time - y.time || (x.effect < y.effect ? -1 : x.effect > y.effect ? 1 : 0));
  const ok = differences.length === 0;
  return {
    matched,
    differences: differences.slice(0, 100),
    ok,
    summary: ok ? `paper fills match the replay: ${matched} fills` : `paper vs replay fills: ${matched} matched, ${differences.length} different`,
  };
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
