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
    await q(sql`UPDATE strategies SET enabled = true, muted = false WHERE id = 'nexara-baseline-5m'`);
  });
  afterAll(async () => {
    await fetch(`${fx}/__now`, { method: 'POST', body: JSON.stringify({ now: Date.UTC(2022, 3, 16, 13, 47, 30) }) });
  });

  it('a cron double-fire over the same closed candle gives one signal and one sendMessage', async () => {
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
    const alerts = await q<{ n: number }>(sql`SELECT count(*)::int AS n FROM alerts WHERE signal_id = ${Number(rows[0]!.id)}`);
    expect(alerts[0]!.n).toBe(1);
    // The alert job runs on the queue: wait for its delivery, then make sure nothing more arrives.
    let sent: { text: string }[] = [];
    for (let i = 0; i < 50 && sent.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 200));
      sent = (await sentMessages()).slice(before).filter((m) => m.text.includes('nexara-baseline-5m') || m.text.includes('BTC/USDT'));
    }
    await new Promise((r) => setTimeout(r, 1500));
    sent = (await sentMessages()).slice(before).filter((m) => m.text.includes('BTC/USDT'));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toMatch(/BUY/);
    const status = await heartbeatStub(e, 'signals').status();
    expect(status.lastBeat!.ok).toBe(true);
    expect(status.lastBeat!.detail).toContain('BUY');
  });

  it('the next cycle evaluates only the newest closed candle', async () => {
    await cycle(T + 300_000);
    const rows = await q<{ n: number }>(sql`SELECT count(*)::int AS n FROM signals WHERE strategy_id = 'nexara-baseline-5m' AND candle_open_time <> ${BUY_CANDLE}`);
    // 03:25 is a HOLD for the baseline in this data: no new signal row.
    expect(rows[0]!.n).toBe(0);
  });
});
