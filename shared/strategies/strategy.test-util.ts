/**
 * Test helpers for the bundled strategies: real candle series from the freqtrade fixtures, the BTC/ETH ratio
 * series, a signal scan, and the two causality checks every strategy must pass — no lookahead (a prefix-only
 * `prepare` gives the same decision at its last bar as the full run) and warm-up sufficiency (only
 * `startupCandles(params)` bars of history give the same decision as the full history) — and, for each strategy's
 * own rules on hand-built candles, `handSeries`, `expectRuleEverywhere` (every bar's decision equals the rule
 * re-derived from the indicators) and `expectFirstRoundTrip` (the first trade's fills re-derived candle by candle).
 */
import { expect, it } from 'vitest';
import { runBacktest } from '../backtest/engine';
import { sliceSeries, type CandleSeries } from '../candles/candle';
import type { Timeframe } from '../candles/timeframe';
import { describeWithData, readFreqtrade } from '../testing/data';
import type { Params, Signal, Strategy } from './types';
import { plainSignal } from './reason';

/** Freqtrade rows `[t, o, h, l, c, v]` as a columnar series. */
export function seriesFromRows(rows: readonly number[][], timeframe: Timeframe, symbol: string): CandleSeries {
  const n = rows.length;
  const cols = [0, 1, 2, 3, 4, 5].map(() => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    for (let c = 0; c < 6; c++) cols[c]![i] = r[c]!;
  }
  const [openTime, open, high, low, close, volume] = cols as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  return { timeframe, symbol, length: n, openTime, open, high, low, close, volume };
}

let btc5m: CandleSeries | undefined;
let btc4h: CandleSeries | undefined;
let eth4h: CandleSeries | undefined;

/** BTC/USDT 5m, 2022-01-06..2022-04-16 (28,966 candles, no gaps). */
export function btc5mSeries(): CandleSeries {
  return (btc5m ??= seriesFromRows(readFreqtrade('SauloHenriqueAguiar-freqtrades', 'BTC_USDT-5m.json'), '5m', 'BTC/USDT'));
}

/** BTC/USDT 4h, 2017-08-17..2022-10-11 (11,271 candles). */
export function btc4hSeries(): CandleSeries {
  return (btc4h ??= seriesFromRows(readFreqtrade('djienne-3EMA_SRSI_ATR', 'BTC_USDT-4h.json'), '4h', 'BTC/USDT'));
}

/** ETH/USDT 4h with the same timestamps as `btc4hSeries()`. */
export function eth4hSeries(): CandleSeries {
  return (eth4h ??= seriesFromRows(readFreqtrade('djienne-3EMA_SRSI_ATR', 'ETH_USDT-4h.json'), '4h', 'ETH/USDT'));
}

/**
 * The BTC/ETH ratio series built inline for tests: each OHLC column is the ratio of the two columns (not a true
 * high/low of the ratio, which only the close-based strategies here never read), volume is BTC's.
 */
export function ratioSeries(a: CandleSeries, b: CandleSeries): CandleSeries {
  expect(a.length).toBe(b.length);
  const n = a.length;
  const div = (x: Float64Array, y: Float64Array) => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = x[i]! / y[i]!;
    return out;
  };
  for (let i = 0; i < n; i++) if (a.openTime[i] !== b.openTime[i]) throw new Error(`timestamps differ at ${i}`);
  return {
    timeframe: a.timeframe,
    symbol: 'BTC/ETH',
    length: n,
    openTime: a.openTime,
    open: div(a.open, b.open),
    high: div(a.high, b.high),
    low: div(a.low, b.low),
    close: div(a.close, b.close),
    volume: a.volume,
  };
}

export interface Scan {
  signals: { i: number; signal: Signal }[];
  counts: Record<Signal['action'], number>;
}

