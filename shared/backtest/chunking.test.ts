import { describe, expect, it } from 'vitest';
import type { Signal } from '../strategies/types';
import { mergeChunks, planChunks, runChunked } from './chunking';
import type { BacktestConfigInput } from './config';
import { INITIAL_CARRY, resolveWindow, runBacktest, runChunk } from './engine';
import { parseBacktestConfig } from './config';
import { maCross, randomWalk, scripted } from './fixtures.test-util';
import { mulberry32 } from './prng';

describe('chunked == whole', () => {
  const series = randomWalk(3000, 7);
  const configs: [string, BacktestConfigInput][] = [
    ['plain', {}],
    ['risk rules', { risk: { cooldownCandles: 3, circuitBreaker: { losses: 2, pauseCandles: 10 }, maxAtrPct: 0.01 } }],
    ['fixed notional, entry cooldown', { sizing: { kind: 'fixed-notional', notional: 2500 }, risk: { cooldownCandles: 5, cooldownAfter: 'entry' } }],
  ];
  const strategies = [
    maCross({ fast: 5, slow: 20, stopPct: 0.02, takePct: 0.05 }),
    maCross({ fast: 8, slow: 30, trailPct: 0.015, allowShort: true }),
    maCross({ fast: 3, slow: 60 }),
  ];
  for (const [name, cfg] of configs) {
    for (const strat of strategies) {
      it(`${strat.id} ${strat.startupCandles({})} · ${name}`, () => {
        const whole = runBacktest(series, strat, {}, cfg);
        expect(whole.trades.length).toBeGreaterThan(10);
        let reran = 0;
        for (const chunkCandles of [97, 250, 1000]) {
          const split = runChunked(series, strat, {}, cfg, { chunkCandles });
          reran += split.reruns;
          expect(split.result.trades).toEqual(whole.trades);
          expect(split.result.skipped).toEqual(whole.skipped);
          expect(split.result.resultHash).toBe(whole.resultHash);
          expect(JSON.stringify(split.result)).toBe(JSON.stringify(whole));
        }
        expect(reran).toBeGreaterThan(0); // positions did cross chunk boundaries
      });
    }
  }

  it('limit orders pending across a chunk boundary', () => {
    const rng = mulberry32(3);
    const sig: Record<number, Signal> = {};
    for (let i = 20; i < 2990; i += 1 + rng.int(0, 6)) {
      const c = series.close[i]!;
      const r = rng.next();
      sig[i] =
        r < 0.4
          ? { action: 'BUY', reason: 'b', limitPrice: c * (1 - 0.003 * rng.next()), stopLoss: c * 0.99 }
          : r < 0.7
            ? { action: 'SELL', reason: 's', limitPrice: c * (1 + 0.003 * rng.next()), trailingStop: 0.01 }
            : { action: 'EXIT', reason: 'e' };
    }
    const strat = scripted(series, sig, { allowShort: true, startup: 5 });
    const cfg: BacktestConfigInput = { limitExpiryCandles: 4 };
    const whole = runBacktest(series, strat, {}, cfg);
    expect(whole.skipped.limitExpired + whole.skipped.limitCancelled).toBeGreaterThan(10);
    for (const chunkCandles of [13, 101]) {
      const split = runChunked(series, strat, {}, cfg, { chunkCandles });
      expect(split.result.resultHash).toBe(whole.resultHash);
      expect(split.result.skipped).toEqual(whole.skipped);
    }
  });

  it('a position running far past its chunk (re-prepare of the extension) still matches', () => {
    const strat = scripted(series, { 50: { action: 'BUY', reason: 'b' }, 2500: { action: 'SELL', reason: 's' }, 2600: { action: 'BUY', reason: 'b2' } }, { startup: 5 });
    const whole = runBacktest(series, strat, {}, {});
    expect(whole.trades.map((t) => t.exitKind)).toEqual(['signal', 'end-of-data']);
    const split = runChunked(series, strat, {}, {}, { chunkCandles: 100 });
    expect(split.result.resultHash).toBe(whole.resultHash);
  });

  it('mergeChunks names the first chunk whose carry-in is wrong', () => {
    const strat = maCross({ fast: 5, slow: 20, stopPct: 0.05 });
    const config = parseBacktestConfig({});
    const window = resolveWindow(series, strat, {}, config);
    const specs = planChunks(series, window, 200);
    const chunks = specs.map((w) => runChunk(series, strat, {}, config, w, INITIAL_CARRY));
    const m = mergeChunks(chunks);
    expect(m.ok).toBe(false);
    if (!m.ok) {
      const k = m.rerun;
      expect(chunks[k - 1]!.carryOut.busyUntil).toBeGreaterThan(specs[k]!.from);
      expect(m.carryIn.busyUntil).toBe(chunks[k - 1]!.carryOut.busyUntil);
    }
  });
});
