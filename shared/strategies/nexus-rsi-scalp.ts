/**
 * Nexus RSI scalp with volume confirmation: on 5m candles, buy when a fast RSI turns up out of oversold on a bar
 * whose volume is unusually high (a flush being absorbed), with a tight ATR stop and target; leave when RSI has
 * bounced to its exit level. Long-only.
 */
import { z } from 'zod';
import type { CandleSeries } from '../candles/candle';
import { atr } from '../indicators/atr';
import { rsi } from '../indicators/rsi';
import { volumeZScore } from '../indicators/volume-zscore';
import { crossedAboveLevel, finite, floatParam, fmt, intParam, num, wilderSeed } from './helpers';
import { HOLD, type Signal, type Strategy } from './types';
import { lazySignal } from './reason';

export const nexusRsiScalpParams = z
  .strictObject({
    rsiPeriod: intParam(2, 30, 7),
    rsiEntry: floatParam(5, 45, 25),
    rsiExit: floatParam(40, 90, 60),
    volPeriod: intParam(5, 200, 20),
    volZMin: floatParam(0, 5, 1.5),
    atrPeriod: intParam(5, 50, 14),
    stopAtr: floatParam(0.5, 5, 1.5),
    takeAtr: floatParam(0.5, 8, 2),
  })
  .refine((p) => p.rsiEntry < p.rsiExit, { message: 'rsiEntry must be below rsiExit' });

export type NexusRsiScalpParams = z.infer<typeof nexusRsiScalpParams>;

interface Prepared {
  close: Float64Array;
  rsi: Float64Array;
  volZ: Float64Array;
  atr: Float64Array;
}

export const nexusRsiScalp: Strategy<NexusRsiScalpParams, Prepared> = {
  kind: 'single',
  id: 'nexus-rsi-scalp',
  version: '1.0.0',
  family: 'oversold-reversal',
  origin: 'nexus',
  title: 'Nexus 5m RSI(7) oversold scalp with volume z-score confirmation',
  description:
    'BUY when RSI(7) crosses up through 25 (prev <= 25 < now) on a bar whose volume z-score over 20 bars is >= 1.5; ' +
    'stop = close - 1.5·ATR(14), target = close + 2·ATR(14). EXIT when RSI(7) >= 60. Long-only.',
  timeframes: ['5m'],
  allowShort: false,
  paramsSchema: nexusRsiScalpParams,
  defaults: nexusRsiScalpParams.parse({}),
  paramSpace: {
    rsiPeriod: { kind: 'choice', values: [5, 7, 9, 14] },
    rsiEntry: { kind: 'float', min: 15, max: 35, step: 5 },
    rsiExit: { kind: 'float', min: 50, max: 70, step: 5 },
    volZMin: { kind: 'float', min: 0.5, max: 3, step: 0.5 },
    stopAtr: { kind: 'float', min: 1, max: 3, step: 0.5 },
    takeAtr: { kind: 'float', min: 1, max: 4, step: 0.5 },
  },
  // The volume z-score is a plain rolling window (exact after volPeriod bars); RSI and ATR are Wilder-seeded.
  startupCandles: (p) => Math.max(wilderSeed(p.rsiPeriod), p.volPeriod, wilderSeed(p.atrPeriod)) + 1,

  prepare(series: CandleSeries, p): Prepared {
    return {
      close: series.close,
      rsi: rsi(series.close, p.rsiPeriod),
      volZ: volumeZScore(series.volume, p.volPeriod),
      atr: atr(series.high, series.low, series.close, p.atrPeriod),
    };
  },

  evaluate(s, i, p): Signal {
    const close = s.close[i]!;
    const r = s.rsi[i]!;
    if (!finite(close, r)) return HOLD;
    if (r >= p.rsiExit) {
      return lazySignal('EXIT', () => `RSI${p.rsiPeriod} ${num(r)} >= ${num(p.rsiExit, 0)} (bounce taken)`);
    }
    if (!crossedAboveLevel(s.rsi, i, p.rsiEntry)) return HOLD;
    const z = s.volZ[i]!;
    const a = s.atr[i]!;
    if (!finite(z, a) || z < p.volZMin) return HOLD;
    return lazySignal('BUY', () =>
        `RSI${p.rsiPeriod} ${num(s.rsi[i - 1]!)} -> ${num(r)} crossed up ${num(p.rsiEntry, 0)}; ` +
        `volume z-score ${num(z, 2)} >= ${num(p.volZMin, 2)} (${p.volPeriod} bars); close ${fmt(close)}, ` +
        `ATR${p.atrPeriod} ${fmt(a)}`, {
      stopLoss: close - p.stopAtr * a,
      takeProfit: close + p.takeAtr * a,
    });
  },
};
