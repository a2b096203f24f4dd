import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { describeWithData } from '../real-data.test-util';
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { sql } from 'drizzle-orm';
import worker from '../index';
import { withDb } from '../db';
import { getConfig, type Env } from '../env';
import { heartbeatStub } from '../heartbeat/monitor';

// A real BUY of the Nexara 5m baseline in the recorded 2022 data: candle 2022-04-16T03:20Z (closes 03:25).
const BUY_CANDLE = Date.UTC(2022, 3, 16, 3, 20);
const T = BUY_CANDLE + 300_000 + 30_000;
const fx = inject('fakeExchangeUrl');

const e = {
  ...env,
  INGEST_SERIES: 'binance:BTC/USDT:5m',
  INGEST_BACKFILL_LIMIT: '2500',
  LIVE_SIGNALS: 'nexara-baseline-5m@binance:BTC/USDT:5m',
} as Env;

async function q<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  return withDb(getConfig(e), async (db) => (await db.execute(query)).rows as T[]);
}

async function cycle(at: number): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: at, cron: '*/5 * * * *' }), e, ctx);
  await waitOnExecutionContext(ctx);
}

async function sentMessages(): Promise<{ text: string }[]> {
  const res = await fetch(`${env.TELEGRAM_API_ROOT}/__calls`);
  const calls = (await res.json()) as { method: string; params: { text?: string } }[];
  return calls.filter((c) => c.method === 'sendMessage').map((c) => ({ text: String(c.params.text ?? '') }));
}

