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
import { pacerFor, SendBucket } from '../heartbeat/pacer';

const h = testDb();
const db = h.db;
const STRAT = 'alert-test-strategy';
const MUTED = 'alert-test-muted';
const T0 = Date.UTC(2098, 0, 1);
let candle = 0;

/** The env with a recording JOBS queue, so enqueues are observed instead of consumed in the background. */
function recordingEnv(): { env: Env; sent: JobMessage[]; delays: (number | undefined)[] } {
  const sent: JobMessage[] = [];
  const delays: (number | undefined)[] = [];
  const jobs = {
    send: vi.fn(async (m: JobMessage, opts?: { delaySeconds?: number }) => {
      sent.push(m);
      delays.push(opts?.delaySeconds);
    }),
    sendBatch: vi.fn(async (ms: { body: JobMessage }[]) => {
      sent.push(...ms.map((m) => m.body));
    }),
  };
  return { env: { ...env, JOBS: jobs as unknown as Env['JOBS'] }, sent, delays };
}

function deps(e: Env = env): JobDeps {
  return { env: e, config: getConfig(e), db, now: () => Date.now() };
}

const pacer = () => pacerFor(env, 123456);

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
  await pacer().reset();
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

  it('a 429 stops the bot for retry_after, gives the attempt back and re-enqueues the alert for then; it then sends once', async () => {
    const { alertId } = await enqueueSignalAlert(db, recordingEnv().env, await newSignal());
    const rec = recordingEnv();
    await setFaults({ method: 'sendMessage', kind: '429', count: 1, retryAfter: 7 });
    expect(await deliverAlert(deps(rec.env), alertId)).toMatchObject({ outcome: 'rate-limited', retryAfterSeconds: 7 });
    // Not a used-up attempt: back to pending with attempts 0, re-enqueued as a fresh message 7 s later.
    expect(await alertRow(alertId)).toMatchObject({ status: 'pending', attempts: 0, lastError: '429 Too Many Requests: retry after 7' });
    expect(rec.sent).toEqual([alertJob(alertId)]);
    expect(rec.delays).toEqual([7]);
    // The rest of the batch waits too: another alert is deferred (not claimed, not sent) while the block lasts.
    const other = await enqueueSignalAlert(db, recordingEnv().env, await newSignal());
    const deferred = await deliverAlert(deps(rec.env), other.alertId);
    expect(deferred.outcome).toBe('deferred');
    expect(await alertRow(other.alertId)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(rec.delays[1]).toBeGreaterThanOrEqual(6);
    expect((await fakeCalls('sendMessage')).map((c) => c.status)).toEqual([429]);
    // After retry_after (the test resets the block instead of waiting 7 s): one send each.
    await pacer().reset();
    await runAlert(alertJob(alertId), deps(rec.env));
    await runAlert(alertJob(other.alertId), deps(rec.env));
    expect(await alertRow(alertId)).toMatchObject({ status: 'sent', attempts: 1, lastError: null });
    expect((await fakeCalls('sendMessage')).map((c) => c.status)).toEqual([429, 200, 200]);
  });

  it('through the queue consumer: a 429 is acked and re-enqueued (not retried: no queue attempt used); a redelivery sends nothing', async () => {
    const { alertId } = await enqueueSignalAlert(db, recordingEnv().env, await newSignal());
    await setFaults({ method: 'sendMessage', kind: '429', count: 1, retryAfter: 11 });
    const body = alertJob(alertId);
    const rec = recordingEnv();
    const run = async (attempts: number) => {
      const batch = createMessageBatch('jobs', [{ id: `alert-msg-${alertId}-${attempts}`, timestamp: Date.now(), attempts, body }]);
      const ctx = createExecutionContext();
      await worker.queue(batch as MessageBatch<JobMessage>, rec.env, ctx);
      return getQueueResult(batch, ctx);
    };
    const first = await run(1);
    expect(first.retryMessages).toEqual([]);
    expect(first.explicitAcks).toEqual([`alert-msg-${alertId}-1`]);
    expect(rec.sent).toEqual([body]);
    expect(rec.delays).toEqual([11]);
    await pacer().reset();
    const second = await run(1);
    expect(second.explicitAcks).toEqual([`alert-msg-${alertId}-1`]);
    const third = await run(2);
    expect(third.explicitAcks).toEqual([`alert-msg-${alertId}-2`]);
    expect((await fakeCalls('sendMessage')).map((c) => c.status)).toEqual([429, 200]);
    expect(await alertRow(alertId)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('Telegram accepted but the sent write failed: the row is uncertain with the message id, and never sent again', async () => {
    const { alertId } = await enqueueSignalAlert(db, recordingEnv().env, await newSignal());
    const rec = recordingEnv();
    // One lost write is retried inline: still `sent`, one message.
    let lost = 0;
    const once = async () => {
      if (lost++ === 0) throw new Error('connection reset');
    };
    expect(await deliverAlert({ ...deps(rec.env), afterAccepted: once }, alertId)).toMatchObject({ outcome: 'sent' });
    expect(await alertRow(alertId)).toMatchObject({ status: 'sent' });
    // Every write lost: uncertain.
    const second = (await enqueueSignalAlert(db, recordingEnv().env, await newSignal())).alertId;
    const res = await deliverAlert(
      {
        ...deps(rec.env),
        afterAccepted: async () => {
          throw new Error('connection reset while writing sent');
        },
      },
      second,
    );
    expect(res.outcome).toBe('uncertain');
    const row = await alertRow(second);
    expect(row).toMatchObject({ status: 'uncertain', attempts: 1, externalId: String(res.messageId) });
    expect(row.lastError).toMatch(/Telegram accepted message \d+ but recording sent failed: .*connection reset/);
    // Redelivery (×3) and the cron's safety net never send it again.
    for (let i = 0; i < 3; i++) expect((await deliverAlert(deps(rec.env), second)).outcome).toBe('skipped');
    const { env: e, sent } = recordingEnv();
    await requeueStuckAlerts(db, e, { limit: 1000, olderThanMs: 0 });
    expect(sent.some((m) => m.kind === 'alert' && m.alertId === second)).toBe(false);
    expect((await sentMessages()).length).toBe(2);
  });

  it('a sending row whose lease expired (the delivery died mid-flight) becomes uncertain, not a second message', async () => {
    const { alertId } = await enqueueSignalAlert(db, recordingEnv().env, await newSignal());
    await db.update(alerts).set({ status: 'sending', attempts: 1, updatedAt: new Date(Date.now() - 10 * 60_000) }).where(eq(alerts.id, alertId));
    expect(await deliverAlert(deps(recordingEnv().env), alertId)).toMatchObject({ outcome: 'uncertain' });
    expect(await alertRow(alertId)).toMatchObject({ status: 'uncertain', attempts: 1 });
    expect(await fakeCalls()).toEqual([]);
  });

  it('paces sends: ≥ 1 s apart to one chat', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await enqueueSignalAlert(db, recordingEnv().env, await newSignal())).alertId);
    const rec = recordingEnv();
    const t0 = Date.now();
    for (const id of ids) expect((await deliverAlert(deps(rec.env), id)).outcome).toBe('sent');
    const calls = await fakeCalls('sendMessage');
    expect(calls).toHaveLength(3);
    const at = calls.map((c) => (c as unknown as { at: number }).at);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!, `gap ${i}`).toBeGreaterThanOrEqual(950);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1900);
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

  it('retries exhausted on a row still sending: uncertain (Telegram may have it), never dead', async () => {
    const { alertId } = await enqueueSignalAlert(db, recordingEnv().env, await newSignal());
    await db.update(alerts).set({ status: 'sending', attempts: 2 }).where(eq(alerts.id, alertId));
    const dlq = createMessageBatch('jobs-dlq', [{ id: `alert-dead-sending-${alertId}`, timestamp: Date.now(), attempts: 6, body: alertJob(alertId) }]);
    const ctx = createExecutionContext();
    await worker.queue(dlq as MessageBatch<JobMessage>, env, ctx);
    expect((await getQueueResult(dlq, ctx)).explicitAcks).toEqual([`alert-dead-sending-${alertId}`]);
    expect(await alertRow(alertId)).toMatchObject({ status: 'uncertain', lastError: expect.stringMatching(/retries exhausted while sending/) });
    expect(await fakeCalls()).toEqual([]);
  });

  it('Telegram refused it (500) and the write back to failed drops once: retried, the row is failed (not stuck sending)', async () => {
    const { alertId } = await enqueueSignalAlert(db, recordingEnv().env, await newSignal());
    await setFaults({ method: 'sendMessage', kind: '500', count: 1 });
    // A pool whose first write back to `failed` is lost, as a dropped connection would lose it.
    let dropped = 0;
    const flaky = new Proxy(db, {
      get(target, prop, receiver) {
        if (prop !== 'update') return Reflect.get(target, prop, receiver);
        return (table: typeof alerts) => {
          const builder = target.update(table);
          return {
            set: (values: Record<string, unknown>) => {
              const q = builder.set(values as never);
              if (values.status !== 'failed' || dropped++ > 0) return q;
              return { where: () => Promise.reject(new Error('connection terminated unexpectedly')) };
            },
          };
        };
      },
    });
    await expect(runAlert(alertJob(alertId), { ...deps(recordingEnv().env), db: flaky })).rejects.toThrow(/500/);
    expect(dropped).toBe(2);
    expect(await alertRow(alertId)).toMatchObject({ status: 'failed', attempts: 1, lastError: '500 Internal Server Error' });
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

  it('a 429 on a system alert is deferred for retry_after too (re-enqueued, attempt given back)', async () => {
    const key = `alert-test:429:${Date.now()}`;
    await setFaults({ method: 'sendMessage', kind: '429', count: 1, retryAfter: 3 });
    const msg = { kind: 'system-alert' as const, key, dedupeKey: key, text: 'flood test' };
    const rec = recordingEnv();
    await runSystemAlert(msg, deps(rec.env));
    expect(rec.delays).toEqual([3]);
    await pacer().reset();
    await runSystemAlert(msg, deps(rec.env));
    expect(await sentMessages()).toEqual([{ chatId: ALERT_CHAT, text: 'flood test' }]);
  });

  it('an alert job for an unknown id is recorded in dead_letters (not acked silently)', async () => {
    const job = alertJob(987_654_321);
    await runAlert(job, deps(recordingEnv().env));
    const [dl] = await db.select().from(deadLetters).where(and(eq(deadLetters.queue, 'jobs'), eq(deadLetters.messageId, job.key)));
    expect(dl).toMatchObject({ kind: 'alert', reason: 'no alert row 987654321' });
  });
});

describe('SendBucket (the token bucket of the pacer, clock passed in)', () => {
  it('spaces one chat 1 s apart, caps the bot at 30 per 1 s window, and blocks after a 429', () => {
    const b = new SendBucket();
    expect(b.reserve('a', 0, 5000)).toEqual({ ok: true, waitMs: 0 });
    expect(b.reserve('a', 0, 5000)).toEqual({ ok: true, waitMs: 1000 });
    expect(b.reserve('a', 10, 500)).toEqual({ ok: false, retryAfterMs: 1990, reason: 'busy' });
    // 40 different chats at t=5000: 30 slots at 5000, the next 10 one second later.
    const waits = Array.from({ length: 40 }, (_, i) => b.reserve(`c${i}`, 5000, 5000)).map((r) => (r.ok ? r.waitMs : -1));
    expect(waits.filter((w) => w === 0)).toHaveLength(30);
    expect(waits.filter((w) => w === 1000)).toHaveLength(10);
    b.block(9000);
    expect(b.reserve('z', 8000, 5000)).toEqual({ ok: false, retryAfterMs: 1000, reason: 'flood-control' });
    expect(b.reserve('z', 9000, 5000)).toEqual({ ok: true, waitMs: 0 });
  });
});
