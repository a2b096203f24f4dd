/**
 * DSTA SMA crossover: the textbook two-moving-average trend follower. Buy when the fast SMA crosses above the slow
 * SMA, leave while it is below; an ATR stop caps the loss of a failed cross. Long-only.
 */
import { z } from 'zod';
import type { CandleSeries } from '../candles/candle';
import { atr } from '../indicators/atr';
import { sma } from '../indicators/sma';
import { crossedAbove, finite, floatParam, fmt, intParam, wilderSeed } from './helpers';
import { HOLD, type Signal, type Strategy } from './types';
import { lazySignal } from './reason';

export const dstaSmaCrossoverParams = z
  .strictObject({
    fastPeriod: intParam(2, 100, 20),
    slowPeriod: intParam(5, 400, 50),
    atrPeriod: intParam(5, 50, 14),
    stopAtr: floatParam(0.5, 10, 3),
  })
  .refine((p) => p.fastPeriod < p.slowPeriod, { message: 'fastPeriod must be below slowPeriod' });

export type DstaSmaCrossoverParams = z.infer<typeof dstaSmaCrossoverParams>;

interface Prepared {
  close: Float64Array;
  fast: Float64Array;
  slow: Float64Array;
  atr: Float64Array;
}

export const dstaSmaCrossover: Strategy<DstaSmaCrossoverParams, Prepared> = {
  kind: 'single',
  id: 'dsta-sma-crossover',
  version: '1.0.0',
  family: 'trend-following',
  origin: 'dsta',
  title: 'DSTA SMA(20/50) crossover',
  description:
    'BUY when SMA(20) crosses above SMA(50) (<= at i-1, > at i); stop = close - 3·ATR(14). ' +
    'EXIT while SMA(20) < SMA(50). Long-only.',
  timeframes: ['4h', '1d'],
  allowShort: false,
  paramsSchema: dstaSmaCrossoverParams,
  defaults: dstaSmaCrossoverParams.parse({}),
  paramSpace: {
    fastPeriod: { kind: 'choice', values: [5, 10, 20, 30] },
    slowPeriod: { kind: 'choice', values: [50, 100, 150, 200] },
    stopAtr: { kind: 'float', min: 2, max: 6, step: 1 },
  },
  // SMAs are exact after `period` bars; one more bar is needed to see the cross; ATR is Wilder-seeded.
  startupCandles: (p) => Math.max(p.slowPeriod + 1, wilderSeed(p.atrPeriod)) + 1,

  prepare(series: CandleSeries, p): Prepared {
    return {
      close: series.close,
      fast: sma(series.close, p.fastPeriod),
      slow: sma(series.close, p.slowPeriod),
      atr: atr(series.high, series.low, series.close, p.atrPeriod),
    };
  },

  evaluate(s, i, p): Signal {
    const close = s.close[i]!;
    const f = s.fast[i]!;
    const sl = s.slow[i]!;
    if (!finite(close, f, sl)) return HOLD;
    if (f < sl) {
      return lazySignal('EXIT', () => `SMA${p.fastPeriod} ${fmt(f)} < SMA${p.slowPeriod} ${fmt(sl)} (downtrend)`);
    }
    if (!crossedAbove(s.fast, s.slow, i)) return HOLD;
    const a = s.atr[i]!;
    if (!finite(a)) return HOLD;
    return lazySignal('BUY', () =>
        `SMA${p.fastPeriod} ${fmt(s.fast[i - 1]!)} -> ${fmt(f)} crossed above SMA${p.slowPeriod} ` +
        `${fmt(s.slow[i - 1]!)} -> ${fmt(sl)}; close ${fmt(close)}, stop ${p.stopAtr}·ATR${p.atrPeriod} = ${fmt(close - p.stopAtr * a)}`, {
      stopLoss: close - p.stopAtr * a,
    });
  },
};
