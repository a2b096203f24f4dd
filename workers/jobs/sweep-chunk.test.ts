import { beforeAll, expect, it } from 'vitest';
import { describeWithData } from '../real-data.test-util';
import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../shared/db/database';
import { familyTrialCount, getSweepRow } from '../../shared/db/queries/research';
import { openDb, withDb } from '../db';
import type { Env } from '../env';
import { accessHeaders } from '../api/test-access';
import { config, LAB_VENUE, seedLabCandles, waitUntil, Y2021 } from '../research-app/lab-fixtures.test-util';
import { createSweepRows, executeSweepChunk, runSweepSerial, SweepRequest } from '../../shared/app/sweep';
import { familyOf } from '../../shared/app/run-backtest';
import { handleQueue } from './consumer';
import type { SweepPbo } from '../../shared/research/sweep-pbo';
import { readChunkResult, readSweepResult } from '../../shared/research/stored-sweep-result';
import type { SweepSpa } from '../../shared/research/sweep-spa';
import type { JobMessage } from './messages';
import type { PboChunkJob } from '../../shared/app/sweep-pbo';
import { sweepStuck } from '../cron/sweeper';

const promotionsOf = (sweepId: string) =>
  withDb(config, async (db) => rowsOf<{ evidence: { studyGates: { gate: string; value: number | null }[] } }>(await db.execute(sql`SELECT evidence FROM strategy_promotions WHERE source_id = ${sweepId}`)));

const REQ = { strategy: 'nexara-div006', venue: LAB_VENUE, symbol: 'BTC/USDT', timeframe: '4h', from: Y2021.from, to: Y2021.to, method: 'grid', chunkSize: 25 } as const;

