/**
 * The cron's book-snapshot stage in workerd against the fake exchange (five venues' real recorded books) and real
 * Postgres: one row per venue, symbol and 5-minute bucket through the real `scheduled` path, idempotent on a
 * re-run, bad bodies (crossed, truncated, HTML, a bad level, stale) quarantined in data_issues with their reason
 * while nothing stored changes, a transport failure reported without a quarantine row, and the stage's wall time
 * per cycle printed.
 */
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { env, createScheduledController, createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { sql } from 'drizzle-orm';
import worker from '../index';
import { withDb } from '../db';
import { getConfig, type Env } from '../env';
import { describeWithData } from '../real-data.test-util';
import { runBookSnapshots, snapshotTargets, type BookSnapshotReport } from './book-snapshots';

const FAKE_NOW = Date.UTC(2022, 3, 16, 13, 47, 30);
const BUCKET = Date.UTC(2022, 3, 16, 13, 45);
const M5 = 300_000;
const fx = inject('fakeExchangeUrl');
const SERIES = 'binance:BTC/USDT:5m,binance:BTC/USDT:1h,kraken:BTC/USDT:5m,coinbase:BTC/USDT:5m,okx:ETH/USDT:1h,bybit:ETH/USDT:4h';
const e = { ...env, INGEST_SERIES: SERIES, INGEST_BACKFILL_LIMIT: '12', BOOK_SNAPSHOT_NOTIONALS: '1000,10000,100000' } as Env;
const config = getConfig(e);

async function q<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  return withDb(config, async (db) => (await db.execute(query)).rows as T[]);
}

