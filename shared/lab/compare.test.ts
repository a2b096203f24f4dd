/** Comparing 2–6 runs: the id list, metric/param/verdict rows, rebased equity and the text table the CLI prints. */
import { describe, expect, it } from 'vitest';
import { compareRuns, comparisonRows, CompareInputError, formatMetric, parseRunIds, type CompareRunInput } from './compare';

const T0 = Date.UTC(2021, 0, 1);
function run(id: string, over: Partial<CompareRunInput> = {}): CompareRunInput {
  return {
    id,
    strategyId: 'div006',
    venue: 'binance',
    symbol: 'BTC/USDT',
    timeframe: '4h',
    windowFrom: T0,
    windowTo: T0 + 86_400_000 * 365,
    params: { fast: 12, slow: 26 },
    status: 'done',
    verdict: 'reject',
    verdictReason: 'negative net mean',
    metrics: { gross: { trades: 10, totalReturn: 0.1, sharpe: 1.2, label: 'x' }, net: { 'binance-taker': { trades: 10, totalReturn: 0.05, meanReturn: 0.004, other: 1 } } },
    venues: [{ key: 'binance-taker', verdict: 'reject', reason: 'r' }],
    equity: [
      { time: T0 + 1, equityNet: 10_000, equityGross: 10_000 },
      { time: T0 + 2, equityNet: 11_000, equityGross: 11_500 },
    ],
    ...over,
  };
}

describe('parseRunIds', () => {
  it('2–6 distinct ids, trimmed; otherwise the reason', () => {
    expect(parseRunIds(' a, b ,c')).toEqual(['a', 'b', 'c']);
    expect(() => parseRunIds('a')).toThrow(/2–6 runs, got 1/);
    expect(() => parseRunIds('a,b,c,d,e,f,g')).toThrow(/got 7/);
    expect(() => parseRunIds('a,b,a')).toThrow(CompareInputError);
  });
});

describe('compareRuns', () => {
  const c = compareRuns([
    run('y2021'),
    run('y2022', {
      params: { fast: 12, slow: 30 },
      verdict: 'watch',
      metrics: { gross: { trades: 7, totalReturn: -0.2 }, net: { 'kraken-taker': { trades: 7, totalReturn: -0.3 } } },
      venues: [{ key: 'kraken-taker', verdict: 'watch', reason: 'k' }],
      equity: [
        { time: T0 + 1, equityNet: 5_000, equityGross: 5_000 },
        { time: T0 + 2, equityNet: 4_000, equityGross: 4_100 },
      ],
    }),
  ]);
  it('params line up with a same flag; missing values are null', () => {
    expect(c.params).toEqual([
      { key: 'fast', values: [12, 12], same: true },
      { key: 'slow', values: [26, 30], same: false },
    ]);
  });
  it('gross rows for every numeric metric; net rows for the key metrics per cost model; null where a run lacks one', () => {
    expect(c.metrics.filter((m) => m.view === 'gross').map((m) => [m.metric, m.values])).toEqual([
      ['trades', [10, 7]],
      ['totalReturn', [0.1, -0.2]],
      ['sharpe', [1.2, null]],
    ]);
    expect(c.metrics.filter((m) => m.view !== 'gross').map((m) => [m.view, m.metric, m.values])).toEqual([
      ['binance-taker', 'trades', [10, null]],
      ['binance-taker', 'meanReturn', [0.004, null]],
      ['binance-taker', 'totalReturn', [0.05, null]],
      ['kraken-taker', 'trades', [null, 7]],
      ['kraken-taker', 'totalReturn', [null, -0.3]],
    ]);
    expect(c.verdicts).toEqual([
      { key: 'binance-taker', values: ['reject', null], reasons: ['r', null] },
      { key: 'kraken-taker', values: [null, 'watch'], reasons: [null, 'k'] },
    ]);
  });
  it('equity rebased to 1 at each run’s first point', () => {
    expect(c.equity.map((e) => e.points.map((p) => p.value))).toEqual([
      [1, 1.1],
      [1, 0.8],
    ]);
  });
  it('the text table: one column per run, * on differing params', () => {
    const rows = comparisonRows(c);
    expect(rows[0]).toEqual(['', 'y2021', 'y2022']);
    expect(rows.find((r) => r[0] === 'param slow *')).toEqual(['param slow *', '26', '30']);
    expect(rows.find((r) => r[0] === 'gross totalReturn')).toEqual(['gross totalReturn', '10.00 %', '-20.00 %']);
    expect(rows.find((r) => r[0] === 'window')![1]).toBe('2021-01-01→2022-01-01');
    expect(formatMetric('sharpe', 1.23456)).toBe('1.235');
    expect(formatMetric('trades', null)).toBe('—');
  });
  it('fewer than 2 or more than 6 runs is an error', () => {
    expect(() => compareRuns([run('a')])).toThrow(/got 1/);
  });
});
