import { describe, expect, it } from 'vitest';
import type { Candle } from '../candles/candle';
import { toSeries } from '../candles/candle';
import { describeWithData, readFreqtrade } from '../testing/data';
import { evaluateLatest, liveWindowSize } from './live';
import { getStrategy } from './registry';
import type { Params, Strategy } from './types';

describeWithData('evaluateLatest (live = backtest)', () => {
  const rows = readFreqtrade('SauloHenriqueAguiar-freqtrades', 'BTC_USDT-5m.json');
  const candles: Candle[] = rows.map(([t, o, h, l, c, v]) => ({ openTime: t!, open: o!, high: h!, low: l!, close: c!, volume: v! }));
  const strategy = getStrategy('nexara-baseline-5m') as Strategy<Params>;
  const params = strategy.defaults as Params;

  it('gives the full-history backtest signal at every sampled candle', () => {
    const full = strategy.prepare(toSeries(candles, '5m'), params);
    const need = liveWindowSize(strategy, params);
    let compared = 0;
    for (let i = need + 10; i < candles.length; i += 397) {
      const now = candles[i]!.openTime + 300_000 + 1234; // shortly after candle i closed
      const live = evaluateLatest(strategy, params, candles.slice(0, i + 1), now);
      expect(live.status).toBe('evaluated');
      if (live.status === 'evaluated') expect(live.signal.action).toBe(strategy.evaluate(full, i, params).action);
      compared++;
    }
    expect(compared).toBeGreaterThan(50);
  });

  it('refuses a stale or short window', () => {
    const i = 5000;
    expect(evaluateLatest(strategy, params, candles.slice(0, i + 1), candles[i]!.openTime + 3 * 300_000).status).toBe('stale');
    expect(evaluateLatest(strategy, params, candles.slice(i - 10, i + 1), candles[i]!.openTime + 300_000).status).toBe('warming-up');
  });
});

describe('evaluateLatest', () => {
  it('detects a gap inside the window', () => {
    const strategy = getStrategy('dsta-sma-crossover') as Strategy<Params>;
    const params = strategy.defaults as Params;
    const n = liveWindowSize(strategy, params) + 5;
    const tf = 14_400_000;
    const candles: Candle[] = Array.from({ length: n }, (_, k) => ({ openTime: (k + (k > 20 ? 1 : 0)) * tf, open: 1, high: 1, low: 1, close: 1, volume: 1 }));
    const now = candles.at(-1)!.openTime + tf + 1;
    const r = evaluateLatest(strategy, params, candles, now);
    expect(r.status).toBe('warming-up');
  });
});
