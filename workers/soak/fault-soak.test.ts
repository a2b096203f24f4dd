/**
 * The fault soak ("prove it", issue 15): ≥ 200 simulated 5-minute cron cycles over the recorded 2022 Binance-spot
 * 5m candles, run through the real `runCycle` and the real queue consumer `handleQueue` inside workerd against
 * real Postgres, with seeded random faults everywhere the outside world or the platform can fail:
 *
 * - venues (the fake exchange's chaos, tools/fake-exchange/chaos.ts): 429 with Retry-After, 5xx, timeouts,
 *   truncated and malformed bodies on the candle requests of both ingested venues;
 * - the database (workers/soak/db-faults.ts): statements failing mid-cycle and mid-delivery, and the alert's
 *   `sent` write lost (every retry of it) after Telegram accepted the message;
 * - the queue (simulated here, with the wrangler.toml semantics: retry with the handler's delay, dead-letter after
 *   max_retries, the DLQ consumer after that): every handled message may be redelivered, up to ×3;
 * - the cron itself: missed cycles and double fires;
 * - Telegram (the fake Bot API's chaos): 429 with retry_after and 500 on sendMessage.
 *
 * The pacer is the real `SendBucket` on the simulated clock (the DO wraps the same bucket in wall-clock time);
 * the database's wall-clock columns of the soak's alerts are aged by each simulated step, so the cron's
 * stuck-alert re-queue and the `sending` lease see the simulated time pass. After a fault-free drain it counts
 * missing candles, duplicate candles, duplicate signals, duplicate alert messages (what the fake Telegram accepted
 * per alert), lost alerts (a fault-free schedule's kernel events, replayed over the stored candles, that reached
 * neither Telegram nor `uncertain`) and alerts left `uncertain`, which /api/health must show. Goal 0/0/0/0/0,
 * uncertain visible. Prints the table.
 */
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { alerts, candles, liveKernels, paperAccounts, signals, strategies } from '../../shared/db/schema';
import { mulberry32 } from '../../shared/backtest/prng';
import { lastClosedOpenTime } from '../../shared/candles/timeframe';
import { loadCandles } from '../../shared/db/queries/candles';
import { describeWithData } from '../real-data.test-util';
import { env, fakeCalls, resetFake } from '../telegram/fake-telegram.test-util';
import { getConfig, type Env } from '../env';
import { withDb, type Db } from '../db';
import { runCycle } from '../cron/scheduled';
import { handleQueue } from '../jobs/consumer';
import { SendBucket } from '../heartbeat/pacer';
import { dbFaults } from './db-faults';
import { expectedKernelAlertKeys, type SoakSeries } from './reference';

const SEED = 15;
const CYCLES = 210;
const DRAIN_CYCLES = 12;
const STEP = 300_000;
/** 2022-03-10T00:00:30Z: 30 s after a cron tick, deep inside the recorded 2022-01-06..04-16 5m files. */
const T0 = Date.UTC(2022, 2, 10, 0, 0, 30);
/** One venue, two symbols: ingested one after the other (the embedded database serves one session at a time). */
const SERIES = [
  { venue: 'binance', symbol: 'BTC/USDT' },
  { venue: 'binance', symbol: 'ETH/USDT' },
] as const;
/** The 5m strategies whose live window fits the 600-candle backfill (nexus-grid-ema200 needs 2,001 and would triple the cost). */
const STRATEGIES = ['nexara-baseline-5m', 'nexus-rsi-scalp', 'nexus-bb-mean-reversion'];
/** wrangler.toml: jobs max_retries 5 → jobs-dlq, whose max_retries is 3. */
const MAX_RETRIES = { jobs: 5, 'jobs-dlq': 3 } as const;
const fx = inject('fakeExchangeUrl');

/**
 * A fresh connection per use, closed at once: the embedded database admits one session at a time, and a pooled
 * idle connection held here would make every cron cycle wait for it.
 */
const onDb = <T>(fn: (db: Db) => Promise<T>): Promise<T> => withDb(getConfig(env), fn);
const rand = mulberry32(SEED);
const keyPattern = `^kernel:(${STRATEGIES.join('|')}):(${SERIES.map((s) => `${s.venue}:${s.symbol}`).join('|')}):5m:`;
let saved: { id: string; enabled: boolean; muted: boolean }[] = [];

