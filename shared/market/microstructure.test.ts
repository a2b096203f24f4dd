/**
 * The quote-stream parsers on small hand-written inputs (ns vs µs local stamps, the CSV header, a level-2 replay
 * whose best level is deleted), then on the real recordings in ../shared/data/market-microstructure, checked
 * against PROVENANCE.md §6 (bookTicker line counts, spot tick 0.01 and futures tick 0.1 as the median spread,
 * the 61.84 USD sweep, the futures CSV spread range 0.1–5.1, the Coinbase replay's start 40464.01/40464.02 and
 * end 40459.59/40465.32, never crossed). Prints the half-spread median and p90 per venue/symbol/day.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { dataPath, describeWithData } from '../testing/data';
import { localStampToMs, parseBinanceBookTickerCsv, parseHftbacktestBookTickers, replayCoinbaseLevel2, type ParsedQuotes } from './microstructure';
import { spreadDistribution, type QuoteSeries, type SpreadStats } from './spread-distribution';

describe('parsers on hand-written input', () => {
  it('hftbacktest: ns and µs local stamps; only bookTicker lines; a crossed quote rejected', () => {
    expect(localStampToMs('1723161254087891268')).toBe(1723161254087.891);
    expect(localStampToMs('1680652800004231')).toBe(1680652800004.231);
    const text = [
      '1723161254087891268 {"stream":"btcusdt@bookTicker","data":{"u":1,"s":"BTCUSDT","b":"100.00","B":"1","a":"100.01","A":"1"}}',
      '1723161254087896568 {"stream":"btcusdt@trade","data":{"e":"trade","p":"100.00"}}',
      '1723161254187891268 {"stream":"btcusdt@bookTicker","data":{"u":2,"s":"BTCUSDT","b":"100.02","B":"1","a":"100.01","A":"1"}}',
      '',
    ].join('\n');
    const p = parseHftbacktestBookTickers(text);
    expect([p.lines, p.series.time.length, p.rejected]).toEqual([3, 1, 1]);
    expect(p.firstRejection).toMatch(/line 3: bid 100.02 \/ ask 100.01/);
    expect([p.series.bid[0], p.series.ask[0]]).toEqual([100, 100.01]);
  });

  it('bookTicker CSV: timed by transaction_time; a wrong header is refused', () => {
    const csv = 'update_id,best_bid_price,best_bid_qty,best_ask_price,best_ask_qty,transaction_time,event_time\n1,10.0,1,10.1,1,1000,1005\n2,10.0,1,10.2,1,1500,1502\n';
    const p = parseBinanceBookTickerCsv(csv);
    expect([...p.series.time, ...p.series.ask]).toEqual([1000, 1500, 10.1, 10.2]);
    expect(() => parseBinanceBookTickerCsv('a,b\n1,2')).toThrow(/not a Binance bookTicker CSV/);
  });

  it('coinbase level 2: snapshot then changes; deleting the best ask rescans for the next one', () => {
    const lines = [
      { type: 'subscriptions' },
      { type: 'snapshot', time: '2024-01-22T17:07:47.835Z', bids: [['99', '1'], ['98', '2']], asks: [['101', '1'], ['102', '1']] },
      { type: 'l2update', time: '2024-01-22T17:07:48.000Z', changes: [['sell', '101', '0']] },
      { type: 'l2update', time: '2024-01-22T17:07:49.000Z', changes: [['buy', '99.5', '3'], ['sell', '100.5', '1']] },
    ];
    const p = replayCoinbaseLevel2(lines.map((l) => JSON.stringify(l)).join('\n'));
    expect([...p.series.bid]).toEqual([99, 99, 99.5]);
    expect([...p.series.ask]).toEqual([101, 102, 100.5]);
    expect(p.series.time[0]).toBe(Date.parse('2024-01-22T17:07:47.835Z'));
  });
});

const MM = 'market-microstructure';
const table: string[] = [];
const fmt = (x: number) => x.toPrecision(3);

function record(label: string, s: QuoteSeries): { time: SpreadStats; event: SpreadStats } {
  const time = spreadDistribution(s);
  const event = spreadDistribution(s, { weighting: 'event' });
  if (!time.ok || !event.ok) throw new Error(`${label}: insufficient data`);
  table.push(
    `${label.padEnd(38)} n ${String(event.n).padStart(6)}  ${(time.spanMs / 1000).toFixed(0).padStart(4)} s  ` +
      `half-spread bps time-weighted median ${fmt(time.median)} p90 ${fmt(time.p90)} | per update median ${fmt(event.median)} p90 ${fmt(event.p90)} | max ${fmt(time.max)}`,
  );
  return { time, event };
}

function medianSpread(s: QuoteSeries): number {
  const d = Array.from(s.ask, (a, i) => Math.round((a - s.bid[i]!) * 100) / 100).sort((x, y) => x - y);
  return d[d.length >> 1]!;
}

describeWithData('half-spread distribution of the real recordings', () => {
  afterAll(() => {
    if (table.length > 0) console.info(`\nHalf-spread (bps of mid) per venue / symbol / day:\n${table.join('\n')}\n`);
  });

  const hft: Array<[string, string, number, number]> = [
    // file, label, bookTicker lines (PROVENANCE §6a), tick
    ['spot/btcusdt_20240808.gz', 'binance spot BTCUSDT 2024-08-08', 28040, 0.01],
    ['spot/btcusdt_20240809.gz', 'binance spot BTCUSDT 2024-08-09', 45134, 0.01],
    ['spot/ethusdt_20240808.gz', 'binance spot ETHUSDT 2024-08-08', 24077, 0.01],
    ['spot/ethusdt_20240809.gz', 'binance spot ETHUSDT 2024-08-09', 34681, 0.01],
    ['spot/btcusdt_20230405.dat.gz', 'binance spot BTCUSDT 2023-04-05', 8015, 0.01],
    ['usdm/btcusdt_20240808.gz', 'binance usdm BTCUSDT 2024-08-08', 66089, 0.1],
    ['usdm/btcusdt_20230404.dat.gz', 'binance usdm BTCUSDT 2023-04-04', 6765, 0.1],
    ['usdm/btcusdt_20230405.dat.gz', 'binance usdm BTCUSDT 2023-04-05', 37440, 0.1],
  ];
  it.each(hft)('%s: every bookTicker line parses, none crossed; the median spread is one tick', (f, label, count, tick) => {
    const p: ParsedQuotes = parseHftbacktestBookTickers(gunzipSync(readFileSync(dataPath(MM, 'hftbacktest-binance-ws', f))).toString('utf8'));
    expect(p.series.time.length).toBe(count);
    expect(p.rejected).toBe(0);
    expect(medianSpread(p.series)).toBe(tick);
    const { time, event } = record(label, p.series);
    // one tick at the price level: tick / (2 · mid) · 1e4, mid read off the series
    const mid = (p.series.bid[p.series.bid.length >> 1]! + p.series.ask[p.series.ask.length >> 1]!) / 2;
    expect(time.median).toBeCloseTo((tick / 2 / mid) * 1e4, 3);
    expect(event.p90).toBeGreaterThanOrEqual(event.median);
    if (f === 'spot/btcusdt_20240808.gz') {
      let max = 0;
      for (let i = 0; i < p.series.bid.length; i++) max = Math.max(max, p.series.ask[i]! - p.series.bid[i]!);
      expect(Math.round(max * 100) / 100).toBe(61.84); // the 23:58:34 sweep
    }
  });

  it('binance usdm bookTicker CSV 2023-10-02 (28 s): 9999 rows, spread 0.1..5.1, never crossed', () => {
    const p = parseBinanceBookTickerCsv(readFileSync(dataPath(MM, 'binance-futures-um-bookTicker', 'BTCUSDT-bookTicker-2023-10-02-short.csv'), 'utf8'));
    expect([p.series.time.length, p.rejected]).toEqual([9999, 0]);
    const d = Array.from(p.series.ask, (a, i) => Math.round((a - p.series.bid[i]!) * 10) / 10);
    expect([Math.min(...d), Math.max(...d)]).toEqual([0.1, 5.1]);
    record('binance usdm BTCUSDT 2023-10-02 (csv)', p.series);
  });

  it('coinbase exchange BTC-USD level 2, 2024-01-22: the replay never crosses and starts/ends where PROVENANCE says', () => {
    const p = replayCoinbaseLevel2(readFileSync(dataPath(MM, 'coinbase-exchange-ws-level2', 'BTC-USD-level2-2024-01-22-messages.txt'), 'utf8'));
    const n = p.series.time.length;
    expect([p.lines, n, p.rejected]).toEqual([123, 122, 0]);
    expect([p.series.bid[0], p.series.ask[0], p.series.bid[n - 1], p.series.ask[n - 1]]).toEqual([40464.01, 40464.02, 40459.59, 40465.32]);
    record('coinbase BTC-USD 2024-01-22 (level 2)', p.series);
  });
});
