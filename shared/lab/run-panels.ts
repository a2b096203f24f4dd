/**
 * Panel data for the Strategy Lab's run page and the offline run report, computed from a run's trades (as the API
 * returns them: gross return and net return per cost model, fractions). Pure and deterministic: the same trades give
 * byte-identical panels in the browser, in the CLI and in the report.
 *
 * Everything here works on the *trade-closed* equity of one cost model: each trade's net return compounded at its
 * exit time, starting at 1 at the window start (one position at a time, fully invested — the fixture and backtester
 * convention). The run page's mark-to-market equity/drawdown charts come from the equity table instead.
 *
 * Definitions (pinned in run-panels.test.ts):
 * - period returns: empyrical/pyfolio `aggregate_returns(returns, 'monthly'|'yearly')` = Π(1 + r) − 1 of the
 *   returns in each calendar period (UTC), trades attributed to the period of their exit (freqtrade's
 *   `--breakdown month` groups by close date the same way);
 * - drawdown periods: pyfolio `gen_drawdown_table` — underwater = E / cummax(E) − 1; a period runs from its peak to
 *   the first point back at or above the peak (recovery; null while under water), valley = its lowest point;
 *   top N by depth;
 * - histograms: numpy.histogram's bin convention (every bin half-open [a, b) except the last, which is closed);
 * - rolling Sharpe: QuantStats `rolling_sharpe` = rolling mean / rolling sample sd (ddof 1) × sqrt(periods per
 *   year), on daily returns (days with no exit return 0) with 365 periods a year (crypto trades every day, as in
 *   shared/backtest/metrics.ts);
 * - tag tables: freqtrade's backtest "ENTER TAG" / "EXIT REASON" stats (trades, average profit, total profit as the
 *   sum of per-trade returns — freqtrade's "Tot Profit %" at a stake of the whole balance — and win/draw/loss).
 */

export interface PanelTrade {
  seq: number;
  side: string;
  entryTime: number;
  exitTime: number;
  entryPrice?: number;
  exitPrice?: number;
  entryReason: string;
  exitReason: string;
  grossReturn: number;
  netReturns: Record<string, number>;
}

/** "Not enough data for this panel": the count we had and the count it needs, with a sentence for the page. */
export interface Insufficient {
  ok: false;
  reason: 'insufficient-data';
  count: number;
  need: number;
  message: string;
}
export type PanelResult<T> = { ok: true; value: T } | Insufficient;

export function insufficient(what: string, count: number, need: number): Insufficient {
  return { ok: false, reason: 'insufficient-data', count, need, message: `insufficient data: ${what} needs at least ${need}, got ${count}` };
}

