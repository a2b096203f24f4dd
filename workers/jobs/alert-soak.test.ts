/**
 * Alert delivery fault soak (workerd + Postgres + the fake Telegram Bot API): 250 simulated 5-minute cron cycles,
 * 150 alerts created along the way, delivered through `runAlert` from a simulated queue with seeded random
 * faults — Telegram 429 (retry_after 1–3 s) and 500 on sendMessage, the `sent` write lost after Telegram accepted
 * (every retry of it), a handler failure after the send, and queue redelivery (a handled message redelivered up to
 * ×3) — with the pacer's real token bucket on the simulated clock. Then it counts, from the fake's own log of
 * accepted sendMessage calls: duplicate messages, lost alerts (never accepted), and rows left `uncertain`, which
 * /api/health must show. Goal: 0 duplicates, 0 lost, uncertain visible.
 *
 * Prints `{ soak: { cycles, alerts, deliveries, faults…, duplicateMessages, lostAlerts, uncertain, … } }`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { exports } from 'cloudflare:workers';
import { inArray, like } from 'drizzle-orm';
import { alerts, signals, strategies } from '../../shared/db/schema';
import { getConfig, type Env } from '../env';
import { env, fakeCalls, resetFake, setFaults, testDb } from '../telegram/fake-telegram.test-util';
import { alertJob, enqueueSignalAlert, markAlertDead, runAlert } from './alert';
import { SendBucket } from '../heartbeat/pacer';
import type { JobMessage } from './messages';

const SEED = 15;
const CYCLES = 250;
const ALERTS = 150;
const MAX_ATTEMPTS = 6;
const STRAT = 'alert-soak-strategy';
const TAG = `soak-${Date.now()}`;

/** mulberry32: a small seeded PRNG (deterministic faults). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const h = testDb();
const db = h.db;

afterAll(async () => {
  await db.delete(signals).where(inArray(signals.strategyId, [STRAT]));
  await db.delete(alerts).where(like(alerts.message, `${TAG}%`));
  await h.close();
});

interface Queued {
  body: JobMessage;
  visibleAt: number;
  attempts: number;
  deliveries: number;
}

describe('alert delivery fault soak', () => {
  it('250 cycles of Telegram 429/5xx, lost sent writes and queue redelivery: 0 duplicate messages, 0 lost alerts, uncertain visible', async () => {
    await resetFake();
    await db.insert(strategies).values({ id: STRAT, title: STRAT, version: '1', origin: 'test', family: 'test', timeframe: '5m', params: {} }).onConflictDoNothing();
    const rand = rng(SEED);
    const start = Date.UTC(2022, 5, 1);
    let simNow = start;
    const queue: Queued[] = [];
    const bucket = new SendBucket();
    const counts = { deliveries: 0, redeliveries: 0, fault429: 0, fault500: 0, lostSentWrites: 0, handlerCrashes: 0, deferred: 0, dead: 0 };

    const jobs = {
      send: async (body: JobMessage, opts?: { delaySeconds?: number }) => {
        queue.push({ body, visibleAt: simNow + (opts?.delaySeconds ?? 0) * 1000, attempts: 1, deliveries: 0 });
      },
      sendBatch: async (ms: { body: JobMessage }[]) => {
        for (const m of ms) queue.push({ body: m.body, visibleAt: simNow, attempts: 1, deliveries: 0 });
      },
    };
    // The pacer's real bucket on the simulated clock: an inline wait advances the simulated clock instead of
    // sleeping; a longer one (flood control) is a deferral, as in production.
    const sendTimes: number[] = [];
    const pacerStub = {
      reserve: async (chat: string, maxWaitMs: number) => {
        const r = bucket.reserve(chat, simNow, maxWaitMs);
        if (!r.ok) {
          counts.deferred++;
          return r;
        }
        simNow += r.waitMs;
        sendTimes.push(simNow);
        return { ok: true, waitMs: 0 };
      },
      block: async (until: number) => bucket.block(simNow + (until - Date.now())),
    };
    const soakEnv = {
      ...env,
      JOBS: jobs as unknown as Env['JOBS'],
      TELEGRAM_PACER: { idFromName: (n: string) => n, get: () => pacerStub } as unknown as Env['TELEGRAM_PACER'],
    } as Env;
    const config = getConfig(soakEnv);

    const ids: number[] = [];
    let created = 0;
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      // New signals this cycle (on schedule: ALERTS over the first CYCLES − 50 cycles, bursts at random; the last
      // 50 cycles drain).
      while (created < ALERTS && cycle < CYCLES - 50 && (created < ((cycle + 1) * ALERTS) / (CYCLES - 50) || rand() < 0.2)) {
        const t = simNow + created;
        const [sig] = await db
          .insert(signals)
          .values({ strategyId: STRAT, strategyVersion: '1', venue: 'binance', symbol: 'BTC/USDT', timeframe: '5m', candleOpenTime: t, candleCloseTime: t + 299_999, action: 'BUY', price: 1, reason: 'soak', computedAt: new Date(t) })
          .returning({ id: signals.id });
        const r = await enqueueSignalAlert(db, soakEnv, sig!.id, `${TAG} alert ${created}`);
        ids.push(r.alertId);
        created++;
      }
      // Deliver what is visible.
      const due = queue.filter((q) => q.visibleAt <= simNow);
      for (const q of due) queue.splice(queue.indexOf(q), 1);
      for (const q of due) {
        counts.deliveries++;
        q.deliveries++;
        if (q.body.kind !== 'alert') continue;
        const alertId = q.body.alertId;
        const roll = rand();
        if (roll < 0.05) {
          counts.fault429++;
          await setFaults({ method: 'sendMessage', kind: '429', count: 1, retryAfter: 1 + Math.floor(rand() * 3) });
        } else if (roll < 0.1) {
          counts.fault500++;
          await setFaults({ method: 'sendMessage', kind: '500', count: 1 });
        }
        const loseWrite = rand() < 0.04;
        const crashAfter = rand() < 0.03;
        try {
          await runAlert(q.body, {
            env: soakEnv,
            config,
            db,
            now: () => simNow,
            ...(loseWrite
              ? {
                  afterAccepted: async () => {
                    counts.lostSentWrites++;
                    throw new Error('connection reset while writing sent');
                  },
                }
              : {}),
          } as Parameters<typeof runAlert>[1]);
          if (crashAfter) throw new Error('consumer crashed before the ack');
          // Acked — but a redelivery can still happen (at-least-once): up to ×3.
          if (q.deliveries < 3 && rand() < 0.3) {
            counts.redeliveries++;
            queue.push({ ...q, visibleAt: simNow + 1000 + Math.floor(rand() * 300_000) });
          }
        } catch (err) {
          if ((err as Error).message === 'consumer crashed before the ack') counts.handlerCrashes++;
          if (q.attempts >= MAX_ATTEMPTS) {
            counts.dead++;
            await markAlertDead(db, { alertId });
          } else {
            queue.push({ ...q, attempts: q.attempts + 1, visibleAt: simNow + 5000 * 2 ** (q.attempts - 1) });
          }
        }
      }
      // The next cron cycle, five minutes on (or later, if pacing used the time up).
      simNow = Math.max(simNow, start + (cycle + 1) * 300_000);
    }
    // Drain whatever is still queued (no new faults armed; one already armed may still fire: retried).
    for (let i = 0; queue.length && i < 500; i++) {
      simNow += 60_000;
      const due = queue.filter((q) => q.visibleAt <= simNow);
      for (const q of due) {
        queue.splice(queue.indexOf(q), 1);
        counts.deliveries++;
        try {
          await runAlert(q.body as ReturnType<typeof alertJob>, { env: soakEnv, config, db, now: () => simNow });
        } catch {
          queue.push({ ...q, attempts: q.attempts + 1, visibleAt: simNow + 5000 });
        }
      }
    }

    const accepted = (await fakeCalls('sendMessage')).filter((c) => c.status === 200).map((c) => String(c.params.text));
    const perAlert = new Map<string, number>();
    for (const t of accepted) if (t.startsWith(TAG)) perAlert.set(t, (perAlert.get(t) ?? 0) + 1);
    const rows = await db.select({ id: alerts.id, status: alerts.status, message: alerts.message }).from(alerts).where(inArray(alerts.id, ids));
    const duplicateMessages = [...perAlert.values()].reduce((a, n) => a + Math.max(0, n - 1), 0);
    const lost = rows.filter((r) => !perAlert.has(r.message));
    const byStatus: Record<string, number> = {};
    for (const r of rows) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    const health = (await (await exports.default.fetch('http://lab.local/api/health')).json()) as { alerts: { undelivered: Record<string, number> } };
    const gaps = sendTimes.slice(1).map((t, i) => t - sendTimes[i]!);
    const minGapMs = gaps.length ? Math.min(...gaps) : null;
    const summary = { seed: SEED, minGapMsBetweenSends: minGapMs, cycles: CYCLES, alerts: ids.length, ...counts, accepted: accepted.length, duplicateMessages, lostAlerts: lost.length, uncertain: byStatus.uncertain ?? 0, byStatus, healthUncertain: health.alerts.undelivered.uncertain ?? 0 };
    console.log(JSON.stringify({ soak: summary }));

    expect(ids.length).toBe(ALERTS);
    // Pacing held: never two sends to the chat less than 1 s apart (simulated clock).
    expect(minGapMs).toBeGreaterThanOrEqual(1000);
    expect(counts.fault429 + counts.fault500).toBeGreaterThan(5);
    expect(counts.lostSentWrites).toBeGreaterThan(0);
    expect(duplicateMessages).toBe(0);
    expect(lost.map((r) => `${r.id}:${r.status}`)).toEqual([]);
    // Every alert is either sent or uncertain (Telegram has it; the write was lost) — nothing pending, failed or dead.
    expect(Object.keys(byStatus).sort()).toEqual(byStatus.uncertain ? ['sent', 'uncertain'] : ['sent']);
    expect(byStatus.uncertain ?? 0).toBeGreaterThan(0);
    expect(health.alerts.undelivered.uncertain).toBeGreaterThanOrEqual(byStatus.uncertain!);
  }, 600_000);
});
