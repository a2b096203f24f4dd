import { expect, it } from 'vitest';
import { mulberry32 } from '../../shared/backtest/prng';
import { pboChunkMessages } from '../../shared/app/sweep-pbo';
import { PBO_CHUNK_BUDGET, PBO_INLINE_BUDGET, pboChunkPlan, sweepCscvMatrix, sweepPboPartial, type ChunkBlockStats } from '../../shared/research/sweep-pbo';

// CPU of the PBO's split loop inside workerd (local workerd's clock advances during compute, unlike a deployed
// Worker's): one pbo-chunk job's range for 1,000 combos, and the largest in-process PBO, printed (no timed
// assertion: speed targets live in `npm run bench`). Measured 2.1 s and 1.1 s on the shared 2-core machine.
it('a pbo-chunk range of PBO_CHUNK_BUDGET combo-splits for 1,000 combos in workerd (timing printed)', () => {
  const r = mulberry32(5);
  const combos = 1000;
  const rows = Array.from({ length: combos }, (_, k) => {
    const count = Array.from({ length: 16 }, () => 5 + r.int(0, 10));
    const sum = count.map((n) => n * (r.next() - 0.5) * 0.01);
    const sumSq = count.map((n, s) => (sum[s]! * sum[s]!) / n + n * 1e-4);
    return { key: `c${String(k).padStart(4, '0')}`, count, sum, sumSq };
  });
  const edges = Array.from({ length: 17 }, (_, s) => s * 100);
  const { matrix } = sweepCscvMatrix([{ view: 'binance-taker', edges, rows } satisfies ChunkBlockStats]);
  const plan = pboChunkPlan(combos);
  const t0 = Date.now();
  const part = sweepPboPartial(matrix, plan[0]!);
  const chunkMs = Date.now() - t0;
  const inlineSplits = Math.floor(PBO_INLINE_BUDGET / combos);
  const t1 = Date.now();
  sweepPboPartial(matrix, { from: 0, to: inlineSplits });
  const inlineMs = Date.now() - t1;
  console.log(JSON.stringify({ combos, ranges: plan.length, splitsPerRange: plan[0]!.to - plan[0]!.from, chunkMs, inlineSplits, inlineMs, partialBytes: JSON.stringify(part).length }));
  expect(plan[0]!.to - plan[0]!.from).toBe(Math.floor(PBO_CHUNK_BUDGET / combos));
  expect(part.best).toHaveLength(plan[0]!.to - plan[0]!.from);
});

// A re-send (after a failed send or a lost message) carries the first send's keys and skips stored ranges, so the
// queue's consumers and `storePboPartial` see the same work items again, never new ones.
it('pboChunkMessages: one message per range not stored, keyed pbo:<sweep>:<range>', () => {
  const ranges = pboChunkPlan(1000);
  const all = pboChunkMessages('sw1', ranges);
  expect(all.map((m) => m.rangeIndex)).toEqual(ranges.map((_, k) => k));
  expect(all[2]).toEqual({ kind: 'pbo-chunk', key: 'pbo:sw1:2', sweepId: 'sw1', rangeIndex: 2, from: ranges[2]!.from, to: ranges[2]!.to });
  const missing = pboChunkMessages('sw1', ranges, [0, 2]);
  expect(missing.map((m) => m.key)).toEqual(all.filter((m) => m.rangeIndex !== 0 && m.rangeIndex !== 2).map((m) => m.key));
  expect(pboChunkMessages('sw1', ranges, ranges.map((_, k) => k))).toEqual([]);
});
