/**
 * Reading a stored run result (`backtest_runs.result`) back: ONE zod schema for every layout ever recorded, and the
 * views the readers need (per-venue rows, gross vs net metrics, verdict rows for promotion, walk-forward folds), so
 * the run routes, promotion and Telegram stop guessing among layouts. Layouts differ by writer, told apart by
 * `layoutOf`: `judged` (the research runner: `venues` rows from judgeRun), `verdicts` (fixtures and early runs:
 * `net` per cost model with a `verdicts` map), `legacy` (`metrics.{gross,net}`, `venues` as a record).
 * A result that is not an object, or whose known fields have the wrong shape, reads as an error with the reason.
 */
import { z } from 'zod';

const record = z.record(z.string(), z.unknown());
const str = z.string().nullish();

/** One per-venue row as judgeRun stores it (`result.venues[]`); loose rows of older layouts parse too. */
export const storedVenueRowSchema = z.looseObject({
  key: str,
  venue: str,
  costModel: str,
  costModelId: str,
  preset: str,
  label: str,
  verdict: str,
  reason: str,
  verdictReason: str,
  metrics: record.nullish(),
  net: record.nullish(),
});

export const storedRunResultSchema = z.looseObject({
  costModels: z.array(z.looseObject({ id: z.string(), label: z.string().nullish(), roundTripBps: z.number().nullish() })).nullish(),
  gross: record.nullish(),
  net: z.record(z.string(), record).nullish(),
  metrics: z.looseObject({ gross: record.nullish(), net: z.record(z.string(), record).nullish() }).nullish(),
  verdicts: z.record(z.string(), z.union([z.string(), z.looseObject({ verdict: str, status: str, reason: str })])).nullish(),
  venues: z.union([z.array(storedVenueRowSchema), z.record(z.string(), z.union([storedVenueRowSchema, record]))]).nullish(),
  walkForward: z.looseObject({ folds: z.array(z.looseObject({ outOfSample: z.unknown().optional() })).nullish() }).nullish(),
  gateSet: z.unknown().optional(),
  studyGates: z.array(z.unknown()).nullish(),
});
export type StoredRunResult = z.infer<typeof storedRunResultSchema>;

export type ResultLayout = 'judged' | 'verdicts' | 'legacy' | 'none';

export type ReadResult = { ok: true; layout: ResultLayout; result: StoredRunResult } | { ok: false; reason: string };

/** Parse a stored result; `none` for null (a run without a result yet). */
export function readRunResult(json: unknown): ReadResult {
  if (json === null || json === undefined) return { ok: true, layout: 'none', result: {} };
  const parsed = storedRunResultSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: `stored result: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}` };
  return { ok: true, layout: layoutOf(parsed.data), result: parsed.data };
}

export function layoutOf(r: StoredRunResult): ResultLayout {
  if (Array.isArray(r.venues)) return 'judged';
  if (r.net && !r.venues) return 'verdicts';
  if (r.venues || r.metrics) return 'legacy';
  return 'none';
}

/** The result, or an empty one (a reader that shows what it can; the reason is for the caller to record). */
export function runResultOrEmpty(json: unknown): StoredRunResult {
  const r = readRunResult(json);
  return r.ok ? r.result : {};
}

export interface VenueRowView {
  key: string;
  venue: string | null;
  costModel: string | null;
  label: string | null;
  verdict: string | null;
  reason: string | null;
  metrics: Record<string, unknown> | null;
}

const nn = (x: string | null | undefined): string | null => x ?? null;
const onlyNumbers = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([, x]) => typeof x === 'number' || x === null));

/** Per-venue / per-cost-model rows, whatever the layout (the run's own verdict fills a `verdicts`-layout gap). */
export function venueRows(r: StoredRunResult, run: { venue: string; verdict: string | null; verdictReason: string | null }): VenueRowView[] {
  const labels = new Map<string, string>((r.costModels ?? []).map((m) => [m.id, m.label ?? m.id]));
  const verdicts = r.verdicts ?? {};
  const verdictOf = (k: string): { verdict: string | null; reason: string | null } => {
    const v = verdicts[k];
    if (typeof v === 'string') return { verdict: v, reason: null };
    if (v) return { verdict: nn(v.verdict) ?? nn(v.status), reason: nn(v.reason) };
    return { verdict: null, reason: null };
  };
  const fromEntry = (key: string, o: z.infer<typeof storedVenueRowSchema> | Record<string, unknown>): VenueRowView => {
    const row = storedVenueRowSchema.safeParse(o);
    const v = row.success ? row.data : {};
    const costModel = nn(v.costModel) ?? nn(v.costModelId) ?? nn(v.preset) ?? (labels.has(key) ? key : null);
    const venue = nn(v.venue) ?? (costModel ?? key).split('-')[0] ?? null;
    const vd = v.verdict ? { verdict: v.verdict, reason: nn(v.reason) ?? nn(v.verdictReason) } : verdictOf(key);
    const metrics = v.metrics ?? v.net ?? onlyNumbers(o as Record<string, unknown>);
    return { key, venue, costModel, label: nn(v.label) ?? (costModel ? (labels.get(costModel) ?? null) : null), verdict: vd.verdict, reason: vd.reason, metrics };
  };
  if (Array.isArray(r.venues)) return r.venues.map((v, i) => fromEntry(nn(v.key) ?? nn(v.costModel) ?? nn(v.venue) ?? String(i), v));
  if (r.venues) return Object.entries(r.venues).map(([k, v]) => fromEntry(k, v));
  if (r.net) {
    return Object.entries(r.net).map(([k, m]) => {
      const vd = verdictOf(k);
      const venue = k.split('-')[0] ?? null;
      const fallback = vd.verdict === null && venue === run.venue && Object.keys(verdicts).length === 0;
      return { key: k, venue, costModel: k, label: labels.get(k) ?? null, verdict: fallback ? run.verdict : vd.verdict, reason: fallback ? run.verdictReason : vd.reason, metrics: m };
    });
  }
  return [];
}

/** Gross and net-per-cost-model metrics, from the top level or (legacy) `metrics`. */
export function runMetrics(r: StoredRunResult): { gross: Record<string, unknown> | null; net: Record<string, Record<string, unknown>> | null } {
  return { gross: r.gross ?? r.metrics?.gross ?? null, net: r.net ?? r.metrics?.net ?? null };
}

/** Walk-forward folds' out-of-sample summaries, when the result is a walk-forward's. */
export function walkForwardFolds(r: StoredRunResult): { outOfSample: unknown }[] | null {
  const folds = r.walkForward?.folds;
  if (!folds || folds.length === 0 || !folds.some((f) => f.outOfSample !== undefined)) return null;
  return folds.map((f) => ({ outOfSample: f.outOfSample ?? null }));
}
