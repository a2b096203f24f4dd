/**
 * The Binance diff-depth replay: the documented local-book rule on hand-written events (buffered events
 * before the snapshot, the drop of events already in it, the straddling first event, the continuity check for
 * spot `U = prev u + 1` and USD-M `pu = prev u`, size 0 deleting a level), the bookTicker cross-check, and on
 * the real hftbacktest recordings: gap-free (PROVENANCE.md §6a), every bookTicker with a matching update id
 * equal to the replayed best bid/ask, and the walk-the-book cost distribution per file (printed).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { dataPath, describeWithData } from '../testing/data';
import { bookSnapshot, type BookSnapshot } from './book-metrics';
import { replayBinanceDepth } from './depth-replay';
import type { OrderBook } from './order-book';
import { quantileSorted } from '../research/stats';

const T = '1723161254000000000';
const depth = (E: number, U: number, u: number, b: [string, string][], a: [string, string][], pu?: number) =>
  `${T} ${JSON.stringify({ stream: 'btcusdt@depth@100ms', data: { e: 'depthUpdate', E, s: 'BTCUSDT', U, u, ...(pu !== undefined && { pu }), b, a } })}`;
const ticker = (u: number, b: string, a: string) => `${T} ${JSON.stringify({ stream: 'btcusdt@bookTicker', data: { u, s: 'BTCUSDT', b, B: '1', a, A: '1' } })}`;
const snap = (id: number) => `${T} ${JSON.stringify({ lastUpdateId: id, bids: [['100', '1'], ['99', '1']], asks: [['101', '1'], ['102', '1']] })}`;

describe('replayBinanceDepth (hand-written events)', () => {
  it('buffers, drops what the snapshot holds, applies the straddling event and the rest; tickers cross-checked', () => {
    const books: OrderBook[] = [];
    const text = [
      depth(1000, 5, 8, [['100', '5']], []), // u 8 ≤ snapshot 10: dropped
      depth(1100, 9, 12, [['100.5', '2']], []), // straddles 11: applied
      snap(10),
      ticker(12, '100.5', '101'),
      depth(2200, 13, 15, [], [['101', '0']]), // best ask 101 removed → 102
      ticker(15, '100.5', '102'),
      ticker(14, '1', '2'), // no depth event ends at 14: not compared
      '',
    ].join('\n');
    const st = replayBinanceDepth(text, { market: 'spot', symbol: 'BTC/USDT', bandBps: 1000, onSample: (b) => books.push(b) });
    expect(st).toMatchObject({ depthEvents: 3, dropped: 1, applied: 2, bufferedApplied: 1, snapshotId: 10, samples: 2, tickerCompared: 2, tickerEqual: 2 });
    expect(st.gap).toBeUndefined();
    expect([...books[0]!.bids.prices]).toEqual([100.5, 100, 99]);
    expect([...books[1]!.asks.prices]).toEqual([102]);
    expect(books.map((b) => b.time)).toEqual([1100, 2200]);
    // the default 100 bps band around mid 100.75 leaves out the 99 bid (148 bps away)
    const banded: OrderBook[] = [];
    replayBinanceDepth(text, { market: 'spot', symbol: 'BTC/USDT', onSample: (b) => banded.push(b) });
    expect([...banded[0]!.bids.prices]).toEqual([100.5, 100]);
  });

  it('a sequence break stops the replay with the reason; a ticker disagreeing with the book is reported', () => {
    const st = replayBinanceDepth([snap(10), depth(1000, 11, 12, [], []), depth(1100, 14, 15, [], []), ''].join('\n'), { market: 'spot', symbol: 'BTC/USDT' });
    expect(st.gap).toBe('event U 14 / pu undefined does not follow u 12');
    expect(st.applied).toBe(1);
    const first = replayBinanceDepth([snap(10), depth(1000, 13, 14, [], [])].join('\n'), { market: 'spot', symbol: 'BTC/USDT' });
    expect(first.gap).toMatch(/does not straddle the snapshot 10/);
    const bad = replayBinanceDepth([snap(10), depth(1000, 11, 12, [], []), ticker(12, '100', '101.5')].join('\n'), { market: 'spot', symbol: 'BTC/USDT' });
    expect([bad.tickerCompared, bad.tickerEqual, bad.firstTickerMismatch]).toEqual([1, 0, 'u 12: ticker 100/101.5, book 100/101']);
  });

  it('USD-M: first event U ≤ L ≤ u, then pu = previous u', () => {
    const st = replayBinanceDepth([snap(10), depth(1000, 9, 12, [], [], 8), depth(1100, 13, 20, [], [], 12), depth(1200, 21, 22, [], [], 19)].join('\n'), {
      market: 'usdm',
      symbol: 'BTC/USDT',
    });
    expect(st.applied).toBe(2);
    expect(st.gap).toBe('event U 21 / pu 19 does not follow u 20');
  });

  it('a crossed replayed book is counted, not sampled', () => {
    const st = replayBinanceDepth([snap(10), depth(1000, 11, 12, [['101.5', '1']], [])].join('\n'), { market: 'spot', symbol: 'BTC/USDT', onSample: () => undefined });
    expect([st.samples, st.crossedSamples]).toEqual([0, 1]);
  });
});

const rows: string[] = [];
const q = (xs: number[], p: number) => quantileSorted(Float64Array.from(xs).sort(), p);
const f3 = (x: number) => (Number.isFinite(x) ? x.toPrecision(3) : 'n/a');

describeWithData('replay of the real Binance depth recordings', () => {
  afterAll(() => {
    if (rows.length > 0) console.info(`\nReplayed books, 1 sample per second — median / p90 (bps vs mid; depth in quote notional):\n${rows.join('\n')}\n`);
  });
  const files: Array<[string, 'spot' | 'usdm', string]> = [
    ['spot/btcusdt_20240808.gz', 'spot', 'BTC/USDT'],
    ['spot/ethusdt_20240808.gz', 'spot', 'ETH/USDT'],
    ['usdm/btcusdt_20240808.gz', 'usdm', 'BTC/USDT'],
    ['usdm/btcusdt_20230404.dat.gz', 'usdm', 'BTC/USDT'],
  ];
  it.each(files)('%s: gap-free, every matching bookTicker agrees, costs grow with size', (f, market, symbol) => {
    const snaps: BookSnapshot[] = [];
    const st = replayBinanceDepth(gunzipSync(readFileSync(dataPath('market-microstructure', 'hftbacktest-binance-ws', f))).toString('utf8'), {
      market,
      symbol,
      onSample: (b) => snaps.push(bookSnapshot(b, { notionals: [10_000, 100_000, 1_000_000] })),
    });
    expect(st.gap).toBeUndefined();
    expect(st.applied + st.dropped).toBe(st.depthEvents);
    expect(st.tickerCompared).toBeGreaterThan(300);
    expect(st.tickerEqual).toBe(st.tickerCompared);
    expect(st.crossedSamples).toBe(0);
    expect(snaps.length).toBeGreaterThan(90);
    const cost = (i: number, side: 'buyBps' | 'sellBps') => snaps.map((s) => s.fills[i]![side]).filter((x): x is number => x !== null);
    const buy10k = cost(0, 'buyBps');
    const buy1m = cost(2, 'buyBps');
    expect(q(buy1m, 0.5)).toBeGreaterThan(q(buy10k, 0.5));
    const hs = snaps.map((s) => s.halfSpreadBps);
    const d10 = snaps.map((s) => Math.min(s.depth[1]!.bid, s.depth[1]!.ask));
    const fmt = (xs: number[]) => `${f3(q(xs, 0.5))} / ${f3(q(xs, 0.9))}`;
    rows.push(
      `${`binance ${market} ${symbol} ${f.split('_')[1]!.slice(0, 8)}`.padEnd(32)} ${String(snaps.length).padStart(3)} books  half-spread ${fmt(hs)}  ` +
        `buy 10k ${fmt(buy10k)}  sell 10k ${fmt(cost(0, 'sellBps'))}  buy 100k ${fmt(cost(1, 'buyBps'))}  sell 100k ${fmt(cost(1, 'sellBps'))}  ` +
        `buy 1M ${fmt(buy1m)}  sell 1M ${fmt(cost(2, 'sellBps'))}  depth±10bps (min side) ${fmt(d10)}`,
    );
  });
});
