/**
 * Operator notifications in workerd against real Postgres and the fake Telegram: the daily paper PnL summary, a
 * paper drawdown breach and a strategy demotion each go out once through the alert machinery (re-running the stage
 * and redelivering the alert job send nothing more), and each kind can be muted — through the API and through the
 * bot's admin-only `/mute <kind>` (which also silences the heartbeat monitor's `service` alerts).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import { eq, inArray, like, or } from 'drizzle-orm';
import worker from '../index';
import { getConfig, type Env } from '../env';
import { alerts, notificationMutes, paperAccounts, paperDaily, strategies, strategyStatusChanges } from '../../shared/db/schema';
import { dailySummaryKey, drawdownKey, summaryDay } from '../../shared/observability/notifications';
import { accessHeaders } from '../api/test-access';
import { ALERT_CHAT, ADMIN_USER, env, messageUpdate, postWebhook, resetFake, sentMessages, testDb, waitFor } from '../telegram/fake-telegram.test-util';
import { alertJob } from '../jobs/alert';
import { runSystemAlert } from '../jobs/system-alert';
import { runNotifications } from './notifications';

const h = testDb();
const db = h.db;
const STRAT = 'notify-test-strategy';
const DAY = 86_400_000;
// A day no other test file writes paper rows for.
const NOW = Date.UTC(2097, 5, 10, 0, 5);
const D1 = summaryDay(NOW); // 2097-06-09: the day the summary is about
const D0 = D1 - DAY;
let accountId = 0;

const run = (e: Env = env) => runNotifications({ env: e, config: getConfig(e), db, now: NOW });

async function cleanup(): Promise<void> {
  await db.delete(alerts).where(or(like(alerts.dedupeKey, 'paper-daily:2097-%'), like(alerts.dedupeKey, 'paper-drawdown:%'), like(alerts.dedupeKey, 'strategy-status:%'), like(alerts.dedupeKey, 'heartbeat-failing:notify-test%')));
  await db.delete(paperAccounts).where(eq(paperAccounts.strategyId, STRAT));
  await db.delete(strategyStatusChanges).where(eq(strategyStatusChanges.strategyId, STRAT));
  await db.delete(notificationMutes);
}

async function api(method: string, path: string): Promise<Response> {
  return exports.default.fetch(new Request(`http://lab.local${path}`, { method, headers: await accessHeaders() }));
}

/** Messages mentioning the test strategy, once the queue has had time to deliver `n` of them. */
async function mine(n: number): Promise<string[]> {
  return waitFor(async () => {
    const texts = (await sentMessages()).map((m) => m.text).filter((t) => t.includes(STRAT));
    return texts.length >= n ? texts : null;
  }, 20_000, `${n} notification(s)`);
}

beforeAll(async () => {
  await db
    .insert(strategies)
    .values({ id: STRAT, title: STRAT, version: '1', origin: 'test', family: 'test', timeframe: '5m', params: {}, status: 'paper', muted: false })
    .onConflictDoUpdate({ target: strategies.id, set: { muted: false, status: 'paper' } });
  await cleanup();
  // Initial 10,000; +500 on D0 (peak 10,500); −1,400 on D1; now 9,000: 14.3 % below the peak (threshold 10 %).
  const [acc] = await db
    .insert(paperAccounts)
    .values({ strategyId: STRAT, venue: 'binance', symbol: 'BTC/USDT', timeframe: '5m', costPreset: 'binance-taker', initialEquity: 10_000, equity: 9_000, cash: 9_000, since: D0 })
    .returning({ id: paperAccounts.id });
  accountId = acc!.id;
  await db.insert(paperDaily).values([
    { accountId, day: D0, equity: 10_500, pnl: 500, signals: 2, fills: 2, comparison: {}, ok: true },
    { accountId, day: D1, equity: 9_100, pnl: -1_400, signals: 3, fills: 3, comparison: {}, ok: true, divergences: 1 },
  ]);
});

afterAll(async () => {
  await cleanup();
  await db.delete(strategies).where(eq(strategies.id, STRAT));
  await h.close();
});

beforeEach(() => resetFake());

