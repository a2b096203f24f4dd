import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createExecutionContext, createMessageBatch, getQueueResult, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { like } from 'drizzle-orm';
import { alerts } from '../../shared/db/schema';
import worker from '../index';
import type { JobMessage } from '../jobs/messages';
import { env, resetFake, sentMessages, testDb } from '../telegram/fake-telegram.test-util';
import { FAILING_AFTER, type HeartbeatMonitor, type Role } from './monitor';

const MIN = 60_000;
const h = testDb();
const db = h.db;
const runId = `${Date.now()}`;

function monitor(name: string): DurableObjectStub<HeartbeatMonitor> {
  return env.HEARTBEATS.get(env.HEARTBEATS.idFromName(`test:${name}:${runId}`));
}

/**
 * Record what the Durable Object enqueues (instead of letting the local queue consume it in the background), so
 * the test can count the jobs and then deliver them through the real consumer, deterministically.
 */
async function captureJobs(stub: DurableObjectStub<HeartbeatMonitor>, failFirst?: Error): Promise<JobMessage[]> {
  const captured: JobMessage[] = [];
  await runInDurableObject(stub, async (instance) => {
    const jobs = (instance as unknown as { env: typeof env }).env.JOBS;
    const spy = vi.spyOn(jobs, 'send').mockImplementation(async (m: JobMessage) => {
      captured.push(m);
      return undefined as never;
    });
    if (failFirst) spy.mockRejectedValueOnce(failFirst);
  });
  return captured;
}

