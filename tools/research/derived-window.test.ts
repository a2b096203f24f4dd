/**
 * Derived timeframes for research, on real data: a research window of a timeframe that is not stored is
 * aggregated from a stored base (the same `aggregateCandles` `/api/candles` uses) and is exact against the venue's
 * own candles of that timeframe — Binance BTC/USDT 1h from 5m and 4h from 1h, freqtrade files 2022-01..04 — and a
 * backtest on it records in its provenance that it was derived.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Candle } from '../../shared/candles/candle';
import { loadCandles } from '../../shared/db/queries/candles';
import type { Database } from '../../shared/db/database';
import { describeWithData, SHARED_DATA_DIR } from '../../shared/testing/data';
import { BacktestRequest, createBacktestRun, executeBacktestRun, reproduceRun } from '../../shared/app/run-backtest';
import { loadWindow } from '../../shared/app/window';
import { getRunRow } from '../../shared/db/queries/research';
import { openResearchDb, type ResearchDb } from './db';
import { importFreqtradeFile } from './importers';

const FT = join(SHARED_DATA_DIR, 'freqtrade-binance-spot', 'SauloHenriqueAguiar-freqtrades');
const NOW = Date.UTC(2022, 5, 1);
let h: ResearchDb;
let db: Database;
let embedded: { close(): Promise<void> } | null = null;

/** The open times where `a` and `b` differ in a field (volume: beyond 1e-9 relative; OHLC: exactly). */
function differences(a: readonly Candle[], b: readonly Candle[]): { ohlc: number[]; volume: number[] } {
  const byTime = new Map(b.map((c) => [c.openTime, c]));
  const ohlc: number[] = [];
  const volume: number[] = [];
  for (const c of a) {
    const o = byTime.get(c.openTime)!;
    if (c.open !== o.open || c.high !== o.high || c.low !== o.low || c.close !== o.close) ohlc.push(c.openTime);
    if (Math.abs(c.volume - o.volume) > 1e-9 * Math.max(1, o.volume)) volume.push(c.openTime);
  }
  return { ohlc, volume };
}

describeWithData('research on a timeframe derived from a stored base (real Binance candles)', () => {
  beforeAll(async () => {
    const { openScratchDatabase } = await import('../db/local-db');
    const url = await openScratchDatabase('derived').then((e) => ((embedded = e), e.url));
    h = await openResearchDb({ url, log: () => {} });
    db = h.db;
    // Venue `binance`: only 5m and 1h stored, as the cron and the archive store them. Venue `own`: the venue's own 1h and 4h.
    await importFreqtradeFile(db, join(FT, 'BTC_USDT-5m.json'), { venue: 'binance', symbol: 'BTC/USDT', timeframe: '5m' }, { now: NOW });
    await importFreqtradeFile(db, join(FT, 'BTC_USDT-1h.json'), { venue: 'own', symbol: 'BTC/USDT', timeframe: '1h' }, { now: NOW });
    await importFreqtradeFile(db, join(FT, 'BTC_USDT-4h.json'), { venue: 'own', symbol: 'BTC/USDT', timeframe: '4h' }, { now: NOW });
    await importFreqtradeFile(db, join(FT, 'BTC_USDT-1h.json'), { venue: 'hourly', symbol: 'BTC/USDT', timeframe: '1h' }, { now: NOW });
  }, 180_000);

  afterAll(async () => {
    await h?.close();
    await embedded?.close();
  });

  const from = Date.UTC(2022, 0, 10);
  const to = Date.UTC(2022, 3, 16);

  it('1h derived from stored 5m equals the venue\'s own 1h candles (2,304 hours: OHLC exact, volume to 1e-9)', async () => {
    const win = await loadWindow(db, { venue: 'binance', symbol: 'BTC/USDT', timeframe: '1h' }, from, to, 50);
    expect(win.derivedFrom).toBe('5m');
    expect(win.warmup).toBe(50);
    expect(win.windowCount).toBe((to - from) / 3_600_000);
    expect(win.dataSource).toMatch(/^binance:BTC\/USDT:1h \(aggregated from 5m, complete buckets\) ← freqtrade:SauloHenriqueAguiar-freqtrades\/BTC_USDT-5m\.json/);
    const own = await loadCandles(db, { venue: 'own', symbol: 'BTC/USDT', timeframe: '1h' }, win.candles[0]!.openTime, to);
    expect(own.length).toBe(win.candles.length);
    expect(differences(win.candles, own)).toEqual({ ohlc: [], volume: [] });
  });

  it('4h derived from stored 1h equals the venue\'s own 4h candles but for the one source inconsistency', async () => {
    const win = await loadWindow(db, { venue: 'hourly', symbol: 'BTC/USDT', timeframe: '4h' }, from, to, 30);
    expect(win.derivedFrom).toBe('1h');
    const own = await loadCandles(db, { venue: 'own', symbol: 'BTC/USDT', timeframe: '4h' }, win.candles[0]!.openTime, to);
    expect(own.length).toBe(win.candles.length);
    // shared/candles/README.md: the stored 4h 2022-04-13T04:00Z volume differs from the sum of its own 1h candles.
    expect(differences(win.candles, own)).toEqual({ ohlc: [], volume: [Date.UTC(2022, 3, 13, 4)] });
    // A stored timeframe is read as stored: no derivation, no note.
    const stored = await loadWindow(db, { venue: 'own', symbol: 'BTC/USDT', timeframe: '4h' }, from, to, 30);
    expect(stored.derivedFrom).toBeUndefined();
    expect(stored.dataSource).toMatch(/^own:BTC\/USDT:4h ← freqtrade:/);
  });

  it('a backtest on the derived 4h series records the derivation in its provenance, and reproduces', async () => {
    const req = BacktestRequest.parse({ strategy: 'platform4h-macd-rsi', venue: 'hourly', symbol: 'BTC/USDT', timeframe: '4h', from, to });
    const run = await createBacktestRun(db, req, { codeVersion: 'test' });
    const out = await executeBacktestRun(db, run.id, { codeVersion: 'test', now: Date.now });
    expect(out.status).toBe('done');
    const row = (await getRunRow(db, run.id))!;
    const prov = (row.result as { provenance: { derivedFrom?: string; dataSource: string; dataHash: string } }).provenance;
    expect(prov.derivedFrom).toBe('1h');
    expect(prov.dataSource).toContain('(aggregated from 1h, complete buckets)');
    const again = await reproduceRun(db, run.id);
    expect(again).toMatchObject({ same: true, sameData: true, dataHash: prov.dataHash });
  });
});
