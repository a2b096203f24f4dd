import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../backtest/prng';
import { tradesFromGross } from './fixtures.test-util';
import { DEFAULT_GATES, gatesSchema } from './gates';
import type { ComboSummary, NetViewSummary } from './summary';
import { netReturn } from '../costs';
import type { Trade } from '../backtest/types';
import { decidePromotion, decidingVerdicts, fmtBps, judgeVenues, overallVerdict, presetLabel, type VenueVerdict } from './verdict';

function gross(n: number, meanBps: number, sdBps: number, seed = 1): number[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => (meanBps + sdBps * r.normal()) / 1e4);
}

/** A summary whose net mean bps per preset is `edge` (only what the gates read). */
function neighbour(edge: Record<string, number>): ComboSummary {
  const net: Record<string, NetViewSummary> = {};
  for (const [k, v] of Object.entries(edge)) net[k] = { meanBps: v } as NetViewSummary;
  return { key: JSON.stringify(edge), params: {}, trades: 100, exposure: 0, gross: {} as ComboSummary['gross'], net, breakEvenRoundTripBps: null, resultHash: '' };
}

const byId = (vs: VenueVerdict[], id: string): VenueVerdict => vs.find((v) => v.presetId === id)!;
/** A passed lookahead audit, as `lookaheadEvidence` reports one. */
const clean = { ok: true, mismatches: 0, detail: 'lookahead audit passed: truncation 0 mismatches in 400 candles over 40 cuts (stride 16); recursive 1× startup: 0 signal changes' };

describe('gates', () => {
  it('are data with defaults', () => {
    expect(DEFAULT_GATES).toEqual({
      minTrades: 30,
      minNetEdgeBps: 5,
      minNetEdgeBpsAt2xCost: 0,
      minDsr: 0.95,
      oosConsistency: 0.6,
      parameterStability: 0.5,
      ciConfidence: 0.9,
      bootstrapResamples: 2000,
      bootstrapSeed: 1,
    });
    expect(gatesSchema.parse({ minTrades: 100 }).minTrades).toBe(100);
    expect(() => gatesSchema.parse({ minDsr: 2 })).toThrow();
  });

  it('labels and number formatting', () => {
    expect(presetLabel('kraken-taker').label).toBe('Kraken taker');
    expect(presetLabel('okx-maker').label).toBe('OKX maker');
    expect(presetLabel('stress-31')).toEqual({ venue: 'stress', liquidity: 'all-in', label: 'stress 31 bps/side' });
    expect(fmtBps(-4.04)).toBe('−4');
    expect(fmtBps(6, true)).toBe('+6');
    expect(fmtBps(12.34, true)).toBe('+12.3');
    expect(fmtBps(0, true)).toBe('0');
  });
});

