/**
 * End to end: the five venue adapters (shared/venues) against the fake exchange serving the real Binance-spot
 * freqtrade candles at a simulated "now" — multi-page fetches equal the source rows exactly with the forming
 * candle dropped, and every fault kind is survived (rate-limit, server-error, timeout, duplicate, reorder) or
 * surfaces as the right typed error (malformed, truncated, venue-error, circuit-open).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Candle } from '../../shared/candles/candle';
import { TIMEFRAME_MS, type Timeframe } from '../../shared/candles/timeframe';
import { describeWithData, readFreqtrade } from '../../shared/testing/data';
import { createVenue, type CreateVenueOptions } from '../../shared/venues/registry';
import { VENUE_IDS, VenueError, type VenueErrorKind, type VenueId } from '../../shared/venues/types';
import { startFakeExchange, type FakeExchange, type FaultKind } from './server';
import { DEFAULT_FAKE_NOW } from './store';

const H = 3_600_000;
const D = 24 * H;

function expected(file: string, tf: Timeframe, since: number, until: number, now: number): Candle[] {
  return readFreqtrade('SauloHenriqueAguiar-freqtrades', file)
    .filter(([t]) => t! >= since && t! < until && t! + TIMEFRAME_MS[tf] <= now)
    .map(([openTime, open, high, low, close, volume]) => ({ openTime: openTime!, open: open!, high: high!, low: low!, close: close!, volume: volume! }));
}

function assertClean(candles: Candle[]): void {
  for (let i = 1; i < candles.length; i++) expect(candles[i]!.openTime).toBeGreaterThan(candles[i - 1]!.openTime);
}

describeWithData('fake exchange end to end', () => {
  let fx: FakeExchange;
  let clock = DEFAULT_FAKE_NOW;
  let sleeps: number[] = [];

  const venue = (id: VenueId, extra: Partial<CreateVenueOptions> = {}) =>
    createVenue(id, {
      baseUrl: fx.baseUrls[id],
      fetch: (url, init) => fetch(url, init),
      clock: () => clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
      random: () => 0.5,
      timeoutMs: 2_000,
      baseBackoffMs: 100,
      ...extra,
    });

  beforeAll(async () => {
    fx = await startFakeExchange();
  });
  afterAll(async () => {
    await fx?.close();
  });
  beforeEach(() => {
    fx.setFaults([]);
    fx.clearRequests();
    fx.setNow(DEFAULT_FAKE_NOW);
    clock = DEFAULT_FAKE_NOW;
    sleeps = [];
  });

  const now = DEFAULT_FAKE_NOW; // 2022-04-16T13:47:30Z: the 13:45 5m, 13:00 1h and 12:00 4h candles are forming

  describe.each(VENUE_IDS)('%s', (id) => {
    it('pages 10 days of BTC/USDT 5m exactly as the source rows, forming candle dropped', async () => {
      const since = Date.UTC(2022, 3, 6, 13, 45);
      const r = await venue(id).fetchClosedCandles({ symbol: 'BTC/USDT', timeframe: '5m', since, until: now + D, now });
      const want = expected('BTC_USDT-5m.json', '5m', since, now + D, now);
      expect(want).toHaveLength(2880);
      expect(r.candles).toEqual(want);
      expect(r.candles.at(-1)!.openTime).toBe(Date.UTC(2022, 3, 16, 13, 40));
      expect(r.rejected).toEqual([]);
      const pages = { binance: 3, kraken: 4, coinbase: 10, okx: 29, bybit: 3 }[id];
      expect(r.pages).toBe(pages);
      expect(r.requests).toBe(pages);
      expect(fx.requests().every((q) => q.venue === id && q.status === 200)).toBe(true);
    });

    it('serves ETH/USDT 1h (forming 13:00 hour dropped) and 4h where the venue has it', async () => {
      const v = venue(id);
      const since = now - 20 * D;
      const r = await v.fetchClosedCandles({ symbol: 'ETH/USDT', timeframe: '1h', since, until: now + D, now });
      expect(r.candles).toEqual(expected('ETH_USDT-1h.json', '1h', since, now + D, now));
      expect(r.candles.at(-1)!.openTime).toBe(Date.UTC(2022, 3, 16, 12));
      const four = v.fetchClosedCandles({ symbol: 'ETH/USDT', timeframe: '4h', since, until: now, now });
      if (id === 'coinbase') {
        await expect(four).rejects.toMatchObject({ kind: 'bad-request' });
      } else {
        const c = (await four).candles;
        expect(c).toEqual(expected('ETH_USDT-4h.json', '4h', since, now, now));
        expect(c.at(-1)!.openTime).toBe(Date.UTC(2022, 3, 16, 8));
      }
    });

    it('drops the forming candle when the simulated clock moves', async () => {
      const later = Date.UTC(2022, 3, 16, 10, 12, 0); // 10:10 forming
      fx.setNow(later);
      const r = await venue(id).fetchClosedCandles({ symbol: 'BTC/USDT', timeframe: '5m', since: Date.UTC(2022, 3, 16, 8, 10), until: later + H, now: later });
      expect(r.candles).toHaveLength(24);
      expect(r.candles.at(-1)!.openTime).toBe(Date.UTC(2022, 3, 16, 10, 5));
    });

    it(`${id === 'kraken' || id === 'okx' ? 'still drops' : 'cannot tell (no venue flag)'} the forming candle when the caller's clock runs 10 min ahead`, async () => {
      const skewed = now + 10 * 60_000;
      const r = await venue(id).fetchClosedCandles({ symbol: 'BTC/USDT', timeframe: '5m', since: now - H, until: skewed, now: skewed });
      // Kraken (rows after result.last) and OKX (confirm "0") say which candle is forming; the others only have the clock.
      expect(r.candles.at(-1)!.openTime).toBe(Date.UTC(2022, 3, 16, 13, id === 'kraken' || id === 'okx' ? 40 : 45));
    });

    const oneDay = { symbol: 'BTC/USDT', timeframe: '5m' as const, since: now - D, until: now, now };
    const wantDay = () => expected('BTC_USDT-5m.json', '5m', now - D, now, now);

    it.each(['duplicate', 'reorder'] as FaultKind[])('survives %s rows: unique, ascending, complete', async (kind) => {
      fx.setFaults([{ venue: id, kind, count: 100 }]);
      const r = await venue(id).fetchClosedCandles(oneDay);
      assertClean(r.candles);
      expect(r.candles).toEqual(wantDay());
      expect(fx.requests()[0]!.fault).toBe(kind);
    });

    it('returns unparseable rows in `rejected` with reason and raw row, keeping the rest', async () => {
      fx.setFaults([{ venue: id, kind: 'bad-rows' }]);
      const r = await venue(id).fetchClosedCandles(oneDay);
      expect(r.rejected.map((x) => x.reason)).toEqual([
        'non-numeric close "n/a"',
        `wrong arity: expected at least ${id === 'kraken' ? 7 : 6} columns, got 3`,
      ]);
      expect((r.rejected[0]!.raw as unknown[])[4]).toBe('n/a');
      const bad = new Set(r.rejected.map((x) => Number((x.raw as unknown[])[0]) * (id === 'kraken' || id === 'coinbase' ? 1000 : 1)));
      expect(r.candles).toEqual(wantDay().filter((c) => !bad.has(c.openTime)));
      expect(r.candles).toHaveLength(wantDay().length - 2);
    });

    it('waits out 429 + Retry-After (seconds, then HTTP date) and succeeds', async () => {
      fx.setFaults([
        { venue: id, kind: 'rate-limit', retryAfter: '2' },
        { venue: id, kind: 'rate-limit', retryAfter: new Date(clock + 2_000 + 3_000).toUTCString() },
      ]);
      const r = await venue(id).fetchClosedCandles(oneDay);
      expect(r.candles).toEqual(wantDay());
      expect(sleeps).toEqual([2_000, 3_000]);
      expect(fx.requests().slice(0, 2).map((q) => q.status)).toEqual([429, 429]);
      expect(r.requests).toBe(r.pages + 2);
    });

    it('retries 5xx with backoff and succeeds', async () => {
      fx.setFaults([{ venue: id, kind: 'server-error', count: 2 }, { venue: id, kind: 'server-error', status: 503 }]);
      const r = await venue(id).fetchClosedCandles(oneDay);
      expect(r.candles).toEqual(wantDay());
      expect(sleeps).toEqual([75, 150, 300]);
      expect(fx.requests().slice(0, 3).map((q) => q.status)).toEqual([500, 500, 503]);
    });

    it('times out a hanging request, retries, succeeds', async () => {
      fx.setFaults([{ venue: id, kind: 'timeout' }]);
      const r = await venue(id, { timeoutMs: 300 }).fetchClosedCandles(oneDay);
      expect(r.candles).toEqual(wantDay());
      expect(fx.requests()[0]).toMatchObject({ fault: 'timeout', status: null });
    });

    it.each([
      ['malformed', 'malformed', /malformed JSON/],
      ['truncated', 'malformed', /truncated JSON/],
      ['venue-error', 'venue-error', /injected/],
    ] as [FaultKind, VenueErrorKind, RegExp][])('surfaces a %s body as a typed %s error (not retried)', async (kind, errKind, msg) => {
      fx.setFaults([{ venue: id, kind }]);
      const err = (await venue(id).fetchClosedCandles(oneDay).catch((e: unknown) => e)) as VenueError;
      expect(err).toBeInstanceOf(VenueError);
      expect(err.kind).toBe(errKind);
      expect(err.message).toMatch(msg);
      expect(fx.requests()).toHaveLength(1);
    });

    it('opens the circuit after repeated failures, refuses without calling, half-opens after the cool-down, closes', async () => {
      fx.setFaults([{ venue: id, kind: 'server-error', count: 1000 }]);
      const v = venue(id, { maxAttempts: 2, breakerOptions: { failureThreshold: 2, cooldownMs: 30_000 } });
      await expect(v.fetchClosedCandles(oneDay)).rejects.toMatchObject({ kind: 'server', attempts: 2 });
      expect(v.transport.breaker.state).toBe('open');
      await expect(v.fetchClosedCandles(oneDay)).rejects.toMatchObject({ kind: 'circuit-open' });
      expect(fx.requests()).toHaveLength(2);
      fx.setFaults([]);
      clock += 30_000;
      expect(v.transport.breaker.state).toBe('half-open');
      const r = await v.fetchClosedCandles(oneDay);
      expect(r.candles).toEqual(wantDay());
      expect(v.transport.breaker.state).toBe('closed');
    });
  });

  describe('control endpoints', () => {
    it('queues faults over HTTP, logs requests, and moves the clock', async () => {
      const post = (path: string, body: unknown) => fetch(fx.url + path, { method: 'POST', body: JSON.stringify(body) });
      expect((await post('/__faults', { venue: 'okx', kind: 'rate-limit', count: 2 })).status).toBe(200);
      expect((await post('/__faults', { venue: 'okx', kind: 'explode' })).status).toBe(400);
      expect(fx.faults()).toEqual([{ venue: 'okx', kind: 'rate-limit', count: 2 }]);
      const r1 = await fetch(`${fx.baseUrls.okx}/api/v5/market/candles?instId=BTC-USDT&bar=5m`);
      expect(r1.status).toBe(429);
      expect(r1.headers.get('retry-after')).toBe('1');
      const r2 = await fetch(`${fx.baseUrls.binance}/api/v3/klines?symbol=BTCUSDT&interval=5m&limit=1&__fault=server-error`);
      expect(r2.status).toBe(500);
      await post('/__now', { now: '2022-04-01T00:02:00Z' });
      expect(fx.now()).toBe(Date.UTC(2022, 3, 1, 0, 2));
      const last = (await (await fetch(`${fx.baseUrls.binance}/api/v3/klines?symbol=BTCUSDT&interval=1h&limit=1`)).json()) as unknown[][];
      expect(last[0]![0]).toBe(Date.UTC(2022, 3, 1)); // the forming hour, served like a real venue
      const log = (await (await fetch(fx.url + '/__requests')).json()) as { venue: string; status: number }[];
      expect(log.map((q) => [q.venue, q.status])).toEqual([['okx', 429], ['binance', 500], ['binance', 200]]);
    });

    it('speaks each venue’s own errors for bad input', async () => {
      const get = async (path: string) => {
        const r = await fetch(fx.url + path);
        return { status: r.status, body: (await r.json()) as Record<string, unknown> };
      };
      expect(await get('/binance/api/v3/klines?symbol=DOGEUSDT&interval=5m')).toMatchObject({ status: 400, body: { code: -1121 } });
      expect(await get('/kraken/0/public/OHLC?pair=DOGEUSDT')).toMatchObject({ status: 200, body: { error: ['EQuery:Unknown asset pair'] } });
      expect(await get('/coinbase/products/BTC-USDT/candles?granularity=14400')).toMatchObject({ status: 400 });
      expect(await get('/coinbase/products/BTC-USDT/candles?granularity=60&start=2022-04-01T00:00:00Z&end=2022-04-02T00:00:00Z')).toMatchObject({ status: 400 });
      expect(await get('/okx/api/v5/market/history-candles?instId=BTC-USDT&bar=2H')).toMatchObject({ body: { code: '51000' } });
      expect(await get('/bybit/v5/market/kline?category=spot&symbol=BTCUSDT&interval=7')).toMatchObject({ body: { retCode: 10001 } });
      const k = await get('/kraken/0/public/OHLC?pair=XBTUSD&interval=60&since=1650000000');
      expect(Object.keys(k.body.result as object)).toEqual(['XXBTZUSD', 'last']);
    });
  });
});
