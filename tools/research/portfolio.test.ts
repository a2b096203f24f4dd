/**
 * The CLI's portfolio backtest against stored candles: the real freqtrade BTC/USDT and ETH/USDT 4h files imported
 * into a scratch database, a 2021 window loaded with its warm-up, and the result equal (byte for byte) to
 * runPortfolio on the same candles in memory; the per-symbol table printed; argument parsing refuses bad input.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
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
import { formatPortfolio, parseSizing, parseSymbols, PortfolioCliError, runPortfolioWindow } from './portfolio';

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
    const same = [btc4hSeries(), eth4hSeries()].map((s, k) => sliceSeries(s, lowerBound(s.openTime, from) - windows[k]!.warmup, lowerBound(s.openTime, to)));
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
    await expect(runPortfolioWindow(db, { strategy: 'platform4h-macd-rsi', symbols: ['BTC/USDT', 'SOL/USDT'], ...w })).rejects.toThrow(/SOL\/USDT.*no candles/);
  }, 60_000);
});
