/**
 * Nexus EMA-crossover trend with an ADX strength filter: be long while the fast EMA is above the slow EMA and the
 * trend is strong (ADX above a threshold, +DI above -DI). The entry fires on the bar this three-part regime
 * switches on; the exit is the EMA cross back down, with an ATR-sized trailing stop in between. Long-only.
 */
import { z } from 'zod';
import type { CandleSeries } from '../candles/candle';
import { adx } from '../indicators/adx';
import { atr } from '../indicators/atr';
import { ema } from '../indicators/ema';
import { emaSeed, finite, floatParam, fmt, intParam, num, pct, wilderSeed } from './helpers';
import { HOLD, type Signal, type Strategy } from './types';
import { lazySignal } from './reason';

export const nexusEmaAdxTrendParams = z
  .strictObject({
    fastPeriod: intParam(3, 100, 20),
    slowPeriod: intParam(10, 300, 50),
    adxPeriod: intParam(5, 50, 14),
    adxMin: floatParam(10, 50, 25),
    atrPeriod: intParam(5, 50, 14),
    /** Trailing stop distance in ATRs at entry, passed to the engine as a fraction of price. */
    trailAtr: floatParam(0.5, 10, 3),
  })
  .refine((p) => p.fastPeriod < p.slowPeriod, { message: 'fastPeriod must be below slowPeriod' });

export type NexusEmaAdxTrendParams = z.infer<typeof nexusEmaAdxTrendParams>;

interface Prepared {
  close: Float64Array;
  fast: Float64Array;
  slow: Float64Array;
  adx: Float64Array;
  plusDI: Float64Array;
  minusDI: Float64Array;
  atr: Float64Array;
}

function inRegime(s: Prepared, i: number, p: NexusEmaAdxTrendParams): boolean {
  const f = s.fast[i]!;
  const sl = s.slow[i]!;
  const x = s.adx[i]!;
  const pd = s.plusDI[i]!;
  const md = s.minusDI[i]!;
  return finite(f, sl, x, pd, md) && f > sl && x >= p.adxMin && pd > md;
}

export const nexusEmaAdxTrend: Strategy<NexusEmaAdxTrendParams, Prepared> = {
  kind: 'single',
  id: 'nexus-ema-adx-trend',
  version: '1.0.0',
  family: 'trend-following',
  origin: 'nexus',
  title: 'Nexus EMA(20/50) crossover trend with ADX(14) >= 25',
  description:
    'Regime = EMA(20) > EMA(50) and ADX(14) >= 25 and +DI > -DI. BUY on the bar the regime turns on (false at ' +
    'i-1, true at i), with a trailing stop of 3·ATR(14)/close. EXIT while EMA(20) < EMA(50). Long-only.',
  timeframes: ['4h', '1h'],
  allowShort: false,
  paramsSchema: nexusEmaAdxTrendParams,
  defaults: nexusEmaAdxTrendParams.parse({}),
  paramSpace: {
    fastPeriod: { kind: 'choice', values: [9, 12, 20] },
    slowPeriod: { kind: 'choice', values: [26, 50, 100] },
    adxMin: { kind: 'float', min: 15, max: 35, step: 5 },
    trailAtr: { kind: 'float', min: 2, max: 5, step: 0.5 },
  },
  // ADX is a Wilder average of DX, itself built from Wilder-smoothed DM/TR: two stacked seeds.
  startupCandles: (p) => Math.max(emaSeed(p.slowPeriod), 2 * wilderSeed(p.adxPeriod), wilderSeed(p.atrPeriod)) + 1,

  prepare(series: CandleSeries, p): Prepared {
    const d = adx(series.high, series.low, series.close, p.adxPeriod);
    return {
      close: series.close,
      fast: ema(series.close, p.fastPeriod),
      slow: ema(series.close, p.slowPeriod),
      adx: d.adx,
      plusDI: d.plusDI,
      minusDI: d.minusDI,
      atr: atr(series.high, series.low, series.close, p.atrPeriod),
    };
  },

  evaluate(s, i, p): Signal {
    const close = s.close[i]!;
    const f = s.fast[i]!;
    const sl = s.slow[i]!;
    if (!finite(close, f, sl)) return HOLD;
    if (f < sl) {
      return lazySignal('EXIT', () => `EMA${p.fastPeriod} ${fmt(f)} < EMA${p.slowPeriod} ${fmt(sl)} (trend over)`);
    }
    if (i < 1 || !inRegime(s, i, p) || inRegime(s, i - 1, p)) return HOLD;
    const a = s.atr[i]!;
    if (!finite(a)) return HOLD;
    const trail = (p.trailAtr * a) / close;
    return lazySignal('BUY', () =>
        `EMA${p.fastPeriod} ${fmt(f)} > EMA${p.slowPeriod} ${fmt(sl)}; ADX${p.adxPeriod} ${num(s.adx[i]!)} >= ` +
        `${num(p.adxMin, 0)} with +DI ${num(s.plusDI[i]!)} > -DI ${num(s.minusDI[i]!)} (trend regime just began); ` +
        `trailing stop ${num(p.trailAtr)}·ATR = ${pct(trail)}`, {
      trailingStop: trail,
    });
  },
};
