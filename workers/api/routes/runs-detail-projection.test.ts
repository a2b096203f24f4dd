/**
 * The run page's stored projection (`backtest_runs.detail`) in workerd against real Postgres: a real backtest
 * (real candles, measured costs) stores it when it completes and it equals what the detail computed from the
 * full result before the projection existed (the legacy SQL, kept here as the reference); an older row without it
 * (a fixture inserted directly, as the bench's) reads the same bytes, is backfilled on that first read and reads the
 * same bytes again; a running run is computed per read and never stored. The trade count comes with it. The equity downsampling picks exactly the
 * rows of the former six-sort SQL and of the JS twin (shared/lab/equity-extremes.ts), ties included.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { exports } from 'cloudflare:workers';
import { sql } from 'drizzle-orm';
import { withDb } from '../../db';
import { rowsOf, type Database } from '../../../shared/db/database';
import { getRunDetail, getStoredRunDetail } from '../../../shared/db/queries/lab-runs';
import { getRunRow } from '../../../shared/db/queries/research';
import { keepExtremes } from '../../../shared/lab/equity-extremes';
import { RUN_DETAIL_PROJECTION_TYPE } from '../../../shared/research/stored-run-detail';
import { BacktestRequest, createBacktestRun, executeBacktestRun } from '../../../shared/app/run-backtest';
import { buildRunFixture, insertRunFixture, syntheticTrades } from '../../../tools/browser/lab-fixtures';
import { describeWithData } from '../../real-data.test-util';
import { config, LAB_VENUE, seedLabCandles, Y2021 } from '../../research-app/lab-fixtures.test-util';
import { accessHeaders } from '../test-access';
import { loadRun } from './runs-view';

const T0 = Date.UTC(2022, 0, 3);

/** The detail's result part as it was computed on every read before the projection (the reference). */
async function legacyResult(db: Database, id: string): Promise<{ text: string | null; tradeCount: number | null }> {
  const r = rowsOf<{ result: string | null; n: number | null }>(
    await db.execute(sql`
      SELECT (CASE WHEN jsonb_typeof(result) <> 'object' THEN result
                   WHEN jsonb_typeof(result->'measuredCosts'->'venues') = 'array' THEN
                     jsonb_set(result - 'trades' - 'equity', '{measuredCosts,venues}',
                       (SELECT coalesce(jsonb_agg(v - 'net' - 'roundTripBps' ORDER BY i), '[]'::jsonb)
                        FROM jsonb_array_elements(result->'measuredCosts'->'venues') WITH ORDINALITY AS mv(v, i)))
                   ELSE result - 'trades' - 'equity' END)::text AS result,
             CASE WHEN jsonb_typeof(result->'trades') = 'array' THEN jsonb_array_length(result->'trades') END AS n
      FROM backtest_runs WHERE id = ${id}`),
  )[0]!;
  return { text: r.result, tradeCount: r.n === null ? null : Number(r.n) };
}

/** The stored projection's result as jsonb text (null when the row has no projection). */
async function storedText(db: Database, id: string): Promise<{ detail: string | null; result: string | null }> {
  return rowsOf<{ detail: string | null; result: string | null }>(await db.execute(sql`SELECT detail::text AS detail, (detail->'result')::text AS result FROM backtest_runs WHERE id = ${id}`))[0]!;
}

const body = async (db: Database, id: string, points = 600): Promise<string> => JSON.stringify(await loadRun(db, id, { trades: 0, points }));

