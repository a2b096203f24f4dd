import { describe, expect, it } from 'vitest';
import { randomWalk } from '../backtest/fixtures.test-util';
import { TIMEFRAME_MS } from '../candles/timeframe';
import { dstaSmaCrossover } from '../strategies/dsta-sma-crossover';
import { chunkResultOrThrow, readChunkResult, readStoredPbo, readSweepResult, type StoredSweepResult } from './stored-sweep-result';
import { gridCombos, mergeSweep, planSweep, runSweepChunk } from './sweep';
import { computeSweepPbo, sweepBlockEdges } from './sweep-pbo';
import { computeSweepSpa } from './sweep-spa';

const series = randomWalk(1200, 7, '4h', 0.012);
const from = series.openTime[0]!;
const to = series.openTime[series.length - 1]! + TIMEFRAME_MS['4h'];
const window = { from, to };
const combos = gridCombos(dstaSmaCrossover, { space: { fastPeriod: { kind: 'choice', values: [5, 10, 20] }, slowPeriod: { kind: 'choice', values: [30, 60] } } }).combos;
const outputs = planSweep(combos, 4).map((c) => runSweepChunk(series, dstaSmaCrossover, c, { backtest: window, blocks: { edges: sweepBlockEdges(from, to, TIMEFRAME_MS['4h']) }, periods: window }));
/** What the chunk job stores and what the merge stores (as shared/app/sweep.ts builds them), through JSON like jsonb. */
const storedChunks = outputs.map((o) => JSON.parse(JSON.stringify({ ...o, dataHash: 'd', candleCount: series.length })) as unknown);
const merged = mergeSweep(outputs);
const pbo = computeSweepPbo(outputs.map((o) => o.blockStats!));
const stored = JSON.parse(
  JSON.stringify({
    ...merged,
    pbo: pbo.status === 'done' ? { ...pbo, wallMs: 3 } : pbo,
    spa: computeSweepSpa(outputs.map((o) => o.periodReturns!), { seed: 1, reps: 50 }),
    timing: { chunkWallMs: [1, 2], maxChunkWallMs: 2, totalWallMs: 3 },
  } satisfies StoredSweepResult),
) as unknown;

describe('stored sweep layouts: one schema per column', () => {
  it('a real chunk output round-trips through sweep_chunks.result, every field kept', () => {
    for (const raw of storedChunks) {
      const r = readChunkResult(raw);
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.result).toEqual(raw);
    }
    expect(chunkResultOrThrow(storedChunks[0], 'chunk 0').combos.length).toBe(4);
  });

  it('a real merge with PBO, SPA and timing round-trips through sweeps.result', () => {
    const r = readSweepResult(stored);
    expect(r.ok).toBe(true);
    if (!r.ok || !r.result) return;
    expect(r.result).toEqual(stored);
    expect(r.result.combos.map((c) => c.key)).toEqual(merged.combos.map((c) => c.key));
    expect(r.result.pbo?.status).toBe('done');
    // A deferred PBO (pbo-chunk jobs pending, messages sent) and the judgement merged on later read too.
    const later = { ...(stored as object), pbo: { status: 'deferred', reason: 'large', ranges: [{ from: 0, to: 10 }], enqueuedAt: 5 }, judgement: { best: null, reason: 'no combo meets any objective’s trade floor' } };
    expect(readSweepResult(later)).toMatchObject({ ok: true, result: { pbo: { status: 'deferred', enqueuedAt: 5 }, judgement: { best: null } } });
    // result.pbo read on its own (what a pbo-chunk job selects) goes through the same schema.
    expect(readStoredPbo(later.pbo)).toEqual({ ok: true, result: later.pbo });
    expect(readStoredPbo(r.result.pbo)).toEqual({ ok: true, result: r.result.pbo });
    expect(readStoredPbo(null)).toEqual({ ok: true, result: null });
    const bad = readStoredPbo({ status: 'deferred', reason: 'large', ranges: [{ from: 'a', to: 10 }] });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.reason).toMatch(/^stored sweep PBO: ranges\.0\.from/);
  });

  it('rows of earlier code versions (no PBO / SPA / timing, chunks without block statistics) read as such', () => {
    const { pbo: _p, spa: _s, timing: _t, ...early } = stored as Record<string, unknown>;
    expect(readSweepResult(early)).toMatchObject({ ok: true });
    const { blockStats: _b, periodReturns: _r, ...earlyChunk } = storedChunks[0] as Record<string, unknown>;
    expect(readChunkResult(earlyChunk)).toMatchObject({ ok: true });
    expect(readSweepResult(null)).toEqual({ ok: true, result: null });
    // Before sweep-summary/2.0.0 the context had no summaryVersion: read as stored, not filled in.
    const { summaryVersion: _v, ...oldContext } = (stored as { context: Record<string, unknown> }).context;
    const old = readSweepResult({ ...(stored as object), context: oldContext });
    expect(old.ok).toBe(true);
    if (old.ok) expect(old.result?.context).toEqual(oldContext);
  });

  it('a field added later (e.g. a per-combo hash) is kept, not stripped', () => {
    const s = stored as { combos: Record<string, unknown>[] };
    const withHash = { ...s, combos: s.combos.map((c) => ({ ...c, prepareHash: 'h' })) };
    const r = readSweepResult(withHash);
    expect(r.ok && r.result?.combos[0]).toMatchObject({ prepareHash: 'h' });
  });

  it('a wrong layout is an error naming the field (the Lab fixtures’ old invented layout included)', () => {
    const old = { combos: [{ params: { fast: 5, slow: 21 }, metrics: { sharpe: 1 }, net: {} }], best: { params: { fast: 5, slow: 21 } } };
    const r = readSweepResult(old);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toMatch(/^stored sweep result: /);
      expect(r.reason).toMatch(/context/);
      expect(r.reason).toMatch(/combos\.0\.key/);
    }
    const badPbo = readSweepResult({ ...(stored as object), pbo: { status: 'maybe' } });
    expect(!badPbo.ok && badPbo.reason).toMatch(/pbo/);
    const badChunk = readChunkResult({ ...(storedChunks[0] as object), combos: [{ key: 1 }] });
    expect(!badChunk.ok && badChunk.reason).toMatch(/^stored sweep chunk result: combos\.0\.key/);
    expect(() => chunkResultOrThrow(null, 'sweep s chunk 3')).toThrow('sweep s chunk 3: no stored result');
    expect(readChunkResult('nope')).toMatchObject({ ok: false });
  });
});