/** Every bar's decision from one full-series `prepare`. */
export function scan<P extends Params, S>(strategy: Strategy<P, S>, series: CandleSeries, params: P): Scan {
  const prepared = strategy.prepare(series, params);
  const signals: { i: number; signal: Signal }[] = [];
  const counts = { BUY: 0, SELL: 0, EXIT: 0, HOLD: 0 };
  for (let i = 0; i < series.length; i++) {
    const signal = strategy.evaluate(prepared, i, params);
    counts[signal.action]++;
    if (signal.action !== 'HOLD') signals.push({ i, signal });
  }
  return { signals, counts };
}

/**
 * Sample indices for the causality checks: up to `perAction` of each non-HOLD action (spread over the run) plus
 * `spread` evenly spaced bars from `from` on, all >= `from`.
 */
export function sampleIndices(s: Scan, length: number, from: number, perAction = 8, spread = 12): number[] {
  const out = new Set<number>();
  for (const action of ['BUY', 'SELL', 'EXIT'] as const) {
    const idx = s.signals.filter((x) => x.signal.action === action && x.i >= from).map((x) => x.i);
    const step = Math.max(1, Math.floor(idx.length / perAction));
    for (let k = 0; k < idx.length && out.size < 1000; k += step) out.add(idx[k]!);
  }
  for (let k = 0; k < spread; k++) out.add(from + Math.floor(((length - 1 - from) * k) / Math.max(1, spread - 1)));
  return [...out].sort((a, b) => a - b);
}

/** No lookahead: `prepare` on candles [0..i] and `evaluate(i)` equals the full run's `evaluate(i)`, exactly. */
export function expectNoLookahead<P extends Params, S>(strategy: Strategy<P, S>, series: CandleSeries, params: P, indices: readonly number[]): void {
  const full = strategy.prepare(series, params);
  for (const i of indices) {
    const prefix = strategy.prepare(sliceSeries(series, 0, i + 1), params);
    expect(plainSignal(strategy.evaluate(prefix, i, params)), `bar ${i}`).toEqual(plainSignal(strategy.evaluate(full, i, params)));
  }
}

const NUMBER = /-?\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?/g;

/**
 * Two reasons say the same thing: identical words, and each printed number equal up to one unit of its last
 * printed digit, 0.1 % or 0.001 (a seeded EMA 41,300.4 vs 41,300.6 may print 41,300 vs 41,301; a MACD histogram
 * just past its zero cross, 0.0689 vs 0.0687, carries the slow EMA's tiny absolute seed residue).
 */
export function expectSameReason(got: string, want: string, label: string): void {
  expect(got.replace(NUMBER, '#'), label).toBe(want.replace(NUMBER, '#'));
  const g = got.match(NUMBER) ?? [];
  const w = want.match(NUMBER) ?? [];
  for (let k = 0; k < w.length; k++) {
    const wantNum = Number(w[k]!.replace(/,/g, ''));
    const gotNum = Number(g[k]!.replace(/,/g, ''));
    const decimals = w[k]!.includes('.') && !/e/i.test(w[k]!) ? w[k]!.split('.')[1]!.length : 0;
    const tol = Math.max(1.01 * 10 ** -decimals, Math.abs(wantNum) * 1e-3, 1e-3);
    expect(Math.abs(gotNum - wantNum), `${label}: "${got}" vs "${want}"`).toBeLessThanOrEqual(tol);
  }
}

