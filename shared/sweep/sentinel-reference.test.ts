/**
 * Sweeps and walk-forwards with the Sentinel on another symbol (issue 11: a run, a sweep, a walk-forward, paper
 * and live all apply the declared risk rules): the Nexara baseline on real ETH/USDT 5m candles (freqtrade files,
 * to 2022-04-16) with combos that set `sentinelDropPct`, BTC/USDT 5m as the reference. A sweep chunk with the
 * reference equals per-combo `runBacktest(…, { reference })` summaries bit for bit on both paths (shared work and
 * each combo from scratch), its context records the reference (absent, and the context unchanged, without one),
 * and a chunk whose combos need a reference it was not given is refused, not silently run without the rule.
 */
import { expect, it } from 'vitest';
import { runBacktest } from '../backtest/engine';
import { canonicalJson, hashCanonical } from '../backtest/hash';
import { sliceSeries, type CandleSeries } from '../candles/candle';
import { runSweepChunk, runTpeChunk, type SweepReference, type SweepRunConfig } from '../research/sweep';
import { walkForward } from '../research/walk-forward';
import { summarizeResult } from '../research/summary';
import { sweepBlockEdges } from '../research/sweep-pbo';
import { SentinelReferenceError } from '../execution/sentinel';
import { getStrategy } from '../strategies/registry';
import type { Params, Strategy } from '../strategies/types';
import { describeWithData, readFreqtradeSeries } from '../testing/data';
import { comboHashOfResult } from './trade-summary';
import { chunkResultOrThrow } from '../research/stored-sweep-result';

const load = (file: string, symbol: string, max: number): CandleSeries => readFreqtradeSeries('SauloHenriqueAguiar-freqtrades', file, symbol, '5m', max);

describeWithData('a sweep chunk with the Sentinel reference == per-combo runBacktest with it (real ETH/USDT, BTC/USDT 5m)', () => {
  const eth = load('ETH_USDT-5m.json', 'ETH/USDT', 4_000);
  const btc = load('BTC_USDT-5m.json', 'BTC/USDT', 4_000);
  const strategy = getStrategy('nexara-baseline-5m') as Strategy<Params>;
  const tf = 300_000;
  const from = eth.openTime[600]!;
  const to = eth.openTime[eth.length - 1]! + tf;
  const combos: Params[] = [0.0017, 0.003, 0.006].map((d) => strategy.paramsSchema.parse({ ...strategy.defaults, sentinelDropPct: d }) as Params);
  const plain = strategy.paramsSchema.parse({ ...strategy.defaults }) as Params;
  const provenance: SweepReference = { series: 'binance:BTC/USDT:5m', candleCount: btc.length, dataHash: 'test-hash' };
  const base: SweepRunConfig = { mode: 'single', backtest: { from, to }, blocks: { edges: sweepBlockEdges(from, to, tf) }, periods: { from, to } };
  const cfg: SweepRunConfig = { ...base, reference: { series: btc, provenance } };

  it('both paths equal each other and every combo equals summarizeResult(runBacktest(…, { reference }))', () => {
    const chunk = { index: 0, of: 1, combos: [...combos, plain] };
    const fast = runSweepChunk(eth, strategy, chunk, { ...cfg, shareWork: true });
    const ref = runSweepChunk(eth, strategy, chunk, { ...cfg, shareWork: false });
    expect(canonicalJson(fast)).toBe(canonicalJson(ref));
    let sentinelExits = 0;
    chunk.combos.forEach((p, k) => {
      const full = runBacktest(eth, strategy, p, { from, to }, { reference: btc });
      sentinelExits += full.trades.filter((t) => t.exitReason.startsWith('sentinel:')).length;
      const { resultHash, ...got } = fast.combos[k]!;
      const { resultHash: _h, ...want } = summarizeResult(full, p);
      expect(canonicalJson(got)).toBe(canonicalJson(want));
      expect(resultHash).toBe(comboHashOfResult(full));
    });
    // The rule fired (the 0.17 % combo exits on BTC falls), so the summaries are not those of runs without it.
    expect(sentinelExits).toBeGreaterThan(0);
    expect(canonicalJson(fast.combos[0]!.gross)).not.toBe(canonicalJson(fast.combos[3]!.gross));
  });

  it('the context records the reference; without one it is absent and the context (and its hash) as before', () => {
    const withRef = runSweepChunk(eth, strategy, { index: 0, of: 1, combos: [plain] }, cfg);
    const withoutRef = runSweepChunk(eth, strategy, { index: 0, of: 1, combos: [plain] }, base);
    expect(withRef.context.reference).toEqual(provenance);
    expect('reference' in withoutRef.context).toBe(false);
    const { reference: _r, ...rest } = withRef.context;
    expect(hashCanonical(rest)).toBe(hashCanonical(withoutRef.context));
    // A combo that does not enable the rule runs the same with or without the reference.
    expect(canonicalJson(withRef.combos)).toBe(canonicalJson(withoutRef.combos));
    // The stored chunk (through JSON) reads back through the one schema with the field, and without it.
    const stored = (o: unknown) => chunkResultOrThrow(JSON.parse(JSON.stringify(o)), 'test');
    expect(stored(withRef).context.reference).toEqual(provenance);
    expect('reference' in stored(withoutRef).context).toBe(false);
  });

  it('a TPE chunk passes the reference to its trials too', () => {
    const spec = { index: 0, of: 1, samples: 4, seed: 3, base: combos[0]! };
    const fast = runTpeChunk(eth, strategy, spec, cfg);
    const ref = runTpeChunk(eth, strategy, spec, { ...cfg, shareWork: false });
    expect(canonicalJson(fast)).toBe(canonicalJson(ref));
    for (const c of fast.combos) {
      const full = runBacktest(eth, strategy, c.params as Params, { from, to }, { reference: btc });
      expect(c.resultHash).toBe(comboHashOfResult(full));
    }
  });

  it('combos whose Sentinel needs a reference the chunk was not given are refused (the rule is never silently dropped)', () => {
    expect(() => runSweepChunk(eth, strategy, { index: 0, of: 1, combos }, base)).toThrow(SentinelReferenceError);
    expect(() => runSweepChunk(eth, strategy, { index: 0, of: 1, combos }, { ...base, shareWork: false })).toThrow(SentinelReferenceError);
  });

  it('a walk-forward applies the combos’ Sentinel in-sample and out-of-sample with the reference, and refuses without it', () => {
    const opts = { folds: 3, isToOos: 2, objective: { view: 'binance-taker', metric: 'meanBps', minTrades: 1 }, from, to } as const;
    const wf = walkForward(eth, strategy, combos, opts, {}, undefined, { reference: btc });
    expect(wf.folds.every((f) => f.chosen !== null)).toBe(true);
    // Each fold's OOS summary is the chosen combo's backtest of that window with the reference.
    for (const f of wf.folds) {
      const p = combos.find((c) => canonicalJson(c) === canonicalJson(f.chosen!.params))!;
      const end = eth.openTime.indexOf(f.oos.to);
      const full = runBacktest(sliceSeries(eth, 0, end >= 0 ? end : eth.length), strategy, p, { from: f.oos.from }, { reference: btc });
      expect(f.outOfSample!.resultHash).toBe(full.resultHash);
    }
    expect(() => walkForward(eth, strategy, combos, opts)).toThrow(SentinelReferenceError);
  });
});
