/**
 * `GET /api/export/*` in workerd against real Postgres: candles, a run's trades and equity, and the runs list, as
 * CSV, JSON and Parquet (read back with hyparquet), the three formats holding the same rows; exports longer than a
 * database page stream whole; `limit` + `X-Next-Cursor` pages concatenate to the whole export; 404/422 with reasons.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { env, exports } from 'cloudflare:workers';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { getConfig, type Env } from '../../env';
import { withDb } from '../../db';
import { accessHeaders } from '../test-access';
import { upsertCandles } from '../../../shared/db/queries/candles';
import { buildRunFixture, insertRunFixture, syntheticTrades } from '../../../tools/browser/lab-fixtures';
import type { Candle } from '../../../shared/candles/candle';

const T0 = Date.UTC(2022, 0, 1);
const H = 3_600_000;
const N = 6_001; // more than one 5,000-row database page
const ID = 'export-test-run';
const key = { venue: 'binance', symbol: 'XPT/USDT', timeframe: '1h' as const };
let headers: Record<string, string>;
const get = (url: string): Promise<Response> => exports.default.fetch(new Request(`http://lab.local${url}`, { headers }));
const candles: Candle[] = Array.from({ length: N }, (_, i) => {
  const open = 100 + Math.sin(i / 10) * 5;
  return { openTime: T0 + i * H, open, high: open + 1.25, low: open - 0.75, close: open + 0.5, volume: 10 + (i % 7) };
});

beforeAll(async () => {
  headers = await accessHeaders();
  await withDb(getConfig(env as unknown as Env), async (db) => {
    await upsertCandles(db, key, candles, 'archive:export-test');
    await insertRunFixture(db, buildRunFixture({ id: ID, strategyId: 'export-test', venue: 'binance', symbol: 'BTC/USDT', timeframe: '1h', windowFrom: T0, windowTo: T0 + 100 * H, candleCount: 100, trades: syntheticTrades(40, T0, H) }));
  });
});

const base = `/api/export/candles?venue=binance&symbol=XPT%2FUSDT&timeframe=1h`;

describe('GET /api/export/candles', () => {
  it('CSV, JSON and Parquet hold the same every stored candle, streamed past one database page', async () => {
    const csv = await get(`${base}&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="candles-binance-XPT-USDT-1h.csv"');
    expect(csv.headers.get('x-next-cursor')).toBeNull();
    const lines = (await csv.text()).trimEnd().split('\n');
    expect(lines[0]).toBe('open_time,open,high,low,close,volume,source');
    expect(lines).toHaveLength(N + 1);
    const c0 = candles[0]!;
    expect(lines[1]).toBe(`${new Date(T0).toISOString()},${c0.open},${c0.high},${c0.low},${c0.close},${c0.volume},archive:export-test`);

    const json = (await (await get(`${base}&format=json`)).json()) as Record<string, unknown>[];
    expect(json).toHaveLength(N);
    expect(json[N - 1]).toEqual({ open_time: T0 + (N - 1) * H, ...pick(candles[N - 1]!), source: 'archive:export-test' });

    const pq = await get(`${base}&format=parquet`);
    expect(pq.headers.get('content-type')).toBe('application/vnd.apache.parquet');
    const buf = await pq.arrayBuffer();
    const meta = parquetMetadata(buf);
    expect(meta.row_groups.map((g) => Number(g.num_rows))).toEqual([5000, 1001]);
    expect(meta.key_value_metadata?.find((k) => k.key === 'dataset')?.value).toBe('candles');
    const rows = await parquetReadObjects({ file: buf });
    expect(rows).toHaveLength(N);
    expect(rows.map((r) => [(r.open_time as Date).getTime(), r.open, r.high, r.low, r.close, r.volume])).toEqual(candles.map((c) => [c.openTime, c.open, c.high, c.low, c.close, c.volume]));
  });

  it('limit + X-Next-Cursor: the pages concatenate to the whole window, and from/to bound it', async () => {
    const seen: number[] = [];
    let url: string | null = `${base}&format=json&limit=2500&from=${T0 + 10 * H}&to=${new Date(T0 + 6_000 * H).toISOString()}`;
    let pages = 0;
    while (url) {
      const res: Response = await get(url);
      expect(res.status).toBe(200);
      seen.push(...((await res.json()) as { open_time: number }[]).map((r) => r.open_time));
      const link = res.headers.get('link');
      const next = res.headers.get('x-next-cursor');
      expect(link === null).toBe(next === null);
      url = link ? /^<([^>]+)>; rel="next"$/.exec(link)![1]! : null;
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(candles.slice(10, 6_000).map((c) => c.openTime));
  });

  it('bad input is a 422 naming the parameter', async () => {
    for (const [q, what] of [
      ['&format=xlsx', 'format'],
      ['&limit=0', 'limit'],
      ['&limit=1000001', 'limit'],
      ['&cursor=abc', 'cursor'],
      ['&from=2100-13-01', 'from'],
    ] as const) {
      const res = await get(`${base}${q}`);
      expect(res.status, q).toBe(422);
      expect(((await res.json()) as { error: { message: string } }).error.message, q).toContain(what);
    }
    expect((await get('/api/export/candles?venue=binance&symbol=BTCUSDT&timeframe=1h')).status).toBe(422);
  });
});

describe('GET /api/export/runs…', () => {
  it("a run's trades: gross and one net column per cost model, the same rows in all three formats", async () => {
    const csv = (await (await get(`/api/export/runs/${ID}/trades?format=csv`)).text()).trimEnd().split('\n');
    const head = csv[0]!.split(',');
    expect(head.slice(0, 9)).toEqual(['seq', 'side', 'entry_time', 'entry_price', 'exit_time', 'exit_price', 'entry_reason', 'exit_reason', 'gross_return']);
    expect(head.slice(9).every((h) => h.startsWith('net_'))).toBe(true);
    expect(head.length).toBeGreaterThan(9);
    expect(csv).toHaveLength(41);
    const json = (await (await get(`/api/export/runs/${ID}/trades?format=json`)).json()) as Record<string, unknown>[];
    const api = (await (await get(`/api/runs/${ID}/trades?limit=500`)).json()) as { items: { seq: number; grossReturn: number; netReturns: Record<string, number> }[] };
    expect(json.map((t) => [t.seq, t.gross_return])).toEqual(api.items.map((t) => [t.seq, t.grossReturn]));
    const model = head[9]!.slice(4);
    expect(json.map((t) => t[`net_${model}`])).toEqual(api.items.map((t) => t.netReturns[model]));
    const rows = await parquetReadObjects({ file: await (await get(`/api/export/runs/${ID}/trades?format=parquet`)).arrayBuffer() });
    expect(rows.map((r) => ({ ...r, entry_time: (r.entry_time as Date).getTime(), exit_time: (r.exit_time as Date).getTime() }))).toEqual(json);
  });

  it("a run's whole equity curve, and the runs list with the run's provenance", async () => {
    const eq = (await (await get(`/api/export/runs/${ID}/equity?format=json`)).json()) as { seq: number }[];
    expect(eq).toHaveLength(40);
    const runs = (await (await get('/api/export/runs?format=json&strategy=export-test')).json()) as Record<string, unknown>[];
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ id: ID, strategy_id: 'export-test', venue: 'binance', symbol: 'BTC/USDT', timeframe: '1h', window_from: T0, candle_count: 100 });
    const pq = await parquetReadObjects({ file: await (await get('/api/export/runs?format=parquet&strategy=export-test')).arrayBuffer() });
    expect(pq[0]!.id).toBe(ID);
  });

  it('404 names an unknown run', async () => {
    for (const ds of ['trades', 'equity']) {
      const res = await get(`/api/export/runs/no-such-run/${ds}?format=parquet`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain('no-such-run');
    }
  });
});

function pick(c: Candle) {
  return { open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume };
}
