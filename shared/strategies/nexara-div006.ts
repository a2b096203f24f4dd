/**
 * Nexara div006: mean reversion of the BTC/ETH ratio on 4h candles. The input series is the ratio itself
 * (close = BTC close / ETH close, derived elsewhere). With d = ratio / SMA(ratio, 30) - 1, a 6 % stretch below
 * the mean buys the ratio (BTC cheap against ETH), a 6 % stretch above sells it, and the position is closed once
 * d is back within ±1 % of the mean or has crossed zero.
 */
import { z } from 'zod';
import type { CandleSeries } from '../candles/candle';
import { sma } from '../indicators/sma';
import { finite, floatParam, fmt, intParam, pct } from './helpers';
import { HOLD, type Signal, type Strategy } from './types';
import { lazySignal } from './reason';

export const nexaraDiv006Params = z
  .strictObject({
    /** SMA length in 4h bars (30 = 5 days). */
    period: intParam(10, 180, 30),
    /** |d| at or beyond which the ratio is stretched enough to trade (0.06 = 6 %). */
    entryDev: floatParam(0.01, 0.3, 0.06),
    /** |d| at or inside which the trade is closed (reverted to the mean). */
    exitDev: floatParam(0, 0.1, 0.01),
  })
  .refine((p) => p.exitDev < p.entryDev, { message: 'exitDev must be below entryDev' });

export type NexaraDiv006Params = z.infer<typeof nexaraDiv006Params>;

interface Prepared {
  close: Float64Array;
  mean: Float64Array;
}

function deviation(s: Prepared, i: number): number {
  if (i < 0) return NaN;
  return s.close[i]! / s.mean[i]! - 1;
}

/**
 * Builds div006. The registry holds the long-only build (the spot-research default); `allowShort: true` lets a
 * SELL at d >= +entryDev open a short of the ratio (long ETH / short BTC) when flat.
 */
export function createNexaraDiv006(opts: { allowShort: boolean } = { allowShort: false }): Strategy<NexaraDiv006Params, Prepared> {
  return {
    kind: 'single',
    id: 'nexara-div006',
    version: '1.0.0',
    family: 'spread-mean-reversion',
    origin: 'nexara',
    title: 'Nexara div006: BTC/ETH ratio reversion at ±6 % from its 30-bar mean (4h)',
    description:
      'On the BTC/ETH ratio series, d = close / SMA(close, 30) - 1. BUY (long BTC against ETH) when d <= -0.06; ' +
      'SELL (short the ratio if shorts are allowed, otherwise just close a long) when d >= +0.06; EXIT when ' +
      '|d| <= 0.01 or d changed sign since the previous bar.',
    timeframes: ['4h'],
    allowShort: opts.allowShort,
    paramsSchema: nexaraDiv006Params,
    defaults: nexaraDiv006Params.parse({}),
    paramSpace: {
      period: { kind: 'choice', values: [20, 30, 42, 60, 90] },
      entryDev: { kind: 'float', min: 0.03, max: 0.12, step: 0.01 },
      exitDev: { kind: 'choice', values: [0, 0.005, 0.01, 0.02] },
    },
    // A simple moving average is exact once it has `period` values; one more bar gives the previous d.
    startupCandles: (p) => p.period + 1,

    prepare(series: CandleSeries, p): Prepared {
      return { close: series.close, mean: sma(series.close, p.period) };
    },

    evaluate(s, i, p): Signal {
      const d = deviation(s, i);
      if (!finite(d)) return HOLD;
      const ratio = s.close[i]!;
      const mean = s.mean[i]!;
      const where = (): string => `ratio ${fmt(ratio)} vs SMA${p.period} ${fmt(mean)}: d = ${pct(d, 2, true)}`;
      if (d <= -p.entryDev) {
        return lazySignal('BUY', () => `${where()} <= -${pct(p.entryDev, 1)} (BTC cheap vs ETH: long the ratio)`);
      }
      if (d >= p.entryDev) {
        return lazySignal('SELL', () => `${where()} >= +${pct(p.entryDev, 1)} (BTC rich vs ETH: short the ratio)`);
      }
      if (Math.abs(d) <= p.exitDev) {
        return lazySignal('EXIT', () => `${where()}, inside ±${pct(p.exitDev, 1)} (reverted to the mean)`);
      }
      const prev = deviation(s, i - 1);
      if (finite(prev) && Math.sign(prev) !== Math.sign(d)) {
        return lazySignal('EXIT', () => `${where()}, crossed zero from ${pct(prev, 2, true)} (reverted through the mean)`);
      }
      return HOLD;
    },
  };
}

/** The registered, long-only div006. */
export const nexaraDiv006 = createNexaraDiv006();