describe('judgeVenues', () => {
  it('below minTrades → reject on every preset, however high the Sharpe', () => {
    const trades = tradesFromGross(gross(10, 500, 5)); // +5 % per trade, tiny variance
    const vs = judgeVenues({ result: { trades }, trialsForFamily: 1 });
    expect(vs).toHaveLength(11);
    for (const v of vs) {
      expect(v.verdict).toBe('reject');
      expect(v.tradeSharpe!).toBeGreaterThan(10);
      expect(v.failed).toContain('minTrades');
      expect(v.reason).toMatch(/: n=10 < 30 trades/);
    }
    expect(byId(vs, 'binance-taker').reason).toMatch(/^reject on Binance taker: n=10 < 30 trades \(\+4\d\d(\.\d)? bps per trade at 20 bps round trip\)$/);
  });

  it('per venue: numbers, gates and sentences', () => {
    // ≈ +60 bps gross per trade: positive after Binance's 20 bps, negative after Kraken taker's 80.
    const trades = tradesFromGross(gross(400, 60, 40));
    const vs = judgeVenues({ result: { trades }, trialsForFamily: 5 });
    const bt = byId(vs, 'binance-taker');
    expect(bt.roundTripBps).toBeCloseTo(20, 1);
    expect(bt.netMeanBps!).toBeGreaterThan(30);
    expect(bt.netMeanBpsAt2xCost!).toBeCloseTo(2 * bt.netMeanBps! - bt.grossMeanBps!, 9);
    expect(bt.ci!.lo).toBeLessThan(bt.netMeanBps!);
    expect(bt.ci!.hi).toBeGreaterThan(bt.netMeanBps!);
    expect(bt.dsr!).toBeGreaterThan(0.95);
    expect(bt.dsrVarianceSource).toBe('null-fallback');
    // Everything measurable passes, but no walk-forward and no neighbours: watch, not keep.
    expect(bt.failed).toEqual([]);
    expect(bt.skipped).toEqual(['oosConsistency', 'parameterStability', 'noLookahead']);
    expect(bt.verdict).toBe('watch');
    expect(bt.reason).toMatch(
      /^watch on Binance taker: \+\d+(\.\d)? bps per trade at 20 bps round trip, 90 % CI \[\d+(\.\d)?, \d+(\.\d)?\]; not yet: OOS consistency not checked \(no walk-forward\), parameter stability not checked \(no sweep neighbours\), lookahead audit not run$/,
    );
    const kt = byId(vs, 'kraken-taker');
    expect(kt.verdict).toBe('reject');
    expect(kt.reason).toMatch(/^reject on Kraken taker: −\d+(\.\d)? bps per trade at 80 bps round trip \(n=400, 90 % CI \[−\d+(\.\d)?, −?\d+(\.\d)?\]\)$/);
    expect(byId(vs, 'stress-31').roundTripBps).toBeCloseTo(62, 1);
    expect(byId(vs, 'coinbase-taker').verdict).toBe('reject');
  });

  it('keep when every gate passes; walk-forward and neighbours can fail it', () => {
    const trades = tradesFromGross(gross(400, 60, 40));
    const edge = (x: number) => ({ 'binance-taker': x, 'binance-maker': x, 'kraken-taker': x - 60 });
    const fold = (x: number) => ({ outOfSample: neighbour(edge(x)) });
    const good = judgeVenues({
      result: { trades },
      trialsForFamily: 5,
      sweepNeighbours: [neighbour(edge(35)), neighbour(edge(30))],
      walkForward: { folds: [fold(20), fold(30), fold(-5), fold(40)] },
      lookahead: clean,
      presets: ['binance-taker', 'binance-maker', 'kraken-taker'],
    });
    const bt = byId(good, 'binance-taker');
    expect(bt.verdict).toBe('keep');
    expect(bt.reason).toMatch(/^keep on Binance taker: \+\d+(\.\d)? bps per trade at 20 bps round trip, 90 % CI \[[\d.]+, [\d.]+\], DSR [01]\.\d\d, n=400; every gate passed$/);
    expect(bt.gates.find((g) => g.gate === 'oosConsistency')!.detail).toBe('3/4 OOS folds positive (0.75 ≥ 0.6)');
    expect(byId(good, 'kraken-taker').verdict).toBe('reject');

    const shaky = judgeVenues({
      result: { trades },
      trialsForFamily: 5,
      sweepNeighbours: [neighbour(edge(2)), neighbour(edge(-10))],
      walkForward: { folds: [fold(20), fold(-30), fold(-5), fold(40)] },
      presets: ['binance-taker'],
    });
    expect(shaky[0]!.verdict).toBe('watch');
    expect(shaky[0]!.failed).toEqual(['oosConsistency', 'parameterStability']);
    expect(shaky[0]!.reason).toMatch(/failed: 2\/4 OOS folds positive \(0\.50 < 0\.6\), 2 neighbours keep −0\.\d\d of the net edge/);

    // Every other gate passing does not save a run whose lookahead audit failed: it is rejected everywhere.
    const biased = judgeVenues({
      result: { trades },
      trialsForFamily: 5,
      sweepNeighbours: [neighbour(edge(35)), neighbour(edge(30))],
      walkForward: { folds: [fold(20), fold(30), fold(-5), fold(40)] },
      lookahead: { ok: false, mismatches: 3, detail: 'lookahead audit FAILED: truncation 3 mismatches in 400 candles over 40 cuts (stride 16)' },
      presets: ['binance-taker', 'binance-maker'],
    });
    for (const v of biased) {
      expect(v.verdict).toBe('reject');
      expect(v.failed).toEqual(['noLookahead']);
      expect(v.reason).toMatch(/^reject on Binance (taker|maker): lookahead audit FAILED: truncation 3 mismatches/);
    }
  });

  it('a marginal edge: watch with a CI straddling zero and a low DSR; DSR falls with more trials', () => {
    const trades = tradesFromGross(Array.from({ length: 60 }, (_, k) => (26 + (k % 2 === 0 ? 150 : -150)) / 1e4));
    const one = judgeVenues({ result: { trades }, trialsForFamily: 1, presets: ['binance-maker'] })[0]!;
    const many = judgeVenues({ result: { trades }, trialsForFamily: 1000, presets: ['binance-maker'] })[0]!;
    expect(one.verdict).toBe('watch');
    expect(one.ci!.lo).toBeLessThan(0);
    expect(one.ci!.hi).toBeGreaterThan(0);
    expect(many.dsr!).toBeLessThan(one.dsr!);
    expect(one.dsr).toBe(one.psr);
    expect(many.failed).toContain('minDsr');
    expect(many.reason).toMatch(/^watch on Binance maker: \+[\d.]+ bps per trade at 20 bps round trip, 90 % CI \[−[\d.]+, [\d.]+\]; failed: .*DSR 0\.\d\d < 0\.95 \(N=1000\)/);
  });

  it('uses per-preset trial variance from a sweep when given', () => {
    const trades = tradesFromGross(gross(100, 60, 40));
    const v = judgeVenues({ result: { trades }, trialsForFamily: 50, trialSharpeVariance: { 'binance-taker': 0.04 }, presets: ['binance-taker', 'okx-taker'] });
    expect(v[0]!.dsrVarianceSource).toBe('trials');
    expect(v[1]!.dsrVarianceSource).toBe('null-fallback');
  });
});

