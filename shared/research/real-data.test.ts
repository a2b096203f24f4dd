import { expect, it } from 'vitest';
import { runBacktest } from '../backtest/engine';
import { canonicalJson } from '../backtest/hash';
import { sliceSeries, toSeries } from '../candles/candle';
import { lowerBound } from '../backtest/version';
import { dstaSmaCrossover, type DstaSmaCrossoverParams } from '../strategies/dsta-sma-crossover';
import { describeWithData, readFreqtrade } from '../testing/data';
import { gridCombos, mergeSweep, planSweep, runSweepChunk, sweepNeighbours, type ChunkOutput } from './sweep';
import { decidePromotion, judgeVenues, overallVerdict } from './verdict';
import { walkForward } from './walk-forward';
import { comboHashOfResult } from '../sweep/trade-summary';

describeWithData('research on real BTC/USDT 4h candles (freqtrade file, 2017–2022)', () => {
  const rows = readFreqtrade('djienne-3EMA_SRSI_ATR', 'BTC_USDT-4h.json');
  const all = toSeries(
    rows.map(([openTime, open, high, low, close, volume]) => ({ openTime: openTime!, open: open!, high: high!, low: low!, close: close!, volume: volume! })),
    '4h',
    'BTC/USDT',
  );
  const Y2021 = Date.UTC(2021, 0, 1);
  const Y2022 = Date.UTC(2022, 0, 1);
  // 2021 plus five months of warm-up history (the slowest combo needs under 300 candles ≈ 50 days).
  const series = sliceSeries(all, lowerBound(all.openTime, Date.UTC(2020, 7, 1)), lowerBound(all.openTime, Y2022));
  const space = {
    fastPeriod: { kind: 'int', min: 5, max: 50, step: 5 },
    slowPeriod: { kind: 'int', min: 40, max: 200, step: 40 },
    stopAtr: { kind: 'float', min: 2, max: 6, step: 1 },
  } as const;
  const config = { backtest: { from: Y2021, to: Y2022 } };

  it('200+-combo grid sweep of dsta-sma-crossover over 2021: chunked merge == serial, any order; verdicts', () => {
    const grid = gridCombos(dstaSmaCrossover, { space });
    expect(grid.generated).toBe(250);
    expect(grid.invalid).toBe(15); // fast 40/45/50 with slow 40
    expect(grid.combos).toHaveLength(235);
    const chunks = planSweep(grid.combos, 24);
    const outputs: ChunkOutput[] = [];
    const ms: number[] = [];
    for (const c of chunks) {
      const t0 = performance.now();
      outputs.push(runSweepChunk(series, dstaSmaCrossover, c, config));
      ms.push(performance.now() - t0);
    }
    const bytes = outputs.map((o) => canonicalJson(o).length);
    const t0 = performance.now();
    const merged = mergeSweep([...outputs].reverse());
    const mergeMs = performance.now() - t0;
    const perCombo = ms.reduce((a, b) => a + b, 0) / grid.combos.length;
    console.log(
      `[research real-data] ${series.length} candles (2021 traded), ${grid.combos.length} combos in ${chunks.length} chunks of ≤24: ` +
        `per chunk ${ms.map((x) => x.toFixed(0)).join('/')} ms (mean ${(ms.reduce((a, b) => a + b, 0) / ms.length).toFixed(0)} ms, ` +
        `${perCombo.toFixed(1)} ms/combo); chunk JSON ${Math.min(...bytes)}–${Math.max(...bytes)} bytes; merge ${mergeMs.toFixed(0)} ms`,
    );
    const serial = mergeSweep([runSweepChunk(series, dstaSmaCrossover, { index: 0, of: 1, combos: grid.combos }, config)]);
    expect(merged.resultHash).toBe(serial.resultHash);
    expect(canonicalJson(merged)).toBe(canonicalJson(serial));
    expect(mergeSweep([outputs[3]!, ...outputs.slice(5), ...outputs.slice(0, 3), outputs[4]!]).resultHash).toBe(serial.resultHash);
    expect(merged.combos.every((c) => c.trades > 0)).toBe(true);

    // The best combo on net mean bps at binance-taker (≥ 10 trades), its neighbours and the verdicts.
    const best = merged.best['binance-taker.meanBps@n>=10'];
    expect(best).not.toBeNull();
    const centre = merged.combos.find((c) => c.key === best!.key)!;
    const result = runBacktest(series, dstaSmaCrossover, best!.params as DstaSmaCrossoverParams, config.backtest);
    // Sweep combos carry the compact combo hash (sweep-summary/2.0.0), which the full run reproduces.
    expect(comboHashOfResult(result)).toBe(centre.resultHash);
    const verdicts = judgeVenues({
      result,
      trialsForFamily: merged.trials.count,
      trialSharpeVariance: merged.trials.tradeSharpeVariance,
      sweepNeighbours: sweepNeighbours(merged.combos, best!.key),
      sweepCentre: centre,
    });
    expect(verdicts).toHaveLength(11);
    // One year of 4h SMA crosses is far fewer than 30 trades: every preset rejects on the trade floor.
    expect(result.trades.length).toBeLessThan(30);
    for (const v of verdicts) expect(v.reason).toMatch(new RegExp(`n=${result.trades.length} < 30 trades`));
    const overall = overallVerdict(verdicts);
    console.log(`[research real-data] best ${best!.key} (${best!.value.toFixed(1)} bps): ${overall.reason}`);
    expect(decidePromotion('research', verdicts, true).to).toBe('rejected');
  });

  it('walk-forward on 2018–2021 4h: OOS-only report, deterministic', () => {
    const s = sliceSeries(all, lowerBound(all.openTime, Date.UTC(2017, 11, 1)), lowerBound(all.openTime, Y2022));
    const combos = gridCombos(dstaSmaCrossover, {
      space: { fastPeriod: { kind: 'choice', values: [10, 20, 30] }, slowPeriod: { kind: 'choice', values: [50, 100, 150] }, stopAtr: { kind: 'choice', values: [3] } },
    }).combos;
    const t0 = performance.now();
    const wf = walkForward(s, dstaSmaCrossover, combos, { folds: 4, isToOos: 2, objective: { view: 'binance-taker', metric: 'meanBps', minTrades: 5 } }, { costs: ['binance-taker', 'kraken-taker', 'stress-31'] });
    const ms = performance.now() - t0;
    const oosTrades = wf.folds.reduce((a, f) => a + (f.outOfSample?.trades ?? 0), 0);
    expect(wf.oos.trades).toHaveLength(oosTrades);
    for (const t of wf.oos.trades) expect(wf.folds.some((f) => t.signalTime >= f.oos.from && t.signalTime < f.oos.to)).toBe(true);
    console.log(
      `[research real-data] walk-forward ${combos.length} combos × 4 folds in ${ms.toFixed(0)} ms: chosen ${wf.folds.map((f) => (f.chosen ? `${f.chosen.params.fastPeriod}/${f.chosen.params.slowPeriod}` : '-')).join(', ')}; ` +
        `OOS ${oosTrades} trades, net ${((wf.oos.net['binance-taker']!.meanReturn ?? 0) * 1e4).toFixed(1)} bps/trade at binance-taker; WFE ${wf.wfe === null ? 'n/a' : wf.wfe.toFixed(2)}`,
    );
    const v = judgeVenues({ result: wf.oos, trialsForFamily: combos.length, walkForward: wf, presets: ['binance-taker', 'kraken-taker', 'stress-31'] });
    expect(v).toHaveLength(3);
    expect(walkForward(s, dstaSmaCrossover, combos, { folds: 4, isToOos: 2, objective: { view: 'binance-taker', metric: 'meanBps', minTrades: 5 } }, { costs: ['binance-taker', 'kraken-taker', 'stress-31'] }).resultHash).toBe(wf.resultHash);
  });
});
