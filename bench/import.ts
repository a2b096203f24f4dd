/**
 * Import benchmark: one month of 1m candles (44,640 rows, seeded synthetic, in Binance's archive CSV layout and
 * zipped with a CHECKSUM) through our whole archive path — verify, unzip, parse, validate, one-parameter bulk
 * upsert — measured in the same run as `psql \copy` of the same rows into a plain table (the floor), both against
 * the same Postgres server (DATABASE_URL, else the machine's server on 127.0.0.1:5432). Also ours into the embedded
 * PGlite. Goal: within 2× of COPY. And the CPU time of one cron cycle over 5 series against the fake exchange.
 *
 * Run standalone: `npx tsx bench/import.ts`; or call `runImportBench()`.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { strToU8, zipSync } from 'fflate';
import { processArchiveFile } from '../shared/archive/process';
import { mulberry32 } from '../shared/backtest/prng';
import { validateCandles } from '../shared/candles/validate';
import { planFetches, REPAIR_HORIZON_MS } from '../shared/candles/fetch-window';
import { TIMEFRAME_MS } from '../shared/candles/timeframe';
import { seriesCoverage, upsertCandles } from '../shared/db/queries/candles';
import type { Database } from '../shared/db/database';
import * as schema from '../shared/db/schema';
import { createVenue } from '../shared/venues';
import { startFakeExchange } from '../tools/fake-exchange/server';
import { DEFAULT_FAKE_NOW } from '../tools/fake-exchange/store';
import { startEmbeddedDatabase } from '../tools/db/local-db';
import { migrateDatabase } from '../tools/db/migrate';

const ROWS = 44_640;
const MONTH = Date.UTC(2025, 0, 1);

function monthCsv(): string {
  const prng = mulberry32(7);
  const rnd = (): number => prng.next();
  let price = 94_000;
  const lines: string[] = [];
  for (let i = 0; i < ROWS; i++) {
    const t = MONTH + i * 60_000;
    const open = price;
    const close = open * (1 + (rnd() - 0.5) * 0.002);
    const high = Math.max(open, close) * (1 + rnd() * 0.0005);
    const low = Math.min(open, close) * (1 - rnd() * 0.0005);
    const vol = 5 + rnd() * 20;
    price = close;
    // Binance spot archives from 2025 carry microsecond timestamps.
    lines.push(`${t}000,${open.toFixed(2)},${high.toFixed(2)},${low.toFixed(2)},${close.toFixed(2)},${vol.toFixed(5)},${t + 59_999}999,${(vol * close).toFixed(4)},100,${(vol / 2).toFixed(5)},${((vol / 2) * close).toFixed(4)},0`);
  }
  return lines.join('\n') + '\n';
}

async function reachable(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

async function oursInto(url: string, zipBytes: Uint8Array, checksumText: string): Promise<{ ms: number; rows: number }> {
  await migrateDatabase(url);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const db = drizzle(client, { schema }) as unknown as Database;
  const key = { venue: 'bench', symbol: 'BTC/USDT', timeframe: '1m' as const };
  await client.query(`DELETE FROM candles WHERE venue = 'bench'`);
  const t0 = performance.now();
  const out = processArchiveFile({ zipBytes, checksumText, fileName: 'BTCUSDT-1m-2025-01.zip', timeframe: '1m', now: Date.UTC(2030, 0) });
  const res = await upsertCandles(db, key, out.candles, 'archive:BTCUSDT-1m-2025-01.zip');
  const ms = performance.now() - t0;
  await client.query(`DELETE FROM candles WHERE venue = 'bench'`);
  await client.end();
  return { ms, rows: res.rows };
}

function copyInto(url: string, csv: string, withKey: boolean): { ms: number } | { skipped: string } {
  const which = spawnSync('psql', ['--version'], { encoding: 'utf8' });
  if (which.status !== 0) return { skipped: 'psql not installed' };
  const dir = mkdtempSync(join(tmpdir(), 'nx-bench-'));
  const file = join(dir, 'month.csv');
  writeFileSync(file, csv);
  const sqlText = [
    'DROP TABLE IF EXISTS bench_copy;',
    `CREATE TABLE bench_copy (open_time bigint${withKey ? ' PRIMARY KEY' : ''}, open float8, high float8, low float8, close float8, volume float8, close_time bigint, quote_volume float8, trades int, taker_base float8, taker_quote float8, ignore float8);`,
    `\\copy bench_copy FROM '${file}' WITH (FORMAT csv)`,
    'DROP TABLE bench_copy;',
  ].join('\n');
  // Time only the \copy: run setup, then the copy, then teardown as separate psql calls.
  const run = (s: string) => spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-q', '-c', s], { encoding: 'utf8' });
  run(sqlText.split('\n').slice(0, 2).join('\n'));
  const t0 = performance.now();
  const r = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-q'], { input: `\\copy bench_copy FROM '${file}' WITH (FORMAT csv)\n`, encoding: 'utf8' });
  const ms = performance.now() - t0;
  run('DROP TABLE bench_copy;');
  rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) return { skipped: `psql failed: ${r.stderr.trim()}` };
  return { ms };
}

async function cronCycleCpu(url: string): Promise<{ cpuMs: number; wallMs: number; rows: number }[]> {
  await migrateDatabase(url);
  const fx = await startFakeExchange({ now: DEFAULT_FAKE_NOW });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const db = drizzle(client, { schema }) as unknown as Database;
  const series = [
    ['binance', 'BTC/USDT', '5m'],
    ['binance', 'ETH/USDT', '5m'],
    ['kraken', 'BTC/USDT', '5m'],
    ['kraken', 'ETH/USDT', '5m'],
    ['binance', 'BTC/USDT', '4h'],
  ] as const;
  await client.query(`DELETE FROM candles WHERE source = 'bench-cron'`);
  await client.query(`DELETE FROM candles WHERE venue IN ('binance', 'kraken') AND open_time >= ${DEFAULT_FAKE_NOW - 14 * 86_400_000}`);
  const out: { cpuMs: number; wallMs: number; rows: number }[] = [];
  // First a catch-up cycle (up to 2000 candles a series), then a steady-state cycle one candle later.
  for (const now of [DEFAULT_FAKE_NOW - 300_000, DEFAULT_FAKE_NOW]) {
    fx.setNow(now);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let rows = 0;
    for (const [venueId, symbol, timeframe] of series) {
      const venue = createVenue(venueId, {
        baseUrl: `${fx.url}/${venueId}`,
        fetch: (u, init) => fetch(u, init),
        clock: () => Date.now(),
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
        random: () => 0.5,
      });
      const key = { venue: venueId, symbol, timeframe };
      // The cron's own plan: the stored coverage (tail and holes within the repair horizon), newest first.
      const plan = planFetches(await seriesCoverage(db, key, TIMEFRAME_MS[timeframe], now - REPAIR_HORIZON_MS), timeframe, now, 2000);
      for (const w of plan.ranges) {
        const res = await venue.fetchClosedCandles({ symbol, timeframe, since: w.since, until: w.until, now });
        const checked = validateCandles(res.candles, { timeframe, now });
        rows += (await upsertCandles(db, key, checked.valid, 'bench-cron')).written;
      }
    }
    const cpu = process.cpuUsage(cpu0);
    out.push({ cpuMs: (cpu.user + cpu.system) / 1000, wallMs: performance.now() - t0, rows });
  }
  await client.query(`DELETE FROM candles WHERE source = 'bench-cron'`);
  await client.end();
  await fx.close();
  return out;
}

export interface ImportBenchResult {
  suite: 'import';
  rows: number;
  server: string;
  oursMs: number;
  copyMs: number | null;
  /** \copy into a table keyed like `candles` (the same index maintenance as ours). */
  copyKeyedMs: number | null;
  copyNote?: string;
  ratio: number | null;
  embeddedMs: number;
  cron: { cpuMs: number; wallMs: number; rows: number }[];
}