function expectSameSignal(got: Signal, want: Signal, label: string): void {
  expect(got.action, label).toBe(want.action);
  expectSameReason(got.reason, want.reason, label);
  for (const k of ['stopLoss', 'takeProfit', 'trailingStop', 'limitPrice'] as const) {
    const w = want[k];
    const g = got[k];
    if (w === undefined) expect(g, `${label} ${k}`).toBeUndefined();
    else expect(Math.abs(g! - w), `${label} ${k}: ${g} vs ${w}`).toBeLessThanOrEqual(Math.abs(w) * 1e-4);
  }
  expect(got.lots?.map((l) => l.key), `${label} lots`).toEqual(want.lots?.map((l) => l.key));
  want.lots?.forEach((w, n) => {
    const g = got.lots![n]!;
    expectSameReason(g.reason, w.reason, `${label} lot ${w.key}`);
    for (const k of ['limitPrice', 'stopLoss', 'takeProfit'] as const) {
      if (w[k] === undefined) expect(g[k], `${label} lot ${w.key} ${k}`).toBeUndefined();
      else expect(Math.abs(g[k]! - w[k]), `${label} lot ${w.key} ${k}`).toBeLessThanOrEqual(Math.abs(w[k]) * 1e-4);
    }
  });
}

/**
 * Warm-up: with only `startupCandles(params)` candles of history before bar i, the decision at i matches the full
 * history's (the same action; the same reason up to the last printed digit; prices to 1e-4 relative — seeded
 * indicators converge to the full-history values, they do not agree bit for bit).
 */
export function expectWarmupSufficient<P extends Params, S>(strategy: Strategy<P, S>, series: CandleSeries, params: P, indices: readonly number[]): void {
  const full = strategy.prepare(series, params);
  const startup = strategy.startupCandles(params);
  let checked = 0;
  for (const i of indices) {
    if (i < startup) continue;
    const window = strategy.prepare(sliceSeries(series, i - startup, i + 1), params);
    expectSameSignal(strategy.evaluate(window, startup, params), strategy.evaluate(full, i, params), `bar ${i}`);
    checked++;
  }
  expect(checked).toBeGreaterThan(0);
}

/**
 * Defaults parse to themselves; unknown keys are rejected; every listed field rejects a value just outside its
 * bounds; every listed combination (cross-field rules such as fast < slow) is rejected.
 */
export function expectSchemaBounds<P extends Params>(
  schema: { parse(x: unknown): P; safeParse(x: unknown): { success: boolean } },
  defaults: P,
  outOfRange: Partial<Record<keyof P, number>>,
  invalidCombos: Partial<P>[] = [],
): void {
  expect(schema.parse({})).toEqual(defaults);
  expect(schema.parse(defaults)).toEqual(defaults);
  expect(schema.safeParse({ ...defaults, notAParam: 1 }).success).toBe(false);
  for (const [k, v] of Object.entries(outOfRange)) {
    expect(schema.safeParse({ ...defaults, [k]: v }).success, `${k} = ${String(v)} should be rejected`).toBe(false);
  }
  expect(schema.safeParse({ ...defaults, [Object.keys(defaults)[0]!]: 'x' }).success).toBe(false);
  for (const c of invalidCombos) expect(schema.safeParse({ ...defaults, ...c }).success, JSON.stringify(c)).toBe(false);
}

/**
 * The real-data suite every single-series strategy runs: it produces BUYs, every non-HOLD signal has a reason and
 * sane prices, no lookahead, and `startupCandles` is enough history.
 */
