import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { and, eq, inArray, like } from 'drizzle-orm';
import { alerts, deadLetters, signals, strategies } from '../../shared/db/schema';
import { TransientError } from '../errors';
import { getConfig, type Env } from '../env';
import worker from '../index';
import { ALERT_CHAT, env, resetFake, sentMessages, setFaults, testDb, fakeCalls } from '../telegram/fake-telegram.test-util';
import { alertJob, deliverAlert, enqueueSignalAlert, requeueStuckAlerts, runAlert } from './alert';
import type { JobDeps } from './consumer';
import type { JobMessage } from './messages';
import { runSystemAlert } from './system-alert';

const h = testDb();
const db = h.db;
const STRAT = 'alert-test-strategy';
const MUTED = 'alert-test-muted';
const T0 = Date.UTC(2098, 0, 1);
let candle = 0;

/** The env with a recording JOBS queue, so enqueues are observed instead of consumed in the background. */
function recordingEnv(): { env: Env; sent: JobMessage[] } {
  const sent: JobMessage[] = [];
  const jobs = {
    send: vi.fn(async (m: JobMessage) => {
      sent.push(m);
    }),
    sendBatch: vi.fn(async (ms: { body: JobMessage }[]) => {
      sent.push(...ms.map((m) => m.body));
    }),
  };
  return { env: { ...env, JOBS: jobs as unknown as Env['JOBS'] }, sent };
}

function deps(): JobDeps {
  return { env, config: getConfig(env), db, now: () => Date.now() };
}

async function newSignal(strategyId = STRAT, action = 'BUY'): Promise<number> {
  const t = T0 + candle++ * 300_000;
  const [row] = await db
    .insert(signals)
    .values({
      strategyId,
      strategyVersion: '2',
      venue: 'binance',
      symbol: 'ETH/USDT',
      timeframe: '5m',
      candleOpenTime: t,
      candleCloseTime: t + 299_999,
      action,
      price: 3456.78,
      reason: 'RSI(14) crossed above 30',
      computedAt: new Date(t + 300_000),
    })
    .returning({ id: signals.id });
  return row!.id;
}

async function alertRow(id: number) {
  const [row] = await db.select().from(alerts).where(eq(alerts.id, id));
  return row!;
}

beforeEach(async () => {
  await resetFake();
  for (const [id, muted] of [
    [STRAT, false],
    [MUTED, true],
  ] as const) {
    await db
      .insert(strategies)
      .values({ id, title: id, version: '2', origin: 'test', family: 'test', timeframe: '5m', params: {}, muted })
      .onConflictDoUpdate({ target: strategies.id, set: { muted } });
  }
});

afterAll(async () => {
  await db.delete(signals).where(inArray(signals.strategyId, [STRAT, MUTED]));
  await db.delete(alerts).where(like(alerts.dedupeKey, 'alert-test:%'));
  await h.close();
});

describe('enqueueSignalAlert', () => {
  it('records the alert once per signal and enqueues delivery only when the row is new', async () => {
    const signalId = await newSignal();
    const { env: e, sent } = recordingEnv();
    const first = await enqueueSignalAlert(db, e, signalId);
    const again = await enqueueSignalAlert(db, e, signalId, 'ignored: the row exists');
    expect(first).toMatchObject({ created: true, muted: false, enqueued: true });
    expect(again).toEqual({ alertId: first.alertId, created: false, muted: false, enqueued: false });
    expect(sent).toEqual([{ kind: 'alert', key: `alert:${first.alertId}`, alertId: first.alertId }]);
    const rows = await db.select().from(alerts).where(eq(alerts.signalId, signalId));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'pending', attempts: 0, channel: 'telegram', dedupeKey: `signal:${signalId}` });
    // strategy, symbol, side, price, reason and the Lab link
    expect(rows[0]!.message).toBe(
      [
        '🟢 BUY ETH/USDT @ 3,456.78',
        `Strategy: ${STRAT} v2`,
        `Market: binance ETH/USDT 5m, candle ${new Date(T0 + (candle - 1) * 300_000).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
        'Reason: RSI(14) crossed above 30',
        `Lab: https://lab.test/signals/#${signalId}`,
      ].join('\n'),
    );
  });

  it('records a muted strategy’s alert as muted and never sends it', async () => {
    const signalId = await newSignal(MUTED, 'SELL');
    const { env: e, sent } = recordingEnv();
    const r = await enqueueSignalAlert(db, e, signalId);
    expect(r).toMatchObject({ created: true, muted: true, enqueued: false });
    expect(sent).toEqual([]);
    expect((await alertRow(r.alertId)).status).toBe('muted');
    expect(await deliverAlert(deps(), r.alertId)).toMatchObject({ outcome: 'skipped', status: 'muted' });
    expect(await fakeCalls()).toEqual([]);
  });
});

