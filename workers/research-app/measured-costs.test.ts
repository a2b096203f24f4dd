import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { exports } from 'cloudflare:workers';
import { accessHeaders } from '../api/test-access';
import { describeWithData } from '../real-data.test-util';
import { withDb } from '../db';
import { rowsOf } from '../../shared/db/database';
import { getRunRow } from '../../shared/db/queries/research';
import { insertBookSnapshot } from '../../shared/db/queries/book-snapshots';
import type { MeasuredCosts } from '../../shared/costs/measured-run';
import { MEASURED_COST_VERSION } from '../../shared/costs/measured';
import type { EdgeMargin } from '../../shared/research/verdict-margin';
import { config, LAB_VENUE, seedLabCandles, Y2021 } from './lab-fixtures.test-util';
import { MeasuredCostInputError, tradedLegs } from '../../shared/app/measured-costs';
import { BacktestRequest, createBacktestRun, executeBacktestRun, reproduceRun } from '../../shared/app/run-backtest';

const STRATEGY = 'dsta-rsi-mean-reversion';

interface Stored {
  measuredCosts: MeasuredCosts & { hash: string };
  provenance: { measuredCostVersion: string; costSources: Record<string, MeasuredCosts['venues'][number]['sources']> };
  venues: { key: string; verdict: string; reason: string; metrics: { margin?: EdgeMargin; liquidity: string } }[];
  tradeCount: number;
}

async function run(body: Record<string, unknown>) {
  const req = BacktestRequest.parse({ strategy: STRATEGY, venue: LAB_VENUE, symbol: 'BTC/USDT', timeframe: '4h', from: Y2021.from, to: Y2021.to, ...body });
  return withDb(config, async (db) => {
    const created = await createBacktestRun(db, req, { codeVersion: 'test' });
    await executeBacktestRun(db, created.id, { codeVersion: 'test', now: Date.now });
    return (await getRunRow(db, created.id))!;
  });
}

it('a derived pair trades both of its legs, named by its spread source', () => {
  const legs = tradedLegs({ key: { venue: 'derived', symbol: 'BTC/ETH', timeframe: '4h' }, sources: [{ source: 'spread:binance:BTC/USDT÷ETH/USDT (co-move high/low)', count: 10 }] });
  expect(legs).toEqual({ venue: 'binance', symbols: ['BTC/USDT', 'ETH/USDT'] });
  expect(tradedLegs({ key: { venue: 'kraken', symbol: 'BTC/USD', timeframe: '1h' }, sources: [] })).toEqual({ venue: 'kraken', symbols: ['BTC/USD'] });
  expect(() => tradedLegs({ key: { venue: 'derived', symbol: 'BTC/ETH', timeframe: '4h' }, sources: [{ source: 'csv', count: 1 }] })).toThrow(MeasuredCostInputError);
  expect(() => tradedLegs({ key: { venue: 'derived', symbol: 'BTC/ETH', timeframe: '4h' }, sources: [{ source: 'csv', count: 1 }] })).toThrow(/no spread source naming its legs/);
});

