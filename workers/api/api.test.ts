/**
 * The Lab API in workerd against real Postgres: candles (stored and aggregated on read, overlays with warm-up),
 * coverage and gaps, strategies (registry + lifecycle switches), runs (detail, venue table, equity, trades paging,
 * CSV/JSON export, compare), sweeps (heatmap), imports, validation errors and the OpenAPI document.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { env, exports } from 'cloudflare:workers';
import { sql } from 'drizzle-orm';
import type { Candle } from '../../shared/candles/candle';
import { upsertCandles } from '../../shared/db/queries/candles';
import { recordDataIssues } from '../../shared/db/queries/data-issues';
import { aggregateCandles } from '../../shared/candles/aggregate';
import { ema } from '../../shared/indicators';
import { getConfig, type Env } from '../env';
import { withDb } from '../db';
import { accessHeaders } from './test-access';
import { buildRunFixture, buildSweepFixture, crossoverTrades, insertRunFixture, insertSweepFixture } from '../../tools/browser/lab-fixtures';

const VENUE = 'apitest';
const SYMBOL = 'BTC/USDT';
const T0 = Date.UTC(2022, 0, 1);
const M5 = 300_000;
const N = 12 * 24 * 12; // 12 days of 5m candles
const GAP = { from: 2000, len: 7 }; // 7 missing 5m candles

function candles5m(): Candle[] {
  let p = 40_000;
  const out: Candle[] = [];
  for (let i = 0; i < N; i++) {
    if (i >= GAP.from && i < GAP.from + GAP.len) continue;
    const o = p;
    p = o * (1 + Math.sin(i / 37) * 0.002 + Math.cos(i / 11) * 0.001);
    out.push({ openTime: T0 + i * M5, open: o, high: Math.max(o, p) * 1.001, low: Math.min(o, p) * 0.999, close: p, volume: 1 + (i % 7) });
  }
  return out;
}

let headers: Record<string, string>;
const base5m = candles5m();
const get = async <T = any>(url: string): Promise<{ status: number; body: T; res: Response }> => { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await exports.default.fetch(new Request(`http://lab.local${url}`, { headers }));
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* CSV */
  }
  return { status: res.status, body: body as T, res };
};

beforeAll(async () => {
  headers = await accessHeaders();
  await withDb(getConfig(env as unknown as Env), async (db) => {
    await db.execute(sql`DELETE FROM candles WHERE venue = ${VENUE}`);
    await db.execute(sql`DELETE FROM data_issues WHERE venue = ${VENUE}`);
    await upsertCandles(db, { venue: VENUE, symbol: SYMBOL, timeframe: '5m' }, base5m, 'test');
    await recordDataIssues(db, { venue: VENUE, symbol: SYMBOL, timeframe: '5m' }, 'test', [
      { openTime: T0 + 5 * M5 + 17, reason: 'off-grid', detail: 'open time not on the 5m grid', raw: [1, 2, 3] },
      { openTime: T0 + 9 * M5, reason: 'high-below-low', detail: 'high 1 < low 2', raw: [4, 5, 6] },
    ]);
    const hourly = aggregateCandles(base5m, { from: '5m', to: '1h' });
    const trades = crossoverTrades(hourly, 5, 13);
    await insertRunFixture(db, buildRunFixture({ id: 'api-run-a', strategyId: 'api-test', venue: 'binance', symbol: SYMBOL, timeframe: '1h', windowFrom: T0, windowTo: T0 + N * M5, candleCount: hourly.length, trades, params: { fast: 5, slow: 13 } }));
    await insertRunFixture(
      db,
      buildRunFixture({ id: 'api-run-b', strategyId: 'api-test', venue: 'kraken', symbol: SYMBOL, timeframe: '1h', windowFrom: T0, windowTo: T0 + N * M5, candleCount: hourly.length, trades: crossoverTrades(hourly, 8, 21), params: { fast: 8, slow: 21 } }),
    );
    await insertSweepFixture(db, buildSweepFixture({ id: 'api-sweep', strategyId: 'api-test', venue: 'binance', symbol: SYMBOL, timeframe: '1h', candles: hourly, fast: [3, 5, 8], slow: [13, 21, 34], chunkSize: 4 }));
    await insertSweepFixture(db, buildSweepFixture({ id: 'api-sweep-running', strategyId: 'api-test', venue: 'binance', symbol: SYMBOL, timeframe: '1h', candles: hourly, fast: [3, 5, 8], slow: [13, 21, 34], chunkSize: 4, pendingChunks: 1 }));
    // A row whose stored result is not the merge's layout (the one the old fixtures invented).
    const bad = buildSweepFixture({ id: 'api-sweep-bad', strategyId: 'api-test', venue: 'binance', symbol: SYMBOL, timeframe: '1h', candles: hourly, fast: [3], slow: [13], chunkSize: 4 });
    await insertSweepFixture(db, bad);
    await db.execute(sql`UPDATE sweeps SET result = ${JSON.stringify({ combos: [{ params: { fast: 3 }, metrics: { sharpe: 1 } }] })}::jsonb WHERE id = 'api-sweep-bad'`);
  });
});

