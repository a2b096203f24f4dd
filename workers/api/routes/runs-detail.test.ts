/**
 * `GET /api/runs/:id` in workerd against real Postgres for a 10,000-trade run whose result carries the engine's
 * own curves (megabytes of jsonb): the detail stays ≤ 50 KB (equity as columns, extremes exact, no trades — they
 * page at `trades.href`), and a finished run answers with a strong ETag, a long Cache-Control and 304 on
 * If-None-Match (also from a fresh isolate's path: one indexed row, no run load); an unfinished run is no-store.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { env, exports } from 'cloudflare:workers';
import { sql } from 'drizzle-orm';
import { getConfig, type Env } from '../../env';
import { withDb } from '../../db';
import { accessHeaders } from '../test-access';
import { buildRunFixture, insertRunFixture, syntheticTrades, type RunFixture } from '../../../tools/browser/lab-fixtures';
import { rowsOf } from '../../../shared/db/database';
import { runDetailEtag } from './runs-detail';

const T0 = Date.UTC(2022, 0, 6);
const ID = 'detail-10k-run';
const RUNNING = 'detail-running-run';
const config = getConfig(env as unknown as Env);
let headers: Record<string, string>;
let fx: RunFixture;
const get = (url: string, extra: Record<string, string> = {}): Promise<Response> => exports.default.fetch(new Request(`http://lab.local${url}`, { headers: { ...headers, ...extra } }));

interface Detail {
  $type: string;
  run: { id: string; status: string };
  result: Record<string, unknown>;
  venues: { key: string }[];
  equity: { source: string; total: number; time: number[]; equityGross: number[]; equityNet: number[]; drawdown: number[] };
  trades: { total: number; href: string };
}

beforeAll(async () => {
  headers = await accessHeaders();
  fx = buildRunFixture({ id: ID, strategyId: 'detail-test', venue: 'binance', symbol: 'BTC/USDT', timeframe: '5m', windowFrom: T0, windowTo: T0 + 20_000 * 300_000, candleCount: 20_000, trades: syntheticTrades(10_000, T0, 300_000), engineEquity: true });
  const running = buildRunFixture({ id: RUNNING, strategyId: 'detail-test', venue: 'binance', symbol: 'BTC/USDT', timeframe: '5m', windowFrom: T0, windowTo: T0 + 200 * 300_000, candleCount: 200, trades: syntheticTrades(10, T0, 300_000) });
  await withDb(config, async (db) => {
    await insertRunFixture(db, fx);
    await insertRunFixture(db, { ...running, run: { ...running.run, status: 'running', finishedAt: null } });
  });
}, 120_000);

describe('GET /api/runs/:id (fast pages)', () => {
  it('a 10,000-trade run: ≤ 50 KB, columnar equity with the exact extremes, trades paged at their own link', async () => {
    const stored = await withDb(config, async (db) => rowsOf<{ bytes: number }>(await db.execute(sql`SELECT octet_length(result::text) AS bytes FROM backtest_runs WHERE id = ${ID}`))[0]!.bytes);
    const res = await get(`/api/runs/${ID}`);
    expect(res.status).toBe(200);
    const text = await res.text();
    const bytes = new TextEncoder().encode(text).length;
    console.log(JSON.stringify({ storedResultBytes: stored, detailBytes: bytes, equityRows: fx.equity.length }));
    expect(stored).toBeGreaterThan(1_000_000); // the result jsonb the old detail passed through
    expect(bytes).toBeLessThanOrEqual(50 * 1024);
    const d = JSON.parse(text) as Detail;
    expect(d.$type).toBe('run-detail/2');
    expect(d.result.equity).toBeUndefined();
    expect(d.result.trades).toBeUndefined();
    expect(d.result.gross).toBeTruthy();
    expect(d.venues.map((v) => v.key)).toContain('binance-taker');
    // Equity: stored points only, ≤ the default 600, first and last and every extreme exact.
    const e = d.equity;
    expect(e.source).toBe('table');
    expect(e.total).toBe(fx.equity.length);
    expect(fx.equity.length).toBeGreaterThan(1500);
    expect(e.time.length).toBeLessThanOrEqual(600);
    for (const col of [e.equityGross, e.equityNet, e.drawdown]) expect(col).toHaveLength(e.time.length);
    const rows = fx.equity;
    expect(e.time[0]).toBe(rows[0]!.time);
    expect(e.time.at(-1)).toBe(rows.at(-1)!.time);
    expect(Math.max(...e.equityNet)).toBe(Math.max(...rows.map((r) => r.equityNet)));
    expect(Math.min(...e.equityNet)).toBe(Math.min(...rows.map((r) => r.equityNet)));
    expect(Math.max(...e.equityGross)).toBe(Math.max(...rows.map((r) => r.equityGross)));
    expect(Math.max(...e.drawdown)).toBe(Math.max(...rows.map((r) => r.drawdown)));
    const byTime = new Map(rows.map((r) => [r.time, r]));
    e.time.forEach((t, k) => expect(byTime.get(t)?.equityNet).toBe(e.equityNet[k]));
    // Trades: the count here, the rows at the link.
    expect(d.trades).toEqual({ total: 10_000, href: `/api/runs/${ID}/trades` });
    const page = (await (await get(`${d.trades.href}?limit=500`)).json()) as { items: { seq: number }[]; page: { nextCursor: string | null } };
    expect(page.items).toHaveLength(500);
    expect(page.items[0]!.seq).toBe(0);
    expect(page.page.nextCursor).toBe('499');
    // Every trade exports, past the stream's first page of 2,000 (its own pool outlives the request's).
    const csv = await get(`/api/runs/${ID}/export.csv`);
    expect(csv.status).toBe(200);
    const lines = (await csv.text()).trimEnd().split('\n');
    expect(lines).toHaveLength(10_001);
    expect(lines.at(-1)!.split(',')[0]).toBe('9999');
    const json = (await (await get(`/api/runs/${ID}/export.json`)).json()) as { seq: number }[];
    expect(json.map((t) => t.seq)).toEqual(Array.from({ length: 10_000 }, (_, k) => k));
  });

  it('finished: a strong ETag, immutable Cache-Control, 304 on If-None-Match; other points, another tag', async () => {
    const first = await get(`/api/runs/${ID}?points=300`);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(first.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    await first.arrayBuffer();
    const again = await get(`/api/runs/${ID}?points=300`, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(await again.text()).toBe('');
    // A list of tags, and the weak form of ours, match too (If-None-Match uses the weak comparison).
    expect((await get(`/api/runs/${ID}?points=300`, { 'if-none-match': `"nope", W/${etag}` })).status).toBe(304);
    const other = await get(`/api/runs/${ID}?points=200`, { 'if-none-match': etag });
    expect(other.status).toBe(200);
    expect(other.headers.get('etag')).not.toBe(etag);
    expect(((await other.json()) as Detail).equity.time.length).toBeLessThanOrEqual(200);
  });

  it('304 without loading the run when nothing is cached yet (the stamp: status, result hash, finish time)', async () => {
    const stamp = await withDb(config, async (db) => rowsOf<{ status: string; result_hash: string | null; finished_at: string }>(await db.execute(sql`SELECT status, result_hash, finished_at FROM backtest_runs WHERE id = ${ID}`))[0]!);
    const etag = runDetailEtag(ID, { status: stamp.status, resultHash: stamp.result_hash, finishedAt: new Date(stamp.finished_at).toISOString() }, 123);
    const res = await get(`/api/runs/${ID}?points=123`, { 'if-none-match': etag });
    expect(res.status).toBe(304);
    // The same tag the 200 carries.
    const full = await get(`/api/runs/${ID}?points=123`);
    expect(full.headers.get('etag')).toBe(etag);
    await full.arrayBuffer();
  });

  it('an unfinished run is never cached: no ETag, no-store, If-None-Match ignored', async () => {
    const res = await get(`/api/runs/${RUNNING}`, { 'if-none-match': '*' });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBeNull();
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(((await res.json()) as Detail).run.status).toBe('running');
  });

  it('404 names an unknown run; a bad points value is a 422', async () => {
    expect((await get('/api/runs/no-such-run')).status).toBe(404);
    expect((await get(`/api/runs/${ID}?points=5`)).status).toBe(422);
  });
});
