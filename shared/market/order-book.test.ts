/**
 * The pure checks on books, quotes and trades: sorting best-first / oldest-first, and each bad-input case
 * (bad level, duplicate price, one-sided, crossed, locked, stale, future, empty page, repeated id) rejected
 * with its code and a reason, never a half-built record.
 */
import { describe, expect, it } from 'vitest';
import { buildBestQuote, buildOrderBook, buildTrades, type BookInput, type Trade } from './order-book';

const NOW = 1_700_000_000_000;
const FRESH = { now: NOW, maxAgeMs: 30_000, maxFutureMs: 2_000 };
const base: BookInput = { venue: 'v', symbol: 'BTC/USDT', time: NOW - 1000, timeSource: 'venue', bids: [[10, 1], [9, 2]], asks: [[11, 1], [12, 2]] };
const code = (r: { ok: boolean; rejection?: { code: string } }) => (r.ok ? 'ok' : r.rejection!.code);

describe('buildOrderBook', () => {
  it('sorts bids descending and asks ascending into Float64Arrays', () => {
    const r = buildOrderBook({ ...base, bids: [[9, 2], [10, 1]], asks: [[12, 2], [11, 1]] }, FRESH);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.bids.prices).toBeInstanceOf(Float64Array);
      expect([...r.value.bids.prices, ...r.value.bids.sizes]).toEqual([10, 9, 1, 2]);
      expect([...r.value.asks.prices, ...r.value.asks.sizes]).toEqual([11, 12, 1, 2]);
    }
  });

  it('rejects each bad input with its code', () => {
    expect(code(buildOrderBook({ ...base, bids: [] }, FRESH))).toBe('partial');
    expect(code(buildOrderBook({ ...base, asks: [] }, FRESH))).toBe('partial');
    expect(code(buildOrderBook({ ...base, bids: [[11, 1]] }, FRESH))).toBe('crossed'); // locked: bid == ask
    expect(code(buildOrderBook({ ...base, bids: [[11.5, 1]] }, FRESH))).toBe('crossed');
    expect(code(buildOrderBook({ ...base, bids: [[10, 0]] }, FRESH))).toBe('bad-level');
    expect(code(buildOrderBook({ ...base, asks: [[Number.NaN, 1]] }, FRESH))).toBe('bad-level');
    expect(code(buildOrderBook({ ...base, asks: [[11, 1], [11, 2]] }, FRESH))).toBe('bad-level');
    expect(code(buildOrderBook({ ...base, time: NOW - 30_001 }, FRESH))).toBe('stale');
    expect(code(buildOrderBook({ ...base, time: NOW - 30_000 }, FRESH))).toBe('ok');
    expect(code(buildOrderBook({ ...base, time: NOW + 2_001 }, FRESH))).toBe('future');
    // a receipt-time book cannot be judged stale
    expect(code(buildOrderBook({ ...base, time: NOW - 1e9, timeSource: 'received' }, FRESH))).toBe('ok');
  });

  it('gives the reason in words', () => {
    const r = buildOrderBook({ ...base, bids: [[11.5, 1]] }, FRESH);
    expect(r.ok ? '' : r.rejection.reason).toBe('crossed book: best bid 11.5 >= best ask 11');
    const s = buildOrderBook({ ...base, time: NOW - 60_000 }, FRESH);
    expect(s.ok ? '' : s.rejection.reason).toMatch(/60000 ms old .* more than the 30000 ms allowed/);
  });
});

describe('buildBestQuote', () => {
  const q = { venue: 'v', symbol: 'BTC/USDT', time: NOW, timeSource: 'venue' as const, bid: 10, bidQty: 1, ask: 11, askQty: null };
  it('accepts a good quote and rejects crossed, bad and stale ones', () => {
    expect(code(buildBestQuote(q, FRESH))).toBe('ok');
    expect(code(buildBestQuote({ ...q, bid: 11 }, FRESH))).toBe('crossed');
    expect(code(buildBestQuote({ ...q, ask: 0 }, FRESH))).toBe('bad-level');
    expect(code(buildBestQuote({ ...q, bidQty: -1 }, FRESH))).toBe('bad-level');
    expect(code(buildBestQuote({ ...q, time: NOW - 31_000 }, FRESH))).toBe('stale');
  });
});

describe('buildTrades', () => {
  const t = (id: string, time: number): Trade => ({ id, time, price: 100, qty: 1, side: 'buy' });
  it('orders oldest first, same-ms trades by numeric id (ids beyond 2^53 compared as digit strings)', () => {
    const r = buildTrades([t('2100000000007764265', 5), t('2100000000007764263', 5), t('99', 4), t('2100000000007764264', 5)]);
    expect(r.ok && r.value.map((x) => x.id)).toEqual(['99', '2100000000007764263', '2100000000007764264', '2100000000007764265']);
  });
  it('rejects an empty page, a bad trade and a repeated id', () => {
    const e = buildTrades([]);
    expect(e.ok ? '' : e.rejection).toEqual({ code: 'empty', reason: 'empty trades page (0 trades)' });
    expect(code(buildTrades([{ ...t('1', 5), price: 0 }]))).toBe('bad-level');
    expect(code(buildTrades([{ ...t('1', 5), time: 1.5 }]))).toBe('bad-level');
    expect(code(buildTrades([t('1', 5), t('1', 6)]))).toBe('bad-level');
  });
});