async function control(path: string, method: string, body?: unknown): Promise<void> {
  const res = await fetch(`${fx}${path}`, { method, ...(body !== undefined && { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
  expect(res.status).toBe(200);
}
const faults = async (list: unknown[]) => {
  await control('/__faults', 'DELETE');
  if (list.length) await control('/__faults', 'POST', list);
};
const setFakeNow = (now: number) => control('/__now', 'POST', { now });

const snapshots = (now: number): Promise<BookSnapshotReport> => withDb(config, (db) => runBookSnapshots({ config, db, now }));
const tableHash = async (bucket?: number) =>
  (
    await q<{ h: string }>(
      sql`SELECT md5(coalesce(string_agg(concat_ws(',', venue, symbol, bucket, book_time, best_bid, best_ask, half_spread_bps, depth::text, fills::text, fetched_at), ';' ORDER BY venue, symbol, bucket), '')) AS h
          FROM book_snapshots WHERE ${bucket ?? null}::bigint IS NULL OR bucket = ${bucket ?? null}`,
    )
  )[0]!.h;
const byVenue = (r: BookSnapshotReport) => Object.fromEntries(r.outcomes.map((o) => [o.venue, o.status === 'quarantined' ? `quarantined:${o.reason}` : o.status]));

describeWithData('cron book snapshots against the fake exchange (workerd + Postgres)', () => {
  beforeAll(async () => {
    await faults([]);
    await setFakeNow(FAKE_NOW);
    await q(sql`DELETE FROM book_snapshots`);
    await q(sql`DELETE FROM data_issues WHERE timeframe = 'book'`);
  });
  afterAll(async () => {
    await faults([]);
    await setFakeNow(FAKE_NOW);
  });

  it('BOOK_SNAPSHOT_NOTIONALS: defaults to 1k/10k/100k; a bad list fails fast with the reason', () => {
    expect(getConfig({ ...env, INGEST_SERIES: SERIES } as Env).BOOK_SNAPSHOT_NOTIONALS).toEqual([1000, 10000, 100000]);
    expect(getConfig({ ...env, BOOK_SNAPSHOT_NOTIONALS: '500, 2500.5' } as Env).BOOK_SNAPSHOT_NOTIONALS).toEqual([500, 2500.5]);
    expect(() => getConfig({ ...env, BOOK_SNAPSHOT_NOTIONALS: '1000,-5' } as Env)).toThrow(/BOOK_SNAPSHOT_NOTIONALS.*positive quote amount/);
    expect(() => getConfig({ ...env, BOOK_SNAPSHOT_NOTIONALS: '' } as Env)).toThrow(/BOOK_SNAPSHOT_NOTIONALS/);
  });

  it('one book per venue and symbol, whatever the number of timeframes ingested', () => {
    expect([...snapshotTargets(config.INGEST_SERIES)]).toEqual([
      ['binance', ['BTC/USDT']],
      ['kraken', ['BTC/USDT']],
      ['coinbase', ['BTC/USDT']],
      ['okx', ['ETH/USDT']],
      ['bybit', ['ETH/USDT']],
    ]);
  });

  it('the scheduled cycle stores one snapshot per venue for its bucket; a re-run changes nothing', async () => {
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: FAKE_NOW, cron: '*/5 * * * *' }), e, ctx);
    await waitOnExecutionContext(ctx);
    const rows = await q<{ venue: string; symbol: string; bucket: string; best_bid: number; best_ask: number; mid: number; half_spread_bps: number; depth: { bps: number; bid: number; ask: number }[]; fills: { notional: number; buyBps: number | null; sellBps: number | null }[]; source: string; time_source: string }>(
      sql`SELECT * FROM book_snapshots ORDER BY venue`,
    );
    expect(rows.map((r) => `${r.venue} ${r.symbol}`)).toEqual(['binance BTC/USDT', 'bybit ETH/USDT', 'coinbase BTC/USDT', 'kraken BTC/USDT', 'okx ETH/USDT']);
    for (const r of rows) {
      expect(Number(r.bucket)).toBe(BUCKET);
      expect(r.source).toBe(`rest:${r.venue}:book`);
      expect(r.best_bid).toBeLessThan(r.best_ask);
      expect(r.mid).toBeCloseTo((r.best_bid + r.best_ask) / 2, 9);
      expect(r.half_spread_bps).toBeCloseTo(((r.best_ask - r.best_bid) / (2 * r.mid)) * 1e4, 9);
      expect(r.depth.map((d) => d.bps)).toEqual([5, 10, 25, 50]);
      expect(r.fills.map((f) => f.notional)).toEqual([1000, 10000, 100000]);
      // depth can only grow with the band
      for (let i = 1; i < r.depth.length; i++) expect(r.depth[i]!.bid).toBeGreaterThanOrEqual(r.depth[i - 1]!.bid);
    }
    // Binance's recorded 1000-level book fills 100k at a finite cost of at least the half-spread.
    const binance = rows.find((r) => r.venue === 'binance')!;
    expect(binance.fills[2]!.buyBps).toBeGreaterThanOrEqual(binance.half_spread_bps);

    const before = await tableHash();
    const again = await snapshots(FAKE_NOW);
    expect(again).toMatchObject({ stored: 0, quarantined: 0, failed: 0 });
    expect(again.outcomes.map((o) => o.status)).toEqual(Array(5).fill('unchanged'));
    expect(await tableHash()).toBe(before);
  });

  it('quarantines crossed, truncated, HTML and bad-level books with the reason; nothing stored changes; no duplicate issue on a retry', async () => {
    const before = await tableHash(BUCKET);
    const t = FAKE_NOW + M5;
    await setFakeNow(t);
    const plan = [
      { venue: 'binance', kind: 'crossed' },
      { venue: 'kraken', kind: 'truncated' },
      { venue: 'coinbase', kind: 'malformed' },
      { venue: 'okx', kind: 'bad-rows' },
    ];
    await faults(plan);
    const r = await snapshots(t);
    expect(byVenue(r)).toEqual({ binance: 'quarantined:crossed', kraken: 'quarantined:malformed', coinbase: 'quarantined:malformed', okx: 'quarantined:malformed', bybit: 'stored' });
    expect(await tableHash(BUCKET)).toBe(before);
    const stored = await q<{ venue: string }>(sql`SELECT venue FROM book_snapshots WHERE bucket = ${BUCKET + M5}`);
    expect(stored.map((s) => s.venue)).toEqual(['bybit']);
    const issues = await q<{ venue: string; reason: string; detail: string; open_time: string; source: string; raw: { url: string | null; body: string | null } }>(
      sql`SELECT venue, reason, detail, open_time, source, raw FROM data_issues WHERE timeframe = 'book' ORDER BY venue`,
    );
    expect(issues.map((i) => `${i.venue}:${i.reason}`)).toEqual(['binance:crossed', 'coinbase:malformed', 'kraken:malformed', 'okx:malformed']);
    for (const i of issues) {
      expect(Number(i.open_time)).toBe(BUCKET + M5);
      expect(i.source).toBe(`rest:${i.venue}:book`);
    }
    const crossed = issues.find((i) => i.venue === 'binance')!;
    expect(crossed.detail).toMatch(/bid .*>=? .*ask|crossed/i);
    expect(crossed.raw.url).toContain('/api/v3/depth');
    expect(crossed.raw.body).toContain('lastUpdateId');
    expect(issues.find((i) => i.venue === 'kraken')!.detail).toMatch(/truncated/);

    // The same bad bodies again in the same bucket: no new issue, nothing stored changes.
    await faults(plan);
    await snapshots(t);
    expect((await q<{ n: number }>(sql`SELECT count(*)::int AS n FROM data_issues WHERE timeframe = 'book'`))[0]!.n).toBe(4);
    expect(await tableHash(BUCKET)).toBe(before);
  });

  it('a stale venue-stamped book is quarantined; a transport failure is reported without a quarantine row', async () => {
    const t = FAKE_NOW + 2 * M5;
    await setFakeNow(t - 120_000); // the venues' clocks (and their book stamps) two minutes behind the cycle
    await faults([{ venue: 'binance', kind: 'server-error', count: 2 }]);
    const r = await snapshots(t);
    const v = byVenue(r);
    // OKX, Bybit and Coinbase Advanced stamp their books: 2 min old > 60 s. Kraken's stamp is its newest level's.
    expect(v.okx).toBe('quarantined:stale');
    expect(v.bybit).toBe('quarantined:stale');
    expect(v.coinbase).toBe('quarantined:stale');
    expect(v.binance).toBe('error');
    expect(r.outcomes.find((o) => o.venue === 'binance')!.reason).toBe('server');
    const binanceIssues = await q<{ n: number }>(sql`SELECT count(*)::int AS n FROM data_issues WHERE timeframe = 'book' AND venue = 'binance' AND open_time = ${t - (t % M5)}`);
    expect(binanceIssues[0]!.n).toBe(0);
    const stale = await q<{ detail: string }>(sql`SELECT detail FROM data_issues WHERE timeframe = 'book' AND reason = 'stale' AND venue = 'okx'`);
    expect(stale[0]!.detail).toMatch(/old|stale|age/i);
  });

  it('measures the stage per cycle (5 venues, real recorded books)', async () => {
    await faults([]);
    const walls: number[] = [];
    const phases: BookSnapshotReport['timing'][] = [];
    const perVenue: Record<string, number[]> = {};
    for (let k = 0; k < 5; k++) {
      const t = FAKE_NOW + (10 + k) * M5;
      await setFakeNow(t);
      const r = await snapshots(t);
      expect(r.stored).toBe(5);
      walls.push(r.wallMs);
      phases.push(r.timing);
      for (const o of r.outcomes) (perVenue[o.venue] ??= []).push(o.wallMs);
    }
    walls.sort((a, b) => a - b);
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[2]!;
    console.log(
      `[book snapshots] wall per cycle (5 venues concurrent), 5 cycles: median ${walls[2]} ms, max ${walls[4]} ms; per venue median ms: ` +
        Object.entries(perVenue)
          .map(([v, w]) => `${v} ${w.sort((a, b) => a - b)[2]}`)
          .join(', ') +
        `; phases median: fetch+parse ${med(phases.map((p) => p.fetchWallMs))} ms, bookSnapshot() ${med(phases.map((p) => p.computeMs))} ms, writes ${med(phases.map((p) => p.writeMs))} ms`,
    );
    expect(walls[4]).toBeLessThan(30_000);
  });
});
