import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../backtest/prng';
import { deflatedSharpe, sharpeInput } from './stats';
import { redeflateRun } from './trials';

function returns(n: number, mu: number, sd: number, seed: number): number[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => mu + sd * Math.sqrt(-2 * Math.log(Math.max(1e-12, r.next()))) * Math.cos(2 * Math.PI * r.next()));
}

describe('re-deflating a run (Bailey & López de Prado 2014, DSR eq. 2; MinBTL of Bailey et al. 2014)', () => {
  const net = { 'binance-taker': returns(120, 0.002, 0.01, 1), 'stress-31': returns(120, -0.001, 0.01, 2) };
  const window = { from: Date.UTC(2021, 0, 1), to: Date.UTC(2022, 0, 1) };

  it('a run judged with 1 trial is deflated further when the family has 200 trials; MinBTL beside it', () => {
    const t = redeflateRun({ family: 'div', netByPreset: net, trialsAtJudgement: 1, trialsNow: 200, window });
    const p = t.presets.find((x) => x.presetId === 'binance-taker')!;
    // With one trial SR₀ = 0: the DSR is the PSR against 0.
    expect(p.atJudgement.benchmarkSr).toBe(0);
    expect(p.now.dsr!).toBeLessThan(p.atJudgement.dsr!);
    expect(p.now.dsr).toBe(deflatedSharpe(sharpeInput(net['binance-taker'])!, 200)!.dsr);
    expect(t.minBtl.atJudgementYears).toBe(0);
    // 45 trials need 5 years at a target Sharpe of 1 (the paper's example); 200 need more than the 1-year window.
    expect(redeflateRun({ family: 'div', netByPreset: net, trialsAtJudgement: 45, trialsNow: 45, window }).minBtl.nowYears).toBeCloseTo(5, 0);
    expect(t.minBtl.nowYears).toBeGreaterThan(5);
    expect(t.minBtl.sufficientNow).toBe(false);
    expect(t.backtestYears).toBeCloseTo(365 / 365.25, 6);
  });

  it('each further trial lowers the DSR now (fixed variance); stored DSRs are kept as recorded', () => {
    let prev = Infinity;
    for (const n of [1, 2, 5, 24, 200, 5000]) {
      const d = redeflateRun({ family: 'div', netByPreset: net, trialsAtJudgement: 1, trialsNow: n, varianceNow: { 'binance-taker': 0.01 }, window }).presets[0]!.now.dsr!;
      expect(d).toBeLessThan(prev);
      prev = d;
    }
    const s = redeflateRun({ family: 'div', netByPreset: net, trialsAtJudgement: 3, trialsNow: 4, storedDsr: { 'binance-taker': 0.42 }, window });
    expect(s.presets[0]!.atJudgement).toEqual({ trials: 3, dsr: 0.42, benchmarkSr: null, varianceSource: 'stored' });
    expect(s.presets[1]!.atJudgement.varianceSource).toBe('null-fallback');
  });

  it('bad input is refused with the reason; too few trades give a null DSR, not a number', () => {
    expect(() => redeflateRun({ family: 'div', netByPreset: net, trialsAtJudgement: 0, trialsNow: 1, window })).toThrow(/trialsAtJudgement must be a positive integer, got 0/);
    expect(() => redeflateRun({ family: 'div', netByPreset: net, trialsAtJudgement: 1, trialsNow: 1, window: { from: 5, to: 5 } })).toThrow(/empty/);
    const one = redeflateRun({ family: 'div', netByPreset: { x: [0.01] }, trialsAtJudgement: 1, trialsNow: 3, window });
    expect(one.presets[0]!.now).toEqual({ trials: 3, dsr: null, benchmarkSr: null, varianceSource: null });
  });
});
