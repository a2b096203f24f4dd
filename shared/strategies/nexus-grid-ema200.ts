/**
 * Nexus grid around EMA200, multi-level: grid levels sit at L_k = EMA200 - k·step·ATR for k = 1..levels. While
 * price is between the grid floor and the exit line (the EMA, or a chosen number of steps above it), the strategy
 * keeps a resting maker bid at EVERY level below the close (a BUY with `lots`, one keyed lot per level), so several
 * lots are open at once as price walks down the grid. Each lot has its own exit: take-profit one level up (L_{k-1};
 * level 1 at the exit line) and a stop at the floor L_{levels+1}. A close at or above the exit line closes every
 * lot at the next open (grid take-profit); a close below the floor closes them all (grid broken).
 *
 * Version 2.0.0 (multi-lot) replaced 1.0.0 (one position: "buy the first level touched, sell at the mean"); runs
 * recorded under 1.0.0 keep their version and result.
 */
import { z } from 'zod';
import type { CandleSeries } from '../candles/candle';
import { atr } from '../indicators/atr';
import { ema } from '../indicators/ema';
import { emaSeed, finite, floatParam, fmt, intParam, num, wilderSeed } from './helpers';
import { HOLD, type LotOrder, type Signal, type Strategy } from './types';
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
  version: '2.0.0',
  family: 'grid-mean-reversion',
  origin: 'nexus',
  title: 'Nexus ATR grid around EMA200 (a lot at every level below the mean, each with its own exit)',
  description:
    'Levels L_k = EMA(200) - k·1·ATR(14), k = 1..3. EXIT every lot when close >= EMA (+ exitSteps·ATR, default 0), ' +
    'or when close < L_4 (grid broken). Otherwise BUY with a resting limit bid (a lot) at every level strictly ' +
    'below the close: lot k targets L_{k-1} (lot 1: the exit line), stop = L_4; several lots can be open at once.',
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
    // Levels strictly below the close: k from max(1, floor((mean - close) / gap) + 1) to levels.
    const k0 = Math.max(1, Math.floor((mean - close) / gap) + 1);
    if (k0 > p.levels) return HOLD; // between the last level and the floor: every bid was already passed
    const lots: LotOrder[] = [];
    for (let k = k0; k <= p.levels; k++) {
      const level = mean - k * gap;
      const target = k === 1 ? exitLine : mean - (k - 1) * gap;
      lots.push({
        key: `L${k}`,
        limitPrice: level,
        stopLoss: floor,
        takeProfit: target,
        reason:
          `grid level ${k}/${p.levels} = ${emaName} ${fmt(mean)} - ${k}×${num(p.step, 2)}·ATR${p.atrPeriod} (${fmt(a)}) = ${fmt(level)}; ` +
          `target ${k === 1 ? 'exit line' : `level ${k - 1}`} ${fmt(target)}, stop floor ${fmt(floor)}`,
      });
    }
    return {
      action: 'BUY',
      reason: `close ${fmt(close)} below ${emaName} ${fmt(mean)}; grid bids at levels ${k0}..${p.levels} of ${p.levels}`,
      lots,
    };
  },
};