describe('GET /api/candles', () => {
  it('aggregates 1h on read from stored 5m (complete buckets only) and computes overlays with warm-up before from', async () => {
    const from = T0 + 48 * 3_600_000;
    const to = from + 24 * 3_600_000;
    const { status, body } = await get(`/api/candles?venue=${VENUE}&symbol=${encodeURIComponent(SYMBOL)}&timeframe=1h&from=${from}&to=${to}&overlays=ema:20,rsi:14,bbands:20:2,macd:12:26:9`);
    expect(status).toBe(200);
    expect(body.source).toEqual({ timeframe: '5m', aggregated: true });
    expect(body.candles).toHaveLength(24);
    expect(body.candles[0].time).toBe(from);
    const hourly = aggregateCandles(base5m, { from: '5m', to: '1h' });
    const i0 = hourly.findIndex((c) => c.openTime === from);
    expect(body.candles[0]).toMatchObject({ open: hourly[i0]!.open, close: hourly[i0]!.close, high: hourly[i0]!.high });
    // The EMA equals the batch EMA over the whole history at the same candle (enough warm-up → converged).
    const full = ema(Float64Array.from(hourly, (c) => c.close), 20);
    const e = body.overlays.find((o: { id: string }) => o.id === 'ema:20');
    expect(e.lines.value).toHaveLength(24);
    expect(e.lines.value[0]).toBeCloseTo(full[i0]!, 4);
    expect(body.overlays.map((o: { id: string }) => o.id)).toEqual(['ema:20', 'rsi:14', 'bbands:20:2', 'macd:12:26:9']);
    expect(Object.keys(body.overlays[2].lines)).toEqual(['upper', 'middle', 'lower']);
    expect(body.overlays[1].lines.value.every((v: number | null) => v !== null && v >= 0 && v <= 100)).toBe(true);
  });

  it('drops the incomplete 1h bucket over the gap and serves stored 5m directly', async () => {
    const gapHour = Math.floor((T0 + GAP.from * M5 - T0) / 3_600_000) * 3_600_000 + T0;
    const agg = await get(`/api/candles?venue=${VENUE}&symbol=BTC/USDT&timeframe=1h&from=${gapHour - 3_600_000}&to=${gapHour + 3 * 3_600_000}`);
    // 5m candles 2000..2006 are missing: the hours holding 1992..2003 and 2004..2015 are both incomplete.
    expect(agg.body.candles.map((c: { time: number }) => c.time)).toEqual([gapHour - 3_600_000, gapHour + 2 * 3_600_000]);
    const raw = await get(`/api/candles?venue=${VENUE}&symbol=BTC/USDT&timeframe=5m&limit=10`);
    expect(raw.body.source).toEqual({ timeframe: '5m', aggregated: false });
    expect(raw.body.candles).toHaveLength(10);
    expect(raw.body.candles.at(-1).time).toBe(T0 + (N - 1) * M5);
  });

  it('validates its input with the stable error shape', async () => {
    for (const q of ['venue=apitest&symbol=BTCUSDT&timeframe=1h', 'venue=apitest&symbol=BTC/USDT&timeframe=2h', 'venue=apitest&symbol=BTC/USDT&timeframe=1h&overlays=foo:3', 'venue=apitest&symbol=BTC/USDT&timeframe=5m&from=0&to=4000000000000']) {
      const { status, body } = await get(`/api/candles?${q}`);
      expect(status, q).toBe(422);
      expect(body.error.code).toBe('validation');
      expect(body.error.message).toMatch(/Invalid query/);
    }
  });

  it('returns an empty series (no error) when nothing is stored', async () => {
    const { status, body } = await get('/api/candles?venue=nowhere&symbol=BTC/USDT&timeframe=1h');
    expect(status).toBe(200);
    expect(body).toMatchObject({ source: null, candles: [] });
  });
});

