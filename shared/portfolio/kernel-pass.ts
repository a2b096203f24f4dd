/**
 * The portfolio's decision pass: every symbol of the universe gets its own execution-kernel state, and the
 * candles of all symbols are stepped on one timeline (the union of their open times; a symbol missing a candle is
 * simply not stepped, so it cannot fill or signal then). Fills, stops, limits and risk rules are the kernel's
 * (`advance` / `decide` / `closeAtEnd`): this module only chooses which entry signals reach the kernel.
 *
 * At each step: (1) every symbol with a candle advances through the kernel (queued exits, pending entries, stops);
 * (2) each symbol's signal on the closed candle is taken — exits and limit cancels go straight to the kernel,
 * entry signals become candidates; (3) candidates are ordered (single-strategy: by symbol name; ranking: by score,
 * highest first, ties by symbol name) and passed to the kernel while fewer than `maxPositions` symbols hold a
 * position or a pending entry (a slot frees when the exit fills); the rest count as `skipped.maxPositions`.
 * With `risk.sentinel` (the Nexus black-swan overlay, ../execution/sentinel.ts) every leg watches the same series:
 * the universe's own BTC/USDT leg when it has one (its full candles, so the legs need no common timeline), else
 * the `reference` input; the kernel exits that leg's longs and refuses new ones on a candle where it fired.
 * Per symbol this is exactly the single-series loop (shared/backtest/engine.ts): same warm-up anchor, same
 * ATR, same last-candle rule, so a universe of one symbol gives the single-series trades.
 */
import { atrPctAt } from '../backtest/atr';
import { lowerBound } from '../backtest/version';
import type { RawTrade } from '../backtest/types';
import { sliceSeries, type CandleSeries } from '../candles/candle';
import { timeframeMs } from '../candles/timeframe';
import { advance, closeAtEnd, decide, emptySkipCounts, hasOpenPosition, kernelFlat, type KernelCandle, type KernelContext, type KernelSink } from '../execution/kernel';
import { sentinelFor } from '../execution/sentinel';
import { initialKernelState, type KernelState } from '../execution/state';
import type { Params, RankingStrategy, Signal, Strategy } from '../strategies/types';
import { PortfolioInputError, type PortfolioConfig } from './config';
import type { PortfolioSkipCounts } from './types';

/** What decides entries: one strategy applied to every symbol, or a ranking strategy choosing symbols. */
export type Selector<P extends Params> = { kind: 'single'; strategy: Strategy<P> } | { kind: 'ranking'; strategy: RankingStrategy<P> };

interface Leg {
  symbol: string;
  s: CandleSeries;
  /** Index in `s` of the candle at each timeline step, −1 where the symbol has none. */
  at: Int32Array;
  /** Entries allowed on candles with open time in [from, to). */
  from: number;
  st: KernelState;
  out: KernelSink & { skipped: PortfolioSkipCounts };
  ctx: KernelContext;
  i: number;
  candle: KernelCandle;
  evalAt: (i: number) => Signal;
}

export interface KernelPassResult {
  /** The union of open times, ascending. */
  timeline: Float64Array;
  timeframeMs: number;
  /** First timeline step of the measured window. */
  w0: number;
  /** Per symbol (universe order): its trades in entry order, and its skip counts. */
  legs: { symbol: string; trades: RawTrade[]; skipped: PortfolioSkipCounts }[];
}

function unionTimes(universe: readonly CandleSeries[]): Float64Array {
  const all: number[] = [];
  for (const s of universe) for (let i = 0; i < s.length; i++) all.push(s.openTime[i]!);
  all.sort((a, b) => a - b);
  const out: number[] = [];
  for (const t of all) if (out.length === 0 || out[out.length - 1] !== t) out.push(t);
  return Float64Array.from(out);
}

