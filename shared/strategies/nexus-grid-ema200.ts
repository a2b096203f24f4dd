/**
 * Nexus grid around EMA200: grid levels sit at EMA200 - k·step·ATR for k = 1..levels. While price is below the
 * exit line (the EMA, or a chosen number of steps above it), the strategy keeps a resting maker bid at the first
 * grid level below the close (a BUY with `limitPrice`); the position is closed at the exit line, and abandoned if
 * price falls through the bottom of the grid. With one position per symbol, the grid reduces to "buy the first
 * level touched, sell at the mean".
 */
import { z } from 'zod';
import type { CandleSeries } from '../candles/candle';
import { atr } from '../indicators/atr';
import { ema } from '../indicators/ema';
import { emaSeed, finite, floatParam, fmt, intParam, num, wilderSeed } from './helpers';
import { HOLD, type Signal, type Strategy } from './types';
import { lazySignal } from './reason';

export const nexusGridEma200Params = z.strictObject({
  emaPeriod: intParam(20, 400, 200),
  atrPeriod: intParam(5, 100, 14),
  /** Grid spacing in ATRs. */
  step: floatParam(0.25, 5, 1),
  /** Number of buy levels below the EMA. */
  levels: intParam(1, 10, 3),
  /** Exit line in steps above the EMA (0 = exit at the EMA itself). */
  exitSteps: floatParam(0, 5, 0),
});

export type NexusGridEma200Params = z.infer<typeof nexusGridEma200Params>;

interface Prepared {
  close: Float64Array;
  ema: Float64Array;
  atr: Float64Array;
}

export const nexusGridEma200: Strategy<NexusGridEma200Params, Prepared> = {
  kind: 'single',
  id: 'nexus-grid-ema200',
  version: '1.0.0',
  family: 'grid-mean-reversion',
  origin: 'nexus',
  title: 'Nexus ATR grid around EMA200 (limit bids below the mean, exit at the mean)',
  description:
    'Levels L_k = EMA(200) - k·1·ATR(14), k = 1..3. EXIT when close >= EMA (+ exitSteps·ATR, default 0). EXIT when ' +
    'close < L_4 (grid broken). Otherwise BUY with limitPrice = the first level strictly below the close, ' +
    'stop = L_4, target = the exit line.',
  timeframes: ['5m', '15m'],
  allowShort: false,
  paramsSchema: nexusGridEma200Params,
  defaults: nexusGridEma200Params.parse({}),
  paramSpace: {
    emaPeriod: { kind: 'choice', values: [100, 200, 300] },
    step: { kind: 'float', min: 0.5, max: 2, step: 0.25 },
    levels: { kind: 'int', min: 1, max: 5, step: 1 },
    exitSteps: { kind: 'float', min: 0, max: 1, step: 0.5 },
  },
  startupCandles: (p) => Math.max(emaSeed(p.emaPeriod), wilderSeed(p.atrPeriod)) + 1,

  prepare(series: CandleSeries, p): Prepared {
    return {
      close: series.close,
      ema: ema(series.close, p.emaPeriod),
      atr: atr(series.high, series.low, series.close, p.atrPeriod),
    };
  },

  evaluate(s, i, p): Signal {
    const close = s.close[i]!;
    const mean = s.ema[i]!;
    const a = s.atr[i]!;
    if (!finite(close, mean, a) || a <= 0) return HOLD;
    const gap = p.step * a;
    const exitLine = mean + p.exitSteps * gap;
    const floor = mean - (p.levels + 1) * gap;
    const emaName = `EMA${p.emaPeriod}`;
    if (close >= exitLine) {
      return lazySignal('EXIT', () => {
        const line = p.exitSteps > 0 ? `exit line ${emaName} + ${num(p.exitSteps)} steps = ${fmt(exitLine)}` : `${emaName} ${fmt(mean)}`;
        return `close ${fmt(close)} >= ${line} (grid take-profit)`;
      });
    }
    if (close < floor) {
      return lazySignal('EXIT', () => `close ${fmt(close)} < grid floor ${fmt(floor)} = ${emaName} ${fmt(mean)} - ${p.levels + 1}×${num(p.step, 2)}·ATR (grid broken)`);
    }
    // First level strictly below the close: k = floor((mean - close) / gap) + 1, at least 1.
    const k = Math.max(1, Math.floor((mean - close) / gap) + 1);
    if (k > p.levels) return HOLD; // between the last level and the floor: the bottom bid was already passed
    const level = mean - k * gap;
    return lazySignal('BUY', () =>
        `close ${fmt(close)} below ${emaName} ${fmt(mean)}; resting bid at grid level ${k}/${p.levels} = ` +
        `${emaName} - ${k}×${num(p.step, 2)}·ATR${p.atrPeriod} (${fmt(a)}) = ${fmt(level)}`, {
      limitPrice: level,
      stopLoss: floor,
      takeProfit: exitLine,
    });
  },
};