/** A bad argument (unknown cost model, empty window, non-finite value): the reason, never a silent wrong number. */
export class PanelInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PanelInputError';
  }
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** The exit kinds of shared/backtest (a signal exit carries the strategy's own reason instead). */
export const EXIT_KINDS = ['stop', 'take-profit', 'trailing', 'end-of-data', 'slice-end'] as const;

/** The exit kind of a trade: its exit reason when that is one of the engine's exit kinds, else `signal`. */
export function exitKind(t: Pick<PanelTrade, 'exitReason'>): string {
  return (EXIT_KINDS as readonly string[]).includes(t.exitReason) ? t.exitReason : 'signal';
}

/** The net return of `t` under cost model `model` (`gross` for the gross return). */
export function tradeReturn(t: PanelTrade, model: string): number {
  const r = model === 'gross' ? t.grossReturn : t.netReturns[model];
  if (typeof r !== 'number' || !Number.isFinite(r)) throw new PanelInputError(`trade ${t.seq} has no finite ${model === 'gross' ? 'gross' : `net (${model})`} return`);
  return r;
}

/** The cost models every trade carries a net return for, sorted. */
export function costModelsOf(trades: readonly PanelTrade[]): string[] {
  if (!trades.length) return [];
  return Object.keys(trades[0]!.netReturns)
    .filter((k) => trades.every((t) => typeof t.netReturns[k] === 'number'))
    .sort();
}

const byExit = (trades: readonly PanelTrade[]): PanelTrade[] => [...trades].sort((a, b) => a.exitTime - b.exitTime || a.seq - b.seq);

// ---------------------------------------------------------------------------------------------------------------
// Equity, underwater, drawdown periods

export interface EquityStep {
  time: number;
  equity: number;
}

/** Trade-closed equity: 1 at `start`, then × (1 + r) at each exit (in exit order). */
export function tradeEquity(trades: readonly PanelTrade[], model: string, start: number): EquityStep[] {
  const out: EquityStep[] = [{ time: start, equity: 1 }];
  let e = 1;
  for (const t of byExit(trades)) {
    e *= 1 + tradeReturn(t, model);
    out.push({ time: t.exitTime, equity: e });
  }
  return out;
}

export interface UnderwaterPoint {
  time: number;
  /** E / running max − 1 (≤ 0). */
  underwater: number;
}

export function underwater(equity: readonly EquityStep[]): UnderwaterPoint[] {
  let peak = -Infinity;
  return equity.map((p) => {
    peak = Math.max(peak, p.equity);
    return { time: p.time, underwater: peak > 0 ? p.equity / peak - 1 : 0 };
  });
}

export interface DrawdownPeriod {
  peakTime: number;
  valleyTime: number;
  /** First time back at or above the peak; null while still under water at the end. */
  recoveryTime: number | null;
  /** valley / peak − 1 (negative). */
  depth: number;
  /** recovery (or the last point) − peak, ms. */
  lengthMs: number;
  /** recovery − valley, ms; null when not recovered. */
  recoveryMs: number | null;
}

/** pyfolio's drawdown table: every peak-to-recovery period, the `top` deepest first (ties: earlier first). */
export function drawdownPeriods(equity: readonly EquityStep[], top = 5): DrawdownPeriod[] {
  const periods: DrawdownPeriod[] = [];
  if (equity.length < 2) return periods;
  let peakI = 0;
  let valleyI = 0;
  let inDd = false;
  const close = (recoveryI: number | null): void => {
    const peak = equity[peakI]!;
    const valley = equity[valleyI]!;
    const endTime = recoveryI === null ? equity[equity.length - 1]!.time : equity[recoveryI]!.time;
    periods.push({
      peakTime: peak.time,
      valleyTime: valley.time,
      recoveryTime: recoveryI === null ? null : equity[recoveryI]!.time,
      depth: valley.equity / peak.equity - 1,
      lengthMs: endTime - peak.time,
      recoveryMs: recoveryI === null ? null : equity[recoveryI]!.time - valley.time,
    });
  };
  for (let i = 1; i < equity.length; i++) {
    const e = equity[i]!.equity;
    if (e >= equity[peakI]!.equity) {
      if (inDd) close(i);
      inDd = false;
      peakI = i;
      valleyI = i;
    } else {
      if (!inDd || e < equity[valleyI]!.equity) valleyI = i;
      inDd = true;
    }
  }
  if (inDd) close(null);
  return periods
    .map((p, i) => ({ p, i }))
    .sort((a, b) => a.p.depth - b.p.depth || a.i - b.i)
    .slice(0, Math.max(0, top))
    .map((x) => x.p);
}

// ---------------------------------------------------------------------------------------------------------------
// Monthly / yearly returns

export interface MonthReturn {
  year: number;
  /** 1..12 */
  month: number;
  ret: number;
  trades: number;
}
export interface YearReturn {
  year: number;
  ret: number;
  trades: number;
}

/** Π(1 + r) − 1 per UTC calendar month and year of the exit; months without trades are absent. */
export function periodReturns(trades: readonly PanelTrade[], model: string): { monthly: MonthReturn[]; yearly: YearReturn[] } {
  const months = new Map<number, MonthReturn & { g: number }>();
  const years = new Map<number, YearReturn & { g: number }>();
  for (const t of byExit(trades)) {
    const r = tradeReturn(t, model);
    const d = new Date(t.exitTime);
    const y = d.getUTCFullYear();
    const m = d.getUTCMonth() + 1;
    const mk = y * 100 + m;
    const mo = months.get(mk) ?? { year: y, month: m, ret: 0, trades: 0, g: 1 };
    mo.g *= 1 + r;
    mo.trades++;
    months.set(mk, mo);
    const yo = years.get(y) ?? { year: y, ret: 0, trades: 0, g: 1 };
    yo.g *= 1 + r;
    yo.trades++;
    years.set(y, yo);
  }
  return {
    monthly: [...months.values()].map(({ g, ...m }) => ({ ...m, ret: g - 1 })),
    yearly: [...years.values()].map(({ g, ...y }) => ({ ...y, ret: g - 1 })),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Histograms

/** `bins` equal-width edges from lo to hi (bins + 1 numbers); a zero-width range is widened by ±0.5. */
export function equalEdges(lo: number, hi: number, bins: number): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi < lo) throw new PanelInputError(`histogram range must be finite with lo ≤ hi, got [${lo}, ${hi}]`);
  if (!Number.isInteger(bins) || bins < 1) throw new PanelInputError(`histogram needs a whole number of bins ≥ 1, got ${bins}`);
  if (hi === lo) {
    lo -= 0.5;
    hi += 0.5;
  }
  return Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + ((hi - lo) * i) / bins));
}

