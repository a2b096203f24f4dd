/**
 * Plain-text formatting for Telegram (no parse_mode, so nothing needs escaping and a strategy's reason text can
 * never break a message). Pure functions over rows; the clock is passed in.
 */
import type { KernelEventRow, KernelEventRecord } from '../../shared/db/queries/kernel-events';
import type { HeartbeatStatus } from '../heartbeat/monitor';
import { readRunResult, runMetrics } from '../../shared/research/stored-run-result';

/** Telegram's limit for one message's text. */
export const TELEGRAM_MAX_TEXT = 4096;

const TIMEFRAME_MS: Record<string, number> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
  '1d': 86_400_000,
};

export function timeframeMs(tf: string): number | undefined {
  return TIMEFRAME_MS[tf];
}

export function clip(text: string, max = TELEGRAM_MAX_TEXT): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function utc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 90) return `${m} min`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h`;
  return `${Math.round(h / 24)} d`;
}

export function price(p: number): string {
  if (!Number.isFinite(p)) return String(p);
  const abs = Math.abs(p);
  const digits = abs >= 1000 ? 2 : abs >= 1 ? 4 : 8;
  return p.toLocaleString('en-US', { maximumFractionDigits: digits, useGrouping: abs >= 1000 });
}

const pct = (x: number | null | undefined): string => (typeof x === 'number' && Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : '–');
const num = (x: number | null | undefined, d = 2): string => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : '–');

const ACTION_ICON: Record<string, string> = { BUY: '🟢', SELL: '🔴', EXIT: '⚪' };

export interface SignalLike {
  id: number;
  strategyId: string;
  strategyVersion: string;
  venue: string;
  symbol: string;
  timeframe: string;
  candleOpenTime: number;
  candleCloseTime: number;
  action: string;
  price: number;
  reason: string;
  mode: string;
  sentAt?: Date | null;
}

export function signalLink(labUrl: string | undefined, id: number): string | undefined {
  return labUrl ? `${labUrl}/signals/#${id}` : undefined;
}

export function runLink(labUrl: string | undefined, id: string): string | undefined {
  return labUrl ? `${labUrl}/runs/#${encodeURIComponent(id)}` : undefined;
}

/** The alert text for a new signal: strategy, symbol, side, price, reason and a link to the Lab. */
export function formatSignalAlert(s: SignalLike, labUrl: string | undefined): string {
  const icon = ACTION_ICON[s.action] ?? '•';
  const lines = [
    `${icon} ${s.action} ${s.symbol} @ ${price(s.price)}${s.mode === 'paper' ? ' (paper)' : ''}`,
    `Strategy: ${s.strategyId} v${s.strategyVersion}`,
    `Market: ${s.venue} ${s.symbol} ${s.timeframe}, candle ${utc(s.candleOpenTime)}`,
    `Reason: ${s.reason}`,
  ];
  const link = signalLink(labUrl, s.id);
  if (link) lines.push(`Lab: ${link}`);
  return clip(lines.join('\n'));
}

/** One execution-kernel event as the live alert stage records it (an entry or an exit fill; stored in `alerts.event`). */
export type KernelAlertLike = KernelEventRecord;

const EXIT_ICON: Record<string, string> = { signal: '⚪', stop: '🛑', 'take-profit': '🎯', trailing: '🪢', 'end-of-data': '⏹' };

/**
 * The alert text for a kernel event: which event (ENTRY, or EXIT with its kind), side, symbol, the kernel's fill
 * price and how it filled, the decision behind it, the protective levels of an entry, the result of an exit.
 */
