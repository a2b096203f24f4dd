/**
 * The measured cost model's fast path (./measured.ts: shared per-series market columns, one sweep for σ and V,
 * EDGE on local sums, counted sources) against the straightforward reference (./measured-reference.test-util.ts) on real candles and
 * the trades of a real backtest: every view equal to the bit and serialised to the same JSON (key order included),
 * on the 2022 BTC/USDT 5m freqtrade file (plain leg, a proxy, book snapshots, a fitted k, a higher tier), the
 * BTC/ETH pair as two legs, other windows, and the Binance 1h archive.
 */
import { expect, it } from 'vitest';
import { runBacktest } from '../backtest/engine';
import { maCross } from '../backtest/fixtures.test-util';
import type { RawTrade } from '../backtest/types';
import { toSeries, type CandleSeries } from '../candles/candle';
import { freqtradeCandles, loadArchiveCandles } from '../candles/real-data.test-util';
import { describeWithData } from '../testing/data';
import { createMeasuredCostHook, measuredVenueCosts, type MeasuredCostConfigInput, type MeasuredVenueInput } from './measured';
import { measureRunCosts } from './measured-run';
import { VENUE_IDS } from './presets';
import { referenceEdge, referenceMeasuredVenueCosts } from './measured-reference.test-util';
import { edgeSpread } from './estimators';
import { readEstimatorReference } from './estimators/reference-data.test-util';
import { costTrade } from '../execution/cost-hook';

function same(trades: readonly RawTrade[], inputs: readonly MeasuredVenueInput[], config: MeasuredCostConfigInput = {}): void {
  const fast = measureRunCosts(trades, inputs, config).venues;
  const ref = inputs.map((v) => referenceMeasuredVenueCosts(trades, v, config));
  for (let k = 0; k < inputs.length; k++) {
    expect(fast[k]).toEqual(ref[k]);
    expect(JSON.stringify(fast[k])).toBe(JSON.stringify(ref[k]));
  }
}

describeWithData('measured costs: fast path = reference, on real candles and real trades', () => {
  const btc = toSeries(freqtradeCandles('SauloHenriqueAguiar-freqtrades', 'BTC_USDT-5m.json'), '5m', 'BTC/USDT');
  const eth = toSeries(freqtradeCandles('SauloHenriqueAguiar-freqtrades', 'ETH_USDT-5m.json'), '5m', 'ETH/USDT');
  const strat = maCross({ kind: 'ema', fast: 12, slow: 48, stopPct: 0.015, trailPct: 0.01, startup: 480 });
  const trades = runBacktest(btc, strat, {}, {}).trades;
  const leg = (series: CandleSeries, candlesVenue = 'binance') => ({ symbol: series.symbol, series, candlesVenue });

  it('every venue on the BTC/USDT 5m file, with a book snapshot venue, a fitted k and a tier', () => {
    expect(trades.length).toBeGreaterThan(300);
    const snapshots = trades.filter((_, k) => k % 7 === 0).map((t, k) => ({ bucket: t.entryTime - (k % 3) * 60_000, halfSpreadBps: 0.8 + (k % 5) / 10 }));
    const inputs = VENUE_IDS.map((venue) => ({ venue, legs: [{ ...leg(btc), ...(venue === 'kraken' ? { snapshots } : {}) }] }));
    same(trades, inputs);
    same(trades, inputs, { orderNotional: 250_000, tiers: { binance: 'VIP2', coinbase: 'Advanced $10K-50K' }, impact: { k: { okx: { k: 0.42, source: 'fit' } } } });
  });

  it('other windows: a longer EDGE window than a day, a short horizon and lookback, a floor', () => {
    const inputs = VENUE_IDS.map((venue) => ({ venue, legs: [leg(btc)] }));
    same(trades, inputs, { edgeWindowCandles: 600, floorHalfSpreadBps: 0.25, impact: { horizonCandles: 3, volLookbackCandles: 40 } });
    same(trades, inputs, { edgeWindowCandles: 5, impact: { horizonCandles: 1, volLookbackCandles: 2 } });
  });

  it('the BTC/ETH pair priced as two legs (one a separate series object per venue)', () => {
    const inputs = VENUE_IDS.map((venue) => ({ venue, legs: [leg(btc, 'binance'), leg(toSeries(freqtradeCandles('SauloHenriqueAguiar-freqtrades', 'ETH_USDT-5m.json'), '5m', 'ETH/USDT'), 'binance')] }));
    same(trades, inputs);
    expect(eth.length).toBeGreaterThan(20_000);
  });

  it('trades out of time order and a fill before the first candle: same numbers', () => {
    const shuffled = [...trades.slice(200, 260)].reverse().concat(trades.slice(0, 40));
    const early = { ...trades[0]!, entryTime: btc.openTime[0]! - 600_000, exitTime: btc.openTime[1]! };
    same([early, ...shuffled], VENUE_IDS.map((venue) => ({ venue, legs: [leg(btc)] })));
  });

  it('EDGE on local sums = EDGE on NanMean moments, to the bit, with missing values too (bidask reference files)', () => {
    let compared = 0;
    for (const file of ['ohlc.csv', 'ohlc-miss.csv', 'sim_seed123_prob0.01.csv']) {
      const x = readEstimatorReference(file);
      for (const w of [3, 10, 60, 250]) {
        for (let a = 0; a + w <= Math.min(x.open.length, 2000); a += Math.max(1, Math.floor(w / 3))) {
          const sub = (c: Float64Array) => c.subarray(a, a + w);
          const fast = edgeSpread({ open: sub(x.open), high: sub(x.high), low: sub(x.low), close: sub(x.close) });
          const ref = referenceEdge(x, a, a + w);
          expect(fast.ok ? { ok: true, signed: fast.signed } : { ok: false, reason: fast.reason }).toEqual(ref);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it('the hook prices a fill as the batch does', () => {
    const input = { venue: 'coinbase', legs: [leg(btc)] };
    const v = measuredVenueCosts(trades, input);
    const hook = createMeasuredCostHook(input);
    expect(trades.slice(0, 300).map((t) => costTrade(t, hook).net)).toEqual(v.net.slice(0, 300));
  });

  it('the Binance 1h archive (2017-08 … 2022-02)', () => {
    const hourly = toSeries(loadArchiveCandles('BTCUSDT'), '1h', 'BTC/USDT');
    const t = runBacktest(hourly, maCross({ kind: 'ema', fast: 10, slow: 40, stopPct: 0.03, startup: 400 }), {}, {}).trades;
    expect(t.length).toBeGreaterThan(100);
    const inputs = VENUE_IDS.map((venue) => ({ venue, legs: [leg(hourly, venue === 'bybit' ? 'bybit' : 'binance')] }));
    same(t, inputs, { orderNotional: 1000 });
    // 2017's thin hours refuse a 10,000 order: the same refusal, naming the same fill, from both.
    const refusal = (f: () => unknown): string => {
      try {
        f();
      } catch (err) {
        return String(err);
      }
      return 'no refusal';
    };
    expect(refusal(() => measureRunCosts(t, inputs))).toMatch(/MeasuredCostRefusedError: .* binance BTC\/USDT at 2017-/);
    expect(refusal(() => measureRunCosts(t, inputs))).toBe(refusal(() => referenceMeasuredVenueCosts(t, inputs[0]!)));
  });
});
