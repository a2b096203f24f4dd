/**
 * 4h platform MACD-RSI confluence: a MACD histogram turning positive is taken only while RSI is in a middle band
 * (momentum turning up, not yet overbought) and ATR/price sits inside a volatility window (not dead, not chaotic).
 * Exit when the histogram turns negative or RSI gets overbought. Long-only, ATR stop.
 */
import { z } from 'zod';
import type { CandleSeries } from '../candles/candle';
import { atr } from '../indicators/atr';
import { macd } from '../indicators/macd';
import { rsi } from '../indicators/rsi';
import { crossedAboveLevel, emaSeed, finite, floatParam, intParam, num, pct, sig, wilderSeed } from './helpers';
import { HOLD, type Signal, type Strategy } from './types';
import { lazySignal } from './reason';

export const platform4hMacdRsiParams = z
  .strictObject({
    macdFast: intParam(3, 50, 12),
    macdSlow: intParam(10, 100, 26),
    macdSignal: intParam(2, 30, 9),
    rsiPeriod: intParam(5, 30, 14),
    rsiMin: floatParam(20, 60, 40),
    rsiMax: floatParam(50, 80, 65),
    rsiExit: floatParam(55, 90, 70),
    atrPeriod: intParam(5, 50, 14),
    atrMinPct: floatParam(0, 0.05, 0.005),
    atrMaxPct: floatParam(0.005, 0.2, 0.05),
    stopAtr: floatParam(0.5, 6, 2.5),
  })
  .refine((p) => p.macdFast < p.macdSlow, { message: 'macdFast must be below macdSlow' })
  .refine((p) => p.rsiMin < p.rsiMax && p.rsiMax <= p.rsiExit, { message: 'need rsiMin < rsiMax <= rsiExit' })
  .refine((p) => p.atrMinPct < p.atrMaxPct, { message: 'atrMinPct must be below atrMaxPct' });

export type Platform4hMacdRsiParams = z.infer<typeof platform4hMacdRsiParams>;

interface Prepared {
  close: Float64Array;
  hist: Float64Array;
  rsi: Float64Array;
  atr: Float64Array;
}

export const platform4hMacdRsi: Strategy<Platform4hMacdRsiParams, Prepared> = {
  kind: 'single',
  id: 'platform4h-macd-rsi',
  version: '1.0.0',
  family: 'momentum-confluence',
  origin: '4h-platform',
  title: '4h MACD-RSI confluence with a volatility gate',
  description:
    'BUY when the MACD(12,26,9) histogram crosses above 0 while RSI(14) is in [40, 65] and ATR(14)/close is in ' +
    '[0.5%, 5%]; stop = close - 2.5·ATR. EXIT when the histogram crosses below 0 or RSI(14) > 70. Long-only.',
  timeframes: ['4h'],
  allowShort: false,
  paramsSchema: platform4hMacdRsiParams,
  defaults: platform4hMacdRsiParams.parse({}),
  paramSpace: {
    macdFast: { kind: 'choice', values: [8, 12, 16] },
    macdSlow: { kind: 'choice', values: [21, 26, 34] },
    macdSignal: { kind: 'choice', values: [7, 9, 12] },
    rsiMin: { kind: 'float', min: 35, max: 50, step: 5 },
    rsiMax: { kind: 'float', min: 60, max: 70, step: 5 },
    rsiExit: { kind: 'float', min: 70, max: 80, step: 5 },
    atrMaxPct: { kind: 'choice', values: [0.03, 0.04, 0.05, 0.08] },
    stopAtr: { kind: 'float', min: 1.5, max: 4, step: 0.5 },
  },
  startupCandles: (p) =>
    Math.max(emaSeed(p.macdSlow) + emaSeed(p.macdSignal), wilderSeed(p.rsiPeriod), wilderSeed(p.atrPeriod)) + 1,

  prepare(series: CandleSeries, p): Prepared {
    const m = macd(series.close, p.macdFast, p.macdSlow, p.macdSignal);
    return {
      close: series.close,
      hist: m.histogram,
      rsi: rsi(series.close, p.rsiPeriod),
      atr: atr(series.high, series.low, series.close, p.atrPeriod),
    };
  },

  evaluate(s, i, p): Signal {
    const close = s.close[i]!;
    const h = s.hist[i]!;
    const r = s.rsi[i]!;
    const a = s.atr[i]!;
    if (!finite(close, h, r, a) || i < 1) return HOLD;
    const hPrev = s.hist[i - 1]!;
    if (finite(hPrev) && hPrev >= 0 && h < 0) {
      return lazySignal('EXIT', () => `MACD histogram ${sig(hPrev)} -> ${sig(h)} crossed below 0`);
    }
    if (r > p.rsiExit) {
      return lazySignal('EXIT', () => `RSI${p.rsiPeriod} ${num(r)} > ${num(p.rsiExit, 0)} (overbought)`);
    }
    if (!crossedAboveLevel(s.hist, i, 0)) return HOLD;
    if (r < p.rsiMin || r > p.rsiMax) return HOLD;
    const atrPct = a / close;
    if (atrPct < p.atrMinPct || atrPct > p.atrMaxPct) return HOLD;
    return lazySignal('BUY', () =>
        `MACD(${p.macdFast},${p.macdSlow},${p.macdSignal}) histogram ${sig(hPrev)} -> ${sig(h)} crossed above 0; ` +
        `RSI${p.rsiPeriod} ${num(r)} in [${num(p.rsiMin, 0)}, ${num(p.rsiMax, 0)}]; ` +
        `ATR${p.atrPeriod} ${pct(atrPct)} of price in [${pct(p.atrMinPct)}, ${pct(p.atrMaxPct)}]`, {
      stopLoss: close - p.stopAtr * a,
    });
  },
};
