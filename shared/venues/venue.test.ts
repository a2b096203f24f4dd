/**
 * The generic adapter against scripted in-memory venues: forward and window paging (page counts, cursors and
 * bounds in the URLs), the open candle dropped, de-duplication and ordering, rejected rows returned rather
 * than thrown, whole-body failures typed, and unsupported symbols/timeframes refused as bad requests.
 */
import { describe, expect, it } from 'vitest';
import { createVenue, DEFAULT_BASE_URLS } from './registry';
import { VenueError, VENUE_IDS, type FetchLike, type VenueErrorKind } from './types';

const M = 60_000;
const T0 = Date.UTC(2024, 0, 1);

function series(n: number, stepMs: number, t0 = T0) {
  return Array.from({ length: n }, (_, i) => ({ t: t0 + i * stepMs, o: 100 + i, h: 102 + i, l: 99 + i, c: 101 + i, v: i + 0.5 }));
}
type Row = ReturnType<typeof series>[number];

function stub(handler: (u: URL) => unknown | { status: number; text: string }) {
  const urls: URL[] = [];
  const fetch: FetchLike = async (url) => {
    const u = new URL(url);
    urls.push(u);
    const out = handler(u);
    if (out && typeof out === 'object' && 'status' in out && 'text' in out) {
      const r = out as { status: number; text: string };
      return new Response(r.text, { status: r.status });
    }
    return new Response(JSON.stringify(out), { status: 200 });
  };
  return { fetch, urls };
}

const deps = { clock: () => 0, sleep: async () => undefined, random: () => 0.5 };
const num = (u: URL, k: string) => Number(u.searchParams.get(k));

async function kindOf(p: Promise<unknown>): Promise<VenueErrorKind | 'resolved'> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    if (e instanceof VenueError) return e.kind;
    throw e;
  }
}

describe('registry', () => {
  it('builds all five venues with default public hosts', () => {
    for (const id of VENUE_IDS) {
      const v = createVenue(id, { ...deps, fetch: stub(() => []).fetch });
      expect(v.id).toBe(id);
      expect(v.baseUrl).toBe(DEFAULT_BASE_URLS[id]);
      expect(v.symbols).toContain('BTC/USDT');
    }
    expect(createVenue('coinbase', { ...deps, fetch: stub(() => []).fetch }).timeframes).not.toContain('4h');
  });
});

