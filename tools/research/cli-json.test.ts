/**
 * The research CLI as a user drives it: each command in-process (`runCli`) against a scratch database, with and
 * without `--json` — under `--json` stdout is exactly one JSON document; the `export` command writes the same
 * Parquet/CSV as the API and reads back; and the real entry point puts errors on stderr with exit code 1.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parquetReadObjects } from 'hyparquet';
import { upsertCandles } from '../../shared/db/queries/candles';
import type { Candle } from '../../shared/candles/candle';
import { openResearchDb } from './db';
import { runCli } from './cli';

const T0 = Date.UTC(2021, 0, 1);
const H = 3_600_000;
const key = { venue: 'binance', symbol: 'BTC/USDT', timeframe: '1h' as const };
let embedded: { close(): Promise<void> } | null = null;
let dir: string;
const savedUrl = process.env.DATABASE_URL;

/** Run a command; returns what it wrote to stdout and stderr. */
async function cli(...argv: string[]): Promise<{ stdout: string; stderr: string; failed: boolean }> {
  let stdout = '';
  let stderr = '';
  const out = await runCli(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { stdout, stderr, failed: out.failed };
}
const json = async <T>(...argv: string[]): Promise<T> => JSON.parse((await cli(...argv, '--json')).stdout) as T;

beforeAll(async () => {
  const { openScratchDatabase } = await import('../db/local-db');
  const scratch = await openScratchDatabase('clijson');
  embedded = scratch;
  process.env.DATABASE_URL = scratch.url;
  // A trending-then-cycling series: SMA 20/50 crossovers trade on it.
  const candles: Candle[] = Array.from({ length: 2_000 }, (_, i) => {
    const close = 30_000 + 4_000 * Math.sin(i / 60) + 1_500 * Math.sin(i / 7) + i;
    return { openTime: T0 + i * H, open: close - 20, high: close + 80, low: close - 90, close, volume: 100 + (i % 13) };
  });
  const h = await openResearchDb({ log: () => {} });
  await upsertCandles(h.db, key, candles, 'archive:cli-test');
  await h.close(); // one session at a time on the embedded database: each command opens its own
  dir = mkdtempSync(join(tmpdir(), 'cli-json-'));
}, 120_000);

afterAll(async () => {
  if (savedUrl === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = savedUrl;
  await embedded?.close();
  rmSync(dir, { recursive: true, force: true });
});

const window = ['--venue', 'binance', '--symbol', 'BTC/USDT', '--timeframe', '1h', '--from', '2021-01-05', '--to', '2021-03-20'];

describe('research CLI --json', () => {
  let runId = '';
  let trades = 0;

  it('backtest: a table by default, one JSON document with --json (provenance, gross, net per view, judgement)', async () => {
    const text = await cli('backtest', '--strategy', 'dsta-sma-crossover', ...window);
    expect(text.stdout).toMatch(/^\nrun \S+: \d+ candles/);
    expect(text.stdout).toContain('verdict: ');
    const r = await json<{ run: { id: string; candles: number; resultHash: string }; gross: { trades: number }; net: Record<string, { trades: number }>; judgement: { verdict: string } }>('backtest', '--strategy', 'dsta-sma-crossover', ...window);
    expect(r.run.candles).toBeGreaterThan(1_700);
    expect(r.gross.trades).toBeGreaterThan(3);
    expect(Object.keys(r.net).length).toBeGreaterThan(1);
    expect(['keep', 'watch', 'reject']).toContain(r.judgement.verdict);
    runId = r.run.id;
    trades = r.gross.trades;
  }, 120_000);

  it('rerun, runs, coverage, plan-sweep and help answer in JSON too', async () => {
    const again = await json<{ run: string; same: boolean; sameData: boolean }>('rerun', '--run', runId);
    expect(again).toMatchObject({ run: runId, same: true, sameData: true });
    const runs = await json<{ id: string; strategy: string }[]>('runs');
    expect(runs.map((r) => r.id)).toContain(runId);
    const cov = await json<{ key: typeof key; count: number }[]>('coverage');
    expect(cov).toContainEqual(expect.objectContaining({ key, count: 2_000 }));
    const plan = await json<{ combos: number; chunks: number }>('plan-sweep', '--strategy', 'dsta-sma-crossover', ...window);
    expect(plan.combos).toBeGreaterThan(1);
    expect((await json<{ help: string }>('help')).help).toContain('export --dataset');
  }, 120_000);

  it("export: the run's trades as Parquet and CSV (same rows, sha256 of the file), candles paged by cursor", async () => {
    const pqFile = join(dir, 'trades.parquet');
    const pq = await json<{ rows: number; bytes: number; sha256: string; file: string; nextCursor: string | null }>('export', '--dataset', 'trades', '--run', runId, '--format', 'parquet', '--out', pqFile);
    expect(pq).toMatchObject({ rows: trades, file: pqFile, nextCursor: null });
    const bytes = readFileSync(pqFile);
    expect(bytes.length).toBe(pq.bytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(pq.sha256);
    const rows = await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) });
    expect(rows).toHaveLength(trades);
    const csvFile = join(dir, 'trades.csv');
    const text = await cli('export', '--dataset', 'trades', '--run', runId, '--format', 'csv', '--out', csvFile);
    expect(text.stdout).toContain(`${trades} rows`);
    const lines = readFileSync(csvFile, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(trades + 1);
    expect(lines[0]!.split(',').slice(0, 3)).toEqual(['seq', 'side', 'entry_time']);
    expect(lines[1]!.startsWith(`${rows[0]!.seq},${rows[0]!.side},${(rows[0]!.entry_time as Date).toISOString()},`)).toBe(true);

    const first = await json<{ rows: number; nextCursor: string }>('export', '--dataset', 'candles', '--venue', 'binance', '--symbol', 'BTC/USDT', '--timeframe', '1h', '--format', 'json', '--limit', '1500', '--out', join(dir, 'c1.json'));
    expect(first.rows).toBe(1_500);
    expect(first.nextCursor).toBe(String(T0 + 1_499 * H));
    const second = await json<{ rows: number; nextCursor: string | null }>('export', '--dataset', 'candles', '--venue', 'binance', '--symbol', 'BTC/USDT', '--timeframe', '1h', '--format', 'json', '--cursor', first.nextCursor, '--out', join(dir, 'c2.json'));
    expect(second).toMatchObject({ rows: 500, nextCursor: null });
    const all = [...JSON.parse(readFileSync(join(dir, 'c1.json'), 'utf8')), ...JSON.parse(readFileSync(join(dir, 'c2.json'), 'utf8'))] as { open_time: number }[];
    expect(all.map((c) => c.open_time)).toEqual(Array.from({ length: 2_000 }, (_, i) => T0 + i * H));
  }, 120_000);

  it('bad input is an error naming the flag, before any database work', async () => {
    await expect(cli('backtest', '--json')).rejects.toThrow('--strategy is required');
    await expect(cli('export', '--dataset', 'orders', '--json')).rejects.toThrow('--dataset must be one of candles, trades, equity, runs');
    await expect(cli('export', '--dataset', 'trades', '--json')).rejects.toThrow('needs --run');
    await expect(cli('runs', '--bogus')).rejects.toThrow(/bogus/);
  });

  it('the entry point: errors on stderr (JSON under --json), nothing on stdout, exit code 1', async () => {
    const run = promisify(execFile);
    const tsx = join('node_modules', '.bin', 'tsx');
    const err = await run(tsx, ['tools/research/cli.ts', 'backtest', '--venue', 'binance', '--json']).then(
      () => null,
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(err).not.toBeNull();
    expect(err!.code).toBe(1);
    expect(err!.stdout).toBe('');
    expect(JSON.parse(err!.stderr.trim().split('\n').pop()!)).toEqual({ error: { message: '--strategy is required' } });
    const plain = await run(tsx, ['tools/research/cli.ts', 'nonsense']).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(plain!.code).toBe(1);
    expect(plain!.stderr).toContain('error: unknown command nonsense');
  }, 60_000);
});
