/**
 * Sweep mode against the full result, on every bundled single-series strategy of the registry and real candles:
 * the summary `runSweepCombo` computes from the raw trades must equal `summarizeResult(runBacktest(...))` field
 * by field, bit for bit (Object.is on every number: no tolerance, -0 ≠ 0), and its combo hash must equal
 * `comboHashOfResult` of the full result. Also: other sizing / cost configs, and that the hash sees the trades.
 */
import { describe, expect, it } from 'vitest';
import { runBacktest } from '../backtest/engine';
import { parseBacktestConfig, type BacktestConfigInput } from '../backtest/config';
import { canonicalJson } from '../backtest/hash';
import type { CandleSeries } from '../candles/candle';
import { summarizeResult, type ComboSummary } from '../research/summary';
import { randomCombos } from '../research/sweep';
import type { Params, Strategy } from '../strategies/types';
import { describeWithData } from '../testing/data';
import { realSweepFixtures } from './real-series.test-util';
import { dstaSmaCrossover } from '../strategies/dsta-sma-crossover';
import { comboHashOfResult, runSweepCombo, sweepComboHash } from './trade-summary';

/** Paths where two plain values differ (numbers by Object.is). */
function differences(a: unknown, b: unknown, path = ''): string[] {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b) ? [] : [`${path}: ${a} ≠ ${b}`];
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b ? [] : [`${path}: ${String(a)} ≠ ${String(b)}`];
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  if (ka.join() !== kb.join()) return [`${path}: keys ${ka.join()} ≠ ${kb.join()}`];
  return ka.flatMap((k) => differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`));
}

function compare<P extends Params, S>(series: CandleSeries, strategy: Strategy<P, S>, params: P, config: BacktestConfigInput): ComboSummary {
  const full = runBacktest(series, strategy, params, config);
  const sweep = runSweepCombo(series, strategy, params, config);
  const want = summarizeResult(full, params);
  const { resultHash, ...got } = sweep.summary;
  const { resultHash: fullHash, ...ref } = want;
  expect(fullHash).toBe(full.resultHash);
  expect(differences(got, ref)).toEqual([]);
  expect(resultHash).toBe(comboHashOfResult(full));
  // Same fills as the full run (sweep mode only drops the reason texts).
  expect(sweep.raw.map((t) => ({ ...t, entryReason: '', exitReason: '' }))).toEqual(full.trades.map(({ roundTripBps: _r, net: _n, ...t }) => ({ ...t, entryReason: '', exitReason: '' })));
  expect(differences(sweep.priced().map((t) => t.net), full.trades.map((t) => t.net))).toEqual([]);
  return sweep.summary;
}

describeWithData('sweep mode == summarizeResult(runBacktest) for every bundled strategy (real data)', () => {
  const { singles, seriesFor } = realSweepFixtures();

  it('covers every single-series strategy in the registry', () => {
    expect(singles.length).toBeGreaterThanOrEqual(10);
  });

  for (const strategy of singles) {
    it(`${strategy.id}: identical summary (every view, every metric) and the full result's combo hash`, () => {
      const series = seriesFor(strategy);
      const combos = [strategy.defaults, ...randomCombos(strategy, 4, 11).combos];
      const from = series.openTime[Math.floor(series.length / 4)]!;
      const to = series.openTime[Math.floor((series.length * 3) / 4)]!;
      let traded = 0;
      for (const p of combos) {
        traded += compare(series, strategy, p, {}).trades;
        compare(series, strategy, p, { from, to });
      }
      expect(traded).toBeGreaterThan(0);
    });
  }

  it('a parsed config is used as is: parsing it again gives the same config, so the same summary and hash', () => {
    for (const strategy of singles) {
      const raw: BacktestConfigInput = { from: seriesFor(strategy).openTime[500]! };
      const parsed = parseBacktestConfig(raw);
      expect(canonicalJson(parseBacktestConfig(parsed))).toBe(canonicalJson(parsed));
      const p = strategy.defaults;
      const a = runSweepCombo(seriesFor(strategy), strategy, p, parsed, { parsed: true }).summary;
      expect(canonicalJson(a)).toBe(canonicalJson(runSweepCombo(seriesFor(strategy), strategy, p, raw).summary));
    }
  });

  it('fixed-notional sizing, a custom cost subset and a short window give identical summaries too', () => {
    const p = dstaSmaCrossover.defaults;
    const h4 = seriesFor(dstaSmaCrossover as unknown as Strategy);
    compare(h4, dstaSmaCrossover, p, { sizing: { kind: 'fixed-notional', notional: 2_500 }, costs: ['stress-31', 'kraken-maker'] });
    compare(h4, dstaSmaCrossover, p, { sizing: { kind: 'percent-equity', fraction: 0.3 }, initialEquity: 777 });
    compare(h4, dstaSmaCrossover, p, { from: h4.openTime[3_000]!, to: h4.openTime[3_020]! });
  });
});