export function checkUniverse(universe: readonly CandleSeries[], aligned: boolean): void {
  if (universe.length === 0) throw new PortfolioInputError('empty universe');
  const names = universe.map((s) => s.symbol);
  if (new Set(names).size !== names.length) throw new PortfolioInputError(`duplicate symbols: ${names.join(', ')}`);
  const ref = universe[0]!;
  for (const s of universe) {
    if (s.timeframe !== ref.timeframe) throw new PortfolioInputError(`${s.symbol} is ${s.timeframe}, ${ref.symbol} is ${ref.timeframe}: one timeframe per universe`);
    if (s.length === 0) throw new PortfolioInputError(`${s.symbol} has no candles`);
    for (let i = 1; i < s.length; i++) if (!(s.openTime[i]! > s.openTime[i - 1]!)) throw new PortfolioInputError(`${s.symbol}: open times not increasing at index ${i}`);
    if (aligned) {
      if (s.length !== ref.length) throw new PortfolioInputError(`ranking mode needs aligned series: ${s.symbol} has ${s.length} candles, ${ref.symbol} ${ref.length}`);
      for (let i = 0; i < s.length; i++) if (s.openTime[i] !== ref.openTime[i]) throw new PortfolioInputError(`ranking mode needs aligned series: ${s.symbol} and ${ref.symbol} differ at index ${i}`);
    }
  }
}

function emptyPortfolioSkips(): PortfolioSkipCounts {
  return { ...emptySkipCounts(), maxPositions: 0 };
}

