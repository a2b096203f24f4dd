/**
 * 4h platform momentum rank: cross-sectional time-series momentum. Every symbol of an aligned universe is scored
 * by its return over the last 42 4h bars (7 days); the top 3 with a return above zero get 1/3 of the book each,
 * empty slots stay in cash (a lone riser never gets the whole book).
 */
import { z } from 'zod';
import type { CandleSeries } from '../candles/candle';
import { roc } from '../indicators/roc';
import { finite, floatParam, intParam, pct } from './helpers';
import type { RankEntry, RankingStrategy } from './types';

export const platform4hMomentumRankParams = z.strictObject({
  /** Return horizon in bars (42 4h bars = 7 days). */
  lookback: intParam(6, 360, 42),
  /** How many symbols to hold. */
  topN: intParam(1, 20, 3),
  /** Minimum lookback return to be eligible (0 = strictly positive momentum). */
  minReturn: floatParam(-0.5, 1, 0),
});

export type Platform4hMomentumRankParams = z.infer<typeof platform4hMomentumRankParams>;

interface Prepared {
  symbols: string[];
  /** Lookback return per symbol as a fraction, NaN until `lookback` bars of history. */
  ret: Float64Array[];
}

/** ROC (percent) over `n` bars as a fractional return: close[i] / close[i - n] - 1. */
function lookbackReturn(close: Float64Array, n: number): Float64Array {
  const out = roc(close, n);
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / 100;
  return out;
}

export const platform4hMomentumRank: RankingStrategy<Platform4hMomentumRankParams, Prepared> = {
  kind: 'ranking',
  id: 'platform4h-momentum-rank',
  version: '1.0.0',
  family: 'cross-sectional-momentum',
  origin: '4h-platform',
  title: '4h momentum rank: top 3 by 7-day return, equal weight',
  description:
    'At each 4h close, score every symbol by close / close 42 bars ago - 1; hold the 3 highest scores that are > 0 ' +
    'at weight 1/3 each (unfilled slots stay in cash); everything else weight 0. Ties break by symbol name.',
  timeframes: ['4h'],
  paramsSchema: platform4hMomentumRankParams,
  defaults: platform4hMomentumRankParams.parse({}),
  paramSpace: {
    lookback: { kind: 'choice', values: [18, 42, 84, 126, 180] },
    topN: { kind: 'int', min: 1, max: 5, step: 1 },
    minReturn: { kind: 'choice', values: [0, 0.02, 0.05] },
  },
  startupCandles: (p) => p.lookback + 1,

  prepare(universe: readonly CandleSeries[], p): Prepared {
    return {
      symbols: universe.map((s, k) => s.symbol || `#${k}`),
      ret: universe.map((s) => lookbackReturn(s.close, p.lookback)),
    };
  },

  rank(s, i, p): RankEntry[] {
    const scored: { symbol: string; score: number }[] = [];
    for (let k = 0; k < s.symbols.length; k++) {
      const r = s.ret[k]![i];
      if (r !== undefined && finite(r)) scored.push({ symbol: s.symbols[k]!, score: r });
    }
    scored.sort((a, b) => b.score - a.score || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
    const weight = 1 / p.topN;
    let taken = 0;
    return scored.map(({ symbol, score }, rankIdx) => {
      const place = `#${rankIdx + 1} of ${scored.length}, ${p.lookback}-bar return ${pct(score, 2, true)}`;
      if (taken < p.topN && score > p.minReturn) {
        taken++;
        return { symbol, score, weight, reason: `${place} > ${pct(p.minReturn, 1)}: in the top ${p.topN}, weight ${pct(weight, 1)}` };
      }
      const why = score > p.minReturn ? `outside the top ${p.topN}` : `not above ${pct(p.minReturn, 1)}`;
      return { symbol, score, weight: 0, reason: `${place}: ${why}, weight 0` };
    });
  },
};
