/**
 * Nexus Bollinger mean reversion: after a close below the lower Bollinger band, buy the first close back inside
 * the band (the stretch is being rejected), target the middle band (the mean) and stop a few ATRs below. The
 * re-entry confirmation avoids buying while price is still falling through the band. Long-only.
 */
import { z } from 'zod';
import type { CandleSeries } from '../candles/candle';
import { atr } from '../indicators/atr';
import { bbands } from '../indicators/bbands';
import { finite, floatParam, fmt, intParam, wilderSeed } from './helpers';
import { HOLD, type Signal, type Strategy } from './types';
import { lazySignal } from './reason';

export const nexusBbMeanReversionParams = z.strictObject({
  bbPeriod: intParam(5, 100, 20),
  bbMult: floatParam(1, 4, 2),
  atrPeriod: intParam(5, 50, 14),
  stopAtr: floatParam(0.5, 6, 2),
});

export type NexusBbMeanReversionParams = z.infer<typeof nexusBbMeanReversionParams>;

interface Prepared {
  close: Float64Array;
  upper: Float64Array;
  middle: Float64Array;
  lower: Float64Array;
  atr: Float64Array;
}

export const nexusBbMeanReversion: Strategy<NexusBbMeanReversionParams, Prepared> = {
  kind: 'single',
  id: 'nexus-bb-mean-reversion',
  version: '1.0.0',
  family: 'band-mean-reversion',
  origin: 'nexus',
  title: 'Nexus Bollinger(20, 2) re-entry mean reversion',
  description:
    'BUY when the previous close was below the lower Bollinger(20, 2) band and this close is back at or above it; ' +
    'stop = close - 2·ATR(14), target = the middle band at entry. EXIT when close >= the middle band (SMA20). ' +
    'Long-only.',
  timeframes: ['5m', '15m'],
  allowShort: false,
  paramsSchema: nexusBbMeanReversionParams,
  defaults: nexusBbMeanReversionParams.parse({}),
  paramSpace: {
    bbPeriod: { kind: 'choice', values: [14, 20, 30, 50] },
    bbMult: { kind: 'float', min: 1.5, max: 3, step: 0.25 },
    stopAtr: { kind: 'float', min: 1, max: 4, step: 0.5 },
  },
  // Bollinger bands are a plain rolling window (exact after bbPeriod bars); ATR is Wilder-seeded.
  startupCandles: (p) => Math.max(p.bbPeriod, wilderSeed(p.atrPeriod)) + 1,

  prepare(series: CandleSeries, p): Prepared {
    const b = bbands(series.close, p.bbPeriod, p.bbMult);
    return {
      close: series.close,
      upper: b.upper,
      middle: b.middle,
      lower: b.lower,
      atr: atr(series.high, series.low, series.close, p.atrPeriod),
    };
  },

  evaluate(s, i, p): Signal {
    const close = s.close[i]!;
    const mid = s.middle[i]!;
    const low = s.lower[i]!;
    if (!finite(close, mid, low) || i < 1) return HOLD;
    if (close >= mid) {
      return lazySignal('EXIT', () => `close ${fmt(close)} >= middle band ${fmt(mid)} (back at the mean)`);
    }
    const prevClose = s.close[i - 1]!;
    const prevLow = s.lower[i - 1]!;
    if (!finite(prevClose, prevLow) || !(prevClose < prevLow && close >= low)) return HOLD;
    const a = s.atr[i]!;
    if (!finite(a)) return HOLD;
    return lazySignal('BUY', () =>
        `previous close ${fmt(prevClose)} < lower band ${fmt(prevLow)}; close ${fmt(close)} back >= lower band ` +
        `${fmt(low)} (BB${p.bbPeriod}, ${p.bbMult}σ); target middle ${fmt(mid)}`, {
      stopLoss: close - p.stopAtr * a,
      takeProfit: mid,
    });
  },
};