export function formatKernelAlert(e: KernelAlertLike, labUrl: string | undefined): string {
  const paper = e.mode === 'paper' ? ' (paper)' : '';
  const market = `Market: ${e.venue} ${e.symbol} ${e.timeframe}`;
  const lines: string[] = [];
  if (e.effect === 'open') {
    const how = e.liquidity === 'maker' ? `limit filled in the ${utc(e.time)} candle (maker)` : `filled at the ${utc(e.time)} open (taker)`;
    lines.push(`🟢 ENTRY ${e.positionSide} ${e.symbol} @ ${price(e.price)}${paper}`, `Strategy: ${e.strategyId} v${e.strategyVersion}`, `${market}, ${how}`, `Signal: candle ${utc(e.signalTime)} — ${e.reason}`);
    const levels = [
      e.stopLoss ? `stop ${price(e.stopLoss)}` : null,
      e.takeProfit ? `target ${price(e.takeProfit)}` : null,
      e.trailPct ? `trailing ${(e.trailPct * 100).toFixed(2)}%` : null,
    ].filter((x): x is string => x !== null);
    if (levels.length) lines.push(`Levels: ${levels.join(' · ')}`);
  } else {
    const kind = e.exitKind ?? 'signal';
    const how = kind === 'signal' ? `filled at the ${utc(e.time)} open (taker)` : `filled inside the ${utc(e.time)} candle (${e.liquidity})`;
    lines.push(`${EXIT_ICON[kind] ?? '•'} EXIT (${kind}) ${e.positionSide} ${e.symbol} @ ${price(e.price)}${paper}`, `Strategy: ${e.strategyId} v${e.strategyVersion}`, `${market}, ${how}`);
    if (e.entryPrice !== undefined) lines.push(`Entry ${price(e.entryPrice)} → gross ${pct(e.grossReturn)}`);
    lines.push(kind === 'signal' ? `Signal: candle ${utc(e.signalTime)} — ${e.reason}` : `Reason: ${kind}`);
  }
  const link = e.signalId ? signalLink(labUrl, e.signalId) : undefined;
  if (link) lines.push(`Lab: ${link}`);
  return clip(lines.join('\n'));
}

/** `ENTRY long` or `EXIT (stop) long`: which kernel event. */
export function kernelEventName(e: KernelAlertLike): string {
  return e.effect === 'open' ? `ENTRY ${e.positionSide}` : `EXIT (${e.exitKind ?? 'signal'}) ${e.positionSide}`;
}

/** One kernel event on one line: the event, symbol, the kernel's fill price, fill candle, series and strategy. */
export function formatKernelEventLine(e: KernelAlertLike): string {
  const icon = e.effect === 'open' ? '🟢' : (EXIT_ICON[e.exitKind ?? 'signal'] ?? '•');
  const result = e.effect === 'close' && e.grossReturn !== undefined ? ` · gross ${pct(e.grossReturn)}` : '';
  return `${icon} ${kernelEventName(e)} ${e.symbol} @ ${price(e.price)} (${e.liquidity}) · ${utc(e.time)} · ${e.venue} ${e.timeframe} · ${e.strategyId}${e.mode === 'paper' ? ' (paper)' : ''}${result}`;
}

/** `/signals`: the newest kernel events (what the alerts carried), each with the decision behind it and its delivery. */
export function formatKernelEvents(rows: readonly KernelEventRow[], labUrl: string | undefined, unreadable = 0): string {
  const skipped = unreadable > 0 ? `\n(${unreadable} stored event${unreadable === 1 ? '' : 's'} could not be read)` : '';
  if (rows.length === 0) return `No kernel events yet (entries and exits are alerted as the live kernel fills them).${skipped}`;
  const lines = [`Last ${rows.length} kernel event${rows.length === 1 ? '' : 's'}:`];
  for (const r of rows) {
    const e = r.event;
    const why = e.effect === 'open' || (e.exitKind ?? 'signal') === 'signal' ? `signal ${utc(e.signalTime)} — ${clip(e.reason, 140)}` : `${e.exitKind} inside the candle`;
    lines.push('', formatKernelEventLine(e), `  ${why} · alert ${r.status}`);
  }
  if (labUrl) lines.push('', `Lab: ${labUrl}/`);
  return clip(lines.join('\n') + skipped);
}

