/**
 * DSTA Bollinger breakout: a close through the upper Bollinger band is read as the start of a move (volatility
 * expansion in the direction of the break), not as overbought. Ride it with an ATR trailing stop and leave when
 * price closes back below the middle band. Long-only.
 */
import { z } from 'zod';
import type { CandleSeries } from '../candles/candle';
import { atr } from '../indicators/atr';
import { bbands } from '../indicators/bbands';
import { crossedAbove, finite, floatParam, fmt, intParam, num, pct, wilderSeed } from './helpers';
import { HOLD, type Signal, type Strategy } from './types';
import { lazySignal } from './reason';

export const dstaBbBreakoutParams = z.strictObject({
  bbPeriod: intParam(5, 100, 20),
  bbMult: floatParam(1, 4, 2),
  atrPeriod: intParam(5, 50, 14),
  trailAtr: floatParam(0.5, 10, 3),
});

export type DstaBbBreakoutParams = z.infer<typeof dstaBbBreakoutParams>;

interface Prepared {
  close: Float64Array;
  upper: Float64Array;
  middle: Float64Array;
  atr: Float64Array;
}

export const dstaBbBreakout: Strategy<DstaBbBreakoutParams, Prepared> = {
  kind: 'single',
  id: 'dsta-bb-breakout',
  version: '1.0.0',
  family: 'breakout',
  origin: 'dsta',
  title: 'DSTA Bollinger(20, 2) upper-band breakout',
  description:
    'BUY when close crosses above the upper Bollinger(20, 2) band (close <= upper at i-1, > upper at i), with a ' +
    'trailing stop of 3·ATR(14)/close. EXIT when close < the middle band (SMA20). Long-only.',
  timeframes: ['4h', '1d'],
  allowShort: false,
  paramsSchema: dstaBbBreakoutParams,
  defaults: dstaBbBreakoutParams.parse({}),
  paramSpace: {
    bbPeriod: { kind: 'choice', values: [14, 20, 30, 50] },
    bbMult: { kind: 'float', min: 1.5, max: 3, step: 0.25 },
    trailAtr: { kind: 'float', min: 2, max: 5, step: 0.5 },
  },
  startupCandles: (p) => Math.max(p.bbPeriod + 1, wilderSeed(p.atrPeriod)) + 1,

  prepare(series: CandleSeries, p): Prepared {
    const b = bbands(series.close, p.bbPeriod, p.bbMult);
    return {
      close: series.close,
      upper: b.upper,
      middle: b.middle,
      atr: atr(series.high, series.low, series.close, p.atrPeriod),
    };
  },

  evaluate(s, i, p): Signal {
    const close = s.close[i]!;
    const mid = s.middle[i]!;
    if (!finite(close, mid)) return HOLD;
    if (close < mid) {
      return lazySignal('EXIT', () => `close ${fmt(close)} < middle band ${fmt(mid)} (breakout failed or over)`);
    }
    if (!crossedAbove(s.close, s.upper, i)) return HOLD;
    const a = s.atr[i]!;
    if (!finite(a)) return HOLD;
    const trail = (p.trailAtr * a) / close;
    return lazySignal('BUY', () =>
        `close ${fmt(close)} broke above upper band ${fmt(s.upper[i]!)} (BB${p.bbPeriod}, ${p.bbMult}σ; previous ` +
        `close ${fmt(s.close[i - 1]!)} <= ${fmt(s.upper[i - 1]!)}); trailing stop ${num(p.trailAtr)}·ATR = ${pct(trail)}`, {
      trailingStop: trail,
    });
  },
};
