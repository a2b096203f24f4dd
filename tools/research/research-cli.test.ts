import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { strToU8, zipSync } from 'fflate';
import { sql } from 'drizzle-orm';
import { tableHash } from '../../shared/db/queries/candles';
import { rowsOf, type Database } from '../../shared/db/database';
import { BacktestRequest, createBacktestRun, executeBacktestRun } from '../../shared/app/run-backtest';
import { listFinishedRuns } from '../../shared/db/queries/research';
import { openResearchDb, type ResearchDb } from './db';
import { importArchiveFile, importFreqtradeFile, listArchiveDir } from './importers';
import { generateLog, renderLog } from './log';
import { deriveSpread } from './spread';
import { describeWithData, SHARED_DATA_DIR } from '../../shared/testing/data';
import { MEASURED_COST_VERSION } from '../../shared/costs/measured';

const DATA = SHARED_DATA_DIR;
const KLINES = join(DATA, 'binance-spot-klines');
const KEY = { venue: 'binance', symbol: 'BTC/USDT', timeframe: '1h' as const };

let h: ResearchDb;
let db: Database;
let dir: string;
let embedded: { close(): Promise<void> } | null = null;

beforeAll(async () => {
  // A database of its own: in-memory embedded Postgres, or a fresh database on the DATABASE_URL server.
  const { openScratchDatabase } = await import('../db/local-db');
  const url = await openScratchDatabase('cli').then((e) => ((embedded = e), e.url));
  h = await openResearchDb({ url, log: () => {} });
  db = h.db;
  dir = mkdtempSync(join(tmpdir(), 'research-cli-'));
}, 120_000);

afterAll(async () => {
  await h?.close();
  await embedded?.close();
  rmSync(dir, { recursive: true, force: true });
});

function zipFixture(month: string, opts: { checksum: 'good' | 'bad' | 'none' }): string {
  const name = `BTCUSDT-1h-${month}`;
  const csv = readFileSync(join(KLINES, 'BTCUSDT', '1h', `${name}.csv`), 'utf8');
  const zip = zipSync({ [`${name}.csv`]: strToU8(csv) });
  const sub = join(dir, 'archive', 'BTCUSDT', '1h');
  mkdirSync(sub, { recursive: true });
  writeFileSync(join(sub, `${name}.zip`), zip);
  if (opts.checksum !== 'none') {
    const digest = createHash('sha256').update(opts.checksum === 'good' ? zip : strToU8('tampered')).digest('hex');
    writeFileSync(join(sub, `${name}.zip.CHECKSUM`), `${digest}  ${name}.zip\n`);
  }
  return join(sub, `${name}.zip`);
}