describe('notifications through the alert machinery', () => {
  it('daily summary, drawdown and demotion go out once each, whatever repeats', async () => {
    await db.insert(strategyStatusChanges).values({ strategyId: STRAT, fromStatus: 'paper', toStatus: 'watch', reason: 'walk-forward net edge gone' });
    const first = await run();
    expect(first).toMatchObject({ dailySummary: 'enqueued' });
    expect(first.drawdowns).toBeGreaterThanOrEqual(1);
    expect(first.statusChanges).toBeGreaterThanOrEqual(1);
    const texts = await mine(3);
    const summary = texts.find((t) => t.startsWith('📒 Paper PnL 2097-06-09'));
    expect(summary).toContain(`${STRAT} binance BTC/USDT 5m: −1400.00 (-14.00%), equity 9100.00, 3 fill(s), 1 divergence(s)`);
    expect(texts.find((t) => t.startsWith('📉'))).toContain('Paper drawdown 14.29%');
    expect(texts.find((t) => t.startsWith('🛑'))).toContain(`${STRAT} demoted to watch from paper`);

    // The cron fires again (twice) and the queue redelivers the summary's alert job: nothing more is sent.
    expect(await run()).toEqual({ dailySummary: 'exists', drawdowns: 0, statusChanges: 0 });
    await run();
    const [row] = await db.select().from(alerts).where(eq(alerts.dedupeKey, dailySummaryKey(D1)));
    expect(row!.status).toBe('sent');
    const batch = createMessageBatch('jobs', [{ id: 'notify-redeliver', timestamp: new Date(), attempts: 2, body: alertJob(row!.id) }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    await getQueueResult(batch, ctx);
    await new Promise((r) => setTimeout(r, 500));
    expect((await sentMessages()).map((m) => m.text).filter((t) => t.includes(STRAT))).toHaveLength(3);
  });

  it('a kind muted through the API is recorded muted, never sent; unmuting it is said so', async () => {
    const listed = (await (await api('GET', '/api/notifications')).json()) as { data: { kind: string; muted: boolean }[] };
    expect(listed.data.map((k) => k.kind)).toEqual(['paper-daily', 'paper-drawdown', 'strategy-status', 'service', 'paper-divergence']);
    expect((await api('PUT', '/api/notifications/no-such-kind/mute')).status).toBe(422);
    const put = (await (await api('PUT', '/api/notifications/paper-drawdown/mute')).json()) as { data: { muted: boolean; mutedBy: string } };
    expect(put.data).toMatchObject({ muted: true, mutedBy: 'api:access' });

    // A new peak then a new breach: a new episode (new key), muted.
    await db.insert(paperDaily).values({ accountId, day: D1 + DAY, equity: 12_000, pnl: 2_900, signals: 0, fills: 0, comparison: {}, ok: true });
    await db.update(paperAccounts).set({ equity: 10_000 }).where(eq(paperAccounts.id, accountId));
    await run();
    const [muted] = await db.select().from(alerts).where(eq(alerts.dedupeKey, drawdownKey(accountId, D1 + DAY)));
    expect(muted!.status).toBe('muted');
    await new Promise((r) => setTimeout(r, 500));
    expect((await sentMessages()).filter((m) => m.text.includes(STRAT))).toHaveLength(0);

    const del = (await (await api('DELETE', '/api/notifications/paper-drawdown/mute')).json()) as { data: { muted: boolean } };
    expect(del.data.muted).toBe(false);
  });

  it('/mute service (admin only) silences the heartbeat monitor\'s failing-service alerts; /unmute restores them', async () => {
    const reply = async (text: string, fromId?: number): Promise<string> => {
      await resetFake();
      expect((await postWebhook(messageUpdate(text, ALERT_CHAT, { fromId }))).status).toBe(200);
      return (await sentMessages())[0]!.text;
    };
    expect(await reply('/mute service', 999)).toMatch(/^Not allowed/);
    expect(await reply('/mute')).toContain('Kinds: paper-daily');
    expect(await reply('/mute service', ADMIN_USER)).toContain('service muted');
    expect(await reply('/mute service', ADMIN_USER)).toBe('service was already muted.');
    expect(await reply('/mute')).toContain('Muted kinds: service');

    await resetFake();
    const deps = { env, config: getConfig(env), db, now: () => Date.now() };
    const job = { kind: 'system-alert' as const, key: 'heartbeat-failing:notify-test:1', dedupeKey: 'heartbeat-failing:notify-test:1', text: `⚠️ ${STRAT} heartbeat test: failing` };
    await runSystemAlert(job, deps);
    const [row] = await db.select().from(alerts).where(eq(alerts.dedupeKey, job.dedupeKey));
    expect(row!.status).toBe('muted');
    expect(await sentMessages()).toHaveLength(0);

    expect(await reply('/unmute service', ADMIN_USER)).toContain('service unmuted');
    await resetFake();
    const job2 = { ...job, key: 'heartbeat-failing:notify-test:2', dedupeKey: 'heartbeat-failing:notify-test:2' };
    await runSystemAlert(job2, deps);
    expect((await sentMessages()).map((m) => m.text)).toEqual([job.text]);
    const rows = await db.select({ status: alerts.status }).from(alerts).where(inArray(alerts.dedupeKey, [job.dedupeKey, job2.dedupeKey]));
    expect(rows.map((r) => r.status).sort()).toEqual(['muted', 'sent']);
  });
});
