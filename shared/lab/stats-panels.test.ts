/**
 * The issue-13 statistics panels, fed by the real estimators: PBO (Bailey, Borwein, López de Prado & Zhu 2017,
 * CSCV §2: a combo that is best on every block is the OOS best of every split → λ > 0 everywhere, PBO = 0), the run
 * Monte Carlo (shared/research/run-monte-carlo), the lookahead audit (shared/backtest/lookahead-audit) with an
 * honest and a peeking strategy. Checks that each panel shows what the estimator returned, and says why when absent.
 */
import { describe, expect, it } from 'vitest';
import { cscvFromBlockValues, probabilityOfBacktestOverfitting } from '../stats';
import { summariseSweepPbo } from '../research/sweep-pbo';
import { runMonteCarlo } from '../research/run-monte-carlo';
import { tradesFromGross } from '../research/fixtures.test-util';
import { auditLookahead } from '../backtest/lookahead-audit';
import { maCross, randomWalk, sparseVeto } from '../backtest/fixtures.test-util';
import { gatesHtml, lookaheadHtml, monteCarloHtml, pboPanelHtml, scatterSvg, spaTableHtml, trialsHtml } from './stats-panels';

/** combos × blocks values: combo 0 dominates every block; the others are a deterministic wobble. */
function dominated(combos: number, blocks: number): number[][] {
  return Array.from({ length: combos }, (_, c) => Array.from({ length: blocks }, (_, b) => (c === 0 ? 1 : 0.1 * Math.sin(7 * c + 3 * b))));
}

describe('PBO panel', () => {
  const m = cscvFromBlockValues(dominated(6, 8));
  const res = probabilityOfBacktestOverfitting(m, { metric: 'mean' });
  const keys = Array.from({ length: 6 }, (_, i) => `combo-${i}`);
  const stored = summariseSweepPbo(res, keys, 'gross', [0, 1, 2, 3, 4, 5, 6, 7, 8], 1);

  it('shows PBO 0 and the one winner when a combo is best on every block (CSCV worked case)', () => {
    expect(res.pbo).toBe(0);
    const html = pboPanelHtml(stored);
    const d = stored.degradation;
    if (d.slope !== null && d.intercept !== null) expect(html).toContain(`OOS = ${d.intercept.toFixed(4)} ${d.slope < 0 ? '−' : '+'} ${Math.abs(d.slope).toFixed(4)} × IS`);
    else expect(html).toContain('no fit (IS performance does not vary)');
    expect(html).toContain('<strong id="pbo-value">0.000</strong>');
    expect(html).toContain(`<code>combo-0</code></td><td class="num">${res.splits}</td>`);
    // one bar per non-empty λ bin, one dot per kept split
    expect(html.match(/data-series="0"/g)).toHaveLength(res.histogram.counts.filter((c) => c > 0).length);
    expect(html).toContain(`data-points="${stored.scatter.points.length}"`);
    expect(html.match(/<circle /g)).toHaveLength(stored.scatter.points.length);
  });

  it('says why when the sweep has no PBO', () => {
    expect(pboPanelHtml({ status: 'insufficient-data', reason: 'PBO needs at least 2 combos, the sweep has 1' })).toContain('PBO needs at least 2 combos, the sweep has 1');
    expect(pboPanelHtml(undefined)).toContain('not computed');
  });

  it('scatter: the OLS line is drawn only when the slope exists', () => {
    const pts = [{ is: 1, oos: 0.5, lambda: 1 }, { is: 2, oos: -0.5, lambda: -1 }];
    expect(scatterSvg({ points: pts, slope: -1, intercept: 1.5, xLabel: 'x', yLabel: 'y' })).toContain('class="fit"');
    expect(scatterSvg({ points: pts, slope: null, intercept: null, xLabel: 'x', yLabel: 'y' })).not.toContain('class="fit"');
    expect(scatterSvg({ points: pts, slope: null, intercept: null, xLabel: 'x', yLabel: 'y' }).match(/fill="#dc2626"/g)).toHaveLength(1);
  });
});

describe('SPA table', () => {
  it('prints the p-values of each side, and the reason of a side that could not be computed', () => {
    const spa = {
      view: 'binance-taker', strategies: 12, observations: 300, period: 'day', reps: 1000, seed: 1, scope: 'this-sweep',
      vsFlat: { benchmark: 'flat', status: 'done', spa: { lower: 0.0123, consistent: 0.0456, upper: 0.0789, statistic: 2 }, realityCheck: { pValue: 0.1011, statistic: 1 }, best: 'fast=3,slow=10', blockLength: 7, blockLengthSource: 'politis-white' },
      vsBuyAndHold: { benchmark: 'buy-and-hold', status: 'insufficient-data', reason: 'benchmark has 0 days' },
    };
    const html = spaTableHtml(spa);
    expect(html).toContain('<td class="num">0.012</td><td class="num">0.046</td><td class="num">0.079</td><td class="num">0.101</td>');
    expect(html).toContain('insufficient-data: benchmark has 0 days');
    expect(html).toContain('7.00 days (politis-white)');
    expect(spaTableHtml(null)).toContain('not computed');
  });
});

