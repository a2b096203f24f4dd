/**
 * The CLI's portfolio backtest against stored candles: the real freqtrade BTC/USDT and ETH/USDT 4h files imported
 * into a scratch database, a 2021 window loaded with its warm-up, and the result equal (byte for byte) to
 * runPortfolio on the same candles in memory; the per-symbol table printed; the run stored like any other (row,
 * provenance of every series, per-symbol contribution, trades with their symbols, equity) and reproducible from
 * the database; a run on a series without candles ends failed with the reason; argument parsing refuses bad input.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateLog } from './log';
import { sliceSeries } from '../../shared/candles/candle';
import { lowerBound } from '../../shared/backtest/version';
import type { Database } from '../../shared/db/database';
import { runPortfolio } from '../../shared/portfolio';
import { getStrategy } from '../../shared/strategies/registry';
import { btc4hSeries, eth4hSeries } from '../../shared/strategies/strategy.test-util';
import type { Params, Strategy } from '../../shared/strategies/types';
import { dataPath, describeWithData } from '../../shared/testing/data';
import { openResearchDb, type ResearchDb } from './db';
import { importFreqtradeFile } from './importers';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../shared/db/database';
import { getRunRow } from '../../shared/db/queries/research';
import { createPortfolioRun, executePortfolioRun, PORTFOLIO_MODE, PortfolioBacktestRequest, reproducePortfolioRun, runPortfolioWindow } from '../../workers/jobs/backtest-portfolio';
import { formatPortfolio, parseSizing, parseSymbols, PortfolioCliError } from './portfolio';

it('parses --symbols and --sizing, refusing bad input with the reason', () => {
  expect(parseSymbols('BTC/USDT, ETH/USDT')).toEqual(['BTC/USDT', 'ETH/USDT']);
  expect(() => parseSymbols('BTC/USDT,BTC/USDT')).toThrow(/duplicate/);
  expect(() => parseSymbols('BTCUSDT')).toThrow(/BASE\/QUOTE/);
  expect(() => parseSymbols(' , ')).toThrow(PortfolioCliError);
  expect(parseSizing(undefined)).toEqual({ kind: 'equal-weight' });
  expect(parseSizing('fraction:0.25')).toEqual({ kind: 'fixed-fraction', fraction: 0.25 });
  expect(() => parseSizing('fraction:1.5')).toThrow(/0 < F <= 1/);
});

describeWithData('CLI portfolio backtest on stored BTC/USDT + ETH/USDT 4h candles', () => {
  let h: ResearchDb;
  let db: Database;
  let embedded: { close(): Promise<void> } | null = null;
  const dir = ['freqtrade-binance-spot', 'djienne-3EMA_SRSI_ATR'] as const;

  beforeAll(async () => {
    const { openScratchDatabase } = await import('../db/local-db');
    const url = await openScratchDatabase('portfolio').then((e) => ((embedded = e), e.url));
    h = await openResearchDb({ url, log: () => {} });
    db = h.db;
    await importFreqtradeFile(db, dataPath(...dir, 'BTC_USDT-4h.json'), { venue: 'binance', symbol: 'BTC/USDT', timeframe: '4h' });
    await importFreqtradeFile(db, dataPath(...dir, 'ETH_USDT-4h.json'), { venue: 'binance', symbol: 'ETH/USDT', timeframe: '4h' });
  }, 180_000);

  afterAll(async () => {
    await h?.close();
    await embedded?.close();
  });

  it('runs max 3 positions over 2021 and equals the in-memory portfolio on the same candles', async () => {
    const from = Date.UTC(2021, 0, 1);
    const to = Date.UTC(2022, 0, 1);
    const { result, windows } = await runPortfolioWindow(db, { strategy: 'platform4h-macd-rsi', symbols: ['BTC/USDT', 'ETH/USDT'], timeframe: '4h', from, to, maxPositions: 3 });
    expect(windows.map((w) => w.windowCount)).toEqual([2190, 2190]);
    const strat = getStrategy('platform4h-macd-rsi') as Strategy<Params>;
    const same = [btc4hSeries(), eth4hSeries()].map((s, k: number) => sliceSeries(s, lowerBound(s.openTime, from) - windows[k]!.warmup, lowerBound(s.openTime, to)));
    const direct = runPortfolio(same, { kind: 'single', strategy: strat }, strat.defaults as Params, { from, to, maxPositions: 3, atrPeriod: 14 });
    expect(JSON.stringify(result)).toBe(JSON.stringify(direct));
    expect(result.trades.length).toBeGreaterThan(0);
    const text = formatPortfolio(result, ['binance-taker', 'stress-31']);
    expect(text).toMatch(/per-symbol contribution/);
    expect(text).toMatch(/^BTC\/USDT\s+\d+/m);
    expect(text).toMatch(/^ETH\/USDT\s+\d+/m);
  }, 60_000);

  it('runs the ranking strategy and names a symbol with no stored candles', async () => {
    const w = { timeframe: '4h' as const, from: Date.UTC(2021, 0, 1), to: Date.UTC(2022, 0, 1) };
    const { result } = await runPortfolioWindow(db, { strategy: 'platform4h-momentum-rank', symbols: ['BTC/USDT', 'ETH/USDT'], ...w, maxPositions: 3 });
    expect(result.selection).toBe('ranking');
    expect(result.trades.length).toBeGreaterThan(0);
    await expect(runPortfolioWindow(db, { strategy: 'platform4h-macd-rsi', symbols: ['BTC/USDT', 'SOL/USDT'], ...w })).rejects.toThrow(/no candles for binance:SOL\/USDT:4h/);
  }, 60_000);
  it('stores the run like any other: provenance per series, sizing, max positions, contribution, trades, equity; reproducible', async () => {
    const req = PortfolioBacktestRequest.parse({ strategy: 'platform4h-macd-rsi', venue: 'binance', symbols: ['BTC/USDT', 'ETH/USDT'], timeframe: '4h', from: '2021-01-01', to: '2022-01-01', maxPositions: 3 });
    const created = await createPortfolioRun(db, req, { codeVersion: 'test' });
    expect(created.status).toBe('queued');
    expect(created.mode).toBe(PORTFOLIO_MODE);
    expect(created.symbol).toBe('BTC/USDT,ETH/USDT');
    const out = await executePortfolioRun(db, created.id, { codeVersion: 'test', now: Date.now });
    expect(out.status, out.status === 'failed' ? out.error : '').toBe('done');
    const run = (await getRunRow(db, created.id))!;
    expect(run.status).toBe('done');
    expect(run.candleCount).toBe(2 * 2190);
    expect(run.dataHash).toMatch(/^[0-9a-f]{64}$/);
    expect(run.dataSource).toContain('binance:BTC/USDT:4h');
    expect(run.dataSource).toContain('binance:ETH/USDT:4h');
    expect(['keep', 'watch', 'reject']).toContain(run.verdict);
    const direct = await runPortfolioWindow(db, { strategy: 'platform4h-macd-rsi', symbols: ['BTC/USDT', 'ETH/USDT'], timeframe: '4h', from: req.from, to: req.to, maxPositions: 3 });
    expect(run.resultHash).toBe(direct.result.resultHash);
    const r = run.result as {
      mode: string;
      trades?: unknown;
      tradeCount: number;
      tradeSymbols: string[];
      contributions: { symbol: string; trades: number; grossPnl: number }[];
      provenance: { series: { symbol: string; candleCount: number; dataHash: string; warmupCandles: number }[]; sizing: { kind: string }; maxPositions: number; costModels: string[]; codeVersion: string };
      venues: { key: string }[];
      lookahead: unknown[];
    };
    expect(r.mode).toBe('portfolio');
    expect(r.trades).toBeUndefined();
    expect(r.provenance.series.map((x) => [x.symbol, x.candleCount])).toEqual([
      ['BTC/USDT', 2190],
      ['ETH/USDT', 2190],
    ]);
    expect(r.provenance.series.map((x) => x.dataHash)).toEqual(direct.windows.map((w) => w.dataHash));
    expect(r.provenance.series.every((x) => x.warmupCandles > 0)).toBe(true);
    expect(r.provenance.sizing).toEqual({ kind: 'equal-weight' });
    expect(r.provenance.maxPositions).toBe(3);
    expect(r.provenance.costModels).toContain('stress-31');
    expect(r.provenance.codeVersion).toBe('test');
    expect(r.contributions.map((c) => c.symbol)).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(r.contributions.reduce((s, c) => s + c.trades, 0)).toBe(r.tradeCount);
    expect(r.tradeSymbols).toEqual(direct.result.trades.map((t) => t.symbol));
    expect(r.venues.map((v) => v.key)).toContain('binance-taker');
    expect(r.lookahead).toHaveLength(2);
    const stored = rowsOf<{ n: number; eq: number }>(
      await db.execute(sql`SELECT (SELECT count(*)::int FROM backtest_trades WHERE run_id = ${run.id}) AS n, (SELECT count(*)::int FROM backtest_equity WHERE run_id = ${run.id}) AS eq`),
    )[0]!;
    expect(stored.n).toBe(r.tradeCount);
    expect(stored.eq).toBeGreaterThan(10);
    const again = await reproducePortfolioRun(db, run.id);
    expect(again).toMatchObject({ same: true, sameData: true });
    // The research log lists it as its own experiment group, with its data and result hashes.
    const dir = mkdtempSync(join(tmpdir(), 'portfolio-log-'));
    try {
      const g = await generateLog(db, dir);
      const file = g.written.find((f) => f.includes('platform4h-macd-rsi--binance--btc-usdt-eth-usdt--4h--shared-capital'));
      expect(file, g.written.join(', ')).toBeDefined();
      const text = readFileSync(join(dir, file!.split('/').pop()!), 'utf8');
      expect(text).toContain('BTC/USDT,ETH/USDT');
      expect(text).toContain(run.resultHash!);
      expect(text).toContain(run.dataHash!);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('a run on a symbol without stored candles ends failed with the reason; bad requests are refused with the reason', async () => {
    const req = PortfolioBacktestRequest.parse({ strategy: 'dsta-sma-crossover', venue: 'binance', symbols: ['BTC/USDT', 'SOL/USDT'], timeframe: '4h', from: '2021-01-01', to: '2021-06-01' });
    const created = await createPortfolioRun(db, req, { codeVersion: 'test' });
    const out = await executePortfolioRun(db, created.id, { codeVersion: 'test', now: Date.now });
    expect(out.status).toBe('failed');
    const row = (await getRunRow(db, created.id))!;
    expect(row.status).toBe('failed');
    expect(row.error).toMatch(/no candles for binance:SOL\/USDT:4h/);
    const base = { strategy: 'dsta-sma-crossover', venue: 'binance', timeframe: '4h', from: '2021-01-01', to: '2021-06-01' };
    expect(() => PortfolioBacktestRequest.parse({ ...base, symbols: ['BTC/USDT', 'BTC/USDT'] })).toThrow(/duplicate/);
    expect(() => PortfolioBacktestRequest.parse({ ...base, symbols: [] })).toThrow();
    expect(() => PortfolioBacktestRequest.parse({ ...base, symbols: ['BTC/USDT'], maxPositions: 0 })).toThrow();
    expect(() => PortfolioBacktestRequest.parse({ ...base, symbols: ['BTC/USDT'], sizing: { kind: 'fixed-fraction', fraction: 2 } })).toThrow();
  }, 60_000);
});