export async function runImportBench(log: (s: string) => void = console.log): Promise<ImportBenchResult> {
  const csv = monthCsv();
  const zipBytes = zipSync({ 'BTCUSDT-1m-2025-01.csv': strToU8(csv) });
  const checksumText = `${createHash('sha256').update(zipBytes).digest('hex')}  BTCUSDT-1m-2025-01.zip\n`;
  const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const haveServer = await reachable(serverUrl);
  let oursMs = Number.NaN;
  let copy: { ms: number } | { skipped: string } = { skipped: 'no Postgres server reachable' };
  let copyKeyedMs: number | null = null;
  if (haveServer) {
    await oursInto(serverUrl, zipBytes, checksumText); // warm-up
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push((await oursInto(serverUrl, zipBytes, checksumText)).ms);
    oursMs = runs.sort((a, b) => a - b)[1]!;
    for (const withKey of [false, true]) {
      const copies = [];
      for (let i = 0; i < 3; i++) {
        const c = copyInto(serverUrl, csv, withKey);
        if ('skipped' in c) {
          copy = c;
          break;
        }
        copies.push(c.ms);
      }
      if (copies.length === 3) {
        const ms = copies.sort((a, b) => a - b)[1]!;
        if (withKey) copyKeyedMs = ms;
        else copy = { ms };
      }
    }
  }
  const embedded = await startEmbeddedDatabase();
  const emb = (await oursInto(embedded.url, zipBytes, checksumText)).ms;
  const cron = await cronCycleCpu(haveServer ? serverUrl : embedded.url);
  await embedded.close();
  const copyMs = 'ms' in copy ? copy.ms : null;
  const res: ImportBenchResult = {
    suite: 'import',
    rows: ROWS,
    server: haveServer ? serverUrl.replace(/\/\/[^@]*@/, '//') : 'none',
    oursMs,
    copyMs,
    copyKeyedMs,
    ...('skipped' in copy ? { copyNote: copy.skipped } : {}),
    ratio: copyMs ? oursMs / copyMs : null,
    embeddedMs: emb,
    cron,
  };
  const rps = (ms: number) => `${Math.round((ROWS / ms) * 1000).toLocaleString('en-US')} rows/s`;
  log(`\nImport of one month of 1m candles (${ROWS.toLocaleString('en-US')} rows), median of 3:`);
  log(`| path | ms | throughput | × COPY |`);
  log(`| --- | --- | --- | --- |`);
  if (haveServer) log(`| ours: verify+unzip+parse+validate+upsert → server | ${oursMs.toFixed(0)} | ${rps(oursMs)} | ${res.ratio ? res.ratio.toFixed(2) : '—'} |`);
  log(`| psql \\copy → server (plain table, no key, no conflict handling) | ${copyMs ? copyMs.toFixed(0) : '—'} | ${copyMs ? rps(copyMs) : res.copyNote ?? ''} | 1.00 |`);
  if (copyKeyedMs) log(`| psql \\copy → server (table keyed on open_time) | ${copyKeyedMs.toFixed(0)} | ${rps(copyKeyedMs)} | ${(copyKeyedMs / copyMs!).toFixed(2)} |`);
  log(`| ours → embedded PGlite (through the session gate) | ${emb.toFixed(0)} | ${rps(emb)} | — |`);
  log(`Goal: ours within 2× of COPY → ${res.ratio === null ? 'not measured' : res.ratio <= 2 ? 'met' : 'NOT met'}`);
  log(`\nOne cron cycle over 5 series (fake exchange, ${haveServer ? 'server' : 'embedded'} Postgres; Node process CPU incl. the pg driver):`);
  log(`| cycle | rows written | CPU ms | wall ms |`);
  log(`| --- | --- | --- | --- |`);
  log(`| catch-up (≤ 2000 candles a series) | ${cron[0]!.rows} | ${cron[0]!.cpuMs.toFixed(0)} | ${cron[0]!.wallMs.toFixed(0)} |`);
  log(`| steady state (one new candle a series) | ${cron[1]!.rows} | ${cron[1]!.cpuMs.toFixed(0)} | ${cron[1]!.wallMs.toFixed(0)} |`);
  return res;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runImportBench();
}
