import { beforeAll, expect, it } from 'vitest';
import { exports } from 'cloudflare:workers';
import { describeWithData } from '../real-data.test-util';
import { withDb } from '../db';
import { accessHeaders } from '../api/test-access';
import type { RunTrials } from '../../shared/research/trials';
import { config, LAB_VENUE, seedLabCandles, Y2021 } from './lab-fixtures.test-util';
import { BacktestRequest, createBacktestRun, executeBacktestRun } from './run-backtest';

async function backtest(params: Record<string, unknown>): Promise<string> {
  const req = BacktestRequest.parse({ strategy: 'nexara-div006', venue: LAB_VENUE, symbol: 'BTC/USDT', timeframe: '4h', from: Y2021.from, to: Y2021.to, params });
  return withDb(config, async (db) => {
    const run = await createBacktestRun(db, req, { codeVersion: 'test' });
    const out = await executeBacktestRun(db, run.id, { codeVersion: 'test' });
    expect(out.status).toBe('done');
    return run.id;
  });
}

async function trials(runId: string): Promise<RunTrials> {
  const res = await exports.default.fetch(new Request(`http://lab.local/api/research/stats/runs/${runId}/trials`, { headers: await accessHeaders() }));
  expect(res.status).toBe(200);
  return (await res.json()) as RunTrials;
}

describeWithData('trials stay honest (issue 13 item 4): DSR at judgement and now', () => {
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
    expect(after.trialsNow).toBe(before.trialsNow + 1);
    expect(after.trialsAtJudgement).toBe(before.trialsAtJudgement);
    expect(p1.atJudgement).toEqual(p0.atJudgement);
    expect(p1.now.dsr!).toBeLessThan(p0.now.dsr!);
    expect(after.minBtl.nowYears).toBeGreaterThan(before.minBtl.nowYears);
    console.log(JSON.stringify({ trials: [before.trialsAtJudgement, before.trialsNow, after.trialsNow], dsrAtJudgement: p0.atJudgement.dsr, dsrNow: [p0.now.dsr, p1.now.dsr], minBtlYears: after.minBtl }));

    const missing = await exports.default.fetch(new Request('http://lab.local/api/research/stats/runs/nope/trials', { headers: await accessHeaders() }));
    expect(missing.status).toBe(404);
  });
});