describeWithData('research CLI: import-archive --from-dir', () => {
  it('imports zips (checksum verified when present) and bare CSVs with the shared pipeline, idempotently', async () => {
    zipFixture('2018-01', { checksum: 'good' });
    zipFixture('2018-02', { checksum: 'none' });
    const csvDir = join(dir, 'archive', 'BTCUSDT', '1h');
    writeFileSync(join(csvDir, 'BTCUSDT-1h-2018-03.csv'), readFileSync(join(KLINES, 'BTCUSDT', '1h', 'BTCUSDT-1h-2018-03.csv')));
    const files = listArchiveDir(join(dir, 'archive'));
    expect(files.map((f) => f.split('/').pop())).toEqual(['BTCUSDT-1h-2018-01.zip', 'BTCUSDT-1h-2018-02.zip', 'BTCUSDT-1h-2018-03.csv']);

    const out = [];
    for (const f of files) out.push(await importArchiveFile(db, f));
    expect(out.map((r) => r.checksum)).toEqual(['verified', 'absent', 'n/a']);
    expect(out[0]!.candles).toBe(743); // January 2018 has one missing hour in the archive
    // February 2018: the 43 off-grid rows after the outage are quarantined with their reason.
    expect(out[1]!.issues).toBe(43);
    const issues = rowsOf<{ n: number }>(await db.execute(sql`SELECT count(*)::int AS n FROM data_issues WHERE source = 'archive:BTCUSDT-1h-2018-02.zip' AND reason = 'off-grid'`))[0]!;
    expect(issues.n).toBe(43);
    const stored = rowsOf<{ n: number }>(await db.execute(sql`SELECT count(*)::int AS n FROM candles WHERE venue = 'binance' AND symbol = 'BTC/USDT' AND timeframe = '1h'`))[0]!;
    expect(stored.n).toBe(out.reduce((a, r) => a + r.candles, 0));

    // Re-importing changes nothing, not even ingested_at.
    const before = await tableHash(db, KEY);
    for (const f of files) expect((await importArchiveFile(db, f)).written).toBe(0);
    expect(await tableHash(db, KEY)).toBe(before);
  });

  it('refuses a zip whose CHECKSUM does not match', async () => {
    const bad = zipFixture('2018-04', { checksum: 'bad' });
    await expect(importArchiveFile(db, bad)).rejects.toThrow(/checksum|sha256|mismatch/i);
  });

  it('import-freqtrade validates, cross-checks against stored archive rows and keeps them', async () => {
    // A freqtrade-format file made of archive rows for Jan 2018 with one close changed and one extra hour.
    const csv = readFileSync(join(KLINES, 'BTCUSDT', '1h', 'BTCUSDT-1h-2018-01.csv'), 'utf8').trim().split('\n');
    const rows = csv.map((l) => l.split(',').slice(0, 6).map(Number));
    rows[10]![4] = rows[10]![4]! + 1;
    const file = join(dir, 'BTC_USDT-1h.json');
    writeFileSync(file, JSON.stringify(rows));
    const r = await importFreqtradeFile(db, file, KEY);
    expect(r.crossCheck.compared).toBe(743);
    expect(r.crossCheck.differingOpenTimes).toEqual([rows[10]![0]]);
    expect(r.keptArchiveRows).toBe(743);
    expect(r.written).toBe(0);
  });
});

