/**
 * Compare 2–6 backtest runs side by side: one table of metrics (gross, and net per cost model), parameters (with
 * whether they differ), per-venue verdicts, and net equity curves rebased to 1 at each run's first recorded point so
 * they overlay on one axis. Shared by `GET /api/compare`, the Lab's compare page and `npm run research -- compare`,
 * so all three print the same numbers. Pure: the caller loads the runs.
 */

export const COMPARE_MIN = 2;
export const COMPARE_MAX = 6;

/** The net metrics shown per cost model (gross shows every numeric metric the result has). */
export const NET_METRICS = ['trades', 'meanReturn', 'winRate', 'profitFactor', 'totalReturn', 'maxDrawdownEquity', 'sharpe'] as const;

export interface CompareRunInput {
  id: string;
  strategyId: string;
  strategyVersion?: string;
  kind?: string;
  venue: string;
  symbol: string;
  timeframe: string;
  windowFrom: number;
  windowTo: number;
  params: unknown;
  status: string;
  verdict: string | null;
  verdictReason: string | null;
  metrics: { gross: unknown; net: Record<string, unknown> | null };
  venues: { key: string; verdict: string | null; reason: string | null }[];
  equity: { time: number; equityNet: number; equityGross: number }[];
}

export interface CompareRun {
  id: string;
  strategyId: string;
  series: string;
  windowFrom: number;
  windowTo: number;
  status: string;
  verdict: string | null;
  verdictReason: string | null;
}
export interface CompareMetricRow {
  /** `gross` or a cost model id. */
  view: string;
  metric: string;
  values: (number | null)[];
}
export interface Comparison {
  runs: CompareRun[];
  params: { key: string; values: unknown[]; same: boolean }[];
  metrics: CompareMetricRow[];
  verdicts: { key: string; values: (string | null)[]; reasons: (string | null)[] }[];
  /** Net equity per run, rebased: value = equityNet / first equityNet. */
  equity: { id: string; points: { time: number; value: number }[] }[];
}

export class CompareInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CompareInputError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** The run ids from `a,b,c`: 2–6 distinct, non-empty; the reason otherwise. */
export function parseRunIds(list: string): string[] {
  const ids = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const dup = ids.find((x, i) => ids.indexOf(x) !== i);
  if (dup) throw new CompareInputError(`run ${dup} is listed twice`);
  if (ids.length < COMPARE_MIN || ids.length > COMPARE_MAX) throw new CompareInputError(`compare takes ${COMPARE_MIN}–${COMPARE_MAX} runs, got ${ids.length}`);
  return ids;
}

export function compareRuns(runs: readonly CompareRunInput[]): Comparison {
  if (runs.length < COMPARE_MIN || runs.length > COMPARE_MAX) throw new CompareInputError(`compare takes ${COMPARE_MIN}–${COMPARE_MAX} runs, got ${runs.length}`);
  const params = runs.map((r) => (isObj(r.params) ? r.params : {}));
  const pkeys = [...new Set(params.flatMap((p) => Object.keys(p)))].sort();
  const grossOf = (r: CompareRunInput): Obj => (isObj(r.metrics.gross) ? r.metrics.gross : {});
  const gkeys = [...new Set(runs.flatMap((r) => Object.keys(grossOf(r))))].filter((k) => runs.some((r) => num(grossOf(r)[k]) !== null));
  const models = [...new Set(runs.flatMap((r) => Object.keys(r.metrics.net ?? {})))].sort();
  const metrics: CompareMetricRow[] = gkeys.map((metric) => ({ view: 'gross', metric, values: runs.map((r) => num(grossOf(r)[metric])) }));
  for (const view of models) {
    for (const metric of NET_METRICS) {
      const values = runs.map((r) => {
        const m = r.metrics.net?.[view];
        return isObj(m) ? num(m[metric]) : null;
      });
      if (values.some((v) => v !== null)) metrics.push({ view, metric, values });
    }
  }
  const vkeys = [...new Set(runs.flatMap((r) => r.venues.map((v) => v.key)))];
  return {
    runs: runs.map((r) => ({
      id: r.id,
      strategyId: r.strategyId,
      series: `${r.venue} ${r.symbol} ${r.timeframe}`,
      windowFrom: r.windowFrom,
      windowTo: r.windowTo,
      status: r.status,
      verdict: r.verdict,
      verdictReason: r.verdictReason,
    })),
    params: pkeys.map((key) => {
      const values = params.map((p) => (key in p ? p[key] : null));
      return { key, values, same: values.every((v) => JSON.stringify(v) === JSON.stringify(values[0])) };
    }),
    metrics,
    verdicts: vkeys.map((key) => {
      const rows = runs.map((r) => r.venues.find((v) => v.key === key));
      return { key, values: rows.map((v) => v?.verdict ?? null), reasons: rows.map((v) => v?.reason ?? null) };
    }),
    equity: runs.map((r) => {
      const e0 = r.equity.find((p) => Number.isFinite(p.equityNet) && p.equityNet > 0)?.equityNet ?? null;
      return { id: r.id, points: e0 === null ? [] : r.equity.map((p) => ({ time: p.time, value: p.equityNet / e0 })) };
    }),
  };
}

const PCT = /return|drawdown|winrate|exposure|cagr|expectancy|avgwin|avgloss/i;

/** One cell of the comparison table as text: fractions as %, counts as integers, ratios to 3 decimals. */
export function formatMetric(metric: string, v: number | null): string {
  if (v === null) return '—';
  if (metric === 'trades') return String(v);
  if (PCT.test(metric)) return `${(v * 100).toFixed(2)} %`;
  return Math.abs(v) >= 1e6 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : v.toFixed(3);
}

/** The comparison as rows of text (header first): runs, params that differ or not, metrics, verdicts. */
export function comparisonRows(c: Comparison): string[][] {
  const head = ['', ...c.runs.map((r) => r.id)];
  const rows: string[][] = [head];
  rows.push(['strategy', ...c.runs.map((r) => r.strategyId)]);
  rows.push(['series', ...c.runs.map((r) => r.series)]);
  rows.push(['window', ...c.runs.map((r) => `${new Date(r.windowFrom).toISOString().slice(0, 10)}→${new Date(r.windowTo).toISOString().slice(0, 10)}`)]);
  rows.push(['verdict', ...c.runs.map((r) => r.verdict ?? '—')]);
  for (const p of c.params) rows.push([`param ${p.key}${p.same ? '' : ' *'}`, ...p.values.map((v) => (v === null || v === undefined ? '—' : JSON.stringify(v)))]);
  for (const m of c.metrics) rows.push([`${m.view} ${m.metric}`, ...m.values.map((v) => formatMetric(m.metric, v))]);
  for (const v of c.verdicts) rows.push([`verdict ${v.key}`, ...v.values.map((x) => x ?? '—')]);
  return rows;
}
