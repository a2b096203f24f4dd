/**
 * The Nexus Sentinel in the live 5m loop and the paper account: the Nexara baseline trading ETH/USDT with
 * `sentinelDropPct` set (params, the strategy-config path a promotion writes) watches BTC/USDT, both ingested from
 * the fake exchange's recorded 2022 Binance data. The recorded BTC/USDT 5m candle of 2022-04-14 04:40 closed 0.18 %
 * below its open while the baseline held ETH (entered 03:40; without the overlay it ran on to a stop at 05:20):
 * with a 0.17 % threshold the kernel exits at the 04:45 open — alerted once, filled once in paper, exactly where a
 * backtest of the same candles with the same reference exits. A cycle without the BTC candles steps nothing for the
 * strategy and says why; the next cycle catches up. A stored backtest run (POST /api/research/backtests) of ETH/USDT
 * with the knob loads the reference itself, and is refused with the reason when none is stored.
 */
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { describeWithData } from '../real-data.test-util';
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import { sql } from 'drizzle-orm';
import worker from '../index';
import { withDb } from '../db';
import { getConfig, type Env } from '../env';
import { heartbeatStub } from '../heartbeat/monitor';
import { accessHeaders } from '../api/test-access';
import { runBacktest } from '../../shared/backtest/engine';
import { toSeries, type Candle } from '../../shared/candles/candle';
import { compareLedgers, createPaperAccount, replayPaper, type LedgerFill } from '../../shared/research/paper';
import { getStrategy } from '../../shared/strategies/registry';
import type { Params, Strategy } from '../../shared/strategies/types';

const STRATEGY = 'nexara-baseline-5m';
const DROP = 0.0017;
const at = (h: number, m: number, s = 30) => Date.UTC(2022, 3, 14, h, m, s);
const FIRST = at(2, 55, 0); // the candle the kernel's first cycle (03:00:30) steps
const ENTRY = at(3, 40, 0);
const FALL = at(4, 40, 0); // BTC/USDT −0.18 % in this candle
const EXIT = at(4, 45, 0);
const fx = inject('fakeExchangeUrl');

const base = { ...env, INGEST_BACKFILL_LIMIT: '2500', LIVE_SIGNALS: `${STRATEGY}@binance:ETH/USDT:5m` } as Env;
const both = { ...base, INGEST_SERIES: 'binance:ETH/USDT:5m,binance:BTC/USDT:5m' } as Env;
const ethOnly = { ...base, INGEST_SERIES: 'binance:ETH/USDT:5m' } as Env;

async function q<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  return withDb(getConfig(both), async (db) => (await db.execute(query)).rows as T[]);
}

async function cycle(t: number, e: Env = both): Promise<void> {
  await fetch(`${fx}/__now`, { method: 'POST', body: JSON.stringify({ now: t }) });
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: t, cron: '*/5 * * * *' }), e, ctx);
  await waitOnExecutionContext(ctx);
}

async function sentTexts(): Promise<string[]> {
  const calls = (await (await fetch(`${env.TELEGRAM_API_ROOT}/__calls`)).json()) as { method: string; params: { text?: string } }[];
  return calls.filter((c) => c.method === 'sendMessage').map((c) => String(c.params.text ?? ''));
}

async function stored(symbol: string, to: number): Promise<Candle[]> {
  const rows = await q<{ open_time: string; open: number; high: number; low: number; close: number; volume: number }>(
    sql`SELECT open_time, open, high, low, close, volume FROM candles WHERE venue = 'binance' AND symbol = ${symbol} AND timeframe = '5m' AND open_time < ${to} ORDER BY open_time`,
  );
  return rows.map((c) => ({ openTime: Number(c.open_time), open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume }));
}

