/**
 * Minimum backtest length (MinBTL): how many years of data a search over N independent configurations needs
 * before an in-sample annualised Sharpe ratio of a given size stops being what luck alone would deliver.
 *
 * Reference: Bailey, D. H., Borwein, J. M., López de Prado, M. & Zhu, Q. J. (2014), "Pseudo-Mathematics and
 * Financial Charlatanism: The Effects of Backtest Overfitting on Out-of-Sample Performance", Notices of the AMS
 * 61(5), 458–471, §"Minimum Backtest Length": for N skill-less configurations backtested over y years, the expected
 * maximum annualised in-sample Sharpe is E[max_N] ≈ y^{−1/2}·((1 − γ)·Z⁻¹[1 − 1/N] + γ·Z⁻¹[1 − 1/(N·e)]), so
 *   MinBTL ≈ ( ((1 − γ)·Z⁻¹[1 − 1/N] + γ·Z⁻¹[1 − 1/(N·e)]) / Ē[max_N] )²   years,
 * the length below which a backtest of N trials is expected to show an annualised Sharpe of Ē[max_N] with no
 * skill at all (γ = Euler–Mascheroni). The bracket is `expectedMaxSharpe(N, 1)` of the research layer (the same
 * approximation the deflated Sharpe ratio uses), reused here. The paper's example: with 5 years of data, no more
 * than 45 independent configurations should be tried for a target Sharpe of 1.
 */
import { expectedMaxSharpe } from '../research/stats';
import { StatsInputError } from './errors';

function checkTarget(targetSharpe: number): void {
  if (!(targetSharpe > 0) || !Number.isFinite(targetSharpe)) throw new StatsInputError(`target annualised Sharpe must be positive, got ${targetSharpe}`);
}

/**
 * MinBTL in years for `trials` independent configurations and a target annualised Sharpe ratio (default 1).
 * One trial is no selection: 0 years.
 */
export function minimumBacktestLength(trials: number, targetSharpe = 1): number {
  if (!Number.isInteger(trials) || trials < 1) throw new StatsInputError(`trials must be a positive integer, got ${trials}`);
  checkTarget(targetSharpe);
  return (expectedMaxSharpe(trials, 1) / targetSharpe) ** 2;
}

/** Expected maximum annualised in-sample Sharpe of `trials` skill-less configurations over `years` of data. */
export function expectedMaxAnnualSharpe(trials: number, years: number): number {
  if (!Number.isInteger(trials) || trials < 1) throw new StatsInputError(`trials must be a positive integer, got ${trials}`);
  if (!(years > 0)) throw new StatsInputError(`years must be positive, got ${years}`);
  return expectedMaxSharpe(trials, 1) / Math.sqrt(years);
}

/**
 * The largest number of independent configurations whose MinBTL fits in `years` of data (the inverse reading of
 * the paper's Figure 2); at least 1. Searches up to 10^9 trials.
 */
export function maxTrialsForBacktestLength(years: number, targetSharpe = 1): number {
  if (!(years > 0) || !Number.isFinite(years)) throw new StatsInputError(`years must be positive, got ${years}`);
  checkTarget(targetSharpe);
  // MinBTL increases with N (for N ≥ 2): bisect on integers.
  let lo = 1;
  let hi = 2;
  while (hi < 1e9 && minimumBacktestLength(hi, targetSharpe) <= years) {
    lo = hi;
    hi *= 2;
  }
  if (hi >= 1e9 && minimumBacktestLength(hi, targetSharpe) <= years) return hi;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (minimumBacktestLength(mid, targetSharpe) <= years) lo = mid;
    else hi = mid;
  }
  return lo;
}
