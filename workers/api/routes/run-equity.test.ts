/**
 * `GET /api/runs/:id/equity.csv|json` in workerd against real Postgres: every stored equity point (not the detail's
 * downsampled curve), the same values as the run detail, with attachment headers; 404 for an unknown run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { env, exports } from 'cloudflare:workers';
import { getConfig, type Env } from '../../env';
import { withDb } from '../../db';
import { accessHeaders } from '../test-access';
import { buildRunFixture, insertRunFixture, syntheticTrades } from '../../../tools/browser/lab-fixtures';

const T0 = Date.UTC(2022, 0, 1);
const ID = 'equity-export-run';
let headers: Record<string, string>;
const get = (url: string): Promise<Response> => exports.default.fetch(new Request(`http://lab.local${url}`, { headers }));

beforeAll(async () => {
  headers = await accessHeaders();
  await withDb(getConfig(env as unknown as Env), async (db) => {
    await insertRunFixture(db, buildRunFixture({ id: ID, strategyId: 'equity-test', venue: 'binance', symbol: 'BTC/USDT', timeframe: '1h', windowFrom: T0, windowTo: T0 + 100 * 3_600_000, candleCount: 100, trades: syntheticTrades(40, T0, 3_600_000) }));
  });
});

describe('GET /api/runs/:id/equity.csv|json', () => {
  it('every stored point, matching the run detail, as CSV and columnar JSON', async () => {
    const detail = (await (await get(`/api/runs/${ID}?points=10`)).json()) as { equity: { total: number; time: unknown[] } };
    expect(detail.equity.total).toBe(40);
    expect(detail.equity.time.length).toBeLessThanOrEqual(10); // the page's curve is downsampled …
    const cols = (await (await get(`/api/runs/${ID}?points=2000`)).json()) as { equity: { time: number[]; equityGross: number[]; equityNet: number[]; drawdown: number[] } };
    const full = { equity: { points: cols.equity.time.map((time, k) => ({ time, equityGross: cols.equity.equityGross[k]!, equityNet: cols.equity.equityNet[k]!, drawdown: cols.equity.drawdown[k]! })) } };
    const csv = await get(`/api/runs/${ID}/equity.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="run-${ID}-equity.csv"`);
    const lines = (await csv.text()).trimEnd().split('\n');
    expect(lines[0]).toBe('time,time_ms,equity_gross,equity_net,drawdown');
    expect(lines).toHaveLength(41); // … the export is not
    const p0 = full.equity.points[0]!;
    expect(lines[1]).toBe(`${new Date(p0.time).toISOString()},${p0.time},${p0.equityGross},${p0.equityNet},${p0.drawdown}`);
    const json = (await (await get(`/api/runs/${ID}/equity.json`)).json()) as { runId: string; columns: string[]; points: number[][] };
    expect(json.columns).toEqual(['time', 'equityGross', 'equityNet', 'drawdown']);
    expect(json.points).toEqual(full.equity.points.map((p) => [p.time, p.equityGross, p.equityNet, p.drawdown]));
  });
  it('404 names an unknown run', async () => {
    const res = await get('/api/runs/no-such-run/equity.csv');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('no-such-run');
  });
});