export const HELP_TEXT = [
  'Strategy Lab bot — commands:',
  '/status — heartbeats, last candle per series, last kernel events',
  '/signals [n] — the last n kernel events: entries and exits with their kind and fill price (default 5, max 20)',
  '/runs [n] — the last n backtest runs (default 5, max 20)',
  '/run <id> — one backtest run',
  '/health — database, migrations, alert backlog',
  '/mute <strategy> — stop alerts for a strategy (signals are still recorded)',
  '/mute <kind> — stop one kind of notification (paper-daily, paper-drawdown, strategy-status, service, paper-divergence)',
  '/unmute <strategy or kind> — resume its alerts',
  '/help — this text',
].join('\n');

export const START_TEXT = `Hello! This bot reports the live signal loop of the Strategy Lab.\n\n${HELP_TEXT}`;

export interface SeriesFreshness {
  venue: string;
  symbol: string;
  timeframe: string;
  lastOpenTime: number | null;
}

export function formatHeartbeat(h: HeartbeatStatus, now: number): string {
  const role = h.role ?? '?';
  if (!h.lastBeat) return `· ${role} — no beats yet`;
  if (h.stale) return `⚠️ ${role} — STALE, silent since ${utc(h.staleSince ?? h.lastBeat.at)} (${ago(now - (h.staleSince ?? h.lastBeat.at))})`;
  const icon = h.lastBeat.ok ? '✅' : '❌';
  const detail = h.lastBeat.detail ? ` — ${clip(h.lastBeat.detail, 120)}` : '';
  return `${icon} ${role} — ${ago(now - h.lastBeat.at)} ago${h.lastBeat.ok ? '' : ' (error)'}${detail}`;
}

export function formatSeriesFreshness(s: SeriesFreshness, now: number): string {
  const name = `${s.venue} ${s.symbol} ${s.timeframe}`;
  if (s.lastOpenTime === null) return `· ${name} — no candles`;
  const close = s.lastOpenTime + (timeframeMs(s.timeframe) ?? 0);
  return `· ${name} — last candle ${utc(s.lastOpenTime)}, closed ${ago(now - close)} ago`;
}

export function formatStatus(input: {
  now: number;
  heartbeats: HeartbeatStatus[] | { error: string };
  series: SeriesFreshness[];
  events: readonly KernelEventRow[];
}): string {
  const lines = [`📊 Status · ${utc(input.now)}`, '', 'Heartbeats'];
  if (Array.isArray(input.heartbeats)) lines.push(...input.heartbeats.map((h) => formatHeartbeat(h, input.now)));
  else lines.push(`unavailable: ${clip(input.heartbeats.error, 200)}`);
  lines.push('', 'Last candles');
  if (input.series.length === 0) lines.push('· no series configured or stored');
  else lines.push(...input.series.map((s) => formatSeriesFreshness(s, input.now)));
  lines.push('', 'Last kernel events');
  if (input.events.length === 0) lines.push('· none yet');
  else lines.push(...input.events.map((r) => formatKernelEventLine(r.event)));
  return clip(lines.join('\n'));
}

export interface RunLike {
  id: string;
  kind: string;
  strategyId: string;
  strategyVersion: string;
  venue: string;
  symbol: string;
  timeframe: string;
  mode: string;
  windowFrom: number;
  windowTo: number;
  dataSource: string;
  candleCount: number;
  codeVersion: string;
  status: string;
  progress: number;
  verdict: string | null;
  verdictReason: string | null;
  result: unknown;
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
  durationMs: number | null;
}

export function formatRunLine(r: Pick<RunLike, 'id' | 'strategyId' | 'venue' | 'symbol' | 'timeframe' | 'status' | 'verdict' | 'progress'>): string {
  const state = r.status === 'running' ? `running ${Math.round(r.progress * 100)}%` : r.status;
  return `${r.id} · ${r.strategyId} · ${r.venue} ${r.symbol} ${r.timeframe} · ${state}${r.verdict ? ` · ${r.verdict}` : ''}`;
}