describe('Monte Carlo panel', () => {
  const gross = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? -0.02 : 0.012));
  const trades = tradesFromGross(gross);
  const view = Object.keys(trades[0]!.net)[0]!;
  let e = 1;
  const mc = runMonteCarlo(trades, { equity: gross.map((g) => (e *= 1 + g)) }, view, { paths: 300, seed: 4 });

  it('one row per method with the 5/50/95 % bands and ruin probability as computed; a fan per stored fan', () => {
    const html = monteCarloHtml(mc);
    const p = mc.tradeResample;
    if (p.status !== 'done') throw new Error(p.reason);
    expect(html).toContain(`<td>trade resample</td><td class="num">${p.finalEquity.p5.toFixed(3)}</td><td class="num">${p.finalEquity.p50.toFixed(3)}</td><td class="num">${p.finalEquity.p95.toFixed(3)}</td>`);
    expect(html).toContain(`${(p.maxDrawdown.p95 * 100).toFixed(1)} %</td><td class="num">${p.probabilityOfRuin.toFixed(3)}</td>`);
    const fans = [mc.tradeReshuffle, mc.tradeResample, mc.blockBootstrap].filter((x) => x.status === 'done' && x.fan).length;
    expect(fans).toBeGreaterThan(0);
    expect(html.match(/aria-label="Monte Carlo equity fan"/g)).toHaveLength(fans);
    expect(monteCarloHtml(mc)).toBe(html);
  });

  it('too few trades: the reason, not a number', () => {
    const few = runMonteCarlo(tradesFromGross([0.01]), undefined, view, { seed: 1 });
    const html = monteCarloHtml(few);
    expect(few.tradeResample.status).toBe('insufficient-data');
    expect(html).toContain((few.tradeResample as { reason: string }).reason.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
  });
});

describe('lookahead panel', () => {
  const series = randomWalk(1200, 7);
  it('an honest strategy passes with its cut and compared counts; a peeking one fails with its first mismatch', () => {
    const ok = auditLookahead(maCross({ fast: 3, slow: 10 }), series, {});
    expect(ok.ok).toBe(true);
    const okHtml = lookaheadHtml(ok);
    expect(okHtml).toContain('data-audit="pass"');
    expect(okHtml).toContain(`${ok.truncation.cuts} cuts, ${ok.truncation.compared} compared, 0 mismatches`);
    const bad = auditLookahead(sparseVeto(), series, {});
    expect(bad.ok).toBe(false);
    const badHtml = lookaheadHtml(bad);
    expect(badHtml).toContain('data-audit="fail"');
    expect(badHtml).toContain(`first mismatch at candle ${bad.truncation.mismatches[0]!.index} `);
  });
  it('a walk-forward stores one audit per fold: one row each', () => {
    const a = auditLookahead(maCross({ fast: 3, slow: 10 }), series, {});
    expect(lookaheadHtml([a, a]).match(/<td>fold \d<\/td>/g)).toHaveLength(2);
    expect(lookaheadHtml(undefined)).toContain('not recorded');
  });
});

describe('trials and gates panels', () => {
  it('DSR at judgement vs now and MinBTL as given; study gates with their outcomes', () => {
    const t = {
      family: 'ma-cross', trialsAtJudgement: 1, trialsNow: 40, backtestYears: 1.5,
      minBtl: { targetSharpe: 1, atJudgementYears: 0, nowYears: 7.38, sufficientNow: false },
      presets: [{ presetId: 'binance-taker', trades: 50, tradeSharpe: 0.1, atJudgement: { trials: 1, dsr: 0.91, benchmarkSr: 0, varianceSource: null }, now: { trials: 40, dsr: 0.42, benchmarkSr: 0.2, varianceSource: 'trials' } }],
    };
    const html = trialsHtml(t);
    expect(html).toContain('<td class="num">0.910</td><td class="num">0.420</td>');
    expect(html).toContain('too short for the trials now');
    const g = gatesHtml({ name: 'strict', description: 'd' }, [{ gate: 'maxPbo', status: 'fail', value: 0.6, threshold: 0.2, detail: 'PBO 0.600 > 0.200' }]);
    expect(g).toContain('<strong id="gate-set-name">strict</strong>');
    expect(g).toContain('<span class="badge bad" data-gate="fail">fail</span>');
    expect(g).toContain('<td class="num">0.600</td><td class="num">0.200</td><td>PBO 0.600 &gt; 0.200</td>'); // numbers right, text left
    expect(gatesHtml(undefined, undefined)).toContain('none evaluated');
  });
});
