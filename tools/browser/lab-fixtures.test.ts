/**
 * The Lab's sweep fixture stores what the sweep jobs store: both layouts parse through their schemas, and its merged
 * result is the one a single serial chunk of the same combos gives (the merge is order- and chunking-independent).
 */
import { describe, expect, it } from 'vitest';
import { randomWalk } from '../../shared/backtest/fixtures.test-util';
import { readChunkResult, readSweepResult } from '../../shared/research/stored-sweep-result';
import { mergeSweep, runSweepChunk } from '../../shared/research/sweep';
import type { Candle } from '../../shared/candles/candle';
import { buildSweepFixture, FIXTURE_SWEEP_STRATEGY } from './lab-fixtures';

const s = randomWalk(900, 5, '4h', 0.012);
const candles: Candle[] = Array.from({ length: s.length }, (_, i) => ({ openTime: s.openTime[i]!, open: s.open[i]!, high: s.high[i]!, low: s.low[i]!, close: s.close[i]!, volume: s.volume[i]! }));
const base = { id: 'fx', strategyId: 'fixture-test', venue: 'binance', symbol: s.symbol, timeframe: '4h' as const, candles, fast: [5, 10, 25], slow: [20, 30], chunkSize: 2 };

describe('buildSweepFixture', () => {
  it('stores the real layouts: every chunk and the merged result parse; the merge equals one serial chunk', () => {
    const fx = buildSweepFixture(base);
    expect(fx.sweep.combos).toBe(5); // fast 25 ≥ slow 20 is invalid for the strategy
    expect(fx.chunks.map((c) => c.status)).toEqual(['done', 'done', 'done']);
    for (const c of fx.chunks) expect(readChunkResult(JSON.parse(JSON.stringify(c.result)))).toMatchObject({ ok: true });
    const read = readSweepResult(JSON.parse(JSON.stringify(fx.sweep.result)));
    expect(read.ok).toBe(true);
    if (!read.ok || !read.result) return;
    expect(read.result.pbo?.status).toBe('done');
    expect(read.result.spa && 'vsFlat' in read.result.spa).toBe(true);
    const strategy = { ...FIXTURE_SWEEP_STRATEGY, id: 'fixture-test' };
    const combos = read.result.combos.map((c) => c.params);
    const serial = mergeSweep([runSweepChunk(s, strategy, { index: 0, of: 1, combos }, { backtest: { from: fx.sweep.windowFrom, to: fx.sweep.windowTo } })]);
    expect(read.result.resultHash).toBe(serial.resultHash);
    expect(fx.sweep.resultHash).toBe(serial.resultHash);
  });

  it('a sweep in progress: pending chunks hold no result and the sweep none yet', () => {
    const fx = buildSweepFixture({ ...base, pendingChunks: 1 });
    expect(fx.sweep).toMatchObject({ status: 'running', chunksDone: 2, result: null, resultHash: null });
    expect(fx.chunks.at(-1)).toMatchObject({ status: 'pending', result: null });
  });
});