describe('combo hash', () => {
  const n = 1_500;
  const wave = (i: number): number => 100 + 10 * Math.sin(i / 11) + 4 * Math.sin(i / 3);
  const series: CandleSeries = {
    timeframe: '4h',
    symbol: 'SYN/USDT',
    length: n,
    openTime: Float64Array.from({ length: n }, (_, i) => i * 14_400_000),
    open: Float64Array.from({ length: n }, (_, i) => wave(i)),
    high: Float64Array.from({ length: n }, (_, i) => wave(i) + 2),
    low: Float64Array.from({ length: n }, (_, i) => wave(i) - 2),
    close: Float64Array.from({ length: n }, (_, i) => wave(i + 0.5)),
    volume: new Float64Array(n).fill(5),
  };
  const params = { ...dstaSmaCrossover.defaults, fastPeriod: 5, slowPeriod: 20 };

  it('changes with any trade field, the params or the config, and not with the reason texts', () => {
    const full = runBacktest(series, dstaSmaCrossover, params, {});
    expect(full.trades.length).toBeGreaterThan(2);
    const h = comboHashOfResult(full);
    const t = full.trades;
    const withTrade = (k: number, patch: object) => ({ ...full, trades: t.map((x, j) => (j === k ? { ...x, ...patch } : x)) });
    expect(sweepComboHash(withTrade(1, { exitPrice: t[1]!.exitPrice * (1 + 1e-15) }))).not.toBe(h);
    expect(sweepComboHash(withTrade(1, { exitKind: 'stop' === t[1]!.exitKind ? 'signal' : 'stop' }))).not.toBe(h);
    expect(sweepComboHash(withTrade(0, { entryTime: t[0]!.entryTime + 1 }))).not.toBe(h);
    expect(sweepComboHash({ ...full, trades: t.slice(1) })).not.toBe(h);
    expect(sweepComboHash({ ...full, strategy: { ...full.strategy, params: { ...params, stopAtr: 4 } } })).not.toBe(h);
    expect(sweepComboHash({ ...full, config: { ...full.config, initialEquity: 1 } })).not.toBe(h);
    expect(sweepComboHash(withTrade(1, { entryLiquidity: t[1]!.entryLiquidity === 'maker' ? 'taker' : 'maker' }))).not.toBe(h);
    expect(sweepComboHash(withTrade(1, { side: 'short' }))).not.toBe(h);
    expect(sweepComboHash(withTrade(1, { signalTime: t[1]!.signalTime - 14_400_000 }))).not.toBe(h);
    expect(sweepComboHash({ ...full, skipped: { ...full.skipped, cooldown: full.skipped.cooldown + 1 } })).not.toBe(h);
    expect(sweepComboHash(withTrade(1, { entryReason: 'other words', exitReason: 'x' }))).toBe(h);
    expect(runSweepCombo(series, dstaSmaCrossover, params).summary.resultHash).toBe(h);
  });
});