async function clearSeries(): Promise<void> {
  await q(sql`DELETE FROM paper_accounts WHERE strategy_id = ${STRATEGY}`);
  await q(sql`DELETE FROM signals WHERE strategy_id = ${STRATEGY}`);
  await q(sql`DELETE FROM live_kernels WHERE strategy_id = ${STRATEGY}`);
  await q(sql`DELETE FROM alerts WHERE dedupe_key LIKE ${`kernel:${STRATEGY}:%`} OR dedupe_key LIKE 'paper-divergence:%'`);
  await q(sql`DELETE FROM candles WHERE venue = 'binance' AND symbol IN ('ETH/USDT', 'BTC/USDT') AND timeframe = '5m'`);
}

let original: { status: string; status_reason: string | null; enabled: boolean; muted: boolean; params: unknown } | undefined;
let startedAt = '';
const strategy = getStrategy(STRATEGY) as Strategy<Params>;
const params = strategy.paramsSchema.parse({ ...strategy.defaults, sentinelDropPct: DROP }) as Params;

describeWithData('the Sentinel overlay in the live 5m loop and the paper account (ETH/USDT watching BTC/USDT)', () => {
  beforeAll(async () => {
    [original] = await q<NonNullable<typeof original>>(sql`SELECT status, status_reason, enabled, muted, params FROM strategies WHERE id = ${STRATEGY}`);
    startedAt = (await q<{ now: string }>(sql`SELECT now()::text AS now`))[0]!.now;
    await fetch(`${fx}/__faults`, { method: 'DELETE' });
    await clearSeries();
    // In paper and enabled (alerts sent), with the Sentinel knob in its params — what a promotion to paper writes.
    await q(sql`UPDATE strategies SET status = 'paper', enabled = true, muted = false, params = ${JSON.stringify({ ...strategy.defaults, sentinelDropPct: DROP })}::jsonb WHERE id = ${STRATEGY}`);
  });

  afterAll(async () => {
    await fetch(`${fx}/__now`, { method: 'POST', body: JSON.stringify({ now: Date.UTC(2022, 3, 16, 13, 47, 30) }) });
    await clearSeries();
    await q(sql`DELETE FROM strategy_promotions WHERE strategy_id = ${STRATEGY} AND created_at >= ${startedAt}::timestamptz`);
    await q(sql`DELETE FROM strategy_status_changes WHERE strategy_id = ${STRATEGY} AND created_at >= ${startedAt}::timestamptz`);
    if (original) {
      await q(
        sql`UPDATE strategies SET status = ${original.status}, status_reason = ${original.status_reason}, enabled = ${original.enabled}, muted = ${original.muted}, params = ${JSON.stringify(original.params)}::jsonb WHERE id = ${STRATEGY}`,
      );
    }
  });

  it('a cycle without the BTC/USDT reference steps nothing for the strategy, says why, and the next cycle catches up', async () => {
    await cycle(at(3, 0));
    const k0 = await q<{ last_candle_time: string }>(sql`SELECT last_candle_time FROM live_kernels WHERE strategy_id = ${STRATEGY}`);
    expect(k0.map((k) => Number(k.last_candle_time))).toEqual([FIRST]);

    // 03:05:30: ETH/USDT's 03:00 candle is ingested, BTC/USDT's is not (its series is not ingested this cycle).
    await cycle(at(3, 5), ethOnly);
    const [eth] = await stored('ETH/USDT', at(3, 5, 0));
    expect(eth).toBeDefined();
    expect((await stored('BTC/USDT', at(3, 5, 0))).at(-1)!.openTime).toBe(FIRST);
    const k1 = await q<{ last_candle_time: string }>(sql`SELECT last_candle_time FROM live_kernels WHERE strategy_id = ${STRATEGY}`);
    expect(Number(k1[0]!.last_candle_time)).toBe(FIRST);
    const signalsBeat = await heartbeatStub(both, 'signals').status();
    expect(signalsBeat.lastBeat!.ok).toBe(false);
    expect(signalsBeat.lastBeat!.detail).toContain('sentinel reference binance BTC/USDT 5m not ready: the decision on the 2022-04-14T03:00:00.000Z candle');
    const paperBeat = await heartbeatStub(both, 'research').status();
    expect(paperBeat.lastBeat!.ok).toBe(false);
    expect(paperBeat.lastBeat!.detail).toContain('sentinel reference binance BTC/USDT 5m not ready');
    const [acc] = await q<{ last_signal_time: string }>(sql`SELECT last_signal_time FROM paper_accounts WHERE strategy_id = ${STRATEGY}`);
    expect(Number(acc!.last_signal_time)).toBe(FIRST);

    // 03:45:30 with both series: the kernel steps 03:00 … 03:40 (the missed candles included) and fills the BUY.
    await cycle(at(3, 45));
    const k2 = await q<{ last_candle_time: string }>(sql`SELECT last_candle_time FROM live_kernels WHERE strategy_id = ${STRATEGY}`);
    expect(Number(k2[0]!.last_candle_time)).toBe(ENTRY);
    expect((await heartbeatStub(both, 'signals').status()).lastBeat!.ok).toBe(true);
    const alerts = await q<{ event: { effect: string; time: number } }>(sql`SELECT event FROM alerts WHERE dedupe_key LIKE ${`kernel:${STRATEGY}:binance:ETH/USDT:%`} ORDER BY id`);
    expect(alerts.map((a) => [a.event.effect, a.event.time])).toEqual([['open', ENTRY]]);
  });

  it('BTC/USDT falling beyond the threshold exits the ETH/USDT long once: one alert, one paper fill, as the backtest with the same reference', async () => {
    const before = (await sentTexts()).length;
    await cycle(at(4, 45)); // steps 03:45 … 04:40: the Sentinel fires on the 04:40 decision (exit queued for the next open)
    await Promise.all([cycle(at(4, 50)), cycle(at(4, 50))]); // the exit fills at the 04:45 open; a double-fire alerts it once
    await cycle(at(4, 50));
    await cycle(at(5, 10)); // the baseline buys again at 05:00 (the overlay only fired on 04:40)

    const alerts = await q<{ dedupe_key: string; message: string; signal_id: string | null; event: { effect: string; time: number; price: number; exitKind?: string; reason: string; signalTime: number } }>(
      sql`SELECT dedupe_key, message, signal_id, event FROM alerts WHERE dedupe_key LIKE ${`kernel:${STRATEGY}:binance:ETH/USDT:%`} ORDER BY id`,
    );
    const exits = alerts.filter((a) => a.event.effect === 'close');
    expect(exits).toHaveLength(1);
    const x = exits[0]!;
    expect(x.event).toMatchObject({ time: EXIT, exitKind: 'signal', signalTime: FALL });
    expect(x.event.reason).toMatch(/^sentinel: BTC\/USDT fell 0\.18% in the candle opened 2022-04-14T04:40:00\.000Z .* more than 0\.17%: exit every long$/);
    expect(x.message).toContain('EXIT (signal) long ETH/USDT');
    expect(x.message).toContain('sentinel: BTC/USDT fell 0.18%');

    // The backtest of the same stored candles with the same reference: the same entries and the same exit.
    const eth = toSeries(await stored('ETH/USDT', at(5, 10, 0)), '5m', 'ETH/USDT');
    const btc = toSeries(await stored('BTC/USDT', at(5, 10, 0)), '5m', 'BTC/USDT');
    const bt = runBacktest(eth, strategy, params, { from: FIRST, to: at(5, 10, 0), costs: ['binance-taker'] }, { reference: btc });
    const sentinelExits = bt.trades.filter((t) => t.exitReason.startsWith('sentinel:'));
    expect(sentinelExits).toHaveLength(1);
    const t0 = sentinelExits[0]!;
    expect([t0.entryTime, t0.exitTime, t0.exitKind]).toEqual([ENTRY, EXIT, 'signal']);
    expect(x.event.price).toBe(t0.exitPrice);
    expect(x.event.reason).toBe(t0.exitReason);
    // Every alerted event is a backtest fill (the backtest closes its last position at the end of data; live holds it).
    const btFills = bt.trades.flatMap((t) => [['open', t.entryTime, t.entryPrice], ...(t.exitKind === 'end-of-data' ? [] : [['close', t.exitTime, t.exitPrice]])]);
    expect(alerts.map((a) => [a.event.effect, a.event.time, a.event.price])).toEqual(btFills);
    // Without the overlay the same trade runs on to its stop at 05:20: the Sentinel is what closed it.
    const plain = runBacktest(eth, strategy, strategy.defaults as Params, { from: FIRST, to: at(5, 10, 0), costs: ['binance-taker'] });
    expect(plain.trades[0]!.entryTime).toBe(ENTRY);
    expect(plain.trades[0]!.exitTime).not.toBe(EXIT);

    // One Telegram message for the exit, however often the cron fired.
    let sent: string[] = [];
    for (let i = 0; i < 50 && sent.length < alerts.length - 1; i++) {
      await new Promise((r) => setTimeout(r, 200));
      sent = (await sentTexts()).slice(before).filter((m) => m.includes('ETH/USDT'));
    }
    await new Promise((r) => setTimeout(r, 1500));
    sent = (await sentTexts()).slice(before).filter((m) => m.includes('ETH/USDT'));
    expect(sent.filter((m) => m.includes('sentinel: BTC/USDT fell'))).toHaveLength(1);

    // Paper: the same exit, at the same price, with the backtest's net return; the ledger equals a replay with the reference.
    const fills = await q<{ time: string; effect: string; side: string; price: number; liquidity: string | null; cost_bps: number; signal_time: string; pnl: number | null; exit_kind: string | null; action: string; net_return: number | null }>(
      sql`SELECT f.time, f.effect, f.side, f.price, f.liquidity, f.cost_bps, f.signal_time, f.pnl, f.exit_kind, f.action, f.net_return FROM paper_fills f JOIN paper_accounts a ON a.id = f.account_id WHERE a.strategy_id = ${STRATEGY} ORDER BY f.time, f.effect DESC`,
    );
    const pClose = fills.filter((f) => f.effect === 'close');
    expect(pClose).toHaveLength(1);
    expect(pClose[0]).toMatchObject({ action: 'SENTINEL', exit_kind: 'signal', price: t0.exitPrice, net_return: t0.net['binance-taker'] });
    expect(Number(pClose[0]!.time)).toBe(EXIT);
    const first = eth.openTime.indexOf(FIRST);
    const replay = replayPaper(eth, strategy, params, createPaperAccount({ costModel: 'binance-taker' }), { from: first, to: eth.length }, {}, { reference: btc });
    const ledger: LedgerFill[] = fills.map((f) => ({
      time: Number(f.time),
      effect: f.effect as LedgerFill['effect'],
      side: f.side as LedgerFill['side'],
      price: f.price,
      liquidity: (f.liquidity ?? 'taker') as LedgerFill['liquidity'],
      costBps: f.cost_bps,
      signalTime: Number(f.signal_time),
      pnl: f.pnl,
      exitKind: (f.exit_kind ?? null) as LedgerFill['exitKind'],
    }));
    const cmp = compareLedgers(ledger, replay.fills);
    expect(cmp.summary).toBe(`paper fills match the replay: ${fills.length} fills`);
    expect(fills.length).toBe(3);
  });

  it('the daily paper check replays the day with the reference: the paper fills equal the replay', async () => {
    // The first cycle after midnight catches up the rest of the day (its decisions recorded late: timing rows) and
    // runs the day's check, whose replay backtest steps the stored candles with the stored BTC/USDT reference.
    await cycle(Date.UTC(2022, 3, 15, 0, 0, 30));
    const [d] = await q<{ comparison: { ledger: { ok: boolean; summary: string; matched: number; different: number }; divergence: { counts: Record<string, number> } } }>(
      sql`SELECT d.comparison FROM paper_daily d JOIN paper_accounts a ON a.id = d.account_id WHERE a.strategy_id = ${STRATEGY} AND d.day = ${Date.UTC(2022, 3, 14)}`,
    );
    expect(d!.comparison.ledger.summary).toMatch(/^paper fills match the replay: \d+ fills$/);
    expect(d!.comparison.ledger).toMatchObject({ ok: true, different: 0 });
    expect(d!.comparison.ledger.matched).toBeGreaterThanOrEqual(3);
    expect(d!.comparison.divergence.counts).toMatchObject({ fill: 0, fee: 0, data: 0 });
    const [x] = await q<{ action: string }>(sql`SELECT f.action FROM paper_fills f JOIN paper_accounts a ON a.id = f.account_id WHERE a.strategy_id = ${STRATEGY} AND f.time = ${EXIT}`);
    expect(x!.action).toBe('SENTINEL');
  });

  it('a stored backtest run of ETH/USDT with the knob loads the reference itself, and is refused with the reason when none is stored', async () => {
    const headers = { ...(await accessHeaders()), 'content-type': 'application/json' };
    const post = async (body: unknown) =>
      (await (await exports.default.fetch(new Request('http://lab.local/api/research/backtests', { method: 'POST', headers, body: JSON.stringify(body) }))).json()) as { run: { id: string } };
    const waitRun = async (id: string) => {
      for (let i = 0; i < 300; i++) {
        const [r] = await q<{ status: string; error: string | null; result: { sentinelReference?: { series: string; candleCount: number } } | null }>(sql`SELECT status, error, result FROM backtest_runs WHERE id = ${id}`);
        if (r && (r.status === 'done' || r.status === 'failed')) return r;
        await new Promise((res) => setTimeout(res, 200));
      }
      throw new Error(`run ${id} did not finish`);
    };
    const req = { strategy: STRATEGY, venue: 'binance', symbol: 'ETH/USDT', timeframe: '5m', from: FIRST, to: at(5, 10, 0), params: { sentinelDropPct: DROP } };
    const { run } = await post(req);
    const done = await waitRun(run.id);
    expect(done.status, done.error ?? '').toBe('done');
    expect(done.result!.sentinelReference).toMatchObject({ series: 'binance:BTC/USDT:5m' });
    const trades = await q<{ entry_time: string; exit_time: string; exit_reason: string }>(sql`SELECT entry_time, exit_time, exit_reason FROM backtest_trades WHERE run_id = ${run.id} ORDER BY seq`);
    const eth = toSeries(await stored('ETH/USDT', at(5, 10, 0)), '5m', 'ETH/USDT');
    const btc = toSeries(await stored('BTC/USDT', at(5, 10, 0)), '5m', 'BTC/USDT');
    const bt = runBacktest(eth, strategy, params, { from: FIRST, to: at(5, 10, 0) }, { reference: btc });
    expect(trades.map((t) => [Number(t.entry_time), Number(t.exit_time), t.exit_reason])).toEqual(bt.trades.map((t) => [t.entryTime, t.exitTime, t.exitReason]));
    expect(trades.some((t) => Number(t.exit_time) === EXIT && t.exit_reason.startsWith('sentinel: BTC/USDT fell'))).toBe(true);
    await q(sql`DELETE FROM backtest_runs WHERE id = ${run.id}`);

    await q(sql`DELETE FROM candles WHERE venue = 'binance' AND symbol = 'BTC/USDT' AND timeframe = '5m'`);
    const { run: refused } = await post(req);
    const failed = await waitRun(refused.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain('risk.sentinel watches BTC/USDT: no stored binance BTC/USDT 5m candles');
    await q(sql`DELETE FROM backtest_runs WHERE id = ${refused.id}`);
  });
});
