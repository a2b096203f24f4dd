/**
 * `GET /api/compare` in workerd against real Postgres: three fixture runs side by side (metrics gross and net,
 * params, per-venue verdicts, rebased equity), the same numbers the run detail reports, and the validation and
 * not-found errors with their reasons. (Access on this route is covered by access.test.ts, which walks every route.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { env, exports } from 'cloudflare:workers';
import { getConfig, type Env } from '../../env';
import { withDb } from '../../db';
import { accessHeaders } from '../test-access';
import { buildRunFixture, insertRunFixture, syntheticTrades } from '../../../tools/browser/lab-fixtures';

const T0 = Date.UTC(2022, 0, 1);
const IDS = ['cmp-run-a', 'cmp-run-b', 'cmp-run-c'];
let headers: Record<string, string>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const get = async (url: string): Promise<{ status: number; body: any }> => {
  const res = await exports.default.fetch(new Request(`http://lab.local${url}`, { headers }));
  return { status: res.status, body: await res.json() };
};

beforeAll(async () => {
  headers = await accessHeaders();
  await withDb(getConfig(env as unknown as Env), async (db) => {
    for (const [i, id] of IDS.entries()) {
      const trades = syntheticTrades(30 + 10 * i, T0, 3_600_000);
      await insertRunFixture(
        db,
        buildRunFixture({ id, strategyId: 'compare-test', venue: i === 2 ? 'kraken' : 'binance', symbol: 'BTC/USDT', timeframe: '1h', windowFrom: T0, windowTo: T0 + 200 * 3_600_000, candleCount: 200, trades, params: { fast: 5 + i, slow: 20 } }),
      );
    }
  });
});

describe('GET /api/compare', () => {
  it('puts 3 runs side by side with the numbers of their own detail pages', async () => {
    const { status, body } = await get(`/api/compare?runs=${IDS.join(',')}`);
    expect(status).toBe(200);
    expect(body.runs.map((r: { id: string }) => r.id)).toEqual(IDS);
    expect(body.params).toEqual([
      { key: 'fast', values: [5, 6, 7], same: false },
      { key: 'slow', values: [20, 20, 20], same: true },
    ]);
    const trades = body.metrics.find((m: { view: string; metric: string }) => m.view === 'gross' && m.metric === 'trades');
    expect(trades.values).toEqual([30, 40, 50]);
    const detail = await get(`/api/runs/${IDS[1]}?trades=0`);
    const net = body.metrics.find((m: { view: string; metric: string }) => m.view === 'stress-31' && m.metric === 'totalReturn');
    expect(net.values[1]).toBe(detail.body.metrics.net['stress-31'].totalReturn);
    expect(body.verdicts.map((v: { key: string }) => v.key).sort()).toEqual(['binance-taker', 'coinbase-taker', 'kraken-taker', 'stress-31']);
    expect(body.verdicts[0].values[1]).toBe(detail.body.venues.find((v: { key: string }) => v.key === 'binance-taker').verdict);
    expect(body.verdicts[0].values.every((v: string | null) => ['keep', 'watch', 'reject'].includes(v ?? ''))).toBe(true);
    for (const e of body.equity) {
      expect(e.points.length).toBeGreaterThan(10);
      expect(e.points[0].value).toBe(1);
    }
  });

  it('refuses 1 or 7 runs, duplicates and malformed ids with the reason (422); an unknown run is a 404 naming it', async () => {
    for (const [q, why] of [
      ['runs=cmp-run-a', /2–6 runs, got 1/],
      [`runs=${'x,'.repeat(6)}y`, /listed twice|got 7/],
      ['runs=cmp-run-a,cmp-run-a', /listed twice/],
      ['runs=cmp-run-a,bad%20id', /malformed run id/],
      ['', /runs/],
    ] as const) {
      const r = await get(`/api/compare?${q}`);
      expect(r.status, q).toBe(422);
      expect(r.body.error.code).toBe('validation');
      expect(r.body.error.message).toMatch(why);
    }
    const missing = await get('/api/compare?runs=cmp-run-a,no-such-run');
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain('no-such-run');
  });

  it('is in the OpenAPI document', async () => {
    const { body } = await get('/api/openapi.json');
    expect(body.paths['/api/compare'].get).toBeTruthy();
  });
});