describeWithData('live 5m loop: same evaluate as the backtest, exactly one signal and one alert', () => {
  beforeAll(async () => {
    await fetch(`${fx}/__faults`, { method: 'DELETE' });
    await fetch(`${fx}/__now`, { method: 'POST', body: JSON.stringify({ now: T }) });
    await q(sql`DELETE FROM candles WHERE venue = 'binance' AND symbol = 'BTC/USDT' AND timeframe = '5m'`);
    await q(sql`DELETE FROM signals WHERE strategy_id = 'nexara-baseline-5m'`);
    await q(sql`DELETE FROM live_kernels WHERE strategy_id = 'nexara-baseline-5m'`);
    await q(sql`DELETE FROM alerts WHERE dedupe_key LIKE 'kernel:nexara-baseline-5m:%'`);
    await q(sql`UPDATE strategies SET enabled = true, muted = false WHERE id = 'nexara-baseline-5m'`);
  });
  afterAll(async () => {
    await fetch(`${fx}/__now`, { method: 'POST', body: JSON.stringify({ now: Date.UTC(2022, 3, 16, 13, 47, 30) }) });
  });

  /** Telegram messages about BTC/USDT sent since `before`, after the queue has had time to deliver. */
  async function deliveredSince(before: number, expected: number): Promise<{ text: string }[]> {
    let sent: { text: string }[] = [];
    for (let i = 0; i < 50 && sent.length < expected; i++) {
      await new Promise((r) => setTimeout(r, 200));
      sent = (await sentMessages()).slice(before).filter((m) => m.text.includes('BTC/USDT'));
    }
    await new Promise((r) => setTimeout(r, 1500)); // nothing more may arrive
    return (await sentMessages()).slice(before).filter((m) => m.text.includes('BTC/USDT'));
  }

  it('a cron double-fire over the same closed candle gives one signal; the entry is alerted once, when it fills', async () => {
    const before = (await sentMessages()).length;
    await cycle(T);
    await cycle(T);
    const rows = await q<{ action: string; candle_open_time: string; reason: string; id: string }>(
      sql`SELECT id, action, candle_open_time, reason FROM signals WHERE strategy_id = 'nexara-baseline-5m'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.action).toBe('BUY');
    expect(Number(rows[0]!.candle_open_time)).toBe(BUY_CANDLE);
    expect(rows[0]!.reason).toMatch(/RSI14 .* crossed up 35/);
    // The BUY queued a market entry for the next open: no fill yet, so no alert yet.
    expect((await q<{ n: number }>(sql`SELECT count(*)::int AS n FROM alerts WHERE dedupe_key LIKE 'kernel:nexara-baseline-5m:binance:%'`))[0]!.n).toBe(0);
    const status = await heartbeatStub(e, 'signals').status();
    expect(status.lastBeat!.ok).toBe(true);
    expect(status.lastBeat!.detail).toContain('BUY');

    // 03:30:30: the 03:25 candle closed; the kernel filled the entry at its open. A double-fire alerts it once.
    await Promise.all([cycle(T + 300_000), cycle(T + 300_000)]);
    await cycle(T + 300_000);
    const [fill] = await q<{ open: number }>(sql`SELECT open FROM candles WHERE venue = 'binance' AND symbol = 'BTC/USDT' AND timeframe = '5m' AND open_time = ${BUY_CANDLE + 300_000}`);
    const alerts = await q<{ signal_id: string | null; message: string; dedupe_key: string }>(sql`SELECT signal_id, message, dedupe_key FROM alerts WHERE dedupe_key LIKE 'kernel:nexara-baseline-5m:binance:%'`);
    expect(alerts).toHaveLength(1);
    expect(String(alerts[0]!.signal_id)).toBe(String(rows[0]!.id));
    expect(alerts[0]!.message).toContain(`ENTRY long BTC/USDT @ ${fill!.open.toLocaleString('en-US', { maximumFractionDigits: 2 })}`);
    const sent = await deliveredSince(before, 1);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toMatch(/^🟢 ENTRY long BTC\/USDT @ /);
    expect(sent[0]!.text).toContain('filled at the 2022-04-16 03:25 UTC open (taker)');
  });

  it('the take-profit inside a later candle is alerted once as an EXIT with its fill price; no BUY repeats while long', async () => {
    const before = (await sentMessages()).length;
    // One cycle at 04:45:30 steps 03:30..04:40: the kernel takes the profit inside the 04:40 candle.
    const t = Date.UTC(2022, 3, 16, 4, 45, 30);
    await fetch(`${fx}/__now`, { method: 'POST', body: JSON.stringify({ now: t }) });
    await cycle(t);
    await cycle(t);
    const alerts = await q<{ signal_id: string | null; message: string; event: Record<string, unknown> | null }>(
      sql`SELECT signal_id, message, event FROM alerts WHERE dedupe_key LIKE 'kernel:nexara-baseline-5m:binance:%' ORDER BY id`,
    );
    expect(alerts).toHaveLength(2);
    expect(alerts[1]!.signal_id).toBeNull();
    // The alert keeps the event it was formatted from (what /signals and the Dashboard list).
    expect(alerts.map((a) => a.event?.effect)).toEqual(['open', 'close']);
    expect(alerts[1]!.event).toMatchObject({ exitKind: 'take-profit', price: expect.closeTo(40560.61, 2), liquidity: 'maker', time: Date.UTC(2022, 3, 16, 4, 40), symbol: 'BTC/USDT', strategyId: 'nexara-baseline-5m' });
    expect(alerts[1]!.message).toMatch(/^🎯 EXIT \(take-profit\) long BTC\/USDT @ 40,560\.61/);
    expect(alerts[1]!.message).toContain('filled inside the 2022-04-16 04:40 UTC candle (maker)');
    const sent = await deliveredSince(before, 1);
    expect(sent.map((m) => m.text.split('\n')[0])).toEqual(['🎯 EXIT (take-profit) long BTC/USDT @ 40,560.61']);
    const [k] = await q<{ state: { position: unknown; pending: unknown } }>(sql`SELECT state FROM live_kernels WHERE strategy_id = 'nexara-baseline-5m' AND venue = 'binance'`);
    expect(k!.state.position).toBeNull();
  });

  it('the decisions of the stepped candles are recorded once each', async () => {
    const rows = await q<{ n: number }>(sql`SELECT count(*)::int AS n FROM signals WHERE strategy_id = 'nexara-baseline-5m' AND candle_open_time > ${BUY_CANDLE} AND candle_open_time <= ${Date.UTC(2022, 3, 16, 4, 40)}`);
    const dupes = await q<{ n: number }>(sql`SELECT count(*)::int AS n FROM (SELECT candle_open_time FROM signals WHERE strategy_id = 'nexara-baseline-5m' AND venue = 'binance' GROUP BY candle_open_time HAVING count(*) > 1) d`);
    expect(dupes[0]!.n).toBe(0);
    // The kernel stepped 03:25..04:40 (16 candles); only non-HOLD decisions are rows, never more than one per candle.
    expect(rows[0]!.n).toBeLessThanOrEqual(16);
  });
});
