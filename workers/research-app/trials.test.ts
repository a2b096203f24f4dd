import { beforeAll, expect, it } from 'vitest';
import { exports } from 'cloudflare:workers';
import { describeWithData } from '../real-data.test-util';
import { withDb } from '../db';
import { accessHeaders } from '../api/test-access';
import type { RunTrials } from '../../shared/research/trials';
import type { MonteCarloRequest, RunMonteCarlo } from '../../shared/research/run-monte-carlo';
import { getRunRow } from '../../shared/db/queries/research';
import type { GateSet, StudyGateCheck } from '../../shared/research/gate-sets';
import { rowsOf } from '../../shared/db/database';
import { sql } from 'drizzle-orm';
import { config, LAB_VENUE, seedLabCandles, Y2021 } from './lab-fixtures.test-util';
import { BacktestRequest, createBacktestRun } from '../../shared/app/run-backtest';
import { backtestThenPromote } from '../../shared/app/promote-after';

async function backtest(params: Record<string, unknown>, monteCarlo?: MonteCarloRequest, gates?: unknown): Promise<string> {
  const req = BacktestRequest.parse({ strategy: 'nexara-div006', venue: LAB_VENUE, symbol: 'BTC/USDT', timeframe: '4h', from: Y2021.from, to: Y2021.to, params, monteCarlo, gates });
  return withDb(config, async (db) => {
    const run = await createBacktestRun(db, req, { codeVersion: 'test' });
    const out = await backtestThenPromote(db, run.id, { codeVersion: 'test', now: Date.now });
    expect(out.status).toBe('done');
    return run.id;
  });
}

async function trials(runId: string): Promise<RunTrials> {
  const res = await exports.default.fetch(new Request(`http://lab.local/api/research/stats/runs/${runId}/trials`, { headers: await accessHeaders() }));
  expect(res.status).toBe(200);
  return (await res.json()) as RunTrials;
}

describeWithData('every backtest run: DSR at judgement and now (issue 13 item 4) and its Monte Carlo (item 3)', () => {
  beforeAll(async () => {
    await seedLabCandles();
  }, 180_000);

  it('recording a new trial of the family lowers the DSR shown now for an earlier run; at judgement stays as stored', async () => {
    const first = await backtest({});
    const before = await trials(first);
    const p0 = before.presets.find((p) => p.presetId === 'binance-taker')!;
    expect(p0.now.dsr, JSON.stringify(p0)).not.toBeNull();
    expect(before.trialsNow).toBeGreaterThanOrEqual(before.trialsAtJudgement);
    expect(p0.atJudgement.varianceSource).toBe('stored');

    await backtest({ period: 40 });
    const after = await trials(first);
    const p1 = after.presets.find((p) => p.presetId === 'binance-taker')!;
    expect(after.trialsNow).toBe(before.trialsNow + 1); // the new run is one more trial of the family
    expect(after.trialsAtJudgement).toBe(before.trialsAtJudgement);
    expect(p1.atJudgement).toEqual(p0.atJudgement);
    expect(p1.now.dsr!).toBeLessThan(p0.now.dsr!);
    expect(after.minBtl.nowYears).toBeGreaterThan(before.minBtl.nowYears);
    console.log(JSON.stringify({ trials: [before.trialsAtJudgement, before.trialsNow, after.trialsNow], dsrAtJudgement: p0.atJudgement.dsr, dsrNow: [p0.now.dsr, p1.now.dsr], minBtlYears: after.minBtl }));

    // Every backtest stores its Monte Carlo (seeded, recorded), here with the run's own options.
    const mcRun = await backtest({}, { paths: 400, seed: 5, ruinDrawdown: 0.2 });
    const row = (await withDb(config, (db) => getRunRow(db, mcRun)))!;
    const mc = (row.result as { monteCarlo: RunMonteCarlo }).monteCarlo;
    expect(mc).toMatchObject({ view: 'stress-31', seed: 5, paths: 400, ruinDrawdown: 0.2 });
    expect(mc.tradeReshuffle.status).toBe('done');
    expect(mc.blockBootstrap.status).toBe('done');
    const def = ((await withDb(config, (db) => getRunRow(db, first)))!.result as { monteCarlo: RunMonteCarlo }).monteCarlo;
    expect(def).toMatchObject({ seed: 1, paths: 1000, ruinDrawdown: 0.3 });
    console.log(JSON.stringify({ mc: { view: mc.view, resample: mc.tradeResample, block: { ...mc.blockBootstrap, fan: undefined } } }));

    // Gate sets as data: a named set is recorded with the run and with its promotion decision; a single backtest
    // has no sweep, so PBO and SPA are skipped (never passed) and only the MC drawdown gate is checked.
    const strictRun = await backtest({}, undefined, 'strict');
    const sr = (await withDb(config, (db) => getRunRow(db, strictRun)))!.result as { gateSet: GateSet; studyGates: StudyGateCheck[] };
    expect(sr.gateSet.name).toBe('strict');
    expect(sr.gateSet.study.maxPbo).toBe(0.2);
    expect(sr.studyGates.map((g) => g.status).slice(0, 2)).toEqual(['skipped', 'skipped']);
    expect(sr.studyGates[2]!.status).not.toBe('skipped');
    const ev = await withDb(config, async (db) => rowsOf<{ evidence: { gateSet: GateSet } }>(await db.execute(sql`SELECT evidence FROM strategy_promotions WHERE source_id = ${strictRun}`)));
    if (ev.length) expect(ev[0]!.evidence.gateSet.name).toBe('strict');
    const defaultEv = await withDb(config, async (db) => rowsOf<{ evidence: { gateSet: GateSet } }>(await db.execute(sql`SELECT evidence FROM strategy_promotions WHERE source_id = ${first}`)));
    if (defaultEv.length) expect(defaultEv[0]!.evidence.gateSet.name).toBe('default');
    expect(ev.length + defaultEv.length).toBeGreaterThan(0);
    expect(() => BacktestRequest.parse({ strategy: 'nexara-div006', venue: LAB_VENUE, symbol: 'BTC/USDT', timeframe: '4h', from: Y2021.from, to: Y2021.to, gates: 'lenient' })).toThrow(/unknown gate set/);
    const bad = await exports.default.fetch(
      new Request('http://lab.local/api/research/backtests', {
        method: 'POST',
        headers: { ...(await accessHeaders()), 'content-type': 'application/json' },
        body: JSON.stringify({ strategy: 'nexara-div006', venue: LAB_VENUE, symbol: 'BTC/USDT', timeframe: '4h', from: '2021-01-01', to: '2021-06-01', gates: { name: 'x', study: { maxPbo: 3 } } }),
      }),
    );
    expect(bad.status).toBe(422);

    const missing = await exports.default.fetch(new Request('http://lab.local/api/research/stats/runs/nope/trials', { headers: await accessHeaders() }));
    expect(missing.status).toBe(404);
  });
});
