import { describe, expect, it } from 'vitest';
import { readRunResult, runMetrics, venueRows, walkForwardFolds } from './stored-run-result';

const run = { venue: 'binance', verdict: 'watch', verdictReason: 'run reason' };
const m = (trades: number) => ({ trades, totalReturn: 0.1 });

describe('readRunResult: one schema for every recorded layout', () => {
  it('judged (the research runner): venues rows as judgeRun stores them', () => {
    const r = readRunResult({ gross: m(10), net: { 'binance-taker': m(10) }, venues: [{ key: 'binance-taker', venue: 'binance', costModel: 'binance-taker', label: 'Binance taker', verdict: 'keep', reason: 'ok', metrics: { trades: 10 } }] });
    expect(r.ok && r.layout).toBe('judged');
    if (!r.ok) return;
    expect(venueRows(r.result, run)).toEqual([{ key: 'binance-taker', venue: 'binance', costModel: 'binance-taker', label: 'Binance taker', verdict: 'keep', reason: 'ok', metrics: { trades: 10 } }]);
    expect(runMetrics(r.result).gross).toEqual(m(10));
  });

  it('verdicts (fixtures, early runs): net per cost model and a verdicts map; labels from costModels', () => {
    const r = readRunResult({ costModels: [{ id: 'kraken-taker', label: 'Kraken taker' }], net: { 'binance-taker': m(5), 'kraken-taker': m(5) }, verdicts: { 'kraken-taker': { verdict: 'reject', reason: 'fees' } } });
    expect(r.ok && r.layout).toBe('verdicts');
    if (!r.ok) return;
    const rows = venueRows(r.result, run);
    expect(rows.find((x) => x.key === 'kraken-taker')).toMatchObject({ venue: 'kraken', label: 'Kraken taker', verdict: 'reject', reason: 'fees' });
    expect(rows.find((x) => x.key === 'binance-taker')).toMatchObject({ verdict: null });
    // With no verdicts at all, the run's own verdict stands for its venue's row.
    const bare = readRunResult({ net: { 'binance-taker': m(5) } });
    if (bare.ok) expect(venueRows(bare.result, run)[0]).toMatchObject({ verdict: 'watch', reason: 'run reason' });
  });

  it('legacy: metrics.{gross,net} and venues as a record', () => {
    const r = readRunResult({ metrics: { gross: m(3), net: { 'stress-31': m(3) } }, venues: { 'stress-31': { verdict: 'reject', trades: 3, note: 'x' } } });
    expect(r.ok && r.layout).toBe('legacy');
    if (!r.ok) return;
    expect(runMetrics(r.result)).toEqual({ gross: m(3), net: { 'stress-31': m(3) } });
    expect(venueRows(r.result, run)[0]).toMatchObject({ key: 'stress-31', venue: 'stress', verdict: 'reject', metrics: { trades: 3 } });
  });

  it('walk-forward folds; none for a plain backtest', () => {
    const r = readRunResult({ walkForward: { folds: [{ outOfSample: { key: 'a' } }, { index: 1 }] } });
    expect(r.ok && walkForwardFolds(r.result)).toEqual([{ outOfSample: { key: 'a' } }, { outOfSample: null }]);
    const p = readRunResult({ net: {} });
    expect(p.ok && walkForwardFolds(p.result)).toBeNull();
  });

  it('a result whose known fields have the wrong shape is an error naming the field; null is no result yet', () => {
    const bad = readRunResult({ venues: [{ key: 5 }] });
    expect(bad).toMatchObject({ ok: false });
    expect(!bad.ok && bad.reason).toMatch(/venues/);
    expect(readRunResult('nope')).toMatchObject({ ok: false });
    expect(readRunResult(null)).toEqual({ ok: true, layout: 'none', result: {} });
  });
});