describe('GET /api/data/coverage', () => {
  it('summarises every series with gaps and issue counts, and one series in full', async () => {
    const all = await get('/api/data/coverage');
    const s = all.body.items.find((x: { venue: string }) => x.venue === VENUE);
    expect(s).toMatchObject({ count: N - GAP.len, gaps: { count: 1, missing: GAP.len, largest: GAP.len }, issues: { 'off-grid': 1, 'high-below-low': 1 } });
    expect(s.ratio).toBeCloseTo((N - GAP.len) / N, 6);
    const one = await get(`/api/data/coverage?venue=${VENUE}&symbol=BTC/USDT&timeframe=5m&limit=1`);
    expect(one.body.gaps.items).toEqual([{ from: T0 + GAP.from * M5, to: T0 + (GAP.from + GAP.len) * M5, missing: GAP.len }]);
    expect(one.body.quarantined.items).toHaveLength(1);
    expect(one.body.quarantined.page.nextCursor).not.toBeNull();
    const next = await get(`/api/data/coverage?venue=${VENUE}&symbol=BTC/USDT&timeframe=5m&limit=1&issuesCursor=${one.body.quarantined.page.nextCursor}`);
    expect(next.body.quarantined.items).toHaveLength(1);
    expect(next.body.quarantined.items[0].id).not.toBe(one.body.quarantined.items[0].id);
    const partial = await get(`/api/data/coverage?venue=${VENUE}`);
    expect(partial.status).toBe(422);
  });
});

describe('strategies', () => {
  it('lists the registry merged with lifecycle state, shows one with its params JSON Schema, flips switches', async () => {
    const list = await get('/api/strategies');
    expect(list.body.items.length).toBeGreaterThanOrEqual(11);
    const one = await get('/api/strategies/nexus-rsi-scalp');
    expect(one.status).toBe(200);
    expect(one.body.paramSchema.type).toBe('object');
    expect(Object.keys(one.body.paramSchema.properties).length).toBeGreaterThan(0);
    expect(Object.keys(one.body.paramSpace).length).toBeGreaterThan(0);
    const post = (a: string) => exports.default.fetch(new Request(`http://lab.local/api/strategies/nexus-rsi-scalp/${a}`, { method: 'POST', headers }));
    expect((await (await post('mute')).json()) as object).toMatchObject({ lifecycle: { muted: true, registered: true } });
    expect((await (await post('enable')).json()) as object).toMatchObject({ lifecycle: { muted: true, enabled: true } });
    await post('unmute');
    expect((await (await post('disable')).json()) as object).toMatchObject({ lifecycle: { muted: false, enabled: false } });
    expect((await get('/api/strategies/no-such-strategy')).status).toBe(404);
    expect((await exports.default.fetch(new Request('http://lab.local/api/strategies/nexus-rsi-scalp/explode', { method: 'POST', headers }))).status).toBe(422);
    // Research actions are POST only.
    expect((await get('/api/strategies/nexus-rsi-scalp/enable')).status).toBe(404);
  });
});

