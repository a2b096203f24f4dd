import { expect, it } from 'vitest';
import { describeWithData, readFreqtrade } from '../testing/data';
import { optimalBlockLength } from './block-length';
import { blockBootstrapMonteCarlo } from './monte-carlo';
import { cscvFromReturns } from './cscv-matrix';
import { probabilityOfBacktestOverfitting } from './pbo';
import { superiorPredictiveAbility } from './spa';

describeWithData('statistics on real BTC/USDT 4h candles (freqtrade file), 2021', () => {
  const rows = readFreqtrade('djienne-3EMA_SRSI_ATR', 'BTC_USDT-4h.json');
  const closes = rows.map((r) => r[4]!);
  const i0 = rows.findIndex((r) => r[0]! >= Date.UTC(2021, 0, 1));
  const i1 = rows.findIndex((r) => r[0]! >= Date.UTC(2022, 0, 1));
  const ret: number[] = [];
  for (let i = i0; i < i1; i++) ret.push(closes[i]! / closes[i - 1]! - 1);
  // A family of 40 long/flat momentum rules (long after a rise over the last L bars, L = 2, 5, …, 119), 10 bps
  // per position change, as per-bar returns.
  const family = Array.from({ length: 40 }, (_, j) => {
    const L = 2 + 3 * j;
    const out: number[] = [];
    let prev = 0;
    for (let i = i0; i < i1; i++) {
      const pos = closes[i - 1]! > closes[i - 1 - L]! ? 1 : 0;
      out.push(pos * (closes[i]! / closes[i - 1]! - 1) - (pos !== prev ? 0.001 : 0));
      prev = pos;
    }
    return out;
  });

  it('volatility clusters: |returns| need far longer bootstrap blocks than returns (Politis–White)', () => {
    expect(ret.length).toBe(2190);
    const raw = optimalBlockLength(ret).stationary;
    const abs = optimalBlockLength(ret.map(Math.abs)).stationary;
    expect(raw).toBeGreaterThanOrEqual(1);
    expect(abs).toBeGreaterThan(5 * raw);
  });

  it('a planted perfect-foresight rule among the family is found superior and not overfit; honest rules are judged', () => {
    const cheat = ret.map((x) => (x > 0 ? x : 0)); // long exactly on the bars that rise: lookahead
    const withCheat = [...family, cheat];
    const pbo = probabilityOfBacktestOverfitting(cscvFromReturns(withCheat, 16));
    expect(pbo.pbo).toBeLessThan(0.05);
    expect(pbo.pairs.every((p) => p.best === 40)).toBe(true);
    const spa = superiorPredictiveAbility({ series: withCheat, kind: 'returns', benchmark: ret }, { seed: 1, reps: 500 });
    expect(spa.best).toBe(40);
    expect(spa.spa.pValues.upper).toBeLessThan(0.01);

    const honest = probabilityOfBacktestOverfitting(cscvFromReturns(family, 16));
    expect(honest.splits).toBe(12870);
    expect(honest.pbo).toBeGreaterThan(pbo.pbo);
    for (const benchmark of ['flat', ret] as const) {
      const s = superiorPredictiveAbility({ series: family, kind: 'returns', benchmark }, { seed: 1, reps: 500 });
      expect(s.blockLengthSource).toBe('politis-white');
      expect(s.spa.pValues.lower).toBeLessThanOrEqual(s.spa.pValues.consistent);
      expect(s.spa.pValues.consistent).toBeLessThanOrEqual(s.spa.pValues.upper);
    }
  });

  it('moving-block Monte Carlo of one honest rule (L = 26 bars): ordered bands, a ruin share between 0 and 1/2', () => {
    const mc = blockBootstrapMonteCarlo(family[8]!, { seed: 1, paths: 1000, ruinDrawdown: 0.5, fanPoints: 7 });
    expect(mc.blockLengthSource).toBe('politis-white');
    expect(mc.finalEquity.p5).toBeLessThan(mc.finalEquity.p50);
    expect(mc.finalEquity.p50).toBeLessThan(mc.finalEquity.p95);
    expect(mc.maxDrawdown.p95).toBeGreaterThan(mc.observed.maxDrawdown * 0.5);
    expect(mc.probabilityOfRuin).toBeGreaterThan(0);
    expect(mc.probabilityOfRuin).toBeLessThan(0.5);
    expect(mc.fan!.step.at(-1)).toBe(ret.length);
  });
});