async function runBatch(messages: JobMessage[]) {
  const batch = createMessageBatch(
    'jobs',
    messages.map((body, k) => ({ id: `sw-${k}-${Math.random()}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await handleQueue(batch as MessageBatch<unknown>, env as Env, ctx);
  return getQueueResult(batch, ctx);
}

describeWithData('distributed sweeps over Queues (workerd + Postgres)', () => {
  beforeAll(async () => {
    await seedLabCandles();
  }, 180_000);

  it('a 200-combo grid over a year of 4h data completes through the queue and equals the serial result', async () => {
    const res = await exports.default.fetch(
      new Request('http://lab.local/api/research/sweeps', {
        method: 'POST',
        headers: { ...(await accessHeaders()), 'content-type': 'application/json' },
        body: JSON.stringify({ ...REQ, from: '2021-01-01', to: '2022-01-01T00:00:00Z' }),
      }),
    );
    expect(res.status).toBe(202);
    const { sweep } = (await res.json()) as { sweep: { id: string; combos: number; chunksTotal: number } };
    expect(sweep.combos).toBeGreaterThanOrEqual(200);
    expect(sweep.chunksTotal).toBe(Math.ceil(sweep.combos / 25));

    const done = await waitUntil(
      async () => {
        const s = await withDb(config, (db) => getSweepRow(db, sweep.id));
        return s && (s.status === 'done' || s.status === 'failed') ? s : null;
      },
      120_000,
      'sweep',
    );
    expect(done.status, done.error ?? '').toBe('done');
    expect(done.chunksDone).toBe(done.chunksTotal);
    const chunks = await withDb(config, async (db) => rowsOf<{ status: string; cpu_ms: number; attempts: number }>(await db.execute(sql`SELECT status, cpu_ms, attempts FROM sweep_chunks WHERE sweep_id = ${sweep.id} ORDER BY chunk_index`)));
    expect(chunks.every((c) => c.status === 'done' && c.cpu_ms !== null)).toBe(true);
    // What the jobs stored (through Postgres jsonb) reads through the one schema per column.
    expect(readSweepResult(done.result)).toMatchObject({ ok: true, result: { pbo: { status: 'done' }, spa: { strategies: sweep.combos } } });
    const stored = await withDb(config, async (db) => rowsOf<{ result: unknown }>(await db.execute(sql`SELECT result FROM sweep_chunks WHERE sweep_id = ${sweep.id} ORDER BY chunk_index`)));
    for (const c of stored) expect(readChunkResult(typeof c.result === 'string' ? JSON.parse(c.result) : c.result)).toMatchObject({ ok: true });
    const timing = (done.result as { timing: { chunkWallMs: number[]; maxChunkWallMs: number } }).timing;
    console.log(JSON.stringify({ sweep: sweep.id, combos: sweep.combos, chunks: sweep.chunksTotal, chunkWallMs: timing.chunkWallMs, maxChunkWallMs: timing.maxChunkWallMs }));

    // PBO (CSCV, 16 blocks, 12,870 splits) is part of the merged result, equal to the serial computation.
    const pbo = (done.result as { pbo: SweepPbo & { wallMs: number } }).pbo;
    expect(pbo.status, JSON.stringify(pbo)).toBe('done');
    expect(pbo.splits).toBe(12_870);
    expect(pbo.combos).toBe(sweep.combos);
    expect(pbo.view).toBe('binance-taker');
    expect(pbo.pbo).toBeGreaterThanOrEqual(0);
    expect(pbo.pbo).toBeLessThanOrEqual(1);
    console.log(JSON.stringify({ pbo: pbo.pbo, probabilityOfLoss: pbo.probabilityOfLoss, slope: pbo.degradation.slope, lambda: pbo.lambda, winners: pbo.winners.slice(0, 3), pboWallMs: pbo.wallMs }));

    // SPA / Reality Check of the combos' daily returns vs flat and vs buy-and-hold (seeded by the sweep's seed).
    const spa = (done.result as { spa: SweepSpa }).spa;
    expect(spa.strategies).toBe(sweep.combos);
    expect(spa.observations).toBe(365);
    for (const side of [spa.vsFlat, spa.vsBuyAndHold]) {
      expect(side.status, JSON.stringify(side)).toBe('done');
      if (side.status !== 'done') continue;
      expect(side.spa.lower).toBeLessThanOrEqual(side.spa.consistent);
      expect(side.spa.consistent).toBeLessThanOrEqual(side.spa.upper);
    }
    console.log(JSON.stringify({ spa }));

    const serial = await withDb(config, (db) => runSweepSerial(db, SweepRequest.parse(REQ), Date.now));
    expect(JSON.parse(JSON.stringify(serial.spa))).toEqual(spa);

    // Across the family: this sweep's combos plus every other trial recorded on the same series and window.
    const famRes = await exports.default.fetch(new Request(`http://lab.local/api/research/stats/sweeps/${sweep.id}/spa-family`, { headers: await accessHeaders() }));
    expect(famRes.status).toBe(200);
    const fam = (await famRes.json()) as SweepSpa & { sweepsUsed: number; runsUsed: number; leftOut: number };
    expect(fam.scope).toBe('family');
    expect(fam.sweepsUsed).toBeGreaterThanOrEqual(1);
    expect(fam.strategies).toBeGreaterThanOrEqual(spa.strategies);
    console.log(JSON.stringify({ familySpa: { strategies: fam.strategies, sweepsUsed: fam.sweepsUsed, runsUsed: fam.runsUsed, vsFlat: fam.vsFlat, vsBuyAndHold: fam.vsBuyAndHold } }));
    const { wallMs: _w, ...serialPbo } = serial.pbo as SweepPbo & { wallMs: number };
    const { wallMs: _d, ...donePbo } = pbo;
    expect(donePbo).toEqual(JSON.parse(JSON.stringify(serialPbo)));
    expect(done.resultHash).toBe(serial.merged.resultHash);
    expect(done.dataHash).toBe(serial.window.dataHash);
    expect((done.result as { combos: unknown[] }).combos).toEqual(JSON.parse(JSON.stringify(serial.merged.combos)));

    // The sweep's combos count as trials of the family.
    const trials = await withDb(config, (db) => familyTrialCount(db, familyOf('nexara-div006').ids));
    expect(trials.sweepCombos).toBeGreaterThanOrEqual(sweep.combos);
  });

  it('a seeded TPE sweep runs through the queue as one chunk of trials, equals the serial run, and every trial counts', async () => {
    const before = await withDb(config, (db) => familyTrialCount(db, familyOf('nexara-div006').ids));
    const req = SweepRequest.parse({ ...REQ, method: 'tpe', samples: 16, seed: 5 });
    const created = await withDb(config, (db) => createSweepRows(db, req, { codeVersion: 'test' }));
    expect(created.messages).toHaveLength(1);
    expect(created.sweep.combos).toBe(16);
    const r = await runBatch(created.messages);
    expect(r.explicitAcks.length).toBe(1);
    const s = (await withDb(config, (db) => getSweepRow(db, created.sweep.id)))!;
    expect(s.status).toBe('done');
    const merged = s.result as { combos: { key: string }[]; trials: { count: number } };
    expect(merged.combos).toHaveLength(16);
    expect(new Set(merged.combos.map((c) => c.key)).size).toBe(16);
    const serial = await withDb(config, (db) => runSweepSerial(db, req, Date.now));
    expect(s.resultHash).toBe(serial.merged.resultHash);
    const after = await withDb(config, (db) => familyTrialCount(db, familyOf('nexara-div006').ids));
    expect(after.sweepCombos - before.sweepCombos).toBe(16);
  });

  it('redelivery: a chunk delivered twice runs once; the final chunk delivered twice concurrently merges once', async () => {
    const created = await withDb(config, (db) => createSweepRows(db, SweepRequest.parse({ ...REQ, method: 'random', samples: 30, seed: 7, chunkSize: 10 }), { codeVersion: 'test' }));
    const [m0, m1, m2] = created.messages;
    expect(created.messages).toHaveLength(3);

    // Chunk 0 twice through the consumer: both acked, one attempt recorded.
    const r = await runBatch([m0!, m0!]);
    expect(r.explicitAcks.length).toBe(2);
    const c0 = await withDb(config, async (db) => rowsOf<{ attempts: number; status: string }>(await db.execute(sql`SELECT attempts, status FROM sweep_chunks WHERE sweep_id = ${created.sweep.id} AND chunk_index = 0`))[0]!);
    expect(c0).toEqual({ attempts: 1, status: 'done' });
    // A delivery while another consumer holds the chunk is not acked: it comes back after the lease.
    await withDb(config, (db) => db.execute(sql`UPDATE sweep_chunks SET status = 'running', updated_at = now() WHERE sweep_id = ${created.sweep.id} AND chunk_index = 1`));
    const held = await runBatch([m1!]);
    expect(held.explicitAcks.length).toBe(0);
    expect(held.retryMessages.length).toBe(1);
    await withDb(config, (db) => db.execute(sql`UPDATE sweep_chunks SET status = 'pending' WHERE sweep_id = ${created.sweep.id} AND chunk_index = 1`));
    await runBatch([m1!]);

    // The last chunk, twice at once (two consumers, two pools): exactly one completes it and merges.
    const a = openDb(config);
    const b = openDb(config);
    try {
      const outs = await Promise.all([executeSweepChunk(a.db, m2!.sweepId, m2!.chunkIndex, { now: Date.now }), executeSweepChunk(b.db, m2!.sweepId, m2!.chunkIndex, { now: Date.now })]);
      expect(outs.filter((o) => o.status === 'done')).toHaveLength(1);
      expect(outs.filter((o) => o.merged === true)).toHaveLength(1);
    } finally {
      await a.close();
      await b.close();
    }
    const s = (await withDb(config, (db) => getSweepRow(db, created.sweep.id)))!;
    expect(s.status).toBe('done');
    expect(s.chunksDone).toBe(3);
    const hash = s.resultHash;
    const finished = s.finishedAt!.getTime();

    // Redelivering every chunk after the merge changes nothing.
    await runBatch(created.messages);
    const again = (await withDb(config, (db) => getSweepRow(db, created.sweep.id)))!;
    expect(again.resultHash).toBe(hash);
    expect(again.finishedAt!.getTime()).toBe(finished);
    expect(again.chunksDone).toBe(3);

    // And it equals the serial run of the same request.
    const serial = await withDb(config, (db) => runSweepSerial(db, SweepRequest.parse({ ...REQ, method: 'random', samples: 30, seed: 7, chunkSize: 10 }), Date.now));
    expect(hash).toBe(serial.merged.resultHash);
  });

  it('a PBO over the in-process budget runs as pbo-chunk jobs and merges to the serial result, once', async () => {
    const req = SweepRequest.parse({ ...REQ, method: 'random', samples: 30, seed: 11, chunkSize: 10, gates: 'strict' });
    const created = await withDb(config, (db) => createSweepRows(db, req, { codeVersion: 'test' }));
    const sent: JobMessage[] = [];
    const opts = { now: Date.now, pboInlineBudget: 0, pboChunkBudget: 40_000, enqueue: async (m: JobMessage[]) => void sent.push(...m) };
    for (const m of created.messages) await withDb(config, (db) => executeSweepChunk(db, m.sweepId, m.chunkIndex, opts));
    const deferred = (await withDb(config, (db) => getSweepRow(db, created.sweep.id)))!;
    expect(deferred.status).toBe('done');
    expect((deferred.result as { pbo: { status: string } }).pbo.status).toBe('deferred');
    expect(readSweepResult(deferred.result)).toMatchObject({ ok: true, result: { pbo: { status: 'deferred' } } });
    expect(typeof (deferred.result as { pbo: { enqueuedAt?: number } }).pbo.enqueuedAt).toBe('number');
    expect(sent).toHaveLength(10); // 30 combos × 12,870 splits in ranges of ≤ 1,333 splits
    // Not judged at merge time (its PBO gate would be skipped and the decision, recorded once per source, final).
    expect((deferred.result as { judgement?: unknown }).judgement).toBeUndefined();
    expect(await promotionsOf(created.sweep.id)).toHaveLength(0);
    // Delivered in reverse, the first one twice: every range stored once, merged once.
    const r = await runBatch([...sent].reverse().concat(sent[sent.length - 1]!));
    expect(r.explicitAcks.length).toBe(11);
    const done = (await withDb(config, (db) => getSweepRow(db, created.sweep.id)))!;
    const pbo = (done.result as { pbo: SweepPbo & { chunkWallMs: number[]; maxChunkWallMs: number } }).pbo;
    expect(pbo.status).toBe('done');
    expect(pbo.pboChunks).toBe(10);
    // The PBO merged from pbo-chunk jobs and the judgement stored after it read through the schema too.
    expect(readSweepResult(done.result)).toMatchObject({ ok: true, result: { pbo: { status: 'done', pboChunks: 10 }, judgement: { gateSet: 'strict' } } });
    expect(pbo.chunkWallMs).toHaveLength(10);
    console.log(JSON.stringify({ pboChunkWallMs: pbo.chunkWallMs, combos: pbo.combos, pbo: pbo.pbo }));
    const serial = await withDb(config, (db) => runSweepSerial(db, req, Date.now));
    const { wallMs: _w, pboChunks: _c, ...s } = serial.pbo as SweepPbo & { wallMs: number };
    const { chunkWallMs: _a, maxChunkWallMs: _b, pboChunks: _d, ...d } = pbo;
    expect(d).toEqual(JSON.parse(JSON.stringify(s)));
    expect(done.resultHash).toBe(serial.merged.resultHash);
    // The named gate set is recorded on the sweep and in its judgement, made when the last range merged: the PBO
    // gate is judged on the merged PBO (strict: ≤ 0.2), and promotion is recorded once for the sweep.
    expect((done.options as { gates: { name: string } }).gates.name).toBe('strict');
    const j = (done.result as { judgement?: { gateSet: string; studyGates: { gate: string; status: string; value: number | null }[] } }).judgement;
    expect(j?.gateSet).toBe('strict');
    expect(j?.studyGates[0]).toMatchObject({ gate: 'maxPbo', status: pbo.pbo <= 0.2 ? 'pass' : 'fail', value: pbo.pbo });
    const promoted = await promotionsOf(created.sweep.id);
    expect(promoted).toHaveLength(1);
    expect(promoted[0]!.evidence.studyGates[0]).toMatchObject({ gate: 'maxPbo', value: pbo.pbo });
    // Redelivering every range again judges nothing twice.
    await runBatch(sent);
    expect(await promotionsOf(created.sweep.id)).toHaveLength(1);
    expect(() => SweepRequest.parse({ ...REQ, gates: 'nope' })).toThrow(/unknown gate set/);
  });

  it('a deferred PBO whose pbo-chunk send failed is re-sent by the redelivered chunk, and by the sweeper after a timeout (same keys, missing ranges only)', async () => {
    const req = SweepRequest.parse({ ...REQ, method: 'random', samples: 12, seed: 13, chunkSize: 6 });
    const created = await withDb(config, (db) => createSweepRows(db, req, { codeVersion: 'test' }));
    const sent: PboChunkJob[] = [];
    const failing = { now: Date.now, pboInlineBudget: 0, pboChunkBudget: 20_000, enqueue: async () => Promise.reject(new Error('queue unavailable')) };
    const working = { ...failing, enqueue: async (m: PboChunkJob[]) => void sent.push(...m) };
    await withDb(config, (db) => executeSweepChunk(db, created.sweep.id, 0, failing));
    // The last chunk merges, then the send fails: the job throws (its message is retried).
    await expect(withDb(config, (db) => executeSweepChunk(db, created.sweep.id, 1, failing))).rejects.toThrow(/queue unavailable/);
    const row = (await withDb(config, (db) => getSweepRow(db, created.sweep.id)))!;
    const deferred = (row.result as { pbo: { status: string; ranges: unknown[]; enqueuedAt?: number } }).pbo;
    expect(row.status).toBe('done');
    expect(deferred.status).toBe('deferred');
    expect(deferred.enqueuedAt).toBeUndefined();
    const ranges = deferred.ranges.length; // 12 combos, ranges of ≤ 1,666 splits: ⌈12,870 / 1,666⌉ = 8
    expect(ranges).toBe(Math.ceil(12_870 / Math.floor(20_000 / 12)));
    // The retry re-sends every range, keyed like the first send; a second retry sends nothing more.
    const redelivered = await withDb(config, (db) => executeSweepChunk(db, created.sweep.id, 1, working));
    expect(redelivered).toMatchObject({ status: 'skipped', reason: `sweep is done; re-sent ${ranges} pbo-chunk message(s)` });
    expect(sent.map((m) => m.key)).toEqual(Array.from({ length: ranges }, (_, k) => `pbo:${created.sweep.id}:${k}`));
    expect(await withDb(config, (db) => executeSweepChunk(db, created.sweep.id, 1, working))).toMatchObject({ status: 'skipped', reason: 'sweep is done' });
    // Three ranges run; the rest of those messages are lost. Inside the timeout the sweeper leaves it alone…
    await runBatch(sent.slice(0, 3));
    const resent: PboChunkJob[] = [];
    const enqueue = async (m: PboChunkJob[]) => void resent.push(...m);
    await withDb(config, (db) => sweepStuck(db, { enqueue }));
    expect(resent.filter((m) => m.sweepId === created.sweep.id)).toHaveLength(0);
    // …past it, it re-sends only the 5 missing ranges (same keys), once per timeout.
    await withDb(config, (db) => db.execute(sql`UPDATE sweeps SET result = jsonb_set(result, '{pbo,enqueuedAt}', to_jsonb((extract(epoch FROM now() - interval '31 minutes') * 1000)::bigint)) WHERE id = ${created.sweep.id}`));
    await withDb(config, (db) => sweepStuck(db, { enqueue }));
    const mine = resent.filter((m) => m.sweepId === created.sweep.id);
    expect(mine.map((m) => m.rangeIndex)).toEqual(Array.from({ length: ranges - 3 }, (_, k) => k + 3));
    expect(mine.map((m) => m.key)).toEqual(sent.slice(3).map((m) => m.key));
    await withDb(config, (db) => sweepStuck(db, { enqueue }));
    expect(resent.filter((m) => m.sweepId === created.sweep.id)).toHaveLength(ranges - 3);
    // The re-sent ranges complete the PBO, equal to the serial one.
    await runBatch(mine);
    const done = (await withDb(config, (db) => getSweepRow(db, created.sweep.id)))!;
    const pbo = (done.result as { pbo: SweepPbo & { chunkWallMs: number[]; maxChunkWallMs: number } }).pbo;
    expect(pbo.status).toBe('done');
    const serial = await withDb(config, (db) => runSweepSerial(db, req, Date.now));
    expect(pbo.digest).toBe((serial.pbo as SweepPbo).digest);
    expect(pbo.pbo).toBe((serial.pbo as SweepPbo).pbo);
  });

  it('a merge owner that died is taken over by a redelivery after its lease', async () => {
    const created = await withDb(config, (db) => createSweepRows(db, SweepRequest.parse({ ...REQ, method: 'random', samples: 4, seed: 3, chunkSize: 2 }), { codeVersion: 'test' }));
    await runBatch(created.messages);
    const merged = (await withDb(config, (db) => getSweepRow(db, created.sweep.id)))!;
    expect(merged.status).toBe('done');
    // Simulate: the last chunk's consumer claimed the merge and died before writing it.
    const unmerge = (claimedAgo: string) =>
      withDb(config, (db) => db.execute(sql`UPDATE sweeps SET status = 'running', result = NULL, result_hash = NULL, finished_at = NULL, merge_claimed_at = now() - ${claimedAgo}::interval WHERE id = ${created.sweep.id}`));
    // Under a live claim a redelivery leaves the merge to its owner…
    await unmerge('1 second');
    const live = await withDb(config, (db) => executeSweepChunk(db, created.sweep.id, 1, { now: Date.now }));
    expect(live).toEqual({ status: 'skipped', reason: 'chunk is done', running: false });
    // …after the lease it takes over, and writes the same result.
    await unmerge('1 hour');
    const out = await withDb(config, (db) => executeSweepChunk(db, created.sweep.id, 1, { now: Date.now }));
    expect(out.status).toBe('skipped');
    expect(out.merged).toBe(true);
    const after = (await withDb(config, (db) => getSweepRow(db, created.sweep.id)))!;
    expect(after.status).toBe('done');
    expect(after.resultHash).toBe(merged.resultHash);
  });
});
