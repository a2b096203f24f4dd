/**
 * The candle estimators against the quoted spread on real crypto minutes: QuantConnect Lean 1m TRADE bars and 1m
 * QUOTE (bid/ask) bars of the same days (../shared/data/market-microstructure/lean-crypto, PROVENANCE.md §6f) for
 * Coinbase BTC-USD and ETH-USD (2017–2018) and Bybit BTCUSDT (2022-12-13). Per day: EDGE, Corwin–Schultz and
 * Abdi–Ranaldo from the trade bars vs the mean and the root-mean-square relative quoted spread (close quote of
 * each minute). EDGE estimates the root mean square spread (Ardia, Guidotti & Kroencke 2024, §2), so RMS is its
 * like-for-like target. The table printed here is the one in shared/costs/README.md.
 *
 * The data's real defects, handled: the zips carry a ZIP64 size placeholder (unpacked directly); quote files miss
 * the last minute, Bybit quotes stop at 12:00 and Coinbase 2018-04-04 trades stop at 16:47 with a missing minute —
 * so trades and quotes are joined on the minute and only common minutes are compared; Coinbase quote "bars" are one
 * bid/ask sample per minute (O = H = L = C), so the close quote is the sample used; crossed or locked quotes
 * (ask ≤ bid) would be dropped and counted (there are none).
 */
import { readFileSync } from 'node:fs';
import { strFromU8, unzipSync } from 'fflate';
import { expect, it } from 'vitest';
import { dataPath, describeWithData } from '../../testing/data';
import { abdiRanaldoSpread } from './abdi-ranaldo';
import { corwinSchultzSpread } from './corwin-schultz';
import { edgeSpread } from './edge';
import type { SpreadResult } from './types';

