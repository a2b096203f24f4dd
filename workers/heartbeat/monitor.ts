/**
 * HeartbeatMonitor: one Durable Object per worker role (ingest, signals, alerts, importer, research). It records
 * each beat (time, ok/error, detail), keeps the last N, and sets an alarm for when the next beat is overdue
 * (twice the expected interval by default). When the alarm finds no fresh beat it records the stale state and
 * raises ONE alert; when beats resume it announces recovery once. A role that keeps beating but `ok: false` (a
 * venue down, a stage failing) is treated the same way: after `FAILING_AFTER` consecutive failed beats it raises ONE
 * "failing" alert, and the first ok beat after that announces ONE recovery. Alerts go out through the jobs queue
 * with idempotency keys (keyed by the episode's first beat), so a retried beat or alarm never sends twice.
 */
import { DurableObject } from 'cloudflare:workers';
import { getConfig, type Env } from '../env';

export const ROLES = ['ingest', 'signals', 'alerts', 'importer', 'research'] as const;
/** A role, or a role with a qualifier (one per venue for ingestion: `ingest:binance`). */
export type Role = (typeof ROLES)[number] | `${(typeof ROLES)[number]}:${string}`;

export interface BeatInput {
  role: Role;
  ok: boolean;
  detail?: string;
  /** Beat time, ms UTC (defaults to now). */
  at?: number;
  /** Expected interval between beats; with it, silence for `staleAfterMs` raises a stale alert. */
  intervalMs?: number;
  /** Defaults to 2 × intervalMs. */
  staleAfterMs?: number;
  /** Optional numbers worth keeping: rows, latencyMs … */
  metrics?: Record<string, number>;
}

export interface Beat {
  at: number;
  ok: boolean;
  detail: string;
  metrics: Record<string, number>;
}

/** Consecutive `ok: false` beats before a role counts as failing (3 × 5 min cron = 15 min of a venue down). */
export const FAILING_AFTER = 3;

export interface HeartbeatStatus {
  role: string | null;
  lastBeat: Beat | null;
  lastOkAt: number | null;
  stale: boolean;
  staleSince: number | null;
  /** Beating, but `ok: false` for FAILING_AFTER beats in a row (alerted once). */
  failing: boolean;
  failingSince: number | null;
  staleAfterMs: number | null;
  alertsRaised: number;
  recoveriesRaised: number;
  beats: Beat[];
}

interface State {
  role: string | null;
  beats: Beat[];
  lastOkAt: number | null;
  stale: boolean;
  staleSince: number | null;
  /** Older stored states lack the failing fields: read as not failing. */
  failing?: boolean;
  failingSince?: number | null;
  failStreak?: number;
  staleAfterMs: number | null;
  alertsRaised: number;
  recoveriesRaised: number;
}

const KEEP = 50;
const EMPTY: State = {
  role: null,
  beats: [],
  lastOkAt: null,
  stale: false,
  staleSince: null,
  staleAfterMs: null,
  alertsRaised: 0,
  recoveriesRaised: 0,
};

export class HeartbeatMonitor extends DurableObject<Env> {
  private async load(): Promise<State> {
    return ((await this.ctx.storage.get<State>('state')) ?? { ...EMPTY, beats: [] }) as State;
  }

  private async save(s: State): Promise<void> {
    await this.ctx.storage.put('state', s);
  }

  async beat(input: BeatInput): Promise<HeartbeatStatus> {
    const s = await this.load();
    const at = input.at ?? Date.now();
    const beat: Beat = { at, ok: input.ok, detail: input.detail ?? '', metrics: input.metrics ?? {} };
    s.role = input.role;
    s.beats.push(beat);
    if (s.beats.length > KEEP) s.beats.splice(0, s.beats.length - KEEP);
    if (input.ok) s.lastOkAt = at;
    await this.trackFailing(s, input, at);
    if (input.intervalMs) s.staleAfterMs = input.staleAfterMs ?? input.intervalMs * 2;
    if (s.stale) {
      // Any beat ends the silence: announce recovery once, keyed by the stale episode.
      const since = s.staleSince;
      s.stale = false;
      s.staleSince = null;
      s.recoveriesRaised++;
      await this.env.JOBS.send({
        kind: 'system-alert',
        key: `heartbeat-recovered:${s.role}:${since}`,
        dedupeKey: `heartbeat-recovered:${s.role}:${since}`,
        text: `✅ ${s.role} is beating again (silent since ${new Date(since ?? at).toISOString()}).`,
      });
    }
    await this.save(s);
    if (s.staleAfterMs) await this.ctx.storage.setAlarm(at + s.staleAfterMs);
    return this.toStatus(s);
  }

