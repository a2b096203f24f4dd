/**
 * Nexara BTC/USDT 5m baseline: buy a short RSI pullback inside an EMA200 uptrend when volatility is not extreme,
 * with ATR-sized stop and target; leave on an overbought RSI or when the trend filter breaks. Long-only.
 * The reference every other Nexara 5m idea must beat after costs.
 */
import { z } from 'zod';
import type { CandleSeries } from '../candles/candle';
import { atr } from '../indicators/atr';
import { ema } from '../indicators/ema';
import { rsi } from '../indicators/rsi';
import { crossedAboveLevel, emaSeed, finite, floatParam, fmt, intParam, num, pct, sentinelDropPctParam, sentinelRisk, wilderSeed } from './helpers';
import { HOLD, type Signal, type Strategy } from './types';
import { lazySignal } from './reason';

export const nexaraBaseline5mParams = z
  .strictObject({
    emaPeriod: intParam(50, 400, 200),
    rsiPeriod: intParam(5, 30, 14),
    rsiEntry: floatParam(15, 50, 35),
    rsiExit: floatParam(55, 90, 70),
    atrPeriod: intParam(5, 50, 14),
    atrCapPct: floatParam(0.001, 0.05, 0.008),
    stopAtr: floatParam(0.5, 6, 2),
    takeAtr: floatParam(0.5, 10, 3),
    /** Optional Nexus Sentinel (absent: off): exit every long when BTC/USDT falls more than this fraction in a candle. */
    sentinelDropPct: sentinelDropPctParam,
  })
  .refine((p) => p.rsiEntry < p.rsiExit, { message: 'rsiEntry must be below rsiExit' });

export type NexaraBaseline5mParams = z.infer<typeof nexaraBaseline5mParams>;

interface Prepared {
  close: Float64Array;
  ema: Float64Array;
  rsi: Float64Array;
  atr: Float64Array;
}

export const nexaraBaseline5m: Strategy<NexaraBaseline5mParams, Prepared> = {
  kind: 'single',
  id: 'nexara-baseline-5m',
  version: '1.0.0',
  family: 'trend-pullback',
  origin: 'nexara',
  title: 'Nexara BTC/USDT 5m baseline: RSI pullback in an EMA200 uptrend',
  description:
    'BUY when close > EMA(200), RSI(14) crosses up through 35 (prev <= 35 < now) and ATR(14)/close <= 0.8%; ' +
    'stop = close - 2·ATR, target = close + 3·ATR. EXIT when RSI(14) > 70 or close < EMA(200). Long-only.',
  timeframes: ['5m'],
  allowShort: false,
  paramsSchema: nexaraBaseline5mParams,
  defaults: nexaraBaseline5mParams.parse({}),
  paramSpace: {
    emaPeriod: { kind: 'choice', values: [100, 150, 200, 300] },
    rsiEntry: { kind: 'float', min: 25, max: 40, step: 5 },
    rsiExit: { kind: 'float', min: 60, max: 80, step: 5 },
    atrCapPct: { kind: 'choice', values: [0.004, 0.006, 0.008, 0.012] },
    stopAtr: { kind: 'float', min: 1, max: 3, step: 0.5 },
    takeAtr: { kind: 'float', min: 1.5, max: 5, step: 0.5 },
  },
  startupCandles: (p) => Math.max(emaSeed(p.emaPeriod), wilderSeed(p.rsiPeriod), wilderSeed(p.atrPeriod)) + 1,
  risk: sentinelRisk,

  prepare(series: CandleSeries, p): Prepared {
    return {
      close: series.close,
      ema: ema(series.close, p.emaPeriod),
      rsi: rsi(series.close, p.rsiPeriod),
      atr: atr(series.high, series.low, series.close, p.atrPeriod),
    };
  },

  evaluate(s, i, p): Signal {
    const close = s.close[i]!;
    const trend = s.ema[i]!;
    const r = s.rsi[i]!;
    const a = s.atr[i]!;
    if (!finite(close, trend, r, a)) return HOLD;
    const emaName = `EMA${p.emaPeriod}`;
    if (r > p.rsiExit) {
      return lazySignal('EXIT', () => `RSI${p.rsiPeriod} ${num(r)} > ${num(p.rsiExit, 0)} (overbought)`);
    }
    if (close < trend) {
      return lazySignal('EXIT', () => `close ${fmt(close)} < ${emaName} ${fmt(trend)} (uptrend broken)`);
    }
    if (!crossedAboveLevel(s.rsi, i, p.rsiEntry)) return HOLD;
    const atrPct = a / close;
    if (atrPct > p.atrCapPct) return HOLD;
    return lazySignal('BUY', () =>
        `close ${fmt(close)} > ${emaName} ${fmt(trend)}; RSI${p.rsiPeriod} ${num(s.rsi[i - 1]!)} -> ${num(r)} ` +
        `crossed up ${num(p.rsiEntry, 0)}; ATR${p.atrPeriod} ${pct(atrPct)} of price <= cap ${pct(p.atrCapPct)}`, {
      stopLoss: close - p.stopAtr * a,
      takeProfit: close + p.takeAtr * a,
    });
  },
};
