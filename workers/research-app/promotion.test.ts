import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithData } from '../real-data.test-util';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../shared/db/database';
import { mulberry32 } from '../../shared/backtest/prng';
import { tradesFromGross } from '../../shared/research/fixtures.test-util';
import type { ComboSummary, NetViewSummary } from '../../shared/research/summary';
import { judgeVenues, type VenueVerdict } from '../../shared/research/verdict';
import { COST_PRESET_IDS } from '../../shared/costs';
import { withDb } from '../db';
import { config, LAB_VENUE, seedLabCandles, Y2021 } from './lab-fixtures.test-util';
import { applyPromotion, manualPromotion, planPromotion, promoteFromRun, PromotionRefused } from '../../shared/app/promotion';
import { BacktestRequest, createBacktestRun } from '../../shared/app/run-backtest';
import { backtestThenPromote, sweepChunkThenPromote } from '../../shared/app/promote-after';
import { createSweepRows, SweepRequest } from '../../shared/app/sweep';
import { getRunRow, getSweepRow } from '../../shared/db/queries/research';

// A registered strategy no other workerd test drives through the live loop; its row is restored afterwards.
const STRATEGY = 'dsta-bb-breakout';

function gross(n: number, meanBps: number, sdBps: number, seed = 1): number[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => (meanBps + sdBps * r.normal()) / 1e4);
}

/** A combo summary whose net mean bps is `edge` on every preset (what the parameter-stability gate reads). */
function neighbour(edge: number, k: number): ComboSummary {
  const net: Record<string, NetViewSummary> = {};
  for (const id of COST_PRESET_IDS) net[id] = { meanBps: edge } as NetViewSummary;
  return { key: `n${k}`, params: {}, trades: 200, exposure: 0, gross: {} as ComboSummary['gross'], net, breakEvenRoundTripBps: null, resultHash: '' };
}

/** Every gate passes on the cheap venues: 200 trades at +80 bps gross, neighbours and OOS folds all positive. */
function passingVerdicts(): VenueVerdict[] {
  const trades = tradesFromGross(gross(200, 80, 30));
  return judgeVenues({
    result: { trades },
    trialsForFamily: 1,
    sweepNeighbours: [neighbour(55, 1), neighbour(60, 2)],
    walkForward: { folds: [1, 2, 3, 4, 5].map((k) => ({ outOfSample: neighbour(40 + k, k) })) },
    lookahead: { ok: true, mismatches: 0, detail: 'lookahead audit passed' },
  });
}

async function q<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  return withDb(config, async (db) => rowsOf<T>(await db.execute(query)));
}

async function changes(): Promise<{ from_status: string; to_status: string; reason: string; evidence: Record<string, unknown> }[]> {
  return q(sql`SELECT from_status, to_status, reason, evidence FROM strategy_status_changes WHERE strategy_id = ${STRATEGY} ORDER BY id`);
}

async function status(): Promise<string> {
  return (await q<{ status: string }>(sql`SELECT status FROM strategies WHERE id = ${STRATEGY}`))[0]!.status;
}

let original: { status: string; status_reason: string | null; params: unknown } | undefined;

async function reset(): Promise<void> {
  await q(sql`DELETE FROM strategy_promotions WHERE strategy_id = ${STRATEGY}`);
  await q(sql`DELETE FROM strategy_status_changes WHERE strategy_id = ${STRATEGY}`);
  await q(sql`UPDATE strategies SET status = 'research', status_reason = NULL WHERE id = ${STRATEGY}`);
  if (original) await q(sql`UPDATE strategies SET params = ${JSON.stringify(original.params)}::jsonb WHERE id = ${STRATEGY}`);
}