describe('forward paging (Binance semantics)', () => {
  const rows = series(2500, M);
  const binance = (u: URL) => {
    const start = num(u, 'startTime');
    const end = num(u, 'endTime');
    const limit = num(u, 'limit');
    return rows.filter((r) => r.t >= start && r.t <= end).slice(0, limit).map((r) => [r.t, String(r.o), String(r.h), String(r.l), String(r.c), String(r.v), r.t + M - 1, '0', 1, '0', '0', '0']);
  };

  it('walks 3 pages of 1000, drops the open candle, and returns ascending unique candles', async () => {
    const s = stub(binance);
    const v = createVenue('binance', { ...deps, fetch: s.fetch, baseUrl: 'http://x/binance/' });
    const now = T0 + 2499 * M + 20_000; // the last row (index 2499) is still open
    const r = await v.fetchClosedCandles({ symbol: 'BTC/USDT', timeframe: '1m', since: T0, until: T0 + 10_000 * M, now });
    expect(r.candles).toHaveLength(2499);
    expect(r.candles.at(-1)!.openTime).toBe(T0 + 2498 * M);
    expect(r.requests).toBe(3);
    expect(r.pages).toBe(3);
    expect(s.urls.map((u) => num(u, 'startTime'))).toEqual([T0, T0 + 1000 * M, T0 + 2000 * M]);
    expect(s.urls[0]!.pathname).toBe('/binance/api/v3/klines');
    expect(s.urls[0]!.searchParams.get('symbol')).toBe('BTCUSDT');
    expect(num(s.urls[0]!, 'endTime')).toBe(T0 + 2499 * M - 1); // last closed slot's close time
    expect(r.candles[0]).toEqual({ openTime: T0, open: 100, high: 102, low: 99, close: 101, volume: 0.5 });
  });

  it('respects [since, until) off the grid', async () => {
    const v = createVenue('binance', { ...deps, fetch: stub(binance).fetch });
    const r = await v.fetchClosedCandles({ symbol: 'BTC/USDT', timeframe: '1m', since: T0 + 10 * M + 1, until: T0 + 20 * M, now: T0 + 100_000 * M });
    expect(r.candles.map((c) => (c.openTime - T0) / M)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19]);
  });

  it('stops when a page makes no progress', async () => {
    const s = stub(() => [[T0, '1', '1', '1', '1', '1']].concat(Array(999).fill([T0, '1', '1', '1', '1', '1'])));
    const v = createVenue('binance', { ...deps, fetch: s.fetch });
    const r = await v.fetchClosedCandles({ symbol: 'BTC/USDT', timeframe: '1m', since: T0 + 5 * M, until: T0 + 5000 * M, now: T0 + 9000 * M });
    expect(r.candles).toEqual([]);
    expect(s.urls).toHaveLength(1);
  });

  it('returns rows that fail to parse in `rejected`, with reason and raw row, and keeps the rest', async () => {
    const s = stub(() => [
      [T0, '1', '2', '0.5', '1.5', '10'],
      [T0 + M, 'abc', '2', '0.5', '1.5', '10'],
      [T0 + 2 * M, '1', '2'],
      [T0 + 3 * M, '1', '2', '0.5', '1.5', ''],
      [T0 + 4 * M, '1', '0.9', '0.5', '1.5', '1'],
      'nope',
      [T0 + 5 * M, '1', '2', '0.5', '1.5', '10'],
    ]);
    const v = createVenue('binance', { ...deps, fetch: s.fetch });
    const r = await v.fetchClosedCandles({ symbol: 'BTC/USDT', timeframe: '1m', since: T0, until: T0 + 10 * M, now: T0 + 100 * M });
    expect(r.candles.map((c) => c.openTime)).toEqual([T0, T0 + 5 * M]);
    expect(r.rejected.map((x) => x.reason)).toEqual([
      'non-numeric open "abc"',
      'wrong arity: expected at least 6 columns, got 3',
      'non-numeric volume ""',
      'inconsistent OHLC (high/low do not bound open/close)',
      'row is not an array',
    ]);
    expect(r.rejected[0]!.raw).toEqual([T0 + M, 'abc', '2', '0.5', '1.5', '10']);
  });

  it('de-duplicates; a conflicting duplicate keeps the first copy and is reported', async () => {
    const s = stub(() => [
      [T0 + M, '1', '2', '0.5', '1.5', '10'],
      [T0, '1', '2', '0.5', '1.5', '10'],
      [T0 + M, '1', '2', '0.5', '1.5', '10'],
      [T0, '1', '2', '0.5', '1.5', '11'],
    ]);
    const v = createVenue('binance', { ...deps, fetch: s.fetch });
    const r = await v.fetchClosedCandles({ symbol: 'BTC/USDT', timeframe: '1m', since: T0, until: T0 + 10 * M, now: T0 + 100 * M });
    expect(r.candles.map((c) => [c.openTime, c.volume])).toEqual([[T0, 10], [T0 + M, 10]]);
    expect(r.rejected).toHaveLength(1);
    expect(r.rejected[0]!.reason).toMatch(/conflicting duplicate/);
  });

  it('throws venue-error for a Binance {code,msg} payload, rate-limited for -1003', async () => {
    const bad = createVenue('binance', { ...deps, fetch: stub(() => ({ status: 400, text: '{"code":-1121,"msg":"Invalid symbol."}' })).fetch });
    const req = { symbol: 'BTC/USDT', timeframe: '1m' as const, since: T0, until: T0 + M, now: T0 + 2 * M };
    const err = (await bad.fetchClosedCandles(req).catch((e: unknown) => e)) as VenueError;
    expect(err.kind).toBe('venue-error');
    expect(err.venueCode).toBe('-1121');
    const limited = createVenue('binance', { ...deps, maxAttempts: 2, fetch: stub(() => ({ code: -1003, msg: 'Too many requests' })).fetch });
    const e2 = (await limited.fetchClosedCandles(req).catch((e: unknown) => e)) as VenueError;
    expect(e2.kind).toBe('rate-limited');
    expect(e2.attempts).toBe(2);
  });
});