describe('alert job', () => {
  it('a job delivered twice sends one message and records sent, sent_at and the message id', async () => {
    const signalId = await newSignal();
    const { alertId } = await enqueueSignalAlert(db, recordingEnv().env, signalId);
    await runAlert(alertJob(alertId), deps());
    await runAlert(alertJob(alertId), deps());
    const sent = await sentMessages();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.chatId).toBe(ALERT_CHAT);
    expect(sent[0]!.text).toContain(`Lab: https://lab.test/signals/#${signalId}`);
    const row = await alertRow(alertId);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, lastError: null, externalId: expect.stringMatching(/^\d+$/) });
    expect(row.sentAt).toBeInstanceOf(Date);
    const [sig] = await db.select({ sentAt: signals.sentAt }).from(signals).where(eq(signals.id, signalId));
    expect(sig!.sentAt).toBeInstanceOf(Date);
  });

  it('a 429 becomes a TransientError with retry_after; the retry sends once', async () => {
    const { alertId } = await enqueueSignalAlert(db, recordingEnv().env, await newSignal());
    await setFaults({ method: 'sendMessage', kind: '429', count: 1, retryAfter: 7 });
    const err = await runAlert(alertJob(alertId), deps()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as TransientError).retryAfterSeconds).toBe(7);
    expect(await alertRow(alertId)).toMatchObject({ status: 'failed', attempts: 1, lastError: '429 Too Many Requests: retry after 7' });
    await runAlert(alertJob(alertId), deps());
    expect(await alertRow(alertId)).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
    expect((await fakeCalls('sendMessage')).map((c) => c.status)).toEqual([429, 200]);
  });

  it('through the queue consumer: a 429 is retried after retry_after, then acked; a redelivery sends nothing', async () => {
    const { alertId } = await enqueueSignalAlert(db, recordingEnv().env, await newSignal());
    await setFaults({ method: 'sendMessage', kind: '429', count: 1, retryAfter: 11 });
    const body = alertJob(alertId);
    const run = async (attempts: number) => {
      const batch = createMessageBatch('jobs', [{ id: `alert-msg-${alertId}-${attempts}`, timestamp: Date.now(), attempts, body }]);
      // The plugin's getQueueResult drops retry({ delaySeconds }): observe the call itself.
      const retry = vi.spyOn(batch.messages[0]!, 'retry');
      const ctx = createExecutionContext();
      await worker.queue(batch as MessageBatch<JobMessage>, env, ctx);
      return { ...(await getQueueResult(batch, ctx)), retryCalls: retry.mock.calls };
    };
    const first = await run(1);
    expect(first.retryMessages).toEqual([{ msgId: `alert-msg-${alertId}-1` }]);
    expect(first.retryCalls).toEqual([[{ delaySeconds: 11 }]]);
    expect(first.explicitAcks).toEqual([]);
    const second = await run(2);
    expect(second.retryMessages).toEqual([]);
    expect(second.explicitAcks).toEqual([`alert-msg-${alertId}-2`]);
    const third = await run(3);
    expect(third.explicitAcks).toEqual([`alert-msg-${alertId}-3`]);
    expect((await fakeCalls('sendMessage')).map((c) => c.status)).toEqual([429, 200]);
    expect((await alertRow(alertId)).status).toBe('sent');
  });

  it('another failure records failed + last_error and is retried with backoff; retries exhausted → dead', async () => {
    const { alertId } = await enqueueSignalAlert(db, recordingEnv().env, await newSignal());
    await setFaults({ method: 'sendMessage', kind: '500', count: 1 });
    const body = alertJob(alertId);
    const batch = createMessageBatch('jobs', [{ id: `alert-500-${alertId}`, timestamp: Date.now(), attempts: 1, body }]);
    const retry = vi.spyOn(batch.messages[0]!, 'retry');
    const ctx = createExecutionContext();
    await worker.queue(batch as MessageBatch<JobMessage>, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.retryMessages).toEqual([{ msgId: `alert-500-${alertId}` }]);
    const delay = (retry.mock.calls[0]![0] as { delaySeconds: number }).delaySeconds;
    expect(delay).toBeGreaterThanOrEqual(5);
    expect(delay).toBeLessThanOrEqual(6);
    expect(await alertRow(alertId)).toMatchObject({ status: 'failed', attempts: 1, lastError: '500 Internal Server Error' });

    const dlq = createMessageBatch('jobs-dlq', [{ id: `alert-dead-${alertId}`, timestamp: Date.now(), attempts: 6, body }]);
    const dctx = createExecutionContext();
    await worker.queue(dlq as MessageBatch<JobMessage>, env, dctx);
    expect((await getQueueResult(dlq, dctx)).explicitAcks).toEqual([`alert-dead-${alertId}`]);
    expect((await alertRow(alertId)).status).toBe('dead');
    const [dl] = await db.select().from(deadLetters).where(and(eq(deadLetters.queue, 'jobs-dlq'), eq(deadLetters.messageId, `alert-dead-${alertId}`)));
    expect(dl).toMatchObject({ kind: 'alert', reason: 'retries exhausted' });
    // A late redelivery of a dead alert sends nothing.
    await runAlert(body, deps());
    expect((await fakeCalls('sendMessage')).map((c) => c.status)).toEqual([500]);
  });

  it('a row being sent by another delivery is not sent again (retried later)', async () => {
    const { alertId } = await enqueueSignalAlert(db, recordingEnv().env, await newSignal());
    await db.update(alerts).set({ status: 'sending', attempts: 1 }).where(eq(alerts.id, alertId));
    const err = await runAlert(alertJob(alertId), deps()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as TransientError).retryAfterSeconds).toBe(60);
    expect(await fakeCalls()).toEqual([]);
  });
});