describeWithData('promotion and demotion driven by the gates (recorded with evidence, once per source)', () => {
  beforeAll(async () => {
    [original] = await q<NonNullable<typeof original>>(sql`SELECT status, status_reason, params FROM strategies WHERE id = ${STRATEGY}`);
    await reset();
  });
  afterAll(async () => {
    await reset();
    if (original) await q(sql`UPDATE strategies SET status = ${original.status}, status_reason = ${original.status_reason}, params = ${JSON.stringify(original.params)}::jsonb WHERE id = ${STRATEGY}`);
  });

  it('below the minimum trade count: rejected however high the Sharpe, never promoted', async () => {
    const trades = tradesFromGross(gross(12, 500, 5)); // +5 % per trade, tiny variance
    const verdicts = judgeVenues({ result: { trades }, trialsForFamily: 1, sweepNeighbours: [neighbour(480, 1)], walkForward: { folds: [{ outOfSample: neighbour(400, 1) }] } });
    expect(Math.min(...verdicts.map((v) => v.tradeSharpe!))).toBeGreaterThan(10);
    const out = await withDb(config, (db) => applyPromotion(db, { strategyId: STRATEGY, source: { kind: 'backtest', id: 'test-few-trades' }, verdicts }));
    expect(out).toMatchObject({ status: 'changed', from: 'research', to: 'rejected' });
    expect(await status()).toBe('rejected');
    const [c] = await changes();
    expect(c).toMatchObject({ from_status: 'research', to_status: 'rejected' });
    const ev = c!.evidence as { runId: string; verdicts: { presetId: string; verdict: string; trades: number; gatesFailed: string[]; tradeSharpe: number }[] };
    expect(ev.runId).toBe('test-few-trades');
    const bt = ev.verdicts.find((v) => v.presetId === 'binance-taker')!;
    expect(bt).toMatchObject({ verdict: 'reject', trades: 12 });
    expect(bt.gatesFailed).toContain('minTrades');
    await reset();
  });

  it('all gates passing promotes to paper exactly once; a later failing run demotes; both changes recorded', async () => {
    const verdicts = passingVerdicts();
    expect(verdicts.find((v) => v.presetId === 'binance-taker')!.verdict).toBe('keep');
    const input = { strategyId: STRATEGY, source: { kind: 'sweep' as const, id: 'test-sweep-pass' }, verdicts, gatesPassedAll: true, paramsOnPaper: { bbPeriod: 30 } };
    const first = await withDb(config, (db) => applyPromotion(db, input));
    expect(first).toMatchObject({ status: 'changed', from: 'research', to: 'paper' });
    expect(first.reason).toMatch(/^every gate passes on /);
    // Re-processing the same sweep (twice, concurrently too) records nothing more.
    const again = await Promise.all([withDb(config, (db) => applyPromotion(db, input)), withDb(config, (db) => applyPromotion(db, input))]);
    for (const a of again) expect(a).toMatchObject({ status: 'duplicate', to: 'paper', promotionId: first.promotionId });
    expect(await status()).toBe('paper');
    expect(await changes()).toHaveLength(1);
    // Promotion to paper registers the params that passed the gates.
    const [row] = await q<{ params: Record<string, unknown>; status_reason: string }>(sql`SELECT params, status_reason FROM strategies WHERE id = ${STRATEGY}`);
    expect(row!.params).toEqual({ bbPeriod: 30 });
    expect(row!.status_reason).toMatch(/every gate passes/);

    // A plain backtest that fails nothing (OOS and stability simply not checked) does not pull it out of paper.
    const incomplete = judgeVenues({ result: { trades: tradesFromGross(gross(200, 80, 30)) }, trialsForFamily: 1 });
    const held = await withDb(config, (db) => applyPromotion(db, { strategyId: STRATEGY, source: { kind: 'backtest', id: 'test-incomplete' }, verdicts: incomplete }));
    expect(held).toMatchObject({ status: 'unchanged', from: 'paper', to: 'paper' });
    expect(held.reason).toMatch(/^stays paper: nothing failed/);

    // A later run whose edge is gone: demoted, with the evidence.
    const failing = judgeVenues({ result: { trades: tradesFromGross(gross(200, -5, 30, 7)) }, trialsForFamily: 1 });
    const demoted = await withDb(config, (db) => applyPromotion(db, { strategyId: STRATEGY, source: { kind: 'backtest', id: 'test-run-fails' }, verdicts: failing }));
    expect(demoted).toMatchObject({ status: 'changed', from: 'paper', to: 'rejected' });
    expect(await status()).toBe('rejected');
    const all = await changes();
    expect(all.map((c) => [c.from_status, c.to_status])).toEqual([
      ['research', 'paper'],
      ['paper', 'rejected'],
    ]);
    const ev = all[0]!.evidence as { sweepId: string; gatesPassedAll: boolean; eligible: string[]; verdicts: { presetId: string; gatesPassed: string[]; netMeanBps: number; dsr: number }[] };
    expect(ev.sweepId).toBe('test-sweep-pass');
    expect(ev.gatesPassedAll).toBe(true);
    expect(ev.eligible).toContain('binance-taker');
    const bt = ev.verdicts.find((v) => v.presetId === 'binance-taker')!;
    expect(bt.gatesPassed).toEqual(['minTrades', 'minNetEdgeBps', 'minNetEdgeBpsAt2xCost', 'minDsr', 'oosConsistency', 'parameterStability', 'noLookahead']);
    expect(bt.netMeanBps).toBeGreaterThan(5);
    expect((all[1]!.evidence as { runId: string }).runId).toBe('test-run-fails');
    // The same failing run processed again: no second demotion record.
    expect(await withDb(config, (db) => applyPromotion(db, { strategyId: STRATEGY, source: { kind: 'backtest', id: 'test-run-fails' }, verdicts: failing }))).toMatchObject({ status: 'duplicate' });
    expect(await changes()).toHaveLength(2);
  });

  it('the caller’s checks (gatesPassedAll = false, e.g. a sweep that did not reproduce) block paper', () => {
    const plan = planPromotion('research', passingVerdicts(), { gatesPassedAll: false });
    expect(plan.to).toBe('watch');
    const na = planPromotion('research', passingVerdicts(), { gatesPassedAll: true, applicable: { ok: false, reason: 'other params' } });
    expect(na).toMatchObject({ proposed: 'paper', to: 'research', override: 'not-applicable' });
  });

  it('manual decisions are recorded as such; manual paper is refused unless the latest evidence passes every gate', async () => {
    await reset();
    const failing = judgeVenues({ result: { trades: tradesFromGross(gross(200, -5, 30, 7)) }, trialsForFamily: 1 });
    await withDb(config, (db) => applyPromotion(db, { strategyId: STRATEGY, source: { kind: 'backtest', id: 'test-manual-base' }, verdicts: failing }));
    expect(await status()).toBe('rejected');
    await expect(withDb(config, (db) => manualPromotion(db, { strategyId: STRATEGY, to: 'paper', reason: 'I like it' }))).rejects.toBeInstanceOf(PromotionRefused);
    expect(await status()).toBe('rejected');
    const w = await withDb(config, (db) => manualPromotion(db, { strategyId: STRATEGY, to: 'watch', reason: 'look again after the fee change', by: 'test' }));
    expect(w).toMatchObject({ status: 'changed', from: 'rejected', to: 'watch' });
    const last = (await changes()).at(-1)!;
    expect(last).toMatchObject({ from_status: 'rejected', to_status: 'watch', reason: 'manual: look again after the fee change' });
    expect(last.evidence).toMatchObject({ manual: true, by: 'test' });
    // Once the latest evidence passes every gate, paper can also be chosen by hand.
    await withDb(config, (db) => applyPromotion(db, { strategyId: STRATEGY, source: { kind: 'sweep', id: 'test-manual-pass' }, verdicts: passingVerdicts(), gatesPassedAll: true }));
    await withDb(config, (db) => manualPromotion(db, { strategyId: STRATEGY, to: 'research', reason: 'park it' }));
    expect(await status()).toBe('research');
    expect(await withDb(config, (db) => manualPromotion(db, { strategyId: STRATEGY, to: 'paper', reason: 'evidence passes' }))).toMatchObject({ status: 'changed', to: 'paper' });
  });

  it('a finished backtest run and a finished sweep apply promotion on their stored verdicts, once', async () => {
    await reset();
    expect((await seedLabCandles()).h4).toBeGreaterThan(2100);
    const req = BacktestRequest.parse({ strategy: STRATEGY, venue: LAB_VENUE, symbol: 'BTC/USDT', timeframe: '4h', from: Y2021.from, to: Y2021.to });
    const out = await withDb(config, async (db) => {
      const run = await createBacktestRun(db, req, { codeVersion: 'test' });
      return backtestThenPromote(db, run.id, { codeVersion: 'test', now: Date.now });
    });
    if (out.status !== 'done') throw new Error(`run ${out.status}`);
    // A single backtest checks neither OOS consistency nor parameter stability: never paper.
    expect(out.promotion).toBeTruthy();
    expect(out.promotion!.to).not.toBe('paper');
    expect(out.promotion!.to).toBe(out.run.verdict === 'reject' ? 'rejected' : 'watch');
    const [p] = await q<{ source_kind: string; evidence: { runId: string; verdicts: unknown[] } }>(sql`SELECT source_kind, evidence FROM strategy_promotions WHERE source_id = ${out.run.id}`);
    expect(p!.source_kind).toBe('backtest');
    expect(p!.evidence.runId).toBe(out.run.id);
    expect(p!.evidence.verdicts.length).toBe(16); // 11 fee-only views + 5 measured
    // Re-processing the stored run (as a redelivered job would) records nothing new.
    const again = await withDb(config, async (db) => promoteFromRun(db, (await getRunRow(db, out.run.id))!));
    expect(again).toMatchObject({ status: 'duplicate', promotionId: out.promotion!.promotionId });

    const sreq = SweepRequest.parse({ strategy: STRATEGY, venue: LAB_VENUE, symbol: 'BTC/USDT', timeframe: '4h', from: Y2021.from, to: Y2021.to, method: 'random', samples: 6, seed: 3, chunkSize: 3 });
    const sweep = await withDb(config, async (db) => {
      const created = await createSweepRows(db, sreq, { codeVersion: 'test' });
      for (let k = 0; k < created.messages.length; k++) await sweepChunkThenPromote(db, created.sweep.id, k, { now: Date.now });
      return (await getSweepRow(db, created.sweep.id))!;
    });
    expect(sweep.status).toBe('done');
    const j = (sweep.result as { judgement?: { best: { key: string } | null; reproduced: boolean; neighbours: number; venues: unknown[] } }).judgement;
    expect(j?.best).toBeTruthy();
    expect(j!.reproduced).toBe(true);
    expect(j!.venues.length).toBe(11);
    const sp = await q<{ source_kind: string; evidence: { sweepId: string; reproduced: boolean; comboKey: string } }>(sql`SELECT source_kind, evidence FROM strategy_promotions WHERE source_id = ${sweep.id}`);
    expect(sp).toHaveLength(1);
    expect(sp[0]!.evidence).toMatchObject({ sweepId: sweep.id, reproduced: true, comboKey: j!.best!.key });
  }, 240_000);
});
