/**
 * DSTA RSI mean reversion: buy when RSI turns back up out of oversold and sell when it has reverted to its
 * midline, with an ATR stop for the oversold-gets-more-oversold case. No trend filter by design (that is the
 * Nexara baseline's job), so it is the plain counter-trend reference. Long-only.
 */
import { z } from 'zod';
import type { CandleSeries } from '../candles/candle';
import { atr } from '../indicators/atr';
import { rsi } from '../indicators/rsi';
import { crossedAboveLevel, finite, floatParam, fmt, intParam, num, wilderSeed } from './helpers';
import { HOLD, type Signal, type Strategy } from './types';
import { lazySignal } from './reason';

export const dstaRsiMeanReversionParams = z
  .strictObject({
    rsiPeriod: intParam(2, 50, 14),
    oversold: floatParam(5, 45, 30),
    exitLevel: floatParam(40, 90, 50),
    atrPeriod: intParam(5, 50, 14),
    stopAtr: floatParam(0.5, 10, 3),
  })
  .refine((p) => p.oversold < p.exitLevel, { message: 'oversold must be below exitLevel' });

export type DstaRsiMeanReversionParams = z.infer<typeof dstaRsiMeanReversionParams>;

interface Prepared {
  close: Float64Array;
  rsi: Float64Array;
  atr: Float64Array;
}

export const dstaRsiMeanReversion: Strategy<DstaRsiMeanReversionParams, Prepared> = {
  kind: 'single',
  id: 'dsta-rsi-mean-reversion',
  version: '1.0.0',
  family: 'oversold-reversal',
  origin: 'dsta',
  title: 'DSTA RSI(14) mean reversion: buy the turn out of 30, sell at 50',
  description:
    'BUY when RSI(14) crosses up through 30 (prev <= 30 < now); stop = close - 3·ATR(14). ' +
    'EXIT when RSI(14) >= 50. Long-only, no trend filter.',
  timeframes: ['4h', '1h'],
  allowShort: false,
  paramsSchema: dstaRsiMeanReversionParams,
  defaults: dstaRsiMeanReversionParams.parse({}),
  paramSpace: {
    rsiPeriod: { kind: 'choice', values: [7, 10, 14, 21] },
    oversold: { kind: 'float', min: 20, max: 35, step: 5 },
    exitLevel: { kind: 'float', min: 45, max: 70, step: 5 },
    stopAtr: { kind: 'float', min: 2, max: 6, step: 1 },
  },
  startupCandles: (p) => Math.max(wilderSeed(p.rsiPeriod), wilderSeed(p.atrPeriod)) + 1,

  prepare(series: CandleSeries, p): Prepared {
    return {
      close: series.close,
      rsi: rsi(series.close, p.rsiPeriod),
      atr: atr(series.high, series.low, series.close, p.atrPeriod),
    };
  },

  evaluate(s, i, p): Signal {
    const close = s.close[i]!;
    const r = s.rsi[i]!;
    if (!finite(close, r)) return HOLD;
    if (r >= p.exitLevel) {
      return lazySignal('EXIT', () => `RSI${p.rsiPeriod} ${num(r)} >= ${num(p.exitLevel, 0)} (reverted)`);
    }
    if (!crossedAboveLevel(s.rsi, i, p.oversold)) return HOLD;
    const a = s.atr[i]!;
    if (!finite(a)) return HOLD;
    return lazySignal('BUY', () =>
        `RSI${p.rsiPeriod} ${num(s.rsi[i - 1]!)} -> ${num(r)} crossed up ${num(p.oversold, 0)} (leaving oversold); ` +
        `close ${fmt(close)}, stop ${p.stopAtr}·ATR${p.atrPeriod} = ${fmt(close - p.stopAtr * a)}`, {
      stopLoss: close - p.stopAtr * a,
    });
  },
};