describe('requeueStuckAlerts', () => {
  it('re-enqueues recent alerts stuck in pending/failed/sending, never sent, muted or stale news', async () => {
    const ids: Record<string, number> = {};
    const ago = (min: number) => new Date(Date.now() - min * 60_000);
    for (const [name, status, updatedMin, createdMin] of [
      ['lost', 'pending', 30, 30],
      ['failed', 'failed', 20, 40],
      ['fresh', 'pending', 1, 1],
      ['sent', 'sent', 30, 30],
      ['muted', 'muted', 30, 30],
      ['old', 'pending', 600, 600],
    ] as const) {
      const [row] = await db
        .insert(alerts)
        .values({ dedupeKey: `alert-test:requeue:${name}:${Date.now()}`, message: name, status, updatedAt: ago(updatedMin), createdAt: ago(createdMin) })
        .returning({ id: alerts.id });
      ids[name] = row!.id;
    }
    const { env: e, sent } = recordingEnv();
    await requeueStuckAlerts(db, e, { limit: 1000 });
    const requeued = new Set(sent.map((m) => (m.kind === 'alert' ? m.alertId : -1)));
    expect(requeued.has(ids.lost!)).toBe(true);
    expect(requeued.has(ids.failed!)).toBe(true);
    for (const n of ['fresh', 'sent', 'muted', 'old']) expect(requeued.has(ids[n]!), n).toBe(false);
  });
});

describe('system-alert job', () => {
  it('records the alert once per dedupe key and delivers it once', async () => {
    const key = `alert-test:stale:${Date.now()}`;
    const msg = { kind: 'system-alert' as const, key, dedupeKey: key, text: '⚠️ ingest has not beaten (test)' };
    await runSystemAlert(msg, deps());
    await runSystemAlert(msg, deps());
    const rows = await db.select().from(alerts).where(eq(alerts.dedupeKey, key));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'sent', attempts: 1, signalId: null });
    expect(await sentMessages()).toEqual([{ chatId: ALERT_CHAT, text: '⚠️ ingest has not beaten (test)' }]);
  });

  it('a 429 on a system alert carries retry_after too', async () => {
    const key = `alert-test:429:${Date.now()}`;
    await setFaults({ method: 'sendMessage', kind: '429', count: 1, retryAfter: 3 });
    const msg = { kind: 'system-alert' as const, key, dedupeKey: key, text: 'flood test' };
    const err = await runSystemAlert(msg, deps()).catch((e: unknown) => e);
    expect((err as TransientError).retryAfterSeconds).toBe(3);
    await runSystemAlert(msg, deps());
    expect(await sentMessages()).toEqual([{ chatId: ALERT_CHAT, text: 'flood test' }]);
  });
});