describe('forward paging (Kraken semantics: since exclusive, 720 rows, forming candle always last)', () => {
  const rows = series(1500, 5 * M);
  it('pages by `last` row, since in seconds, and drops the forming candle', async () => {
    const now = T0 + 1499 * 5 * M + 60_000;
    const s = stub((u) => {
      const since = num(u, 'since') * 1000;
      const page = rows.filter((r) => r.t > since && r.t <= now).slice(0, 720);
      const last = Math.max(0, ...page.filter((r) => r.t + 5 * M <= now).map((r) => r.t / 1000));
      return { error: [], result: { XXBTZUSD: page.map((r) => [r.t / 1000, String(r.o), String(r.h), String(r.l), String(r.c), '0', String(r.v), 3]), last } };
    });
    const v = createVenue('kraken', { ...deps, fetch: s.fetch });
    const r = await v.fetchClosedCandles({ symbol: 'BTC/USDT', timeframe: '5m', since: T0, until: T0 + 10_000 * 5 * M, now });
    expect(r.candles).toHaveLength(1499);
    expect(s.urls.map((u) => num(u, 'since'))).toEqual([T0 / 1000 - 1, (T0 + 720 * 5 * M) / 1000 - 1, (T0 + 1440 * 5 * M) / 1000 - 1]);
    expect(s.urls[0]!.searchParams.get('pair')).toBe('XBTUSDT');
    expect(s.urls[0]!.searchParams.get('interval')).toBe('5');
  });

  it('maps Kraken error arrays to venue-error', async () => {
    const v = createVenue('kraken', { ...deps, fetch: stub(() => ({ error: ['EQuery:Unknown asset pair'] })).fetch });
    expect(await kindOf(v.fetchClosedCandles({ symbol: 'BTC/USDT', timeframe: '5m', since: T0, until: T0 + M * 50, now: T0 + M * 50 }))).toBe('venue-error');
  });
});