/** Counts per bin, numpy.histogram's convention: [e_i, e_{i+1}) except the last bin, which includes its right edge. */
export function histogram(values: readonly number[], edges: readonly number[]): number[] {
  if (edges.length < 2) throw new PanelInputError(`histogram needs at least 2 edges, got ${edges.length}`);
  for (let i = 1; i < edges.length; i++) if (!(edges[i]! > edges[i - 1]!)) throw new PanelInputError('histogram edges must increase strictly');
  const counts = new Array<number>(edges.length - 1).fill(0);
  const last = edges.length - 1;
  for (const v of values) {
    if (!Number.isFinite(v)) throw new PanelInputError(`histogram value is not finite: ${v}`);
    if (v < edges[0]! || v > edges[last]!) continue;
    if (v === edges[last]) {
      counts[last - 1]!++;
      continue;
    }
    let lo = 0;
    let hi = last;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (v >= edges[mid]!) lo = mid;
      else hi = mid;
    }
    counts[lo]!++;
  }
  return counts;
}

export interface ReturnHistogram {
  /** Bin edges in bps (bins + 1). */
  edgesBps: number[];
  gross: number[];
  net: number[];
  model: string;
}

/** Gross and net per-trade returns (bps) on one set of bins spanning both. */
export function returnHistogram(trades: readonly PanelTrade[], model: string, bins = 24): PanelResult<ReturnHistogram> {
  if (trades.length < 2) return insufficient('a trade P&L histogram', trades.length, 2);
  const g = trades.map((t) => tradeReturn(t, 'gross') * 1e4);
  const n = trades.map((t) => tradeReturn(t, model) * 1e4);
  const all = [...g, ...n];
  const edgesBps = equalEdges(Math.min(...all), Math.max(...all), bins);
  return { ok: true, value: { edgesBps, gross: histogram(g, edgesBps), net: histogram(n, edgesBps), model } };
}

export interface DurationHistogram {
  edgesHours: number[];
  counts: number[];
  medianHours: number;
}

export function durationHistogram(trades: readonly PanelTrade[], bins = 20): PanelResult<DurationHistogram> {
  if (trades.length < 2) return insufficient('a trade duration histogram', trades.length, 2);
  const hours = trades.map((t) => {
    const d = t.exitTime - t.entryTime;
    if (!(d >= 0)) throw new PanelInputError(`trade ${t.seq} exits before it enters`);
    return d / HOUR_MS;
  });
  const sorted = [...hours].sort((a, b) => a - b);
  const m = sorted.length;
  const medianHours = m % 2 ? sorted[(m - 1) / 2]! : (sorted[m / 2 - 1]! + sorted[m / 2]!) / 2;
  const edgesHours = equalEdges(0, sorted[m - 1]!, bins);
  return { ok: true, value: { edgesHours, counts: histogram(hours, edgesHours), medianHours } };
}

// ---------------------------------------------------------------------------------------------------------------
// Tag tables

export interface TagRow {
  tag: string;
  trades: number;
  wins: number;
  draws: number;
  losses: number;
  winRate: number;
  meanNetBps: number;
  /** Σ net returns (fraction): freqtrade's "Tot Profit %" at a stake of the whole balance. */
  sumNetReturn: number;
  /** Π(1 + r) − 1 of the tag's trades. */
  compoundedNetReturn: number;
  meanDurationMs: number;
}

