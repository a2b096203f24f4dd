/**
 * Replays a Binance diff-depth recording (hftbacktest format: `<local ts> <JSON>` lines holding `@depth`
 * stream events, one REST depth snapshot, and `@bookTicker` events) into a local order book, following Binance's
 * documented rule for managing a local book ("How to manage a local order book correctly", spot and USD-M docs):
 *   1. buffer depth events until the snapshot (`lastUpdateId` L) arrives, 2. drop events with `u` ≤ L (spot) /
 *   `u` < L (USD-M), 3. the first applied event must straddle L (spot `U` ≤ L + 1 ≤ `u`; USD-M `U` ≤ L ≤ `u`),
 *   4. then every event must continue the previous one (spot `U` = prev `u` + 1; USD-M `pu` = prev `u`) —
 *   a break is a gap and the replay stops (a real client would resync), 5. size 0 removes a level.
 * After every applied event the best bid/ask is compared with any bookTicker carrying the same update id (an
 * independent check of the replay), and every `sampleEveryMs` of exchange time (`E`) the book within `bandBps` of
 * mid is handed to `onSample` as an `OrderBook` (crossed samples are counted instead). Pure: text in, callbacks out.
 */
import { buildOrderBook, type OrderBook } from './order-book';
import { PriceLevels } from './price-levels';

export interface DepthReplayOptions {
  market: 'spot' | 'usdm';
  venue?: string;
  symbol: string;
  /** Exchange-time spacing of the samples, ms. Default 1000. */
  sampleEveryMs?: number;
  /**
   * Only levels within this many bps of mid go into a sample (default 100): diffs leave stray far levels
   * (e.g. a 1000.00 bid on a 61k book), and sorting them on every sample is most of the cost.
   */
  bandBps?: number;
  onSample?: (book: OrderBook) => void;
}

export interface DepthReplayStats {
  lines: number;
  depthEvents: number;
  /** Events before the snapshot that were kept in the buffer and later applied. */
  bufferedApplied: number;
  /** Events dropped as already contained in the snapshot. */
  dropped: number;
  applied: number;
  /** First sequence break, if any (the replay stops there). */
  gap?: string;
  snapshotId?: number;
  samples: number;
  crossedSamples: number;
  /** bookTicker events whose update id matched an applied depth event's final id. */
  tickerCompared: number;
  /** …and whose best bid and ask equal the replayed book's. */
  tickerEqual: number;
  firstTickerMismatch?: string;
}

interface DepthEvent {
  E: number;
  U: number;
  u: number;
  pu?: number;
  b: [string, string][];
  a: [string, string][];
}

export function replayBinanceDepth(text: string, o: DepthReplayOptions): DepthReplayStats {
  const every = o.sampleEveryMs ?? 1000;
  const band = o.bandBps ?? 100;
  const bids = new PriceLevels('bid');
  const asks = new PriceLevels('ask');
  const st: DepthReplayStats = { lines: 0, depthEvents: 0, bufferedApplied: 0, dropped: 0, applied: 0, samples: 0, crossedSamples: 0, tickerCompared: 0, tickerEqual: 0 };
  const buffer: DepthEvent[] = [];
  let snapshot: number | undefined;
  let prevU: number | undefined; // previous applied event's u
  let stopped = false;
  let nextSample = -Infinity;
  /** Best bid/ask after the applied event with this final update id (only the latest few are kept). */
  const bestAt = new Map<number, [number, number]>();
  const pendingTickers: Array<{ u: number; b: number; a: number }> = [];

  const apply = (ev: DepthEvent): void => {
    if (stopped) return;
    if (ev.u < snapshot! || (o.market === 'spot' && ev.u === snapshot!)) {
      st.dropped++;
      return;
    }
    if (prevU === undefined) {
      const ok = o.market === 'spot' ? ev.U <= snapshot! + 1 && ev.u >= snapshot! + 1 : ev.U <= snapshot! && ev.u >= snapshot!;
      if (!ok) {
        st.gap = `first event U ${ev.U}..u ${ev.u} does not straddle the snapshot ${snapshot}`;
        stopped = true;
        return;
      }
    } else {
      const ok = o.market === 'spot' ? ev.U === prevU + 1 : ev.pu === prevU;
      if (!ok) {
        st.gap = `event U ${ev.U} / pu ${ev.pu} does not follow u ${prevU}`;
        stopped = true;
        return;
      }
    }
    for (const [p, q] of ev.b) bids.set(Number(p), Number(q));
    for (const [p, q] of ev.a) asks.set(Number(p), Number(q));
    prevU = ev.u;
    st.applied++;
    bestAt.set(ev.u, [bids.best, asks.best]);
    if (bestAt.size > 4096) bestAt.delete(bestAt.keys().next().value!);
    if (ev.E >= nextSample) {
      nextSample = ev.E + every;
      const mid = (bids.best + asks.best) / 2;
      const lo = mid * (1 - band / 1e4);
      const hi = mid * (1 + band / 1e4);
      const r = buildOrderBook(
        {
          venue: o.venue ?? 'binance',
          symbol: o.symbol,
          time: ev.E,
          timeSource: 'venue',
          bids: bids.pairs().filter((l) => l[0] >= lo),
          asks: asks.pairs().filter((l) => l[0] <= hi),
          sequence: String(ev.u),
        },
        { now: ev.E, maxAgeMs: Infinity, maxFutureMs: Infinity },
      );
      if (r.ok) {
        st.samples++;
        o.onSample?.(r.value);
      } else st.crossedSamples++;
    }
  };

  const checkTickers = (): void => {
    // A bookTicker can arrive before or after the depth event carrying its id: compare once that id is applied.
    while (pendingTickers.length > 0) {
      const t = pendingTickers[0]!;
      if (prevU !== undefined && t.u > prevU) break;
      pendingTickers.shift();
      const best = bestAt.get(t.u);
      if (!best) continue;
      st.tickerCompared++;
      if (best[0] === t.b && best[1] === t.a) st.tickerEqual++;
      else st.firstTickerMismatch ??= `u ${t.u}: ticker ${t.b}/${t.a}, book ${best[0]}/${best[1]}`;
    }
  };

  for (const line of text.split('\n')) {
    if (line === '') continue;
    st.lines++;
    const json = line.slice(line.indexOf(' ') + 1);
    if (json.startsWith('{"lastUpdateId"')) {
      const s = JSON.parse(json) as { lastUpdateId: number; bids: [string, string][]; asks: [string, string][] };
      if (snapshot !== undefined) continue; // a later snapshot would mean a resync; this replay keeps the first
      snapshot = s.lastUpdateId;
      st.snapshotId = snapshot;
      for (const [p, q] of s.bids) bids.set(Number(p), Number(q));
      for (const [p, q] of s.asks) asks.set(Number(p), Number(q));
      const n = buffer.length;
      for (const ev of buffer.splice(0)) apply(ev);
      st.bufferedApplied = n - st.dropped;
      checkTickers();
      continue;
    }
    if (json.includes('@depth')) {
      const ev = (JSON.parse(json) as { data: DepthEvent }).data;
      st.depthEvents++;
      if (snapshot === undefined) buffer.push(ev);
      else apply(ev);
      checkTickers();
    } else if (json.includes('@bookTicker')) {
      const d = (JSON.parse(json) as { data: { u: number; b: string; a: string } }).data;
      pendingTickers.push({ u: d.u, b: Number(d.b), a: Number(d.a) });
      checkTickers();
    }
  }
  return st;
}