describeWithData('measured cost views on a stored run (workerd + Postgres)', () => {
  let bucket = 0;
  beforeAll(async () => {
    expect((await seedLabCandles()).h4).toBeGreaterThan(2100);
  }, 180_000);
  afterAll(async () => {
    if (bucket) await withDb(config, (db) => db.execute(sql`DELETE FROM book_snapshots WHERE venue = 'bybit' AND symbol = 'BTC/USDT' AND bucket = ${bucket}`));
  });

  it('every run records per-venue measured views with their sources, judged with an edge margin; they decide the verdict', async () => {
    const first = await run({});
    expect(first.status, first.error ?? '').toBe('done');
    const r = first.result as unknown as Stored;
    expect(r.measuredCosts.version).toBe(MEASURED_COST_VERSION);
    expect(r.measuredCosts.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(r.measuredCosts.venues.map((v) => v.id)).toEqual(['binance-measured', 'kraken-measured', 'coinbase-measured', 'okx-measured', 'bybit-measured']);
    const kraken = r.measuredCosts.venues.find((v) => v.venue === 'kraken')!;
    expect(kraken.roundTripBps).toHaveLength(r.tradeCount);
    expect(kraken.components.feeBps).toBe(80); // taker 40 bps on both fills: no maker fills assumed
    expect(kraken.components.halfSpreadBps).toBeGreaterThan(0);
    // Every fill's sources are counted: 2 fills per trade, candles of the labtest venue (a proxy for every venue).
    const fills = 2 * r.tradeCount;
    const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
    expect(sum(r.provenance.costSources['kraken-measured']!.spread)).toBe(fills);
    expect(Object.keys(r.provenance.costSources['kraken-measured']!.spread).every((k) => k === 'edge-proxy' || k.startsWith('floor:'))).toBe(true);
    expect(r.provenance.costSources['kraken-measured']!.fee).toEqual({ 'Pro $0-10K@2025-01-01': fills });
    const mv = r.venues.find((v) => v.key === 'binance-measured')!;
    expect(mv.metrics.liquidity).toBe('measured');
    expect(mv.metrics.margin).toBeTruthy();
    expect(mv.reason).toMatch(/^proxy prices from labtest: /);
    expect(r.venues.map((v) => v.key)).toEqual(expect.arrayContaining(['binance-taker', 'stress-31', 'bybit-measured']));
    // The stored trades carry the measured nets beside the presets'.
    const [t] = await withDb(config, async (db) => rowsOf<{ net_returns: Record<string, number> }>(await db.execute(sql`SELECT net_returns FROM backtest_trades WHERE run_id = ${first.id} ORDER BY seq LIMIT 1`)));
    expect(t!.net_returns['okx-measured']).toBe(r.measuredCosts.venues.find((v) => v.venue === 'okx')!.net[0]);
    // The API serves the margin per venue and the measured views with their sources.
    const res = await exports.default.fetch(new Request(`http://lab.local/api/runs/${first.id}`, { headers: await accessHeaders() }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { result: Stored; venues: { key: string; metrics: { margin?: EdgeMargin } }[] };
    expect(body.venues.find((v) => v.key === 'kraken-measured')!.metrics.margin).toEqual(r.venues.find((v) => v.key === 'kraken-measured')!.metrics.margin);
    expect(body.result.measuredCosts.hash).toBe(r.measuredCosts.hash);
    // … without the per-trade arrays, which grow with the trade count (the trades carry those net returns).
    const k2 = body.result.measuredCosts.venues.find((v) => v.venue === 'kraken')!;
    expect(k2.components).toEqual(kraken.components);
    expect(k2).not.toHaveProperty('net');
    expect(k2).not.toHaveProperty('roundTripBps');
    expect(body.result.provenance.costSources['kraken-measured']).toEqual(r.provenance.costSources['kraken-measured']);
    // Re-computing the run gives the same core hash and the same measured views.
    const again = await withDb(config, (db) => reproduceRun(db, first.id));
    expect(again).toMatchObject({ same: true, sameMeasured: true });

    // A book snapshot in the bucket of the first entry is used for that fill on that venue.
    const entry = (await withDb(config, async (db) => rowsOf<{ entry_time: string }>(await db.execute(sql`SELECT entry_time FROM backtest_trades WHERE run_id = ${first.id} ORDER BY seq LIMIT 1`))))[0]!;
    bucket = Number(entry.entry_time);
    await withDb(config, (db) =>
      insertBookSnapshot(
        db,
        { venue: 'bybit', symbol: 'BTC/USDT', time: bucket, timeSource: 'venue', bestBid: 99.99, bestAsk: 100.01, mid: 100, halfSpreadBps: 1, bidLevels: 1, askLevels: 1, reachBidBps: 1, reachAskBps: 1, depth: [], fills: [] },
        bucket,
        'test',
      ),
    );
    const second = await run({ measuredCosts: { tiers: { binance: 'VIP2' } } });
    const s = second.result as unknown as Stored;
    expect(s.provenance.costSources['bybit-measured']!.spread.book).toBe(1);
    expect(s.measuredCosts.venues.find((v) => v.venue === 'binance')!.tier).toBe('VIP2');
  }, 240_000);

  it('an order above the allowed share of volume fails the run with the reason; an unknown tier too', async () => {
    const big = await run({ measuredCosts: { orderNotional: 1e13 } });
    expect(big.status).toBe('failed');
    expect(big.error).toMatch(/^measured costs: an order of 10000000000000 on binance BTC\/USDT at .* % of the horizon's volume, above the 10.0 % allowed/);
    const tier = await run({ measuredCosts: { tiers: { kraken: 'Pro VIP' } } });
    expect(tier.status).toBe('failed');
    expect(tier.error).toMatch(/no fee tier "Pro VIP" for kraken \(known: Pro \$0-10K, Pro \$10K-50K\)/);
  }, 240_000);
});
