import { expect, it } from 'vitest';
import { runBacktest } from '../backtest/engine';
import { parseBacktestConfig } from '../backtest/config';
import { sliceSeries, toSeries, type Candle } from '../candles/candle';
import { spreadCandles } from '../candles/spread';
import { TIMEFRAME_MS } from '../candles/timeframe';
import { lowerBound } from '../backtest/version';
import { nexaraDiv006 } from '../strategies/nexara-div006';
import { describeWithData, readFreqtrade } from '../testing/data';
import { gridCombos, mergeSweep, planSweep, runSweepChunk, type ChunkOutput } from './sweep';
import { computeSweepPbo, sweepBlockEdges, type ChunkBlockStats, type SweepPbo } from './sweep-pbo';
import { computeSweepSpa, type ChunkPeriods } from './sweep-spa';
import { runMonteCarlo } from './run-monte-carlo';
import { judgeVenues } from './verdict';
import { evaluateStudyGates, resolveGateSet } from './gate-sets';

/**
 * The issue-13 closing run on the bundled data: a 200-combo grid sweep of nexara-div006 over 2021 on the BTC/ETH
 * 4h ratio (Binance BTC/USDT ÷ ETH/USDT 4h from the freqtrade files, as `reproduce.ts` derives it), with PBO (CSCV,
 * 16 blocks), SPA / Reality Check (daily returns vs flat and buy-and-hold, seed 1, 1,000 reps) and the Monte Carlo
 * of the best combo (seed 1, 1,000 paths, ruin at 30 %), judged by the default gate set. The numbers are printed
 * for the closing note; the assertions check shape and ranges (the figures are data, not fixed results).
 */
describeWithData('issue 13 closing run: nexara-div006 on BTC/ETH 4h 2021', () => {
  const leg = (file: string): Candle[] =>
    readFreqtrade('djienne-3EMA_SRSI_ATR', file).map(([openTime, open, high, low, close, volume]) => ({ openTime: openTime!, open: open!, high: high!, low: low!, close: close!, volume: volume! }));
  const Y2021 = Date.UTC(2021, 0, 1);
  const Y2022 = Date.UTC(2022, 0, 1);

  it('200-combo sweep: PBO, SPA p-values, MC bands and the gates', () => {
    const ratio = spreadCandles(leg('BTC_USDT-4h.json'), leg('ETH_USDT-4h.json'), { from: Date.UTC(2020, 7, 1), to: Y2022 });
    const all = toSeries(ratio, '4h', 'BTC/ETH');
    const series = sliceSeries(all, 0, lowerBound(all.openTime, Y2022));
    const grid = gridCombos(nexaraDiv006);
    expect(grid.combos).toHaveLength(200);
    const cfg = { backtest: { from: Y2021, to: Y2022 }, blocks: { edges: sweepBlockEdges(Y2021, Y2022, TIMEFRAME_MS['4h']) }, periods: { from: Y2021, to: Y2022 } };
    const outputs: ChunkOutput[] = planSweep(grid.combos, 25).map((c) => runSweepChunk(series, nexaraDiv006, c, cfg));
    const merged = mergeSweep(outputs);
    const pbo = computeSweepPbo(outputs.map((o) => o.blockStats!) as ChunkBlockStats[]) as SweepPbo;
    expect(pbo.status).toBe('done');
    expect(pbo.splits).toBe(12_870);
    const spa = computeSweepSpa(outputs.map((o) => o.periodReturns!) as ChunkPeriods[], { seed: 1 });
    const best = merged.best['binance-taker.meanBps@n>=10']!;
    expect(best).not.toBeNull();
    const run = runBacktest(series, nexaraDiv006, best.params as never, parseBacktestConfig({ from: Y2021, to: Y2022 }));
    const mc = runMonteCarlo(run.trades, run.equity.net['binance-taker'], 'binance-taker', { seed: 1 });
    const set = resolveGateSet('default');
    const verdicts = judgeVenues({ result: run, trialsForFamily: merged.trials.count, trialSharpeVariance: merged.trials.tradeSharpeVariance, gates: set.gates });
    const taker = verdicts.find((v) => v.presetId === 'binance-taker')!;
    const study = evaluateStudyGates(set, {
      pbo: pbo.pbo,
      spaPValue: spa.vsFlat.status === 'done' ? spa.vsFlat.spa.consistent : null,
      mcDrawdownP95: mc.blockBootstrap.status === 'done' ? mc.blockBootstrap.maxDrawdown.p95 : null,
    });
    console.log(
      JSON.stringify(
        {
          combos: merged.combos.length,
          candles: series.length,
          pbo: { pbo: pbo.pbo, probabilityOfLoss: pbo.probabilityOfLoss, slope: pbo.degradation.slope, lambda: pbo.lambda, view: pbo.view },
          spa: { vsFlat: spa.vsFlat, vsBuyAndHold: spa.vsBuyAndHold, seed: spa.seed, reps: spa.reps },
          best: { params: best.params, meanBps: best.value, trades: run.trades.length },
          mc: { seed: mc.seed, paths: mc.paths, view: mc.view, reshuffle: pick(mc.tradeReshuffle), resample: pick(mc.tradeResample), block: pick(mc.blockBootstrap) },
          gateSet: set.name,
          takerVerdict: { verdict: taker.verdict, failed: taker.failed, skipped: taker.skipped, dsr: taker.dsr },
          studyGates: study,
        },
        null,
        1,
      ),
    );
    expect(pbo.pbo).toBeGreaterThanOrEqual(0);
    expect(pbo.pbo).toBeLessThanOrEqual(1);
    expect(spa.vsFlat.status).toBe('done');
    expect(spa.vsBuyAndHold.status).toBe('done');
    expect(mc.tradeReshuffle.status).toBe('done');
    expect(study.map((g) => g.gate)).toEqual(['maxPbo', 'maxSpaPValue', 'maxMcDrawdownP95']);
  }, 120_000);
});

function pick(p: ReturnType<typeof runMonteCarlo>['tradeReshuffle']): unknown {
  if (p.status !== 'done') return p;
  return { finalEquity: p.finalEquity, maxDrawdown: p.maxDrawdown, probabilityOfRuin: p.probabilityOfRuin, blockLength: p.blockLength ?? null, observed: p.observed };
}