/** The former equity selection: six row_number() sorts per bucket (the reference for the grouped pass). */
async function legacyEquity(db: Database, id: string, maxPoints: number): Promise<unknown> {
  const buckets = Math.max(1, Math.floor((maxPoints - 1) / 6));
  const r = rowsOf<{ j: unknown }>(
    await db.execute(sql`SELECT json_build_object('total', coalesce(max(n), 0),
      'time', coalesce(json_agg(time ORDER BY i), '[]'::json), 'equityGross', coalesce(json_agg(equity_gross ORDER BY i), '[]'::json),
      'equityNet', coalesce(json_agg(equity_net ORDER BY i), '[]'::json), 'drawdown', coalesce(json_agg(drawdown ORDER BY i), '[]'::json)) AS j
    FROM (
      SELECT *, row_number() OVER (PARTITION BY b ORDER BY i DESC) AS r_last,
        row_number() OVER (PARTITION BY b ORDER BY equity_net, i) AS r_net_lo, row_number() OVER (PARTITION BY b ORDER BY equity_net DESC, i) AS r_net_hi,
        row_number() OVER (PARTITION BY b ORDER BY equity_gross, i) AS r_gross_lo, row_number() OVER (PARTITION BY b ORDER BY equity_gross DESC, i) AS r_gross_hi,
        row_number() OVER (PARTITION BY b ORDER BY drawdown DESC, i) AS r_dd
      FROM (
        SELECT *, i / greatest(1, ceil(n::float8 / ${buckets})::int) AS b
        FROM (SELECT time, equity_gross, equity_net, drawdown, row_number() OVER (ORDER BY seq) - 1 AS i, count(*) OVER () AS n
              FROM backtest_equity WHERE run_id = ${id}) e0) e1) e2
    WHERE i = 0 OR r_last = 1 OR r_net_lo = 1 OR r_net_hi = 1 OR r_gross_lo = 1 OR r_gross_hi = 1 OR r_dd = 1`),
  )[0]!;
  const { total, ...columns } = (typeof r.j === 'string' ? JSON.parse(r.j) : r.j) as { total: number };
  return { total: Number(total), columns };
}

describeWithData('the stored run-detail projection of a real run (workerd + Postgres)', () => {
  let id = '';
  beforeAll(async () => {
    expect((await seedLabCandles()).h4).toBeGreaterThan(2100);
    const req = BacktestRequest.parse({ strategy: 'dsta-rsi-mean-reversion', venue: LAB_VENUE, symbol: 'BTC/USDT', timeframe: '4h', from: Y2021.from, to: Y2021.to });
    id = await withDb(config, async (db) => {
      const created = await createBacktestRun(db, req, { codeVersion: 'test' });
      await executeBacktestRun(db, created.id, { codeVersion: 'test', now: Date.now });
      return created.id;
    });
  }, 240_000);

  it('completing the run stores it; it equals the detail the full result gave, and an old row without it reads the same bytes', async () => {
    await withDb(config, async (db) => {
      const row = (await getRunRow(db, id))!;
      expect(row.status, row.error ?? '').toBe('done');
      const full = row.result as unknown as { trades?: unknown; equity?: unknown; measuredCosts: { venues: Record<string, unknown>[] } } & Record<string, unknown>;
      // What the projection leaves out is there in the full result (so the comparison below can fail).
      expect(full.measuredCosts.venues.length).toBeGreaterThan(0);
      for (const v of full.measuredCosts.venues) expect(Array.isArray(v.net) && Array.isArray(v.roundTripBps)).toBe(true);

      const stored = (await getStoredRunDetail(db, id))!;
      expect(stored.$type).toBe(RUN_DETAIL_PROJECTION_TYPE);
      const { trades: _t, equity: _e, ...rest } = full;
      const expected = { ...rest, measuredCosts: { ...full.measuredCosts, venues: full.measuredCosts.venues.map(({ net: _n, roundTripBps: _r, ...v }) => v) } };
      expect(stored.result).toEqual(expected);
      expect(stored.resultTradeCount).toBe(Array.isArray(full.trades) ? full.trades.length : null);
      const live = rowsOf<{ n: number }>(await db.execute(sql`SELECT count(*)::int AS n FROM backtest_trades WHERE run_id = ${id}`))[0]!.n;
      expect(live).toBeGreaterThan(0);
      expect(stored.tradeCount).toBe(Number(live));
      const legacy = await legacyResult(db, id);
      const text = await storedText(db, id);
      expect(text.result).toBe(legacy.text);
      expect(stored.resultTradeCount).toBe(legacy.tradeCount);

      // The same bytes from the stored projection, from a row without it (backfilled on that read), and after.
      const fromStored = await body(db, id);
      expect(JSON.parse(fromStored).result.measuredCosts.venues[0]).not.toHaveProperty('net');
      await db.execute(sql`UPDATE backtest_runs SET detail = NULL WHERE id = ${id}`);
      expect(await body(db, id)).toBe(fromStored);
      expect((await storedText(db, id)).detail).toBe(text.detail);
      expect(await body(db, id)).toBe(fromStored);
    });
  }, 240_000);
});

