import { describe, expect, it } from 'vitest';
import { StatsInputError } from './errors';
import { expectedMaxAnnualSharpe, maxTrialsForBacktestLength, minimumBacktestLength } from './min-btl';

describe('MinBTL (Bailey, Borwein, López de Prado & Zhu 2014, Notices of the AMS 61(5), "Minimum Backtest Length")', () => {
  it("the paper's example: with 5 years of data, no more than 45 independent configurations (target Sharpe 1)", () => {
    // MinBTL(45) = ((1−γ)Z⁻¹[1 − 1/45] + γZ⁻¹[1 − 1/(45e)])² = 2.23564…² ≈ 4.998 years ≤ 5; MinBTL(46) ≈ 5.036 > 5.
    // Independent check of the bracket with scipy.stats.norm.ppf: 2.2356401777664052 → 4.998087004443404.
    expect(minimumBacktestLength(45)).toBeCloseTo(4.998087004443404, 9);
    expect(minimumBacktestLength(46)).toBeGreaterThan(5);
    expect(maxTrialsForBacktestLength(5)).toBe(45);
    // scipy: N = 1000 → bracket 3.255121513652723, MinBTL 10.595816068644794 years.
    expect(minimumBacktestLength(1000)).toBeCloseTo(10.595816068644794, 9);
  });

  it('scales with the inverse square of the target Sharpe and inverts E[max_N] = bracket/√years', () => {
    expect(minimumBacktestLength(200, 2)).toBeCloseTo(minimumBacktestLength(200) / 4, 12);
    const y = minimumBacktestLength(200, 1.5);
    expect(expectedMaxAnnualSharpe(200, y)).toBeCloseTo(1.5, 12);
    expect(minimumBacktestLength(1)).toBe(0);
    expect(maxTrialsForBacktestLength(0.1)).toBe(1);
    // Monotone in N: more trials need more data.
    let prev = 0;
    for (const n of [2, 5, 24, 200, 10_000]) {
      const v = minimumBacktestLength(n);
      expect(v).toBeGreaterThan(prev);
      prev = v;
    }
  });

  it('refuses meaningless input', () => {
    expect(() => minimumBacktestLength(0)).toThrow(StatsInputError);
    expect(() => minimumBacktestLength(2.5)).toThrow(StatsInputError);
    expect(() => minimumBacktestLength(10, 0)).toThrow(/target annualised Sharpe/);
    expect(() => maxTrialsForBacktestLength(-1)).toThrow(StatsInputError);
  });
});