export function realDataSuite<P extends Params, S>(
  strategy: Strategy<P, S>,
  label: string,
  load: () => CandleSeries,
  opts: { minBuys?: number; params?: P } = {},
): void {
  describeWithData(`${strategy.id} on ${label}`, () => {
    const params = () => opts.params ?? strategy.defaults;
    let cached: { series: CandleSeries; result: Scan } | undefined;
    const run = () => {
      if (!cached) {
        const series = load();
        cached = { series, result: scan(strategy, series, params()) };
      }
      return cached;
    };

    it('produces BUY signals, each non-HOLD signal with a reason and sane prices', () => {
      const { series, result } = run();
      expect(result.counts.BUY).toBeGreaterThanOrEqual(opts.minBuys ?? 5);
      for (const { i, signal } of result.signals) {
        expect(signal.reason.length, `bar ${i}`).toBeGreaterThan(0);
        expect(signal.reason, `bar ${i}`).toMatch(/\d/);
        const close = series.close[i]!;
        if (signal.action === 'BUY') {
          if (signal.stopLoss !== undefined) expect(signal.stopLoss).toBeLessThan(signal.limitPrice ?? close);
          if (signal.takeProfit !== undefined) expect(signal.takeProfit).toBeGreaterThan(signal.limitPrice ?? close);
          if (signal.limitPrice !== undefined) expect(signal.limitPrice).toBeLessThan(close);
          if (signal.trailingStop !== undefined) {
            expect(signal.trailingStop).toBeGreaterThan(0);
            expect(signal.trailingStop).toBeLessThan(1);
          }
          for (const lot of signal.lots ?? []) {
            expect(lot.reason, `bar ${i} lot ${lot.key}`).toMatch(/\d/);
            expect(lot.limitPrice, `bar ${i} lot ${lot.key}`).toBeLessThan(close);
            if (lot.stopLoss !== undefined) expect(lot.stopLoss).toBeLessThan(lot.limitPrice);
            if (lot.takeProfit !== undefined) expect(lot.takeProfit).toBeGreaterThan(lot.limitPrice);
          }
        }
      }
    });

    it('has no lookahead: prepare on candles [0..i] decides bar i like the full run', () => {
      const { series, result } = run();
      expectNoLookahead(strategy, series, params(), sampleIndices(result, series.length, 1));
    });

    it('warms up in startupCandles(params) bars: the same decisions as with full history', () => {
      const { series, result } = run();
      const startup = strategy.startupCandles(params());
      expectWarmupSufficient(strategy, series, params(), sampleIndices(result, series.length, 3 * startup));
    });
  });
}

/**
 * Hand-built candles from closes: each candle opens at the previous close (the first at its own close) and its
 * range spans open and close by `wick` on each side; hourly from 2024-01-01, volume 1 unless given.
 */
export function handSeries(closes: readonly number[], opts: { wick?: number; volume?: readonly number[]; timeframe?: Timeframe } = {}): CandleSeries {
  const w = opts.wick ?? 0.2;
  const rows = closes.map((c, i) => {
    const o = i === 0 ? c : closes[i - 1]!;
    return [Date.UTC(2024, 0, 1) + i * 3_600_000, o, Math.max(o, c) + w, Math.min(o, c) - w, c, opts.volume?.[i] ?? 1];
  });
  return seriesFromRows(rows, opts.timeframe ?? '1h', 'TEST/USDT');
}

/** What a strategy's rule says at a bar: the action and the order's prices (absent = not set). */
export interface RuleAt {
  action: Signal['action'];
  stopLoss?: number;
  takeProfit?: number;
  trailingStop?: number;
  limitPrice?: number;
  /** A multi-lot entry's lots: key and prices. */
  lots?: { key: string; limitPrice: number; stopLoss?: number; takeProfit?: number }[];
}

function expectPrice(got: number | undefined, want: number | undefined, label: string): void {
  if (want === undefined) expect(got, label).toBeUndefined();
  else expect(Math.abs(got! - want), `${label}: ${got} vs ${want}`).toBeLessThanOrEqual(Math.abs(want) * 1e-12);
}

/**
 * The strategy's decision on every bar of a hand-built series equals its rule as the test re-derives it from the
 * indicator arrays (`rule(i)`, null = HOLD): the action exactly, the prices to 1e-12 relative. Returns the bars of
 * each action, so a test can say where the rule must fire and where it must not.
 */
