import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../shared/db/database';
import { createSweep, finishSweep, getSweepRow, jsonParts } from '../../shared/db/queries/research';
import type { StoredSweepResult } from '../../shared/research/stored-sweep-result';
import { withDb } from '../db';
import { config } from './lab-fixtures.test-util';

const row = (id: string) => ({ id, strategyId: 'finish-test', venue: 'binance', symbol: 'BTC/USDT', timeframe: '1h', windowFrom: 0, windowTo: 1, method: 'grid', space: {}, combos: 40, chunksTotal: 1 });

it('jsonParts cuts at the size but never inside a surrogate pair, and joins back to the text', () => {
  const s = 'ab𝔼cd𝔼𝔼e';
  for (const size of [2, 3, 4, 5, 100]) {
    const parts = jsonParts(s, size);
    expect(parts.join('')).toBe(s);
    expect(parts.every((p) => p.length <= Math.max(2, size) && !/[\ud800-\udbff]$/.test(p))).toBe(true);
  }
});

it('a merged result written in parts is stored as the same jsonb as one written whole, once (workerd + Postgres)', async () => {
  // Non-BMP text in the result, so part cuts meet surrogate pairs.
  const result = { combos: Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, note: '𝔼[x] ≥ 0 — '.repeat(i % 5), v: i / 7 })), judgement: { best: null, reason: '𝔼' } } as unknown as StoredSweepResult;
  const run = crypto.randomUUID().slice(0, 8);
  const [whole, inParts] = [`finish-whole-${run}`, `finish-parts-${run}`];
  await withDb(config, async (db) => {
    await createSweep(db, row(whole), [40]);
    await createSweep(db, row(inParts), [40]);
    expect(await finishSweep(db, whole, { result, resultHash: 'h' })).toBe(true);
    expect(await finishSweep(db, inParts, { result, resultHash: 'h', candleCount: 7 }, { partChars: 97 })).toBe(true);
    // Done: a duplicate merge writes nothing, in either path.
    expect(await finishSweep(db, inParts, { result, resultHash: 'other' }, { partChars: 97 })).toBe(false);
    const texts = rowsOf<{ id: string; t: string }>(await db.execute(sql`SELECT id, result::text AS t FROM sweeps WHERE id IN (${whole}, ${inParts}) ORDER BY id`));
    expect(texts[0]!.t).toBe(texts[1]!.t);
    const parts = await getSweepRow(db, inParts);
    expect(parts).toMatchObject({ status: 'done', resultHash: 'h', candleCount: 7 });
    expect(parts!.result).toEqual(JSON.parse(JSON.stringify(result)));
    expect(parts!.finishedAt).not.toBeNull();
  });
});