describe('runs', () => {
  it('lists runs with filters, headline metrics and per-venue verdicts, keyset-paged', async () => {
    const { body } = await get('/api/runs?strategy=api-test&limit=1');
    expect(body.items).toHaveLength(1);
    expect(body.items[0].venues.map((v: { key: string }) => v.key)).toContain('binance-taker');
    expect(body.items[0].headline.trades).toBeGreaterThan(0);
    const next = await get(`/api/runs?strategy=api-test&limit=1&cursor=${encodeURIComponent(body.page.nextCursor)}`);
    expect(next.body.items).toHaveLength(1);
    expect(next.body.items[0].id).not.toBe(body.items[0].id);
    expect(next.body.page.nextCursor).toBeNull();
    expect((await get('/api/runs?strategy=api-test&venue=kraken')).body.items.map((r: { id: string }) => r.id)).toEqual(['api-run-b']);
    expect((await get('/api/runs?limit=501')).status).toBe(422);
  });

  it('shows one run: provenance, gross vs net, venue table, equity + drawdown, trades paged; exports all trades', async () => {
    const { status, body } = await get('/api/runs/api-run-a');
    expect(status).toBe(200);
    expect(body.run).toMatchObject({ id: 'api-run-a', strategyId: 'api-test', venue: 'binance', timeframe: '1h', status: 'done' });
    expect(body.metrics.gross.trades).toBe(body.trades.total);
    expect(Object.keys(body.metrics.net)).toContain('stress-31');
    expect(body.venues.find((v: { key: string }) => v.key === 'binance-taker')).toMatchObject({ venue: 'binance', costModel: 'binance-taker' });
    expect(body.equity.source).toBe('table');
    expect(body.equity.time.length).toBeGreaterThan(2);
    expect(body.trades.href).toBe('/api/runs/api-run-a/trades');
    const page1 = await get(`${body.trades.href}?limit=3`);
    expect(page1.body.items).toHaveLength(3);
    const page2 = await get(`${body.trades.href}?limit=3&cursor=${page1.body.page.nextCursor}`);
    expect(page2.body.items[0].seq).toBe(page1.body.items[2].seq + 1);
    const csv = await get('/api/runs/api-run-a/export.csv');
    expect(csv.res.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (csv.body as string).trim().split('\n');
    expect(lines[0]).toMatch(/^seq,side,entry_time,entry_price,exit_time,exit_price,entry_reason,exit_reason,gross_return,net_/);
    expect(lines).toHaveLength(body.trades.total + 1);
    const json = await get('/api/runs/api-run-a/export.json');
    expect(json.body).toHaveLength(body.trades.total);
    expect((await get('/api/runs/nope')).status).toBe(404);
    expect((await get('/api/runs/nope/export.csv')).status).toBe(404);
  });

  it('compares two runs side by side', async () => {
    const { status, body } = await get('/api/runs/compare?a=api-run-a&b=api-run-b');
    expect(status).toBe(200);
    expect(body.diff.params).toEqual([
      { key: 'fast', a: 5, b: 8, same: false },
      { key: 'slow', a: 13, b: 21, same: false },
    ]);
    expect(body.diff.gross.find((d: { key: string }) => d.key === 'trades')).toBeTruthy();
    expect(body.a.equity.points.length).toBeGreaterThan(0);
    expect((await get('/api/runs/compare?a=api-run-a')).status).toBe(422);
  });
});

describe('sweeps', () => {
  it('shows progress, chunks and a heatmap of a metric over two params', async () => {
    const { status, body } = await get('/api/sweeps/api-sweep?x=fastPeriod&y=slowPeriod&metric=totalReturn');
    expect(status).toBe(200);
    expect(body.progress).toMatchObject({ chunksDone: 3, chunksTotal: 3, ratio: 1 });
    expect(body.heatmap.x).toEqual({ param: 'fastPeriod', values: [3, 5, 8] });
    expect(body.heatmap.y).toEqual({ param: 'slowPeriod', values: [13, 21, 34] });
    expect(body.heatmap.cells.flat().filter((v: number | null) => v !== null)).toHaveLength(9);
    expect(body.metrics).toContain('sharpe');
    expect(body.metrics).toContain('net.stress-31.meanBps');
    expect(body.resultError).toBeNull();
    // The swept params are the default axes (the strategy's other params are held fixed).
    const defaults = await get('/api/sweeps/api-sweep');
    expect([defaults.body.heatmap.x.param, defaults.body.heatmap.y.param]).toEqual(['fastPeriod', 'slowPeriod']);
    const net = await get('/api/sweeps/api-sweep?x=slowPeriod&y=fastPeriod&metric=net.stress-31.meanBps&agg=mean');
    expect(net.body.heatmap.x.param).toBe('slowPeriod');
    expect(net.body.heatmap.cells.flat().some((v: number | null) => v !== null)).toBe(true);
    const list = await get('/api/sweeps?strategy=api-test');
    expect(list.body.items.map((s: { id: string }) => s.id)).toContain('api-sweep');
  });

  it('a running sweep shows its done chunks’ combos; a stored result that does not read is reported, never guessed at', async () => {
    const running = await get('/api/sweeps/api-sweep-running?metric=sharpe');
    expect(running.body).toMatchObject({ comboSource: 'chunks', combosFound: 8, result: null, resultError: null });
    // A progress poll reads neither the result nor the chunks' results, and reports the same progress and chunks.
    const poll = await get('/api/sweeps/api-sweep-running?fields=progress');
    expect(poll.body).toMatchObject({ comboSource: 'none', combosFound: 0, result: null, heatmap: null, best: [] });
    expect({ sweep: poll.body.sweep, progress: poll.body.progress, chunks: poll.body.chunks }).toEqual({ sweep: running.body.sweep, progress: running.body.progress, chunks: running.body.chunks });
    const donePoll = await get('/api/sweeps/api-sweep?fields=progress');
    expect(donePoll.body.progress).toMatchObject({ chunksDone: 3, chunksTotal: 3, ratio: 1 });
    expect(donePoll.body.sweep.resultHash).toBe((await get('/api/sweeps/api-sweep')).body.sweep.resultHash);
    const bad = await get('/api/sweeps/api-sweep-bad');
    expect(bad.status).toBe(200);
    expect(bad.body).toMatchObject({ comboSource: 'chunks', combosFound: 1 });
    expect(bad.body.resultError).toMatch(/^stored sweep result: .*context/);
    expect((await get('/api/research/stats/sweeps/api-sweep-bad/pbo')).status).toBe(500);
  });
});

describe('imports and the OpenAPI document', () => {
  it('validates an import request body (POST only) and 404s an unknown job', async () => {
    const res = await exports.default.fetch(
      new Request('http://lab.local/api/research/imports', { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ symbol: 'BTCUSDT', interval: '1h', from: '2022-05', to: '2022-01' }) }),
    );
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { details: { issues: unknown[] } } }).error.details.issues.length).toBeGreaterThan(0);
    const bad = await exports.default.fetch(new Request('http://lab.local/api/research/imports', { method: 'POST', headers, body: '{not json' }));
    expect(bad.status).toBe(400);
    expect((await get('/api/research/imports/unknown-job')).status).toBe(404);
  });

  it('describes every mounted /api route, with query parameters from the zod schemas', async () => {
    const { status, body } = await get('/api/openapi.json');
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    for (const [p, m] of [
      ['/api/runs/{id}', 'get'],
      ['/api/runs/{id}/export.csv', 'get'],
      ['/api/sweeps/{id}', 'get'],
      ['/api/research/imports', 'post'],
      ['/api/strategies/{id}/{action}', 'post'],
      ['/api/health', 'get'],
    ] as const) {
      expect(body.paths[p]?.[m], `${m} ${p}`).toBeTruthy();
    }
    const candles = body.paths['/api/candles'].get;
    expect(candles.parameters.map((x: { name: string }) => x.name)).toEqual(expect.arrayContaining(['venue', 'symbol', 'timeframe', 'from', 'to', 'overlays']));
    const limit = body.paths['/api/runs'].get.parameters.find((x: { name: string }) => x.name === 'limit');
    expect(limit.schema.maximum).toBe(500);
    expect(body.paths['/api/research/imports'].post.requestBody.content['application/json'].schema.properties.symbol).toBeTruthy();
    const undocumented = Object.entries(body.paths).flatMap(([p, ops]) =>
      Object.entries(ops as Record<string, { summary: string }>).filter(([, op]) => op.summary.startsWith('Undocumented')).map(([m]) => `${m} ${p}`),
    );
    expect(undocumented.filter((x) => !x.includes('/api/research/backtests') && !x.includes('/api/research/sweeps') && !x.includes('/api/health'))).toEqual([]);
  });
});