describe('the run-detail projection of rows written before it (workerd + Postgres)', () => {
  const OLD = 'projection-old-row';
  const RUNNING = 'projection-running-row';
  beforeAll(async () => {
    const trades = syntheticTrades(300, T0, 300_000);
    const fx = buildRunFixture({ id: OLD, strategyId: 'projection-test', venue: 'binance', symbol: 'BTC/USDT', timeframe: '5m', windowFrom: T0, windowTo: T0 + 600 * 300_000, candleCount: 600, trades, embedTrades: true, engineEquity: true });
    const running = buildRunFixture({ id: RUNNING, strategyId: 'projection-test', venue: 'binance', symbol: 'BTC/USDT', timeframe: '5m', windowFrom: T0, windowTo: T0 + 600 * 300_000, candleCount: 600, trades });
    await withDb(config, async (db) => {
      await insertRunFixture(db, fx);
      await insertRunFixture(db, { ...running, run: { ...running.run, status: 'running', finishedAt: null } });
    });
  }, 120_000);

  it('a finished row without it reads what the full result gave, is backfilled on that read, and reads the same bytes after', async () => {
    await withDb(config, async (db) => {
      expect((await storedText(db, OLD)).detail).toBeNull();
      const legacy = await legacyResult(db, OLD);
      expect(legacy.tradeCount).toBe(300);
      const first = await body(db, OLD, 250);
      const parsed = JSON.parse(first) as { result: Record<string, unknown> };
      expect(parsed.result.trades).toBeUndefined();
      expect(parsed.result.equity).toBeUndefined();
      const text = await storedText(db, OLD);
      expect(text.result).toBe(legacy.text);
      const stored = (await getStoredRunDetail(db, OLD))!;
      expect(stored).toMatchObject({ $type: RUN_DETAIL_PROJECTION_TYPE, resultTradeCount: 300, tradeCount: 300 });
      expect((JSON.parse(first) as { trades: { total: number } }).trades.total).toBe(300);
      expect(await body(db, OLD, 250)).toBe(first);
      // A projection of another layout reads as absent: rebuilt, same bytes.
      await db.execute(sql`UPDATE backtest_runs SET detail = jsonb_set(detail, '{$type}', '"run-detail-projection/0"') WHERE id = ${OLD}`);
      expect(await body(db, OLD, 250)).toBe(first);
      expect((await getStoredRunDetail(db, OLD))!.$type).toBe(RUN_DETAIL_PROJECTION_TYPE);
      // One of the current `$type` that does not read (a layout change without a new type): rebuilt, same bytes.
      await db.execute(sql`UPDATE backtest_runs SET detail = detail - 'tradeCount' WHERE id = ${OLD}`);
      await expect(getStoredRunDetail(db, OLD)).rejects.toThrow(/tradeCount/);
      expect(await body(db, OLD, 250)).toBe(first);
      expect((await getStoredRunDetail(db, OLD))!.tradeCount).toBe(300);
    });
  });

  it('through the route too: the first GET of an older row stores it', async () => {
    await withDb(config, (db) => db.execute(sql`UPDATE backtest_runs SET detail = NULL WHERE id = ${OLD}`));
    const res = await exports.default.fetch(new Request(`http://lab.local/api/runs/${OLD}?points=777`, { headers: await accessHeaders() }));
    expect(res.status).toBe(200);
    const text = await res.text();
    const stored = await withDb(config, (db) => getStoredRunDetail(db, OLD));
    expect(stored?.$type).toBe(RUN_DETAIL_PROJECTION_TYPE);
    expect(JSON.stringify((JSON.parse(text) as { result: unknown }).result)).toBe(JSON.stringify(stored!.result));
  });

  it('a running row is computed on every read and never stored (its result may still change)', async () => {
    await withDb(config, async (db) => {
      const v = JSON.parse(await body(db, RUNNING)) as { run: { status: string }; result: { gross?: unknown }; trades: { total: number } };
      expect(v.run.status).toBe('running');
      expect(v.trades.total).toBe(300);
      expect(v.result.gross).toBeTruthy();
      expect((await storedText(db, RUNNING)).detail).toBeNull();
    });
  });
});

