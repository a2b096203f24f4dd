/**
 * Run-page panel data pinned to the definitions it follows (numpy.histogram, empyrical aggregate_returns, pyfolio
 * gen_drawdown_table, QuantStats rolling_sharpe, freqtrade's tag stats) on hand-worked examples, plus invariants on
 * EMA-crossover trades over real Binance BTC/USDT 4h candles.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dataPath, describeWithData, HAS_SHARED_DATA } from '../testing/data';
import { crossoverTrades } from '../../tools/browser/lab-fixtures';
import {
  dailyReturns,
  drawdownPeriods,
  durationHistogram,
  equalEdges,
  exitKind,
  exposure,
  histogram,
  PanelInputError,
  periodReturns,
  queryTrades,
  returnHistogram,
  rollingSharpe,
  runPanels,
  tagTable,
  tradeEquity,
  underwater,
  type PanelTrade,
} from './run-panels';

const H = 3_600_000;
const D = 86_400_000;
const T0 = Date.UTC(2022, 0, 1);

function trade(seq: number, entryTime: number, exitTime: number, gross: number, net: number, extra: Partial<PanelTrade> = {}): PanelTrade {
  return { seq, side: 'long', entryTime, exitTime, entryReason: 'cross up', exitReason: 'cross down', grossReturn: gross, netReturns: { m: net }, ...extra };
}

describe('histogram (numpy.histogram bin convention)', () => {
  it('numpy docs example: np.histogram([1, 2, 1], bins=[0, 1, 2, 3]) → [0, 2, 1]', () => {
    expect(histogram([1, 2, 1], [0, 1, 2, 3])).toEqual([0, 2, 1]);
  });
  it('numpy docs example: np.histogram([[1, 2, 1], [1, 0, 1]], bins=[0, 1, 2, 3]) → [1, 4, 1] (last bin closed)', () => {
    expect(histogram([1, 2, 1, 1, 0, 1], [0, 1, 2, 3])).toEqual([1, 4, 1]);
    expect(histogram([3], [0, 1, 2, 3])).toEqual([0, 0, 1]);
    expect(histogram([-1, 3.5], [0, 1, 2, 3])).toEqual([0, 0, 0]);
  });
  it('equal edges; a zero-width range widens by ±0.5; bad input is an error with the reason', () => {
    expect(equalEdges(0, 10, 4)).toEqual([0, 2.5, 5, 7.5, 10]);
    expect(equalEdges(3, 3, 2)).toEqual([2.5, 3, 3.5]);
    expect(() => equalEdges(1, 0, 3)).toThrow(/lo ≤ hi/);
    expect(() => histogram([Number.NaN], [0, 1])).toThrow(PanelInputError);
    expect(() => histogram([1], [0, 0, 1])).toThrow(/increase strictly/);
  });
  it('gross and net share one set of edges; fewer than 2 trades is insufficient data with the count', () => {
    const ts = [trade(0, T0, T0 + H, 0.01, 0.008), trade(1, T0 + 2 * H, T0 + 3 * H, -0.02, -0.022), trade(2, T0 + 4 * H, T0 + 5 * H, 0.03, 0.028)];
    const r = returnHistogram(ts, 'm', 10);
    if (!r.ok) throw new Error(r.message);
    expect(r.value.edgesBps[0]).toBeCloseTo(-220, 9);
    expect(r.value.edgesBps[10]).toBeCloseTo(300, 9);
    expect(r.value.gross.reduce((a, b) => a + b)).toBe(3);
    expect(r.value.net.reduce((a, b) => a + b)).toBe(3);
    expect(r.value.net[0]).toBe(1); // −220 bps sits in the first bin
    expect(r.value.gross[9]).toBe(1); // +300 bps in the last (closed) bin
    const one = returnHistogram(ts.slice(0, 1), 'm');
    expect(one).toMatchObject({ ok: false, reason: 'insufficient-data', count: 1, need: 2 });
    expect(!one.ok && one.message).toMatch(/needs at least 2, got 1/);
  });
  it('durations in hours from 0 to the longest, with the median', () => {
    const ts = [trade(0, T0, T0 + 2 * H, 0, 0), trade(1, T0, T0 + 4 * H, 0, 0), trade(2, T0, T0 + 10 * H, 0, 0)];
    const r = durationHistogram(ts, 5);
    if (!r.ok) throw new Error(r.message);
    expect(r.value.edgesHours).toEqual([0, 2, 4, 6, 8, 10]);
    expect(r.value.counts).toEqual([0, 1, 1, 0, 1]);
    expect(r.value.medianHours).toBe(4);
    expect(() => durationHistogram([trade(0, T0 + H, T0, 0, 0), trade(1, T0, T0 + H, 0, 0)])).toThrow(/exits before it enters/);
  });
});

describe('period returns (empyrical aggregate_returns: Π(1 + r) − 1 per calendar period)', () => {
  it('worked example: Jan +10 % then −5 % → +4.5 %; Feb +20 %; the year 1.1 × 0.95 × 1.2 − 1 = 25.4 %', () => {
    const ts = [
      trade(0, T0, Date.UTC(2022, 0, 5), 0.11, 0.1),
      trade(1, T0, Date.UTC(2022, 0, 31, 23, 59), -0.04, -0.05),
      trade(2, T0, Date.UTC(2022, 1, 1), 0.21, 0.2),
      trade(3, T0, Date.UTC(2023, 6, 1), -0.1, -0.1),
    ];
    const p = periodReturns(ts, 'm');
    expect(p.monthly.map((m) => [m.year, m.month, m.trades])).toEqual([
      [2022, 1, 2],
      [2022, 2, 1],
      [2023, 7, 1],
    ]);
    expect(p.monthly[0]!.ret).toBeCloseTo(0.045, 12);
    expect(p.monthly[1]!.ret).toBeCloseTo(0.2, 12);
    expect(p.yearly[0]!.ret).toBeCloseTo(0.254, 12);
    expect(p.yearly[1]!.ret).toBeCloseTo(-0.1, 12);
    expect(periodReturns(ts, 'gross').monthly[0]!.ret).toBeCloseTo(1.11 * 0.96 - 1, 12);
  });
  it('an unknown cost model is an error naming the trade, not a NaN', () => {
    expect(() => periodReturns([trade(7, T0, T0 + H, 0, 0)], 'kraken-taker')).toThrow(/trade 7 has no finite net \(kraken-taker\)/);
  });
});

describe('drawdown periods (pyfolio gen_drawdown_table)', () => {
  // Equity 1 → 1.2 → 0.9 → 1.0 → 1.25 → 1.0 → 1.1: two periods, the first recovered, the second still open.
  const curve = [1, 1.2, 0.9, 1.0, 1.25, 1.0, 1.1].map((equity, i) => ({ time: T0 + i * D, equity }));
  it('peak, valley, recovery, depth and lengths; deepest first; open period has no recovery', () => {
    const p = drawdownPeriods(curve, 5);
    expect(p).toHaveLength(2);
    expect(p[0]).toMatchObject({ peakTime: T0 + D, valleyTime: T0 + 2 * D, recoveryTime: T0 + 4 * D, lengthMs: 3 * D, recoveryMs: 2 * D });
    expect(p[0]!.depth).toBeCloseTo(0.9 / 1.2 - 1, 12); // −25 %
    expect(p[1]).toMatchObject({ peakTime: T0 + 4 * D, valleyTime: T0 + 5 * D, recoveryTime: null, lengthMs: 2 * D, recoveryMs: null });
    expect(p[1]!.depth).toBeCloseTo(-0.2, 12);
    expect(drawdownPeriods(curve, 1)).toHaveLength(1);
  });
  it('underwater = E / running max − 1, and its minimum is the deepest period', () => {
    const u = underwater(curve);
    expect(u.map((x) => Number(x.underwater.toFixed(6)))).toEqual([0, 0, -0.25, Number((1 / 1.2 - 1).toFixed(6)), 0, -0.2, -0.12]);
  });
  it('trade-closed equity compounds each net return at its exit, in exit order', () => {
    const ts = [trade(1, T0, T0 + 2 * H, 0, -0.5), trade(0, T0, T0 + H, 0, 1)];
    expect(tradeEquity(ts, 'm', T0).map((p) => p.equity)).toEqual([1, 2, 1]);
  });
});

describe('tag tables (freqtrade ENTER TAG / EXIT REASON stats)', () => {
  it('count, win/draw/loss, win rate, mean net bps, sum and compounded totals, by entry reason and by exit kind', () => {
    const ts = [
      trade(0, T0, T0 + H, 0.012, 0.01, { entryReason: 'a', exitReason: 'stop' }),
      trade(1, T0, T0 + 3 * H, -0.018, -0.02, { entryReason: 'a', exitReason: 'RSI over 70' }),
      trade(2, T0, T0 + H, 0.002, 0, { entryReason: 'b', exitReason: 'take-profit' }),
      trade(3, T0, T0 + H, 0.032, 0.03, { entryReason: 'a', exitReason: 'stop' }),
    ];
    const e = tagTable(ts, 'entry', 'm');
    expect(e.map((r) => [r.tag, r.trades, r.wins, r.draws, r.losses])).toEqual([
      ['a', 3, 2, 0, 1],
      ['b', 1, 0, 1, 0],
    ]);
    expect(e[0]!.winRate).toBeCloseTo(2 / 3, 12);
    expect(e[0]!.meanNetBps).toBeCloseTo(((0.01 - 0.02 + 0.03) / 3) * 1e4, 9);
    expect(e[0]!.sumNetReturn).toBeCloseTo(0.02, 12);
    expect(e[0]!.compoundedNetReturn).toBeCloseTo(1.01 * 0.98 * 1.03 - 1, 12);
    expect(e[0]!.meanDurationMs).toBeCloseTo((5 * H) / 3, 6);
    const x = tagTable(ts, 'exit', 'm');
    expect(x.map((r) => [r.tag, r.trades])).toEqual([
      ['stop', 2],
      ['signal', 1],
      ['take-profit', 1],
    ]);
    expect(exitKind({ exitReason: 'trailing' })).toBe('trailing');
    expect(exitKind({ exitReason: 'EMA12 crossed below EMA26' })).toBe('signal');
  });
});

describe('exposure (time in the market per bucket)', () => {
  it('overlapping trades count once; partial buckets; overall share of the window', () => {
    const ts = [trade(0, T0 + 6 * H, T0 + 18 * H, 0, 0), trade(1, T0 + 12 * H, T0 + 30 * H, 0, 0), trade(2, T0 + 60 * H, T0 + 80 * H, 0, 0)];
    const x = exposure(ts, T0, T0 + 3 * D, D);
    expect(x.points.map((p) => p.time)).toEqual([T0, T0 + D, T0 + 2 * D]);
    expect(x.points.map((p) => p.exposure)).toEqual([18 / 24, 6 / 24, 12 / 24]); // [6h,30h) then [60h,80h) clipped to [60h,72h)
    expect(x.overall).toBeCloseTo((24 + 12) / 72, 12);
    expect(() => exposure(ts, T0, T0)).toThrow(/to > from/);
  });
});

describe('rolling Sharpe (QuantStats rolling_sharpe: rolling mean / rolling sd (ddof 1) × sqrt(periods))', () => {
  it('worked example: daily returns 1 %, 2 %, 3 % → mean 2 %, sd 1 % → 2 × sqrt(365) = 38.21; then 2 %, 3 %, 0 % → 20.85', () => {
    const ts = [trade(0, T0, T0 + 1, 0, 0.01), trade(1, T0, T0 + D + 5, 0, 0.02), trade(2, T0, T0 + 2 * D + 7, 0, 0.03)];
    const r = rollingSharpe(ts, 'm', T0, T0 + 3 * D, 3);
    if (!r.ok) throw new Error(r.message);
    expect(r.value.map((p) => p.time)).toEqual([T0 + 2 * D, T0 + 3 * D]);
    expect(r.value[0]!.sharpe).toBeCloseTo(38.21, 2);
    expect(r.value[1]!.sharpe).toBeCloseTo(20.85, 2);
  });
  it('two exits on one day compound; days without exits are 0; a flat window has no Sharpe (null)', () => {
    const ts = [trade(0, T0, T0 + H, 0, 0.1), trade(1, T0, T0 + 2 * H, 0, 0.1)];
    const d = dailyReturns(ts, 'm', T0, T0 + 3 * D);
    expect(d.map((x) => Number(x.ret.toFixed(12)))).toEqual([0.21, 0, 0, 0]);
    const r = rollingSharpe(ts, 'm', T0 + D, T0 + 3 * D, 2);
    expect(r.ok && r.value.map((p) => p.sharpe)).toEqual([null, null]);
  });
  it('fewer days than the window is insufficient data with the count', () => {
    expect(rollingSharpe([], 'm', T0, T0 + 9 * D, 90)).toMatchObject({ ok: false, count: 10, need: 90 });
  });
});

describe('trades table query', () => {
  const ts = [
    trade(0, T0, T0 + 5 * H, 0.01, 0.008, { exitReason: 'stop' }),
    trade(1, T0, T0 + H, -0.01, -0.012, { side: 'short' }),
    trade(2, T0, T0 + 2 * H, 0.03, 0.028),
    trade(3, T0, T0 + 3 * H, 0.001, -0.001),
  ];
  it('filters by side, exit kind and winner/loser under the chosen model', () => {
    expect(queryTrades(ts, { model: 'm', side: 'short' }).items.map((t) => t.seq)).toEqual([1]);
    expect(queryTrades(ts, { model: 'm', exitKind: 'stop' }).items.map((t) => t.seq)).toEqual([0]);
    expect(queryTrades(ts, { model: 'm', outcome: 'winner' }).items.map((t) => t.seq)).toEqual([0, 2]);
    expect(queryTrades(ts, { model: 'gross', outcome: 'winner' }).items.map((t) => t.seq)).toEqual([0, 2, 3]);
    expect(queryTrades(ts, { model: 'm', outcome: 'loser' }).total).toBe(2);
  });
  it('sorts by net, duration; pages clamp to the last page', () => {
    expect(queryTrades(ts, { model: 'm', sort: 'net', dir: 'desc' }).items.map((t) => t.seq)).toEqual([2, 0, 3, 1]);
    expect(queryTrades(ts, { model: 'm', sort: 'duration' }).items.map((t) => t.seq)).toEqual([1, 2, 3, 0]);
    const p = queryTrades(ts, { model: 'm', pageSize: 3, page: 7 });
    expect([p.page, p.pages, p.total, p.items.map((t) => t.seq)]).toEqual([1, 2, 4, [3]]);
    expect(() => queryTrades(ts, { model: 'm', pageSize: 0 })).toThrow(/page size/);
  });
});

const candles = HAS_SHARED_DATA
  ? (JSON.parse(readFileSync(dataPath('freqtrade-binance-spot', 'SauloHenriqueAguiar-freqtrades', 'BTC_USDT-4h.json'), 'utf8')) as number[][]).map((r) => ({
      openTime: r[0]!,
      open: r[1]!,
      high: r[2]!,
      low: r[3]!,
      close: r[4]!,
      volume: r[5]!,
    }))
  : [];

describeWithData('run panels on EMA(12/26) crossover trades over real Binance BTC/USDT 4h candles', () => {
  const trades = crossoverTrades(candles, 12, 26);
  const window = { from: candles[0]!.openTime, to: candles.at(-1)!.openTime + 4 * H };
  const p = runPanels(trades, 'binance-taker', window, { rollingWindowDays: 30 });
  it('monthly returns compound to the yearly ones, and those to the final trade-closed equity', () => {
    expect(trades.length).toBeGreaterThan(5);
    const years = new Map<number, number>();
    for (const m of p.periods.monthly) years.set(m.year, (years.get(m.year) ?? 1) * (1 + m.ret));
    for (const y of p.periods.yearly) expect(years.get(y.year)! - 1).toBeCloseTo(y.ret, 10);
    expect(p.periods.yearly.reduce((a, y) => a * (1 + y.ret), 1)).toBeCloseTo(p.equity.at(-1)!.equity, 10);
    expect(p.periods.monthly.reduce((a, m) => a + m.trades, 0)).toBe(trades.length);
  });
  it('the deepest drawdown period is the underwater minimum; periods do not overlap', () => {
    const minUw = Math.min(...p.underwater.map((u) => u.underwater));
    expect(p.drawdowns[0]!.depth).toBeCloseTo(minUw, 12);
    const sorted = [...p.drawdowns].sort((a, b) => a.peakTime - b.peakTime);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.peakTime).toBeGreaterThanOrEqual(sorted[i - 1]!.recoveryTime!);
  });
  it('histograms count every trade; tag tables partition the trades; one position at a time → exposure = Σ durations / window', () => {
    expect(p.returns.ok && p.returns.value.net.reduce((a, b) => a + b)).toBe(trades.length);
    expect(p.durations.ok && p.durations.value.counts.reduce((a, b) => a + b)).toBe(trades.length);
    expect(p.entryTags.reduce((a, r) => a + r.trades, 0)).toBe(trades.length);
    expect(p.exitKinds.map((r) => r.tag)).toEqual(['signal']);
    const held = trades.reduce((a, t) => a + (t.exitTime - t.entryTime), 0);
    expect(p.exposure.overall).toBeCloseTo(held / (window.to - window.from), 12);
    expect(p.rollingSharpe.ok).toBe(true);
  });
  it('same inputs, byte-identical panels', () => {
    expect(JSON.stringify(runPanels(trades, 'binance-taker', window, { rollingWindowDays: 30 }))).toBe(JSON.stringify(p));
  });
});