export function expectRuleEverywhere<P extends Params, S>(
  strategy: Strategy<P, S>,
  series: CandleSeries,
  params: P,
  rule: (i: number) => RuleAt | null,
): Record<Signal['action'], number[]> {
  const prepared = strategy.prepare(series, params);
  const bars: Record<Signal['action'], number[]> = { BUY: [], SELL: [], EXIT: [], HOLD: [] };
  for (let i = 0; i < series.length; i++) {
    const got = strategy.evaluate(prepared, i, params);
    const want = rule(i) ?? { action: 'HOLD' as const };
    expect(got.action, `bar ${i}: ${got.reason}`).toBe(want.action);
    bars[got.action].push(i);
    if (want.action === 'HOLD') continue;
    expect(got.reason, `bar ${i}`).toMatch(/\d/);
    for (const k of ['stopLoss', 'takeProfit', 'trailingStop', 'limitPrice'] as const) expectPrice(got[k], want[k], `bar ${i} ${k}`);
    expect(got.lots?.map((l) => l.key), `bar ${i} lots`).toEqual(want.lots?.map((l) => l.key));
    want.lots?.forEach((w, n) => {
      const g = got.lots![n]!;
      expect(g.reason, `bar ${i} lot ${w.key}`).toMatch(/\d/);
      for (const k of ['limitPrice', 'stopLoss', 'takeProfit'] as const) expectPrice(g[k], w[k], `bar ${i} lot ${w.key} ${k}`);
    });
  }
  return bars;
}

/**
 * The first round trip of a backtest on the series follows the kernel's rules, re-derived here candle by candle
 * for a market entry: the first BUY at bar k fills at open[k+1]; from then on a queued signal exit (an EXIT or
 * SELL decided on the previous close) fills at the open first, else the stop (fixed or trailing, whichever is
 * higher; gapped through: at the open) before the target (gapped through: at the open). Returns the trade.
 */
export function expectFirstRoundTrip<P extends Params, S>(strategy: Strategy<P, S>, series: CandleSeries, params: P, from = 0) {
  const prepared = strategy.prepare(series, params);
  const sig = (i: number): Signal => strategy.evaluate(prepared, i, params);
  let k = from;
  while (k < series.length - 1 && sig(k).action !== 'BUY') k++;
  expect(k, 'a BUY to trade').toBeLessThan(series.length - 1);
  const entry = sig(k);
  const { open, high, low, openTime } = series;
  const e = k + 1;
  const entryPrice = open[e]!;
  let best = entryPrice;
  let want: { exitBar: number; exitPrice: number; exitKind: string } | null = null;
  for (let m = e; m < series.length && want === null; m++) {
    if (m > e) {
      const prev = sig(m - 1);
      if (prev.action === 'EXIT' || prev.action === 'SELL') {
        want = { exitBar: m, exitPrice: open[m]!, exitKind: 'signal' };
        break;
      }
    }
    const fixed = entry.stopLoss ?? -Infinity;
    const trail = entry.trailingStop !== undefined ? best * (1 - entry.trailingStop) : -Infinity;
    const level = Math.max(fixed, trail);
    const kind = trail > fixed ? 'trailing' : 'stop';
    const tp = entry.takeProfit ?? Infinity;
    if (open[m]! <= level) want = { exitBar: m, exitPrice: open[m]!, exitKind: kind };
    else if (open[m]! >= tp) want = { exitBar: m, exitPrice: open[m]!, exitKind: 'take-profit' };
    else if (low[m]! <= level) want = { exitBar: m, exitPrice: level, exitKind: kind };
    else if (high[m]! >= tp) want = { exitBar: m, exitPrice: tp, exitKind: 'take-profit' };
    best = Math.max(best, high[m]!);
  }
  expect(want, 'the round trip closes inside the series').not.toBeNull();
  const bt = runBacktest(series, strategy, params, { from: openTime[from]!, costs: ['binance-taker'] });
  const t = bt.trades[0]!;
  expect(t).toMatchObject({ signalTime: openTime[k]!, entryTime: openTime[e]!, entryPrice, entryReason: entry.reason });
  expect(t).toMatchObject({ exitTime: openTime[want!.exitBar]!, exitKind: want!.exitKind });
  expect(Math.abs(t.exitPrice - want!.exitPrice)).toBeLessThanOrEqual(want!.exitPrice * 1e-12);
  return t;
}
