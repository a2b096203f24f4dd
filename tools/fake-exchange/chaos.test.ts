/**
 * The fake exchange's seeded chaos (the fault soak's venue weather): off by default, the same seed gives each venue
 * the same fault sequence whatever the interleaving, only candle requests are affected, and a bad `/__chaos` body is
 * refused with the reason.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithData } from '../../shared/testing/data';
import { startFakeExchange, type FakeExchange } from './server';

const KLINES = '/api/v3/klines?symbol=BTCUSDT&interval=5m&limit=5';

describeWithData('fake exchange chaos', () => {
  let fx: FakeExchange;
  beforeAll(async () => {
    fx = await startFakeExchange();
  });
  afterAll(async () => {
    await fx.close();
  });

  async function statuses(venuePath: string, n: number): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await fetch(`${fx.url}${venuePath}`)).status);
    return out;
  }

  it('is off by default and deterministic per venue when on', async () => {
    expect(await statuses(`/binance${KLINES}`, 5)).toEqual([200, 200, 200, 200, 200]);
    const chaos = { seed: 7, rate: 0.5, kinds: ['server-error', 'rate-limit'], retryAfter: '2' };
    const post = (body: unknown) => fetch(`${fx.url}/__chaos`, { method: 'POST', body: JSON.stringify(body) });
    expect((await post(chaos)).status).toBe(200);
    const first = await statuses(`/binance${KLINES}`, 30);
    expect(first.filter((s) => s !== 200).length).toBeGreaterThan(5);
    expect(new Set(first)).toEqual(new Set([200, 500, 429]));
    // Another venue's requests in between do not shift binance's sequence.
    await post(chaos);
    const again: number[] = [];
    for (let i = 0; i < 30; i++) {
      again.push((await fetch(`${fx.url}/binance${KLINES}`)).status);
      await fetch(`${fx.url}/okx/api/v5/market/candles?instId=BTC-USDT&bar=5m&limit=5`);
    }
    expect(again).toEqual(first);
    const res = await fetch(`${fx.url}/__chaos`, { method: 'DELETE' });
    const drawn = ((await res.json()) as { drawn: Record<string, number> }).drawn;
    expect((drawn['server-error'] ?? 0) + (drawn['rate-limit'] ?? 0)).toBeGreaterThan(10);
    expect(await statuses(`/binance${KLINES}`, 5)).toEqual([200, 200, 200, 200, 200]);
  });

  it('spares the book endpoints, honours the venue list, and refuses a bad body', async () => {
    fx.setChaos({ seed: 1, rate: 1, kinds: ['server-error'], venues: ['binance'] });
    expect(await statuses(`/binance${KLINES}`, 3)).toEqual([500, 500, 500]);
    expect(await statuses('/binance/api/v3/depth?symbol=BTCUSDT&limit=5', 2)).toEqual([200, 200]);
    expect(await statuses('/kraken/0/public/OHLC?pair=XBTUSDT&interval=5', 2)).toEqual([200, 200]);
    expect(fx.chaosDrawn()).toEqual({ 'server-error': 3 });
    const rl = await fetch(`${fx.url}/__chaos`, { method: 'POST', body: JSON.stringify({ seed: 1, rate: 1, kinds: ['rate-limit'] }) });
    expect(rl.status).toBe(200);
    const limited = await fetch(`${fx.url}/binance${KLINES}`);
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '1']);
    fx.setChaos(undefined);
    const bad = await fetch(`${fx.url}/__chaos`, { method: 'POST', body: JSON.stringify({ seed: 1, rate: 2, kinds: ['server-error'] }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/rate/);
    const kind = await fetch(`${fx.url}/__chaos`, { method: 'POST', body: JSON.stringify({ seed: 1, rate: 0.5, kinds: ['lightning'] }) });
    expect(((await kind.json()) as { error: string }).error).toMatch(/kinds must be/);
  });
});
