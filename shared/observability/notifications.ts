/**
 * Operator notifications beyond signals (REQ-CORE-003), pure: the kinds an operator can mute, which kind an alert's
 * dedupe key belongs to, the idempotency keys (one daily summary per UTC day, one drawdown alert per peak, one
 * alert per strategy status change), the drawdown rule, the demotion rule and the message texts. The cron stage
 * (workers/cron/notifications.ts) reads the database, calls these, and hands the alerts to the alert machinery.
 */

export const NOTIFICATION_KINDS = {
  'paper-daily': 'daily paper PnL summary',
  'paper-drawdown': 'paper drawdown breach',
  'strategy-status': 'strategy demoted or stopped',
  service: 'failing or silent service (heartbeat alerts)',
  'paper-divergence': 'paper vs replay PnL divergence',
} as const;

export type NotificationKind = keyof typeof NOTIFICATION_KINDS;

export function isNotificationKind(s: string): s is NotificationKind {
  return Object.hasOwn(NOTIFICATION_KINDS, s);
}

/** The kind an alert belongs to, from its dedupe key (`heartbeat-stale:ingest:…` → service); null: a signal or unknown. */
export function notificationKindOf(dedupeKey: string): NotificationKind | null {
  const prefix = dedupeKey.split(':', 1)[0] ?? '';
  if (prefix.startsWith('heartbeat-')) return 'service';
  return isNotificationKind(prefix) && prefix !== 'service' ? prefix : null;
}

const DAY_MS = 86_400_000;
const iso = (t: number): string => new Date(t).toISOString();
const dayIso = (t: number): string => iso(t).slice(0, 10);
const money = (x: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(2)}`;

export const dailySummaryKey = (day: number): string => `paper-daily:${dayIso(day)}`;
export const drawdownKey = (accountId: number, peakAt: number): string => `paper-drawdown:${accountId}:${peakAt}`;
export const strategyStatusKey = (changeId: number): string => `strategy-status:${changeId}`;

/** The UTC day whose summary is due at `now`: the previous day (its paper_daily rows are written after 00:00). */
export function summaryDay(now: number): number {
  return Math.floor(now / DAY_MS) * DAY_MS - DAY_MS;
}

export interface DailyRow {
  label: string;
  equity: number;
  pnl: number;
  initialEquity: number;
  fills: number;
  divergences: number;
}

export function dailySummaryText(day: number, rows: DailyRow[]): string {
  const total = rows.reduce((a, r) => a + r.pnl, 0);
  const lines = rows.map(
    (r) => `• ${r.label}: ${money(r.pnl)} (${((r.pnl / r.initialEquity) * 100).toFixed(2)}%), equity ${r.equity.toFixed(2)}, ${r.fills} fill(s)${r.divergences ? `, ${r.divergences} divergence(s)` : ''}`,
  );
  return [`📒 Paper PnL ${dayIso(day)}: ${money(total)} over ${rows.length} account(s)`, ...lines].join('\n');
}

export interface EquityPoint {
  at: number;
  equity: number;
}

export interface Drawdown {
  peak: EquityPoint;
  equity: number;
  /** (peak − equity) / peak, in percent (≥ 0). */
  pct: number;
}

/**
 * Drawdown of `current` from the highest of `history` (the initial equity at the account's start, then each daily
 * close): the peak is the earliest point with the maximum equity, so one breach episode keeps one key until a
 * new high replaces the peak.
 */
export function drawdownFrom(history: EquityPoint[], current: number): Drawdown | null {
  let peak: EquityPoint | null = null;
  for (const p of history) if (peak === null || p.equity > peak.equity) peak = p;
  if (peak === null || !(peak.equity > 0)) return null;
  return { peak, equity: current, pct: Math.max(0, ((peak.equity - current) / peak.equity) * 100) };
}

export function drawdownText(label: string, dd: Drawdown, thresholdPct: number): string {
  return `📉 Paper drawdown ${dd.pct.toFixed(2)}% on ${label} (threshold ${thresholdPct}%): equity ${dd.equity.toFixed(2)} vs peak ${dd.peak.equity.toFixed(2)} at ${iso(dd.peak.at)}.`;
}

const STATUS_RANK: Record<string, number> = { research: 0, watch: 1, paper: 2 };

/** A move down the lifecycle (paper → watch …) or to `rejected` (stopped). */
export function isDemotionOrStop(from: string, to: string): boolean {
  if (from === to) return false;
  if (to === 'rejected') return true;
  const a = STATUS_RANK[from];
  const b = STATUS_RANK[to];
  return a !== undefined && b !== undefined && b < a;
}

export function strategyStatusText(c: { strategyId: string; fromStatus: string; toStatus: string; reason: string; at: number }): string {
  const verb = c.toStatus === 'rejected' ? 'stopped (rejected)' : `demoted to ${c.toStatus}`;
  return `🛑 ${c.strategyId} ${verb} from ${c.fromStatus} at ${iso(c.at)}: ${c.reason.slice(0, 500)}`;
}