interface LeanTradeBar {
  /** ms since UTC midnight of the file's day. */
  ms: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

interface LeanQuoteBar {
  ms: number;
  bidOpen: number;
  bidHigh: number;
  bidLow: number;
  bidClose: number;
  askOpen: number;
  askHigh: number;
  askLow: number;
  askClose: number;
}

function leanRows(path: string[]): number[][] {
  const bytes = new Uint8Array(readFileSync(dataPath('market-microstructure', 'lean-crypto', ...path)));
  // Lean's zips declare a ZIP64 size placeholder (0xFFFFFFFF), which the archive reader's size cap refuses; these
  // test files are small and trusted, so they are unpacked directly.
  const files = Object.values(unzipSync(bytes));
  if (files.length !== 1) throw new Error(`${path.join('/')}: expected one file in the zip, got ${files.length}`);
  return strFromU8(files[0]!)
    .trim()
    .split(/\r?\n/)
    .map((l) => l.split(',').map(Number));
}

/** Lean minute trade bars: `time,o,h,l,c,volume`. */
function readLeanTrades(...path: string[]): LeanTradeBar[] {
  return leanRows(path).map(([ms, open, high, low, close, volume]) => ({ ms: ms!, open: open!, high: high!, low: low!, close: close!, volume: volume! }));
}

/** Lean minute quote bars: `time,bidO,bidH,bidL,bidC,lastBidSize,askO,askH,askL,askC,lastAskSize`. */
function readLeanQuotes(...path: string[]): LeanQuoteBar[] {
  return leanRows(path).map((r) => ({
    ms: r[0]!,
    bidOpen: r[1]!,
    bidHigh: r[2]!,
    bidLow: r[3]!,
    bidClose: r[4]!,
    askOpen: r[6]!,
    askHigh: r[7]!,
    askLow: r[8]!,
    askClose: r[9]!,
  }));
}

interface DayRow {
  series: string;
  day: string;
  minutes: number;
  crossed: number;
  quotedMean: number;
  quotedRms: number;
  edge: SpreadResult;
  cs: SpreadResult;
  ar: SpreadResult;
}

const DAYS: [venue: string, symbol: string, day: string][] = [
  ['coinbase', 'btcusd', '20170903'],
  ['coinbase', 'btcusd', '20170904'],
  ['coinbase', 'btcusd', '20171217'],
  ['coinbase', 'btcusd', '20180404'],
  ['coinbase', 'btcusd', '20180405'],
  ['coinbase', 'ethusd', '20180404'],
  ['coinbase', 'ethusd', '20180405'],
  ['bybit', 'btcusdt', '20221213'],
];

function compareDay(venue: string, symbol: string, day: string): DayRow {
  const trades = readLeanTrades(venue, 'minute', symbol, `${day}_trade.zip`);
  const quotes = readLeanQuotes(venue, 'minute', symbol, `${day}_quote.zip`);
  const byMinute = new Map(quotes.map((q) => [q.ms, q]));
  const t: LeanTradeBar[] = [];
  const rel: number[] = [];
  let crossed = 0;
  for (const bar of trades) {
    const q = byMinute.get(bar.ms);
    if (!q) continue;
    if (!(q.askClose > q.bidClose)) {
      crossed++;
      continue;
    }
    t.push(bar);
    rel.push((q.askClose - q.bidClose) / ((q.askClose + q.bidClose) / 2));
  }
  const x = { open: t.map((r) => r.open), high: t.map((r) => r.high), low: t.map((r) => r.low), close: t.map((r) => r.close) };
  return {
    series: `${venue} ${symbol.toUpperCase()}`,
    day: `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}`,
    minutes: t.length,
    crossed,
    quotedMean: rel.reduce((a, b) => a + b, 0) / rel.length,
    quotedRms: Math.sqrt(rel.reduce((a, b) => a + b * b, 0) / rel.length),
    edge: edgeSpread(x),
    cs: corwinSchultzSpread(x),
    ar: abdiRanaldoSpread(x),
  };
}

const bps = (v: number): string => (v * 1e4).toFixed(2);
const signedBps = (r: SpreadResult): number => (r.ok ? r.signed * 1e4 : NaN);

describeWithData('spread from Lean 1m trade bars vs the quoted spread of the same minutes', () => {
  const rows = DAYS.map(([v, s, d]) => compareDay(v, s, d));

  it('prints the per-day table (bps; EDGE and AR signed, CS with negative two-day estimates at 0)', () => {
    const lines = [
      '| series | day (UTC) | minutes | quoted mean | quoted RMS | EDGE | CS | AR | EDGE − quoted RMS | EDGE − quoted mean |',
      '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...rows.map((r) => {
        const cs = r.cs.ok ? bps(r.cs.spread) : r.cs.reason;
        return `| ${r.series} | ${r.day} | ${r.minutes} | ${bps(r.quotedMean)} | ${bps(r.quotedRms)} | ${signedBps(r.edge).toFixed(2)} | ${cs} | ${signedBps(r.ar).toFixed(2)} | ${(signedBps(r.edge) - r.quotedRms * 1e4).toFixed(2)} | ${(signedBps(r.edge) - r.quotedMean * 1e4).toFixed(2)} |`;
      }),
    ];
    console.info(`\n${lines.join('\n')}\n`);
    for (const r of rows) {
      expect(r.edge.ok && r.cs.ok && r.ar.ok).toBe(true);
      expect(r.crossed).toBe(0);
      expect(r.minutes).toBeGreaterThan(700);
    }
  });

  it('every estimate stays in single-digit bps: none blows up on real minutes', () => {
    for (const r of rows) for (const e of [r.edge, r.cs, r.ar]) expect(e.ok && Math.abs(e.signed) * 1e4).toBeLessThan(10);
  });

  it('where the quoted spread is above the tick (mean ≥ 1 bp), EDGE is within 3 bps of the quoted RMS spread', () => {
    const wide = rows.filter((r) => r.quotedMean >= 1e-4);
    expect(wide.map((r) => `${r.series} ${r.day}`)).toEqual([
      'coinbase BTCUSD 2017-09-03',
      'coinbase BTCUSD 2017-09-04',
      'coinbase ETHUSD 2018-04-05',
      'bybit BTCUSDT 2022-12-13',
    ]);
    for (const r of wide) expect(Math.abs(signedBps(r.edge) - r.quotedRms * 1e4)).toBeLessThan(3);
  });

  it('where the book sat at the one-cent tick (mean < 1 bp), EDGE does not invent a spread: signed ≤ 1 bp', () => {
    for (const r of rows.filter((x) => x.quotedMean < 1e-4)) expect(signedBps(r.edge)).toBeLessThan(1);
  });

  it('Bybit (true bid/ask bars, spread ≈ 1.1 bp): EDGE within 0.5 bp of the quoted mean', () => {
    const r = rows.find((x) => x.series.startsWith('bybit'))!;
    expect(Math.abs(signedBps(r.edge) - r.quotedMean * 1e4)).toBeLessThan(0.5);
  });
});
