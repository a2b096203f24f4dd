/**
 * Parsers for the recorded quote streams in `../shared/data/market-microstructure/` (PROVENANCE.md §6), each
 * turning text into a best bid/ask `QuoteSeries` for the spread distribution:
 *   - hftbacktest Binance WebSocket recordings: `<local ts> <combined-stream JSON>` lines; the local stamp is ns
 *     in the 2024 files and µs in the 2023 ones (told apart by digit count); only `@bookTicker` lines are used,
 *     timed by the local stamp (the spot bookTicker has no exchange time).
 *   - the data.binance.vision USD-M bookTicker CSV (`update_id,best_bid_price,…,transaction_time,event_time`),
 *     timed by transaction_time.
 *   - a Coinbase Exchange WebSocket level-2 capture: one `snapshot`, then `l2update` messages whose changes
 *     are replayed on the book; the best bid/ask after each whole message is one sample, timed by its `time`.
 * Pure: text in, arrays out; decompression is the caller's. Lines that are not quotes are counted, not parsed;
 * a quote line that does not parse or is crossed is counted as rejected with the first reason kept.
 */
import { PriceLevels } from './price-levels';
import type { QuoteSeries } from './spread-distribution';

export interface ParsedQuotes {
  series: QuoteSeries;
  /** Lines (or messages) read. */
  lines: number;
  /** Quote lines that failed (unparseable, non-positive or crossed); they are left out of `series`. */
  rejected: number;
  firstRejection?: string;
}

class Builder {
  private t: number[] = [];
  private b: number[] = [];
  private a: number[] = [];
  lines = 0;
  rejected = 0;
  firstRejection: string | undefined;

  add(time: number, bid: number, ask: number, where: string): void {
    if (!(Number.isFinite(time) && bid > 0 && ask > bid)) return this.reject(`${where}: bid ${bid} / ask ${ask} at ${time} is not a positive uncrossed quote`);
    if (this.t.length > 0 && time < this.t[this.t.length - 1]!) return this.reject(`${where}: time goes backwards`);
    this.t.push(time);
    this.b.push(bid);
    this.a.push(ask);
  }

  reject(reason: string): void {
    this.rejected++;
    this.firstRejection ??= reason;
  }

  done(): ParsedQuotes {
    const out: ParsedQuotes = {
      series: { time: Float64Array.from(this.t), bid: Float64Array.from(this.b), ask: Float64Array.from(this.a) },
      lines: this.lines,
      rejected: this.rejected,
    };
    if (this.firstRejection !== undefined) out.firstRejection = this.firstRejection;
    return out;
  }
}

/** A local timestamp string of ns (≥ 18 digits) or µs (15–17 digits) as ms. */
export function localStampToMs(stamp: string): number {
  if (!/^\d{15,20}$/.test(stamp)) return NaN;
  return stamp.length >= 18 ? Number(BigInt(stamp) / 1000n) / 1000 : Number(stamp) / 1000;
}

/** Best bid/ask from the `@bookTicker` lines of an hftbacktest recording. */
export function parseHftbacktestBookTickers(text: string): ParsedQuotes {
  const out = new Builder();
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    if (line === '') continue;
    out.lines++;
    if (!line.includes('@bookTicker')) continue;
    const sp = line.indexOf(' ');
    const time = localStampToMs(line.slice(0, sp));
    let d: { b?: unknown; a?: unknown } | undefined;
    try {
      d = (JSON.parse(line.slice(sp + 1)) as { data?: { b?: unknown; a?: unknown } }).data;
    } catch {
      out.reject(`line ${lineNo}: not JSON`);
      continue;
    }
    out.add(time, Number(d?.b), Number(d?.a), `line ${lineNo}`);
  }
  return out.done();
}

const CSV_HEADER = 'update_id,best_bid_price,best_bid_qty,best_ask_price,best_ask_qty,transaction_time,event_time';

/** The data.binance.vision bookTicker CSV (header required). */
export function parseBinanceBookTickerCsv(text: string): ParsedQuotes {
  const out = new Builder();
  const lines = text.split('\n');
  if (lines[0]?.trim() !== CSV_HEADER) throw new RangeError(`not a Binance bookTicker CSV: header is ${JSON.stringify(lines[0]?.slice(0, 120))}`);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    out.lines++;
    const c = line.split(',');
    if (c.length !== 7) {
      out.reject(`line ${i + 1}: ${c.length} columns, expected 7`);
      continue;
    }
    out.add(Number(c[5]), Number(c[1]), Number(c[3]), `line ${i + 1}`);
  }
  return out.done();
}

interface CoinbaseMessage {
  type?: string;
  time?: string;
  bids?: [string, string][];
  asks?: [string, string][];
  changes?: [string, string, string][];
}

/** Replays a Coinbase Exchange level-2 capture; one sample (best bid/ask) per snapshot / l2update message. */
export function replayCoinbaseLevel2(text: string): ParsedQuotes {
  const out = new Builder();
  const bids = new PriceLevels('bid');
  const asks = new PriceLevels('ask');
  let seenSnapshot = false;
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    if (line.trim() === '') continue;
    out.lines++;
    let m: CoinbaseMessage;
    try {
      m = JSON.parse(line) as CoinbaseMessage;
    } catch {
      out.reject(`line ${lineNo}: not JSON`);
      continue;
    }
    if (m.type === 'snapshot') {
      bids.clear();
      asks.clear();
      for (const [p, s] of m.bids ?? []) bids.set(Number(p), Number(s));
      for (const [p, s] of m.asks ?? []) asks.set(Number(p), Number(s));
      seenSnapshot = true;
    } else if (m.type === 'l2update') {
      if (!seenSnapshot) {
        out.reject(`line ${lineNo}: l2update before any snapshot`);
        continue;
      }
      for (const [side, p, s] of m.changes ?? []) (side === 'buy' ? bids : asks).set(Number(p), Number(s));
    } else continue;
    out.add(Date.parse(m.time ?? ''), bids.best, asks.best, `line ${lineNo}`);
  }
  return out.done();
}