export function formatRuns(runs: RunLike[], labUrl: string | undefined): string {
  if (runs.length === 0) return 'No backtest runs yet.';
  const lines = [`Last ${runs.length} backtest run${runs.length === 1 ? '' : 's'}:`, ...runs.map(formatRunLine), '', 'Details: /run <id>'];
  if (labUrl) lines.push(`Lab: ${labUrl}/runs/`);
  return clip(lines.join('\n'));
}

interface MetricsLike {
  trades?: number;
  winRate?: number | null;
  profitFactor?: number | null;
  totalReturn?: number;
  maxDrawdownEquity?: number;
  sharpe?: number | null;
}

function metricsLine(name: string, m: MetricsLike): string {
  return `${name}: ${m.trades ?? '–'} trades, return ${pct(m.totalReturn)}, max DD ${pct(m.maxDrawdownEquity)}, win ${pct(
    m.winRate,
  )}, PF ${num(m.profitFactor)}, Sharpe ${num(m.sharpe)}`;
}

export function formatRun(r: RunLike, labUrl: string | undefined): string {
  const lines = [
    `Run ${r.id} (${r.kind}, ${r.mode})`,
    `Strategy: ${r.strategyId} v${r.strategyVersion}`,
    `Market: ${r.venue} ${r.symbol} ${r.timeframe}`,
    `Window: ${utc(r.windowFrom)} → ${utc(r.windowTo)} (${r.candleCount} candles, ${r.dataSource})`,
    `Status: ${r.status === 'running' ? `running ${Math.round(r.progress * 100)}%` : r.status}${
      r.durationMs !== null ? ` in ${(r.durationMs / 1000).toFixed(1)}s` : ''
    } · code ${r.codeVersion}`,
  ];
  if (r.verdict) lines.push(`Verdict: ${r.verdict}${r.verdictReason ? ` — ${clip(r.verdictReason, 300)}` : ''}`);
  if (r.error) lines.push(`Error: ${clip(r.error, 300)}`);
  const read = readRunResult(r.result);
  if (read.ok) {
    const { gross, net } = runMetrics(read.result);
    if (gross) lines.push(metricsLine('Gross', gross as MetricsLike));
    for (const [model, m] of Object.entries(net ?? {})) lines.push(metricsLine(`Net (${model})`, m as MetricsLike));
  } else lines.push(`Result unreadable: ${clip(read.reason, 200)}`);
  const link = runLink(labUrl, r.id);
  if (link) lines.push(`Lab: ${link}`);
  return clip(lines.join('\n'));
}

export interface HealthInfo {
  now: number;
  database: { ok: boolean; latencyMs: number; error?: string };
  migration: { latest: string | null; expected: string | null; upToDate: boolean };
  alerts: Record<string, number>;
  staleRoles: string[];
  codeVersion: string | undefined;
  env: string;
}

export function formatHealth(h: HealthInfo): string {
  const ok = h.database.ok && h.migration.upToDate && h.staleRoles.length === 0;
  const backlog = ['pending', 'sending', 'failed', 'dead'].map((s) => `${s} ${h.alerts[s] ?? 0}`).join(', ');
  return [
    `${ok ? '✅ healthy' : '⚠️ degraded'} · ${h.env} · code ${h.codeVersion ?? 'unknown'}`,
    `Database: ${h.database.ok ? `ok (${h.database.latencyMs} ms)` : `DOWN — ${clip(h.database.error ?? 'unknown error', 200)}`}`,
    `Migrations: ${h.migration.upToDate ? `up to date (${h.migration.latest})` : `behind — latest ${h.migration.latest ?? 'none'}, expected ${h.migration.expected ?? '?'}`}`,
    `Heartbeats: ${h.staleRoles.length === 0 ? 'none stale' : `stale: ${h.staleRoles.join(', ')}`}`,
    `Alerts: sent ${h.alerts.sent ?? 0}; ${backlog}`,
  ].join('\n');
}