/** Trades grouped by entry reason or exit kind: counts, win rate, mean net bps and totals; most trades first. */
export function tagTable(trades: readonly PanelTrade[], by: 'entry' | 'exit', model: string): TagRow[] {
  const groups = new Map<string, PanelTrade[]>();
  for (const t of trades) {
    const k = by === 'entry' ? t.entryReason || '(none)' : exitKind(t);
    const g = groups.get(k) ?? [];
    g.push(t);
    groups.set(k, g);
  }
  const rows: TagRow[] = [];
  for (const [tag, g] of groups) {
    const rs = g.map((t) => tradeReturn(t, model));
    const wins = rs.filter((r) => r > 0).length;
    const draws = rs.filter((r) => r === 0).length;
    const sum = rs.reduce((a, b) => a + b, 0);
    rows.push({
      tag,
      trades: g.length,
      wins,
      draws,
      losses: g.length - wins - draws,
      winRate: wins / g.length,
      meanNetBps: (sum / g.length) * 1e4,
      sumNetReturn: sum,
      compoundedNetReturn: rs.reduce((a, r) => a * (1 + r), 1) - 1,
      meanDurationMs: g.reduce((a, t) => a + (t.exitTime - t.entryTime), 0) / g.length,
    });
  }
  return rows.sort((a, b) => b.trades - a.trades || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------------------------
// Exposure

export interface ExposurePoint {
  time: number;
  /** Share of the bucket [time, time + bucketMs) spent in a position (0..1; overlapping trades count once). */
  exposure: number;
}

const BUCKETS = [HOUR_MS, 4 * HOUR_MS, DAY_MS, 7 * DAY_MS, 30 * DAY_MS, 91 * DAY_MS];

/** The smallest of 1h/4h/1d/7d/30d/91d giving at most `maxBuckets` buckets over the window. */
export function exposureBucket(from: number, to: number, maxBuckets = 400): number {
  return BUCKETS.find((b) => (to - from) / b <= maxBuckets) ?? BUCKETS[BUCKETS.length - 1]!;
}

/** Time in the market per bucket from `from` (buckets aligned to `from`), and overall over [from, to). */
export function exposure(trades: readonly PanelTrade[], from: number, to: number, bucketMs = exposureBucket(from, to)): { bucketMs: number; points: ExposurePoint[]; overall: number } {
  if (!(to > from)) throw new PanelInputError(`exposure needs a window with to > from, got ${from} … ${to}`);
  if (!(bucketMs > 0)) throw new PanelInputError(`exposure bucket must be > 0 ms, got ${bucketMs}`);
  // Union of [entry, exit) intervals clipped to the window.
  const iv = trades
    .map((t) => [Math.max(from, t.entryTime), Math.min(to, t.exitTime)] as [number, number])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const [a, b] of iv) {
    const last = merged[merged.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  const n = Math.ceil((to - from) / bucketMs);
  const inMarket = new Array<number>(n).fill(0);
  for (const [a, b] of merged) {
    for (let k = Math.floor((a - from) / bucketMs); k < n && from + k * bucketMs < b; k++) {
      const s = from + k * bucketMs;
      inMarket[k]! += Math.min(b, s + bucketMs) - Math.max(a, s);
    }
  }
  const points = inMarket.map((ms, k) => {
    const s = from + k * bucketMs;
    return { time: s, exposure: ms / (Math.min(to, s + bucketMs) - s) };
  });
  const total = merged.reduce((acc, [a, b]) => acc + (b - a), 0);
  return { bucketMs, points, overall: total / (to - from) };
}

// ---------------------------------------------------------------------------------------------------------------
// Rolling Sharpe

export interface SharpePoint {
  /** Start (UTC midnight) of the window's last day. */
  time: number;
  sharpe: number | null;
}

/** Daily returns over the UTC days covering [from, to]: Π(1 + r) − 1 of the trades exiting that day, 0 otherwise. */
export function dailyReturns(trades: readonly PanelTrade[], model: string, from: number, to: number): { time: number; ret: number }[] {
  if (!(to >= from)) throw new PanelInputError(`daily returns need to ≥ from, got ${from} … ${to}`);
  const d0 = Math.floor(from / DAY_MS);
  const d1 = Math.floor(to / DAY_MS);
  const g = new Array<number>(d1 - d0 + 1).fill(1);
  for (const t of trades) {
    const k = Math.floor(t.exitTime / DAY_MS) - d0;
    if (k < 0 || k >= g.length) continue;
    g[k]! *= 1 + tradeReturn(t, model);
  }
  return g.map((x, k) => ({ time: (d0 + k) * DAY_MS, ret: x - 1 }));
}

/** Rolling annualised Sharpe of daily returns over `windowDays` (QuantStats' rolling_sharpe; null where sd = 0). */
export function rollingSharpe(trades: readonly PanelTrade[], model: string, from: number, to: number, windowDays = 90, periodsPerYear = 365): PanelResult<SharpePoint[]> {
  if (!Number.isInteger(windowDays) || windowDays < 2) throw new PanelInputError(`rolling Sharpe window must be a whole number of days ≥ 2, got ${windowDays}`);
  const days = dailyReturns(trades, model, from, to);
  if (days.length < windowDays) return insufficient(`a ${windowDays}-day rolling Sharpe (days in the window)`, days.length, windowDays);
  const k = Math.sqrt(periodsPerYear);
  const out: SharpePoint[] = [];
  for (let i = windowDays - 1; i < days.length; i++) {
    let s = 0;
    for (let j = i - windowDays + 1; j <= i; j++) s += days[j]!.ret;
    const mean = s / windowDays;
    let v = 0;
    for (let j = i - windowDays + 1; j <= i; j++) v += (days[j]!.ret - mean) ** 2;
    const sd = Math.sqrt(v / (windowDays - 1));
    out.push({ time: days[i]!.time, sharpe: sd > 1e-15 ? (mean / sd) * k : null });
  }
  return { ok: true, value: out };
}

// ---------------------------------------------------------------------------------------------------------------
// Trades table: filter, sort, page

export interface TradeFilter {
  side?: string;
  exitKind?: string;
  outcome?: 'winner' | 'loser';
}
export type TradeSortKey = 'seq' | 'entryTime' | 'exitTime' | 'duration' | 'gross' | 'net';
export interface TradeQuery extends TradeFilter {
  model: string;
  sort?: TradeSortKey;
  dir?: 'asc' | 'desc';
  page?: number;
  pageSize?: number;
}
export interface TradePage {
  items: PanelTrade[];
  /** Trades matching the filter. */
  total: number;
  page: number;
  pages: number;
}

/** Filter (side, exit kind, winner/loser by the chosen model's net return), stable sort, then one page (0-based). */
export function queryTrades(trades: readonly PanelTrade[], q: TradeQuery): TradePage {
  const size = q.pageSize ?? 25;
  if (!Number.isInteger(size) || size < 1) throw new PanelInputError(`page size must be a whole number ≥ 1, got ${size}`);
  const f = trades.filter(
    (t) =>
      (!q.side || t.side === q.side) &&
      (!q.exitKind || exitKind(t) === q.exitKind) &&
      (!q.outcome || (q.outcome === 'winner' ? tradeReturn(t, q.model) > 0 : tradeReturn(t, q.model) <= 0)),
  );
  const key = q.sort ?? 'seq';
  const val = (t: PanelTrade): number =>
    key === 'seq' ? t.seq : key === 'entryTime' ? t.entryTime : key === 'exitTime' ? t.exitTime : key === 'duration' ? t.exitTime - t.entryTime : key === 'gross' ? t.grossReturn : tradeReturn(t, q.model);
  const sign = q.dir === 'desc' ? -1 : 1;
  const sorted = f.map((t) => ({ t, v: val(t) })).sort((a, b) => sign * (a.v - b.v) || a.t.seq - b.t.seq);
  const pages = Math.max(1, Math.ceil(sorted.length / size));
  const page = Math.min(Math.max(0, Math.floor(q.page ?? 0)), pages - 1);
  return { items: sorted.slice(page * size, page * size + size).map((x) => x.t), total: sorted.length, page, pages };
}

// ---------------------------------------------------------------------------------------------------------------
// Everything at once

export interface RunPanels {
  model: string;
  window: { from: number; to: number };
  equity: EquityStep[];
  underwater: UnderwaterPoint[];
  drawdowns: DrawdownPeriod[];
  periods: { monthly: MonthReturn[]; yearly: YearReturn[] };
  returns: PanelResult<ReturnHistogram>;
  durations: PanelResult<DurationHistogram>;
  entryTags: TagRow[];
  exitKinds: TagRow[];
  exposure: { bucketMs: number; points: ExposurePoint[]; overall: number };
  rollingSharpe: PanelResult<SharpePoint[]>;
  rollingWindowDays: number;
}

/** Every panel for one run and one cost model. */
export function runPanels(trades: readonly PanelTrade[], model: string, window: { from: number; to: number }, opts: { rollingWindowDays?: number } = {}): RunPanels {
  const eq = tradeEquity(trades, model, window.from);
  const rollingWindowDays = opts.rollingWindowDays ?? 90;
  return {
    model,
    window: { from: window.from, to: window.to },
    equity: eq,
    underwater: underwater(eq),
    drawdowns: drawdownPeriods(eq, 5),
    periods: periodReturns(trades, model),
    returns: returnHistogram(trades, model),
    durations: durationHistogram(trades),
    entryTags: tagTable(trades, 'entry', model),
    exitKinds: tagTable(trades, 'exit', model),
    exposure: exposure(trades, window.from, window.to),
    rollingSharpe: rollingSharpe(trades, model, window.from, window.to, rollingWindowDays),
    rollingWindowDays,
  };
}