async function deliver(jobs: JobMessage[]): Promise<void> {
  const batch = createMessageBatch(
    'jobs',
    jobs.map((body, i) => ({ id: `hb-${runId}-${body.key}-${i}`, timestamp: Date.now(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<JobMessage>, env, ctx);
  const result = await getQueueResult(batch, ctx);
  expect(result.retryMessages).toEqual([]);
}

async function alertRows(prefix: string) {
  return db.select().from(alerts).where(like(alerts.dedupeKey, `${prefix}%`));
}

beforeEach(async () => {
  await resetFake();
});

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(async () => {
  await db.delete(alerts).where(like(alerts.dedupeKey, `%:hbtest-${runId}%`));
  await h.close();
});

describe('HeartbeatMonitor', () => {
  it('raises exactly one stale alert after silence (even when the alarm runs again), then exactly one recovery', async () => {
    const role = `importer:hbtest-${runId}` as Role;
    const stub = monitor('stale');
    const jobs = await captureJobs(stub);
    const last = Date.now() - 60 * MIN;
    // Beats every 5 min, then silence: stale after 2 × 5 min.
    await stub.beat({ role, ok: true, at: last - 10 * MIN, intervalMs: 5 * MIN });
    await stub.beat({ role, ok: true, at: last - 5 * MIN, intervalMs: 5 * MIN });
    const afterBeat = await stub.beat({ role, ok: true, at: last, intervalMs: 5 * MIN, detail: 'imported 3 files' });
    expect(afterBeat).toMatchObject({ stale: false, staleAfterMs: 10 * MIN, alertsRaised: 0 });

    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.status()).toMatchObject({ stale: true, staleSince: last, alertsRaised: 1 });

    // The alarm again (a retry, or a re-armed alarm): still one alert.
    await runInDurableObject(stub, async (_instance, state) => {
      await state.storage.setAlarm(Date.now());
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await runDurableObjectAlarm(stub)).toBe(false);
    expect((await stub.status()).alertsRaised).toBe(1);

    expect(jobs.map((j) => j.key)).toEqual([`heartbeat-stale:${role}:${last}`]);
    await deliver(jobs);
    await deliver(jobs); // a redelivery changes nothing
    const staleRows = await alertRows(`heartbeat-stale:${role}:`);
    expect(staleRows).toHaveLength(1);
    expect(staleRows[0]!.status).toBe('sent');
    expect(staleRows[0]!.dedupeKey).toBe(`heartbeat-stale:${role}:${last}`);
    expect(staleRows[0]!.message).toContain(`${role} has not beaten since ${new Date(last).toISOString()} (expected within 10 min)`);

    // Beats resume: one recovery, and only one however many beats follow.
    const resumed = await stub.beat({ role, ok: true, intervalMs: 5 * MIN });
    expect(resumed).toMatchObject({ stale: false, staleSince: null, recoveriesRaised: 1 });
    const again = await stub.beat({ role, ok: true, intervalMs: 5 * MIN });
    expect(again).toMatchObject({ stale: false, recoveriesRaised: 1, alertsRaised: 1 });
    expect(jobs.map((j) => j.key)).toEqual([`heartbeat-stale:${role}:${last}`, `heartbeat-recovered:${role}:${last}`]);
    await deliver(jobs.slice(1));
    const recoveryRows = await alertRows(`heartbeat-recovered:${role}:`);
    expect(recoveryRows).toHaveLength(1);
    expect(recoveryRows[0]!.status).toBe('sent');
    expect(recoveryRows[0]!.dedupeKey).toBe(`heartbeat-recovered:${role}:${last}`);

    // The fresh beat re-armed the alarm; running it now finds no silence and raises nothing.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.status()).toMatchObject({ stale: false, alertsRaised: 1, recoveriesRaised: 1 });
    expect(jobs).toHaveLength(2);

    // Telegram got exactly one stale and one recovery message for this role.
    const mine = (await sentMessages()).filter((m) => m.text.includes(role));
    expect(mine.filter((m) => m.text.includes('has not beaten'))).toHaveLength(1);
    expect(mine.filter((m) => m.text.includes('is beating again'))).toHaveLength(1);
    expect(await db.select().from(alerts).where(like(alerts.dedupeKey, `%:${role}:%`))).toHaveLength(2);
  });

  it('a role that keeps beating ok:false (a venue down) alerts once after FAILING_AFTER beats and recovers once', async () => {
    const role = `ingest:hbtest-${runId}-failing` as Role;
    const stub = monitor('failing');
    const jobs = await captureJobs(stub);
    const t0 = Date.now() - 60 * MIN;
    await stub.beat({ role, ok: true, at: t0, intervalMs: 5 * MIN });
    for (let i = 1; i <= FAILING_AFTER - 1; i++) await stub.beat({ role, ok: false, at: t0 + i * 5 * MIN, intervalMs: 5 * MIN, detail: 'binance: HTTP 503' });
    expect(jobs).toEqual([]);
    // The FAILING_AFTER-th failed beat alerts; ten more failed beats do not.
    for (let i = FAILING_AFTER; i < FAILING_AFTER + 10; i++) await stub.beat({ role, ok: false, at: t0 + i * 5 * MIN, intervalMs: 5 * MIN, detail: 'binance: HTTP 503' });
    expect(jobs.map((j) => j.key)).toEqual([`heartbeat-failing:${role}:${t0 + 5 * MIN}`]);
    expect(await stub.status()).toMatchObject({ failing: true, failingSince: t0 + 5 * MIN, alertsRaised: 1, stale: false });
    // The first ok beat announces recovery once; more ok beats say nothing.
    for (let i = 0; i < 3; i++) await stub.beat({ role, ok: true, at: t0 + (20 + i) * 5 * MIN, intervalMs: 5 * MIN });
    expect(jobs.map((j) => j.key)).toEqual([`heartbeat-failing:${role}:${t0 + 5 * MIN}`, `heartbeat-ok-again:${role}:${t0 + 5 * MIN}`]);
    expect(await stub.status()).toMatchObject({ failing: false, alertsRaised: 1, recoveriesRaised: 1 });
    // Delivered through the real consumer: two messages, once each, even when delivered twice.
    await deliver([...jobs, ...jobs]);
    const texts = (await sentMessages()).map((m) => m.text);
    expect(texts).toHaveLength(2);
    expect(texts[0]).toMatch(/is beating but failing since .*binance: HTTP 503/);
    expect(texts[1]).toMatch(/is ok again/);
  });

  it('an alarm before the deadline re-arms instead of alerting', async () => {
    const role = `ingest:hbtest-${runId}` as Role;
    const stub = monitor('fresh');
    const jobs = await captureJobs(stub);
    await stub.beat({ role, ok: true, intervalMs: 5 * MIN });
    await runInDurableObject(stub, async (_instance, state) => {
      await state.storage.setAlarm(Date.now());
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.status()).toMatchObject({ stale: false, alertsRaised: 0 });
    const next = await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm());
    expect(next).toBeGreaterThan(Date.now() + 9 * MIN);
    expect(jobs).toEqual([]);
  });

  it('a failed enqueue does not lose the stale alert: the retried alarm raises it', async () => {
    const role = `signals:hbtest-${runId}` as Role;
    const stub = monitor('enqueue-fails');
    const last = Date.now() - 30 * MIN;
    await stub.beat({ role, ok: true, at: last, intervalMs: 5 * MIN });
    const jobs = await captureJobs(stub, new Error('queue unavailable'));
    await expect(runDurableObjectAlarm(stub)).rejects.toThrow(/queue unavailable/);
    expect(await stub.status()).toMatchObject({ stale: false, alertsRaised: 0 });
    await runInDurableObject(stub, async (_instance, state) => {
      await state.storage.setAlarm(Date.now());
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.status()).toMatchObject({ stale: true, alertsRaised: 1 });
    expect(jobs.map((j) => j.key)).toEqual([`heartbeat-stale:${role}:${last}`]);
    await deliver(jobs);
    expect((await alertRows(`heartbeat-stale:${role}:`)).map((r) => r.status)).toEqual(['sent']);
    expect((await sentMessages()).filter((m) => m.text.includes(role))).toHaveLength(1);
  });
});