describe('the detail equity downsampling (workerd + Postgres)', () => {
  const ID = 'projection-equity-ties';
  // A curve with many ties (a handful of levels) and a drawdown that repeats: the earliest row must win every tie.
  const n = 1237;
  const rows = Array.from({ length: n }, (_, i) => ({
    time: T0 + i * 60_000,
    equityGross: 100 + ((i * 7) % 5),
    equityNet: 100 + ((i * 3) % 4) - (i % 11 === 0 ? 2 : 0),
    drawdown: ((i * 5) % 3) / 10,
  }));
  beforeAll(async () => {
    const fx = buildRunFixture({ id: ID, strategyId: 'projection-test', venue: 'binance', symbol: 'BTC/USDT', timeframe: '1m', windowFrom: T0, windowTo: T0 + n * 60_000, candleCount: n, trades: syntheticTrades(5, T0, 60_000) });
    await withDb(config, async (db) => {
      await insertRunFixture(db, { ...fx, equity: [] });
      await insertRunFixture(db, { ...fx, run: { ...fx.run, id: `${ID}-none` }, trades: [], equity: [] });
      // Sequence numbers with gaps: the selection works on the rank, not on seq itself.
      const values = rows.map((r, i) => sql`(${ID}, ${i * 3 + 1}, ${r.time}, ${r.equityGross}, ${r.equityNet}, ${r.drawdown})`);
      await db.execute(sql`INSERT INTO backtest_equity (run_id, seq, time, equity_gross, equity_net, drawdown) VALUES ${sql.join(values, sql`, `)}`);
    });
  }, 120_000);

  it('the same rows as the former SQL and as the JS twin, for every bucket count, the first row and all extremes exact, read whole or downsampled in the database', async () => {
    const all = { time: rows.map((r) => r.time), equityGross: rows.map((r) => r.equityGross), equityNet: rows.map((r) => r.equityNet), drawdown: rows.map((r) => r.drawdown) };
    await withDb(config, async (db) => {
      for (const points of [10, 13, 100, 601, 1237, 2000]) {
        const got = (await getRunDetail(db, ID, { trades: 0, maxPoints: points }))!.equity;
        expect(got, `points=${points}`).toEqual(await legacyEquity(db, ID, points));
        expect(got, `points=${points}`).toEqual({ total: n, columns: keepExtremes(all, points) });
        // A curve longer than the detail reads whole is downsampled by the database instead: the same rows.
        const inDb = (await getRunDetail(db, ID, { trades: 0, maxPoints: points, wholeMax: n - 1 }))!.equity;
        expect(inDb, `points=${points}, in the database`).toEqual(got);
      }
      // No stored rows: no points, total 0 (the run then falls back to its result's own curves, if any).
      const none = (await getRunDetail(db, `${ID}-none`, { trades: 0, maxPoints: 100 }))!.equity;
      expect(none).toEqual({ total: 0, columns: { time: [], equityGross: [], equityNet: [], drawdown: [] } });
      expect(none).toEqual(await legacyEquity(db, `${ID}-none`, 100));
    });
  });
});