describe('overall verdict and promotion', () => {
  const trades = tradesFromGross(gross(400, 60, 40));
  const edge = { 'binance-taker': 35, 'binance-maker': 35, 'okx-maker': 35 };
  const evidence = {
    trialsForFamily: 5,
    sweepNeighbours: [neighbour(edge), neighbour(edge)],
    walkForward: { folds: [{ outOfSample: neighbour(edge) }, { outOfSample: neighbour(edge) }] },
    lookahead: clean,
  };
  const keepers = judgeVenues({ result: { trades }, ...evidence });
  const watchers = judgeVenues({ result: { trades }, trialsForFamily: 5 });
  const losers = judgeVenues({ result: { trades: tradesFromGross(gross(400, -10, 40)) }, trialsForFamily: 5 });
  const few = judgeVenues({ result: { trades: tradesFromGross(gross(12, 300, 10)) }, trialsForFamily: 1 });

  it('overall: keep / watch / reject, stress reported beside', () => {
    const k = overallVerdict(keepers);
    expect(k.verdict).toBe('keep');
    expect(k.keep).toEqual(expect.arrayContaining(['binance-taker', 'binance-maker', 'okx-maker']));
    expect(k.reject).toEqual(expect.arrayContaining(['kraken-taker', 'coinbase-taker']));
    expect(k.reason).toMatch(/^keep: keep on .*; rejected on .*Kraken taker.*; stress 31 bps\/side: \w+ \([+−]?[\d.]+ bps\)$/);
    expect(overallVerdict(watchers).verdict).toBe('watch');
    const r = overallVerdict(losers);
    expect(r.verdict).toBe('reject');
    expect(r.reason).toMatch(/^reject on every venue; best: reject on (OKX|Binance|Bybit) maker: no edge before costs \(gross −\d+(\.\d)? bps per trade, n=400\)/);
    expect(overallVerdict(few).reason).toMatch(/n=12 < 30 trades/);
  });

  it('promotion: paper only when every gate passes on a venue preset', () => {
    const p = decidePromotion('research', keepers, true);
    expect(p.to).toBe('paper');
    expect(p.changed).toBe(true);
    expect(p.reason).toMatch(/^every gate passes on .*Binance taker/);
    expect(p.evidence.eligible).toEqual(expect.arrayContaining(['binance-taker', 'binance-maker']));
    expect(p.evidence.best!.verdict).toBe('keep');
    expect(decidePromotion('research', keepers).to).toBe('paper');
    expect(decidePromotion('research', keepers, false).to).toBe('watch');
    const stay = decidePromotion('paper', keepers, true);
    expect(stay.to).toBe('paper');
    expect(stay.changed).toBe(false);
    expect(stay.reason).toMatch(/^stays paper: /);
    expect(decidePromotion('research', watchers, true).to).toBe('watch');
    expect(decidePromotion('paper', watchers, true).to).toBe('watch');
    expect(decidePromotion('watch', losers, true).to).toBe('rejected');
    expect(decidePromotion('research', few, true).to).toBe('rejected');
    expect(decidePromotion('watch', [], true)).toMatchObject({ to: 'watch', changed: false });
    // Only stress keeps → not a venue: no promotion.
    const onlyStress = keepers.map((v) => (v.venue === 'stress' ? v : { ...v, verdict: 'reject' as const }));
    expect(decidePromotion('research', onlyStress, true).to).toBe('rejected');
  });
});