describe('window paging', () => {
  it('coinbase: 300-slot ISO windows, newest-first rows, 4h refused', async () => {
    const rows: Row[] = series(700, 3600_000);
    const s = stub((u) => {
      const a = Date.parse(u.searchParams.get('start')!);
      const b = Date.parse(u.searchParams.get('end')!);
      if ((b - a) / 3600_000 + 1 > 300) return { status: 400, text: '{"message":"too many"}' };
      return rows.filter((r) => r.t >= a && r.t <= b).reverse().map((r) => [r.t / 1000, r.l, r.h, r.o, r.c, r.v]);
    });
    const v = createVenue('coinbase', { ...deps, fetch: s.fetch });
    const r = await v.fetchClosedCandles({ symbol: 'BTC/USDT', timeframe: '1h', since: T0, until: T0 + 700 * 3600_000, now: T0 + 1e12 });
    expect(r.candles).toHaveLength(700);
    expect(r.candles[5]).toEqual({ openTime: T0 + 5 * 3600_000, open: 105, high: 107, low: 104, close: 106, volume: 5.5 });
    expect(s.urls).toHaveLength(3);
    expect(s.urls[0]!.pathname).toBe('/products/BTC-USDT/candles');
    expect(s.urls[0]!.searchParams.get('granularity')).toBe('3600');
    expect(s.urls.map((u) => u.searchParams.get('start'))).toEqual([0, 300, 600].map((i) => new Date(T0 + i * 3600_000).toISOString()));
    expect(s.urls[2]!.searchParams.get('end')).toBe(new Date(T0 + 699 * 3600_000).toISOString());
    const err = (await v.fetchClosedCandles({ symbol: 'BTC/USDT', timeframe: '4h', since: T0, until: T0 + 1e9, now: T0 + 1e12 }).catch((e: unknown) => e)) as VenueError;
    expect(err.kind).toBe('bad-request');
    expect(await kindOf(v.fetchClosedCandles({ symbol: 'DOGE/USDT', timeframe: '1h', since: T0, until: T0 + 1e9, now: T0 + 1e12 }))).toBe('bad-request');
  });

  it('okx: after/before cursors, confirm "0" dropped, code != "0" is a venue error', async () => {
    const rows = series(250, 5 * M);
    const now = T0 + 249 * 5 * M + 1000;
    const s = stub((u) => {
      const after = num(u, 'after');
      const before = num(u, 'before');
      const data = rows
        .filter((r) => r.t < after && r.t > before && r.t <= now)
        .reverse()
        .slice(0, num(u, 'limit'))
        .map((r) => [String(r.t), String(r.o), String(r.h), String(r.l), String(r.c), String(r.v), '0', '0', r.t + 5 * M <= now ? '1' : '0']);
      return { code: '0', msg: '', data };
    });
    const v = createVenue('okx', { ...deps, fetch: s.fetch });
    const r = await v.fetchClosedCandles({ symbol: 'BTC/USDT', timeframe: '5m', since: T0, until: T0 + 1e12, now: now + 10 * 5 * M });
    // The clock says every row is closed, the venue's confirm flag says the last one is not.
    expect(r.candles).toHaveLength(249);
    expect(s.urls[0]!.pathname).toBe('/api/v5/market/history-candles');
    expect(s.urls[0]!.searchParams.get('bar')).toBe('5m');
    expect(num(s.urls[0]!, 'before')).toBe(T0 - 1);
    expect(num(s.urls[0]!, 'after')).toBe(T0 + 99 * 5 * M + 1);
    const e = createVenue('okx', { ...deps, fetch: stub(() => ({ code: '51001', msg: 'Instrument ID does not exist', data: [] })).fetch });
    expect(await kindOf(e.fetchClosedCandles({ symbol: 'BTC/USDT', timeframe: '5m', since: T0, until: T0 + 1e9, now: T0 + 1e9 }))).toBe('venue-error');
  });

  it('bybit: start/end windows with pageSize, gaps do not stall, retCode != 0 is a venue error', async () => {
    const rows = series(50, 3600_000).filter((r) => r.o < 110 || r.o > 130); // a 21-hour gap
    const s = stub((u) => {
      const a = num(u, 'start');
      const b = num(u, 'end');
      const list = rows.filter((r) => r.t >= a && r.t <= b).reverse().slice(0, num(u, 'limit')).map((r) => [r.t, r.o, r.h, r.l, r.c, r.v, '0'].map(String));
      return { retCode: 0, retMsg: 'OK', result: { category: 'spot', symbol: 'BTCUSDT', list } };
    });
    const v = createVenue('bybit', { ...deps, fetch: s.fetch, pageSize: 10 });
    const r = await v.fetchClosedCandles({ symbol: 'ETH/USDT', timeframe: '1h', since: T0, until: T0 + 50 * 3600_000, now: T0 + 1e12 });
    expect(r.candles).toHaveLength(29);
    expect(s.urls).toHaveLength(5);
    expect(s.urls[0]!.searchParams.get('symbol')).toBe('ETHUSDT');
    expect(s.urls[0]!.searchParams.get('interval')).toBe('60');
    expect(s.urls[0]!.searchParams.get('category')).toBe('spot');
    const e = createVenue('bybit', { ...deps, fetch: stub(() => ({ retCode: 10001, retMsg: 'params error', result: {} })).fetch });
    expect(await kindOf(e.fetchClosedCandles({ symbol: 'BTC/USDT', timeframe: '1h', since: T0, until: T0 + 1e9, now: T0 + 1e9 }))).toBe('venue-error');
  });

  it('returns nothing and asks nothing when no slot in range is closed yet', async () => {
    const s = stub(() => []);
    const v = createVenue('bybit', { ...deps, fetch: s.fetch });
    const r = await v.fetchClosedCandles({ symbol: 'BTC/USDT', timeframe: '1h', since: T0, until: T0 + 1e9, now: T0 + 3599_999 });
    expect(r).toEqual({ candles: [], rejected: [], requests: 0, pages: 0 });
  });

  it('malformed and truncated bodies throw typed malformed errors', async () => {
    for (const text of ['<html>bad gateway</html>', '[[1704067200000,"1","2","0.5","1.5","1"],[17040']) {
      const v = createVenue('bybit', { ...deps, fetch: stub(() => ({ status: 200, text })).fetch });
      const err = (await v.fetchClosedCandles({ symbol: 'BTC/USDT', timeframe: '1h', since: T0, until: T0 + 1e9, now: T0 + 1e9 }).catch((e: unknown) => e)) as VenueError;
      expect(err.kind).toBe('malformed');
      expect(err.message).toMatch(text.startsWith('<') ? /malformed JSON/ : /truncated JSON/);
    }
  });
});