async function control(url: string, method: string, body?: unknown): Promise<unknown> {
  const res = await fetch(url, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function clearSeries(db: Db): Promise<void> {
  for (const s of SERIES) {
    await db.delete(candles).where(and(eq(candles.venue, s.venue), eq(candles.symbol, s.symbol), eq(candles.timeframe, '5m')));
    const mine = and(inArray(signals.strategyId, STRATEGIES), eq(signals.venue, s.venue), eq(signals.symbol, s.symbol));
    await db.delete(signals).where(mine);
    await db.delete(liveKernels).where(and(inArray(liveKernels.strategyId, STRATEGIES), eq(liveKernels.venue, s.venue), eq(liveKernels.symbol, s.symbol)));
    await db.delete(paperAccounts).where(and(inArray(paperAccounts.strategyId, STRATEGIES), eq(paperAccounts.venue, s.venue), eq(paperAccounts.symbol, s.symbol)));
  }
  await db.delete(alerts).where(sql`${alerts.dedupeKey} ~ ${keyPattern}`);
}

beforeAll(async () => {
  await onDb(async (db) => {
    saved = await db.select({ id: strategies.id, enabled: strategies.enabled, muted: strategies.muted }).from(strategies).where(inArray(strategies.id, STRATEGIES));
    expect(saved.map((s) => s.id).sort()).toEqual([...STRATEGIES].sort());
    await db.update(strategies).set({ enabled: true, muted: false }).where(inArray(strategies.id, STRATEGIES));
    await clearSeries(db);
  });
});

afterAll(async () => {
  await control(`${fx}/__chaos`, 'DELETE');
  await control(`${env.TELEGRAM_API_ROOT}/__chaos`, 'DELETE');
  await control(`${fx}/__now`, 'POST', { now: Date.UTC(2022, 3, 16, 13, 47, 30) });
  await onDb(async (db) => {
    await clearSeries(db);
    for (const s of saved) await db.update(strategies).set({ enabled: s.enabled, muted: s.muted }).where(eq(strategies.id, s.id));
  });
});

interface QueuedMessage {
  id: string;
  queue: 'jobs' | 'jobs-dlq';
  body: unknown;
  attempts: number;
  visibleAt: number;
  redeliveries: number;
}

describeWithData('fault soak: cron + queue + Telegram under seeded faults (workerd + Postgres)', () => {
  it(`${CYCLES} cron cycles of venue, database, queue and Telegram faults: 0 missing/duplicate candles, 0 duplicate signals, 0 duplicate or lost alerts, uncertain visible`, async () => {
    const started = Date.now();
    await resetFake();
    await control(`${fx}/__faults`, 'DELETE');
    let simNow = T0;
    let msgSeq = 0;
    const queue: QueuedMessage[] = [];
    const counts = {
      cycles: 0,
      missedCycles: 0,
      doubleFires: 0,
      failedStages: 0,
      deliveries: 0,
      redeliveries: 0,
      retries: 0,
      deadLettered: 0,
      droppedFromDlq: 0,
      paceDeferrals: 0,
    };
    const push = (body: unknown, delaySeconds = 0, queueName: QueuedMessage['queue'] = 'jobs') =>
      queue.push({ id: `m${++msgSeq}`, queue: queueName, body, attempts: 1, visibleAt: simNow + delaySeconds * 1000, redeliveries: 0 });
    const jobs = {
      send: async (body: unknown, opts?: { delaySeconds?: number }) => push(body, opts?.delaySeconds ?? 0),
      sendBatch: async (ms: { body: unknown; delaySeconds?: number }[]) => {
        for (const m of ms) push(m.body, m.delaySeconds ?? 0);
      },
    };
    // The real token bucket on the simulated clock: an inline wait moves the clock on instead of sleeping.
    const bucket = new SendBucket();
    const pacer = {
      reserve: async (chat: string, maxWaitMs: number) => {
        const r = bucket.reserve(chat, simNow, maxWaitMs);
        if (!r.ok) {
          counts.paceDeferrals++;
          return r;
        }
        simNow += r.waitMs;
        return { ok: true, waitMs: 0 };
      },
      block: async (until: number) => bucket.block(simNow + (until - Date.now())),
    };
    const soakEnv = {
      ...env,
      INGEST_SERIES: SERIES.map((s) => `${s.venue}:${s.symbol}:5m`).join(','),
      INGEST_BACKFILL_LIMIT: '600',
      VENUE_TIMEOUT_MS: '250',
      LIVE_SIGNALS: STRATEGIES.flatMap((id) => SERIES.map((s) => `${id}@${s.venue}:${s.symbol}:5m`)).join(','),
      JOBS: jobs as unknown as Env['JOBS'],
      TELEGRAM_PACER: { idFromName: (n: string) => n, get: () => pacer } as unknown as Env['TELEGRAM_PACER'],
    } as Env;
    const faults = dbFaults(
      [
        // drizzle writes the SET list in the table's column order: this is the `sent` write (and only it).
        { name: 'lost-sent-write', match: /^update "alerts" set .*"sent_at" = now\(\)/i, rate: 0.12, burst: 3 },
        { name: 'db-error', match: /./, rate: 0.01 },
      ],
      mulberry32(SEED + 1),
    );
    faults.enabled = false;

    const cron = async (at: number) => {
      const ctx = createExecutionContext();
      const t = Date.now();
      const reports = await runCycle({ scheduledTime: at }, soakEnv, ctx, { openDb: faults.openDb });
      await waitOnExecutionContext(ctx);
      timing.cron += Date.now() - t;
      counts.cycles++;
      counts.failedStages += reports.filter((r) => !r.ok).length;
      for (const r of reports) stageMs[r.stage] = (stageMs[r.stage] ?? 0) + (r.ms ?? 0);
    };

    /** One delivery round: every visible message, in batches of ≤ 10 per queue, through the real consumer. */
    const deliver = async () => {
      const due = queue.filter((m) => m.visibleAt <= simNow).sort((a, b) => a.visibleAt - b.visibleAt);
      for (const m of due) queue.splice(queue.indexOf(m), 1);
      for (const name of ['jobs', 'jobs-dlq'] as const) {
        const mine = due.filter((m) => m.queue === name);
        for (let i = 0; i < mine.length; i += 10) {
          const chunk = mine.slice(i, i + 10);
          const outcome = new Map<string, { retry?: number }>();
          const batch = {
            queue: name,
            messages: chunk.map((m) => ({
              id: m.id,
              timestamp: new Date(simNow),
              body: m.body,
              attempts: m.attempts,
              ack: () => outcome.set(m.id, {}),
              retry: (o?: { delaySeconds?: number }) => outcome.set(m.id, { retry: o?.delaySeconds ?? 0 }),
            })),
            ackAll: () => chunk.forEach((m) => outcome.set(m.id, {})),
            retryAll: () => chunk.forEach((m) => outcome.set(m.id, { retry: 0 })),
          } as unknown as MessageBatch<unknown>;
          const ctx = createExecutionContext();
          await handleQueue(batch, soakEnv, ctx, { openDb: faults.openDb });
          await waitOnExecutionContext(ctx);
          for (const m of chunk) {
            counts.deliveries++;
            const o = outcome.get(m.id) ?? {};
            if (o.retry === undefined) {
              // Acked — at-least-once delivery may still hand it over again (up to ×3).
              if (m.redeliveries < 3 && rand.next() < 0.2) {
                counts.redeliveries++;
                queue.push({ ...m, attempts: m.attempts + 1, redeliveries: m.redeliveries + 1, visibleAt: simNow + rand.int(1_000, 240_000) });
              }
            } else if (m.attempts > MAX_RETRIES[name]) {
              if (name === 'jobs') {
                counts.deadLettered++;
                queue.push({ ...m, queue: 'jobs-dlq', attempts: 1, visibleAt: simNow });
              } else counts.droppedFromDlq++;
            } else {
              counts.retries++;
              queue.push({ ...m, attempts: m.attempts + 1, visibleAt: simNow + o.retry * 1000 });
            }
          }
        }
      }
    };

    /** Simulated time passes for the database's wall-clock columns of the soak's alerts too. */
    const age = async (ms: number) =>
      onDb((db) => db.execute(
        sql`UPDATE alerts SET created_at = created_at - make_interval(secs => ${ms / 1000}), updated_at = updated_at - make_interval(secs => ${ms / 1000}) WHERE dedupe_key ~ ${keyPattern}`,
      ));

    const timing = { cron: 0, deliver: 0, age: 0 };
    const stageMs: Record<string, number> = {};
    const cycleTimes: number[] = [];
    const drawn: { venue: Record<string, number>; telegram: Record<string, number> } = { venue: {}, telegram: {} };
    for (let i = 0; i < CYCLES + DRAIN_CYCLES; i++) {
      const at = T0 + i * STEP;
      cycleTimes.push(at);
      if (i === 1) {
        // Cycle 0 ran clean (it starts every series' kernel); from here on, the weather.
        await control(`${fx}/__chaos`, 'POST', { seed: SEED, rate: 0.1, kinds: ['rate-limit', 'server-error', 'timeout', 'truncated', 'malformed'], retryAfter: '1' });
        await control(`${env.TELEGRAM_API_ROOT}/__chaos`, 'POST', { seed: SEED, method: 'sendMessage', rate429: 0.08, rate500: 0.06, retryAfter: [1, 3] });
        faults.enabled = true;
      }
      if (i === CYCLES) {
        // The drain: the weather clears; the cron and the queue catch up on what the faults left behind.
        drawn.venue = ((await control(`${fx}/__chaos`, 'DELETE')) as { drawn: Record<string, number> }).drawn;
        drawn.telegram = ((await control(`${env.TELEGRAM_API_ROOT}/__chaos`, 'DELETE')) as { drawn: Record<string, number> }).drawn;
        faults.enabled = false;
      }
      simNow = Math.max(simNow, at);
      await control(`${fx}/__now`, 'POST', { now: at });
      const weather = i > 0 && i < CYCLES;
      if (weather && rand.next() < 0.03) counts.missedCycles++;
      else {
        await cron(at);
        if (weather && rand.next() < 0.03) {
          counts.doubleFires++;
          await cron(at);
        }
      }
      let t = Date.now();
      await deliver();
      timing.deliver += Date.now() - t;
      t = Date.now();
      await age(STEP);
      timing.age += Date.now() - t;
    }
    // Whatever is still queued (backoffs, deferrals): deliver on, a minute at a time.
    for (let i = 0; i < 60 && queue.length > 0; i++) {
      simNow += 60_000;
      await deliver();
      await age(60_000);
    }
    const wallSeconds = (Date.now() - started) / 1000;

    // ---- counting ----
    const finalNow = cycleTimes.at(-1)!;
    const lastClosed = lastClosedOpenTime('5m', finalNow);
    const stored = await onDb(async (db) => {
      const candleStats = [];
      for (const s of SERIES) {
        const [r] = (
          await db.execute(
            sql`SELECT count(*)::int AS n, count(DISTINCT open_time)::int AS distinct_n, min(open_time)::bigint AS first, max(open_time)::bigint AS last FROM candles WHERE venue = ${s.venue} AND symbol = ${s.symbol} AND timeframe = '5m'`,
          )
        ).rows as { n: number; distinct_n: number; first: string; last: string }[];
        const first = Number(r!.first);
        const expected = (lastClosed - first) / STEP + 1;
        candleStats.push({ ...s, first, last: Number(r!.last), stored: r!.n, missing: expected - r!.distinct_n, duplicate: r!.n - r!.distinct_n });
      }
      const mine = sql.join(STRATEGIES.map((x) => sql`${x}`), sql`, `);
      const [dup] = (
        await db.execute(
          sql`SELECT coalesce(sum(n - 1), 0)::int AS d, count(*)::int AS keys FROM (SELECT count(*)::int AS n FROM signals WHERE strategy_id IN (${mine}) GROUP BY strategy_id, venue, symbol, timeframe, candle_open_time) x`,
        )
      ).rows as { d: number; keys: number }[];
      const rows = await db
        .select({ id: alerts.id, key: alerts.dedupeKey, status: alerts.status, message: alerts.message, lastError: alerts.lastError })
        .from(alerts)
        .where(sql`${alerts.dedupeKey} ~ ${keyPattern}`);
      // What a fault-free cron would have alerted: every cycle fired once, the kernels replayed over the stored candles.
      const series: SoakSeries[] = [];
      for (const id of STRATEGIES) {
        const [row] = await db.select().from(strategies).where(eq(strategies.id, id));
        for (const s of SERIES) {
          const candleRows = await loadCandles(db, { ...s, timeframe: '5m' }, 0, lastClosed + STEP);
          series.push({ strategyId: id, venue: s.venue, symbol: s.symbol, timeframe: '5m', params: row!.params as Record<string, unknown>, candles: candleRows });
        }
      }
      return { candleStats, duplicateSignals: dup!.d, signals: dup!.keys, rows, series };
    });
    const { candleStats, duplicateSignals, rows } = stored;
    const accepted = (await fakeCalls('sendMessage')).filter((c) => c.status === 200).map((c) => String(c.params.text));
    const perText = new Map<string, number>();
    for (const t of accepted) perText.set(t, (perText.get(t) ?? 0) + 1);
    const duplicateMessages = rows.reduce((a, r) => a + Math.max(0, (perText.get(r.message) ?? 0) - 1), 0);
    const byStatus: Record<string, number> = {};
    for (const r of rows) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    const expectedKeys = expectedKernelAlertKeys(stored.series, cycleTimes);
    const byKey = new Map(rows.map((r) => [r.key, r]));
    const reached = (r: (typeof rows)[number] | undefined) => r !== undefined && ((perText.get(r.message) ?? 0) > 0 || r.status === 'uncertain');
    const lost = expectedKeys.filter((k) => !reached(byKey.get(k)));
    const unexpected = rows.filter((r) => !expectedKeys.includes(r.key)).map((r) => r.key);
    const uncertain = byStatus.uncertain ?? 0;
    const uncertainNeverSent = rows.filter((r) => r.status === 'uncertain' && !perText.has(r.message)).length;
    const health = (await (await exports.default.fetch('http://lab.local/api/health')).json()) as { alerts: { undelivered: Record<string, number> } };

    const table = [
      ['missing candles', candleStats.reduce((a, c) => a + c.missing, 0), 0],
      ['duplicate candles', candleStats.reduce((a, c) => a + c.duplicate, 0), 0],
      ['duplicate signals', duplicateSignals, 0],
      ['duplicate alert messages', duplicateMessages, 0],
      ['lost alerts', lost.length, 0],
      ['alerts left uncertain (on /api/health)', `${uncertain} (health ${health.alerts.undelivered.uncertain ?? 0})`, 'visible'],
    ] as const;
    const summary = {
      seed: SEED,
      wallSeconds,
      ...counts,
      timing,
      stageMs,
      candles: candleStats,
      signals: stored.signals,
      expectedAlerts: expectedKeys.length,
      alertRows: rows.length,
      byStatus,
      acceptedMessages: accepted.length,
      uncertainNeverSent,
      uncertainRows: rows.filter((r) => r.status === 'uncertain').map((r) => ({ key: r.key, sentToTelegram: perText.has(r.message), lastError: r.lastError })),
      unexpectedAlerts: unexpected,
      lost,
      faults: { venue: drawn.venue, telegram: drawn.telegram, db: faults.injected },
    };
    console.log(
      [
        `fault soak (seed ${SEED}, ${counts.cycles} cron runs over ${CYCLES}+${DRAIN_CYCLES} cycles, ${wallSeconds.toFixed(1)} s)`,
        ...table.map(([what, n, goal]) => `  ${what.padEnd(40)} ${String(n).padStart(12)}   goal ${goal}`),
      ].join('\n'),
    );
    console.log(JSON.stringify({ soak: summary }));

    // The weather really happened.
    expect(Object.values(drawn.venue).reduce((a, n) => a + n, 0)).toBeGreaterThan(20);
    expect(faults.injected['db-error'] ?? 0).toBeGreaterThan(10);
    expect(counts.redeliveries).toBeGreaterThan(5);
    expect(expectedKeys.length).toBeGreaterThan(10);
    // The goal.
    expect(candleStats.map((c) => [c.symbol, c.missing, c.duplicate])).toEqual(SERIES.map((s) => [s.symbol, 0, 0]));
    for (const c of candleStats) expect(c.first).toBeLessThanOrEqual(lastClosedOpenTime('5m', T0) - 500 * STEP);
    expect(duplicateSignals).toBe(0);
    expect(duplicateMessages).toBe(0);
    expect(lost).toEqual([]);
    expect(unexpected).toEqual([]);
    expect(health.alerts.undelivered.uncertain ?? 0).toBeGreaterThanOrEqual(uncertain);
  }, 600_000);
});