describe('measured views: the verdict as an edge margin', () => {
  /** Trades with a `binance-measured` view whose round trip is `cost(k)` bps (split evenly between the fills). */
  function withMeasured(trades: Trade[], cost: (k: number) => number): Trade[] {
    return trades.map((t, k) => {
      const c = cost(k);
      return { ...t, net: { ...t.net, 'binance-measured': netReturn(t.grossReturn, c / 2, c / 2, t.exitPrice / t.entryPrice) }, roundTripBps: { ...t.roundTripBps, 'binance-measured': c } };
    });
  }
  const base = tradesFromGross(gross(400, 60, 40));
  const edge = { 'binance-taker': 35, 'binance-measured': 35 };
  const evidence = {
    trialsForFamily: 5,
    sweepNeighbours: [neighbour(edge), neighbour(edge)],
    walkForward: { folds: [{ outOfSample: neighbour(edge) }, { outOfSample: neighbour(edge) }] },
    lookahead: clean,
  };

  it('keeps when the break-even CI clears the p90 measured cost, and says so', () => {
    const vs = judgeVenues({ result: { trades: withMeasured(base, () => 25) }, ...evidence, presets: ['binance-taker', 'binance-measured'] });
    const m = byId(vs, 'binance-measured');
    expect(presetLabel('binance-measured')).toEqual({ venue: 'binance', liquidity: 'measured', label: 'Binance measured' });
    expect(m.margin).toMatchObject({ status: 'ok', clears: true, cost: { medianBps: 25, p90Bps: 25 } });
    expect(m.verdict).toBe('keep');
    expect(m.reason).toMatch(/; break-even \d+(\.\d)? bps round trip \(90 % CI \[\d+(\.\d)?, \d+(\.\d)?\]\) clears measured cost median 25 \/ p90 25 bps$/);
    expect(byId(vs, 'binance-taker').margin).toBeUndefined();
  });

  it('a fat cost tail (p90 above the CI lower bound) caps a measured view at watch even when every gate passes', () => {
    const vs = judgeVenues({ result: { trades: withMeasured(base, (k) => (k % 9 === 0 ? 80 : 20)) }, ...evidence, presets: ['binance-taker', 'binance-measured'] });
    const m = byId(vs, 'binance-measured');
    expect(m.failed).toEqual([]);
    expect(m.margin).toMatchObject({ status: 'ok', clears: false, cost: { p90Bps: 80 } });
    expect(m.verdict).toBe('watch');
    expect(m.reason).toMatch(/; margin: break-even \d+(\.\d)? bps round trip \(90 % CI \[[\d.]+, [\d.]+\]\) does not clear measured cost median 20 \/ p90 80 bps/);
    // The measured views decide: the fee-only keep on Binance taker is reported, not promoted on.
    expect(byId(vs, 'binance-taker').verdict).toBe('keep');
    expect(decidingVerdicts(vs).map((v) => v.presetId)).toEqual(['binance-measured']);
    expect(overallVerdict(vs).verdict).toBe('watch');
    expect(decidePromotion('research', vs, true).to).toBe('watch');
  });

  it('no edge before costs: never a negative break-even', () => {
    const losers = withMeasured(tradesFromGross(gross(400, -10, 40)), () => 25);
    const m = byId(judgeVenues({ result: { trades: losers }, trialsForFamily: 5, presets: ['binance-measured'] }), 'binance-measured');
    expect(m.margin).toMatchObject({ status: 'no-edge', clears: false });
    expect(m.verdict).toBe('reject');
    expect(m.reason).toMatch(/^reject on Binance measured: no edge before costs \(gross −\d+(\.\d)? bps per trade, n=400\)$/);
  });
});