export function kernelPass<P extends Params>(
  universe: readonly CandleSeries[],
  selector: Selector<P>,
  params: P,
  config: PortfolioConfig,
  inputs: { reference?: CandleSeries } = {},
): KernelPassResult {
  const ranking = selector.kind === 'ranking';
  checkUniverse(universe, ranking);
  // The Sentinel overlay watches its symbol in the universe itself when it is there, else the reference input.
  const rule = config.risk.sentinel;
  const watched = rule !== undefined ? (universe.find((u) => u.symbol === rule.symbol) ?? inputs.reference) : undefined;
  const strategy = selector.strategy;
  const tf = timeframeMs(universe[0]!.timeframe);
  const warm = Math.max(strategy.startupCandles(params), config.atrPeriod + 1);
  const toT = config.to ?? Infinity;
  const allowShort = selector.kind === 'single' ? selector.strategy.allowShort : false;

  // Each symbol prepared from its own warm-up start before `from`, as runChunk does (ranking: the whole aligned universe).
  const sliced = universe.map((full) => {
    const n = full.length;
    if (ranking) return { s: full, from: config.from ?? full.openTime[Math.min(n - 1, warm)]! };
    const from = config.from ?? full.openTime[Math.min(n - 1, warm)]!;
    const base = Math.max(0, lowerBound(full.openTime, from) - warm);
    return { s: base === 0 ? full : sliceSeries(full, base, n), from };
  });
  const timeline = unionTimes(sliced.map((x) => x.s));
  const T = timeline.length;
  const rankPrepared = selector.kind === 'ranking' ? selector.strategy.prepare(universe, params) : null;

  const legs: Leg[] = sliced.map(({ s, from }) => {
    const at = new Int32Array(T).fill(-1);
    let k = 0;
    for (let i = 0; i < s.length; i++) {
      while (timeline[k]! < s.openTime[i]!) k++;
      at[k] = i;
    }
    const leg: Leg = {
      symbol: s.symbol,
      s,
      at,
      from,
      st: initialKernelState(),
      out: { trades: [], skipped: emptyPortfolioSkips() },
      ctx: undefined as unknown as KernelContext,
      i: 0,
      candle: { openTime: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 },
      evalAt: () => ({ action: 'HOLD', reason: '' }),
    };
    leg.ctx = {
      timeframeMs: tf,
      risk: config.risk,
      limitExpiryCandles: config.limitExpiryCandles,
      allowShort,
      entriesOpen: true,
      atrBefore: () => atrPctAt(s, leg.i - 1, config.atrPeriod),
      atrAt: () => atrPctAt(s, leg.i, config.atrPeriod),
    };
    const sentinel = sentinelFor(s, rule, watched);
    if (sentinel !== undefined) leg.ctx.sentinel = sentinel;
    if (selector.kind === 'single') {
      const prepared = selector.strategy.prepare(s, params);
      leg.evalAt = (i) => selector.strategy.evaluate(prepared, i, params);
    }
    return leg;
  });

  const busy = (l: Leg): boolean => !kernelFlat(l.st);
  const candidates: { leg: Leg; sig: Signal; score: number }[] = [];
  for (let k = 0; k < T; k++) {
    const t = timeline[k]!;
    for (const l of legs) {
      const i = l.at[k]!;
      if (i < 0) continue;
      l.i = i;
      const c = l.candle;
      c.openTime = l.s.openTime[i]!;
      c.open = l.s.open[i]!;
      c.high = l.s.high[i]!;
      c.low = l.s.low[i]!;
      c.close = l.s.close[i]!;
      c.volume = l.s.volume[i]!;
      advance(l.st, c, l.ctx, l.out);
    }
    // Ranking mode: the ranking of this closed candle becomes each symbol's signal (EXIT when it drops out, BUY when it enters).
    let ranked: Map<string, { score: number; weight: number; reason: string }> | null = null;
    if (selector.kind === 'ranking' && k < T - 1) {
      ranked = new Map(selector.strategy.rank(rankPrepared, k, params).map((r) => [r.symbol, r]));
    }
    candidates.length = 0;
    for (const l of legs) {
      const i = l.at[k]!;
      if (i < 0 || i === l.s.length - 1) continue; // nothing can fill after a symbol's last candle
      let sig: Signal;
      let score = 0;
      if (ranked !== null) {
        const r = ranked.get(l.symbol);
        const inTarget = r !== undefined && r.weight > 0;
        if (busy(l)) sig = inTarget ? { action: 'HOLD', reason: '' } : { action: 'EXIT', reason: r ? r.reason : 'not ranked' };
        else sig = inTarget ? { action: 'BUY', reason: r.reason } : { action: 'HOLD', reason: '' };
        score = r?.score ?? 0;
      } else sig = l.evalAt(i);
      const sentinel = l.ctx.sentinel;
      if (sig.action === 'HOLD' && sentinel === undefined) continue;
      if (busy(l)) {
        decide(l.st, l.candle, sig, l.ctx, l.out);
        continue;
      }
      const entry = sig.action === 'BUY' || (sig.action === 'SELL' && allowShort);
      if (!entry || t < l.from || t >= toT) continue;
      if (sentinel !== undefined && sig.action === 'BUY' && sentinel(t) !== null) {
        // The overlay fired on this candle: the kernel refuses the long (and counts it); it takes no slot.
        l.ctx.entriesOpen = true;
        decide(l.st, l.candle, sig, l.ctx, l.out);
        continue;
      }
      candidates.push({ leg: l, sig, score });
    }
    if (candidates.length === 0) continue;
    if (ranked !== null) candidates.sort((a, b) => b.score - a.score || (a.leg.symbol < b.leg.symbol ? -1 : a.leg.symbol > b.leg.symbol ? 1 : 0));
    else candidates.sort((a, b) => (a.leg.symbol < b.leg.symbol ? -1 : a.leg.symbol > b.leg.symbol ? 1 : 0));
    let used = 0;
    for (const l of legs) if (busy(l)) used++;
    for (const { leg, sig } of candidates) {
      if (used >= config.maxPositions) {
        leg.out.skipped.maxPositions++;
        continue;
      }
      leg.ctx.entriesOpen = true;
      decide(leg.st, leg.candle, sig, leg.ctx, leg.out);
      if (busy(leg)) used++;
    }
  }
  for (const l of legs) {
    if (!hasOpenPosition(l.st)) continue;
    const i = l.s.length - 1;
    l.i = i;
    const c = l.candle;
    c.openTime = l.s.openTime[i]!;
    c.open = l.s.open[i]!;
    c.high = l.s.high[i]!;
    c.low = l.s.low[i]!;
    c.close = l.s.close[i]!;
    c.volume = l.s.volume[i]!;
    closeAtEnd(l.st, c, l.ctx, l.out);
  }
  const fromT = Math.min(...legs.map((l) => l.from));
  return {
    timeline,
    timeframeMs: tf,
    w0: lowerBound(timeline, fromT),
    legs: legs.map((l) => ({ symbol: l.symbol, trades: l.out.trades, skipped: l.out.skipped })),
  };
}