describeWithData('research CLI: log', () => {
  it('generates the research log deterministically from the database (byte-identical, order-independent)', async () => {
    // Two real runs on the imported Jan–Mar 2018 archive data (one with too few trades, one failed: no data).
    for (const [from, to] of [
      ['2018-01-15', '2018-04-01'],
      ['2030-01-01', '2030-02-01'],
    ] as const) {
      const req = BacktestRequest.parse({ strategy: 'dsta-rsi-mean-reversion', venue: 'binance', symbol: 'BTC/USDT', timeframe: '1h', from, to });
      const run = await createBacktestRun(db, req, { codeVersion: 'test' });
      await executeBacktestRun(db, run.id, { codeVersion: 'test', now: Date.now });
    }
    const a = join(dir, 'log-a');
    const b = join(dir, 'log-b');
    await generateLog(db, a);
    await generateLog(db, b);
    const names = readdirSync(a).sort();
    expect(names).toEqual(['dsta-rsi-mean-reversion--binance--btc-usdt--1h.md', 'fee-only-vs-measured.md', 'index.md']);
    for (const n of names) expect(readFileSync(join(b, n), 'utf8')).toBe(readFileSync(join(a, n), 'utf8'));
    const text = readFileSync(join(a, names[0]!), 'utf8');
    expect(text).toContain(`**Measured costs per venue** (${MEASURED_COST_VERSION}`);
    expect(readFileSync(join(a, 'fee-only-vs-measured.md'), 'utf8')).toMatch(/\| dsta-rsi-mean-reversion--binance--btc-usdt--1h \| 2018-01-15 → 2018-04-01 \| binance \| 20\.0 \|/);
    expect(text).toContain('(failed)');
    expect(text).toMatch(/no candles/);
    expect(text).toContain('stress-31');
    expect(text).toMatch(/\*\*Verdict: (KEEP|WATCH|REJECT)\.\*\*/);

    const rows = await listFinishedRuns(db);
    expect(renderLog([...rows].reverse())).toEqual(renderLog(rows));
    // A rerun of the same request is one more run but the same section (listed together).
    const req = BacktestRequest.parse({ strategy: 'dsta-rsi-mean-reversion', venue: 'binance', symbol: 'BTC/USDT', timeframe: '1h', from: '2018-01-15', to: '2018-04-01' });
    const again = await createBacktestRun(db, req, { codeVersion: 'test' });
    await executeBacktestRun(db, again.id, { codeVersion: 'test', now: Date.now });
    const text2 = renderLog(await listFinishedRuns(db)).find((x) => x.name === names[0])!.text;
    expect(text2.match(/^## /gm)!.length).toBe(text.match(/^## /gm)!.length);
    expect(text2).toContain(again.id);
  });

  it('spread: derives BTC/ETH into spread_windows and venue derived:binance; a refresh replaces exactly its window; venues never mix', async () => {
    const eth = join(dir, 'ETH_USDT-1h.json');
    const btcRows = readFileSync(join(KLINES, 'BTCUSDT', '1h', 'BTCUSDT-1h-2018-03.csv'), 'utf8').trim().split('\n').map((l) => l.split(',').slice(0, 6).map(Number));
    writeFileSync(eth, JSON.stringify(btcRows.map((r) => [r[0], r[1]! / 10, r[2]! / 10, r[3]! / 10, r[4]! / 10, r[5]])));
    await importFreqtradeFile(db, eth, { venue: 'binance', symbol: 'ETH/USDT', timeframe: '1h' });
    const w1 = await deriveSpread(db, { pair: 'BTC/ETH', timeframe: '1h', from: Date.UTC(2018, 2, 1), to: Date.UTC(2018, 2, 15), venue: 'binance' });
    const w2 = await deriveSpread(db, { pair: 'BTC/ETH', timeframe: '1h', from: Date.UTC(2018, 2, 15), to: Date.UTC(2018, 3, 1), venue: 'binance' });
    expect(w1.key).toBe('spread|binance|BTC/ETH|1h|2018-03-01T00:00:00.000Z|2018-03-15T00:00:00.000Z');
    const count = async (venue: string) =>
      rowsOf<{ n: number; c: number }>(await db.execute(sql`SELECT count(*)::int AS n, round(avg(close)::numeric, 6)::float8 AS c FROM candles WHERE venue = ${venue} AND symbol = 'BTC/ETH' AND timeframe = '1h'`))[0]!;
    const before = await count('derived:binance');
    expect(before.n).toBe(w1.count + w2.count);
    expect(before.c).toBe(10);
    const again = await deriveSpread(db, { pair: 'BTC/ETH', timeframe: '1h', from: Date.UTC(2018, 2, 1), to: Date.UTC(2018, 2, 15), venue: 'binance' });
    expect(again.dataHash).toBe(w1.dataHash);
    expect(await count('derived:binance')).toEqual(before);

    // The same pair and window from another venue's legs (ETH at a twentieth of BTC there): its own key, its own series.
    const krakenEth = join(dir, 'kraken-ETH_USDT-1h.json');
    const krakenBtc = join(dir, 'kraken-BTC_USDT-1h.json');
    writeFileSync(krakenEth, JSON.stringify(btcRows.map((r) => [r[0], r[1]! / 20, r[2]! / 20, r[3]! / 20, r[4]! / 20, r[5]])));
    writeFileSync(krakenBtc, JSON.stringify(btcRows.map((r) => r.slice(0, 6))));
    await importFreqtradeFile(db, krakenEth, { venue: 'kraken', symbol: 'ETH/USDT', timeframe: '1h' });
    await importFreqtradeFile(db, krakenBtc, { venue: 'kraken', symbol: 'BTC/USDT', timeframe: '1h' });
    const k1 = await deriveSpread(db, { pair: 'BTC/ETH', timeframe: '1h', from: Date.UTC(2018, 2, 1), to: Date.UTC(2018, 2, 15), venue: 'kraken' });
    expect(k1.key).toBe('spread|kraken|BTC/ETH|1h|2018-03-01T00:00:00.000Z|2018-03-15T00:00:00.000Z');
    expect(k1.dataHash).not.toBe(w1.dataHash);
    expect(await count('derived:kraken')).toEqual({ n: k1.count, c: 20 });
    expect(await count('derived:binance')).toEqual(before);
    const windows = rowsOf<{ key: string; venue: string }>(await db.execute(sql`SELECT key, venue FROM spread_windows WHERE pair = 'BTC/ETH' ORDER BY key`));
    expect(windows.map((w) => w.venue)).toEqual(['binance', 'binance', 'kraken']);
  });
});