  /** ok:false beats in a row → one failing alert; the first ok beat after it → one recovery. */
  private async trackFailing(s: State, input: BeatInput, at: number): Promise<void> {
    if (!input.ok) {
      s.failStreak = (s.failStreak ?? 0) + 1;
      if (s.failStreak === 1) s.failingSince = at;
      if (!s.failing && s.failStreak >= FAILING_AFTER) {
        const since = s.failingSince ?? at;
        // Enqueue before recording: if the send throws, the next failed beat raises it (same dedupe key).
        await this.env.JOBS.send({
          kind: 'system-alert',
          key: `heartbeat-failing:${s.role}:${since}`,
          dedupeKey: `heartbeat-failing:${s.role}:${since}`,
          text: `⚠️ ${s.role} is beating but failing since ${new Date(since).toISOString()} (${s.failStreak} failed beats): ${(input.detail ?? '').slice(0, 300)}`,
        });
        s.failing = true;
        s.alertsRaised++;
      }
      return;
    }
    if (s.failing) {
      const since = s.failingSince ?? at;
      await this.env.JOBS.send({
        kind: 'system-alert',
        key: `heartbeat-ok-again:${s.role}:${since}`,
        dedupeKey: `heartbeat-ok-again:${s.role}:${since}`,
        text: `✅ ${s.role} is ok again (failing since ${new Date(since).toISOString()}).`,
      });
      s.recoveriesRaised++;
    }
    s.failing = false;
    s.failingSince = null;
    s.failStreak = 0;
  }

  async status(): Promise<HeartbeatStatus> {
    return this.toStatus(await this.load());
  }

  override async alarm(): Promise<void> {
    const s = await this.load();
    if (!s.staleAfterMs || s.stale) return;
    const last = s.beats.at(-1)?.at ?? 0;
    const now = Date.now();
    if (now - last < s.staleAfterMs) {
      await this.ctx.storage.setAlarm(last + s.staleAfterMs);
      return;
    }
    // Enqueue before recording the stale state: if the send throws, the alarm is retried and raises the alert
    // then (recording first would make the retry return early and lose it). The dedupe key makes a repeat harmless.
    await this.env.JOBS.send({
      kind: 'system-alert',
      key: `heartbeat-stale:${s.role}:${last}`,
      dedupeKey: `heartbeat-stale:${s.role}:${last}`,
      text: `⚠️ ${s.role} has not beaten since ${new Date(last).toISOString()} (expected within ${Math.round(
        s.staleAfterMs / 60_000,
      )} min).`,
    });
    s.stale = true;
    s.staleSince = last;
    s.alertsRaised++;
    await this.save(s);
  }

  private toStatus(s: State): HeartbeatStatus {
    return {
      role: s.role,
      lastBeat: s.beats.at(-1) ?? null,
      lastOkAt: s.lastOkAt,
      stale: s.stale,
      staleSince: s.staleSince,
      failing: s.failing ?? false,
      failingSince: s.failingSince ?? null,
      staleAfterMs: s.staleAfterMs,
      alertsRaised: s.alertsRaised,
      recoveriesRaised: s.recoveriesRaised,
      beats: s.beats.slice(-10),
    };
  }
}

export function heartbeatStub(env: Env, role: Role): DurableObjectStub<HeartbeatMonitor> {
  return env.HEARTBEATS.get(env.HEARTBEATS.idFromName(role));
}

export async function beat(env: Env, input: BeatInput): Promise<void> {
  await heartbeatStub(env, input.role).beat(input);
}

export async function allHeartbeats(env: Env): Promise<HeartbeatStatus[]> {
  const names: Role[] = [...ROLES];
  try {
    for (const venue of new Set(getConfig(env).INGEST_SERIES.map((s) => s.venue))) names.push(`ingest:${venue}`);
  } catch {
    /* configuration errors are reported by /api/health itself */
  }
  return Promise.all(names.map(async (role) => ({ ...(await heartbeatStub(env, role).status()), role })));
}
