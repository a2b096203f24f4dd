/**
 * `npm run research -- impact-fit --venue V [--symbol S] [--timeframe 5m] [--from D] [--to D] [--horizon 12]
 * [--lookback 288]`: calibrates the square-root impact law's k for one venue (per symbol) from its stored book
 * snapshots and its own stored candles (`calibrateImpactK`), and prints k, its standard errors and n — or, when
 * there is too little, the refusal with the count.
 */
import { z } from 'zod';
import { isTimeframe, TIMEFRAME_MS, TIMEFRAMES, type Timeframe } from '../../shared/candles/timeframe';
import type { Database } from '../../shared/db/database';
import { loadBookSnapshots } from '../../shared/db/queries/book-snapshots';
import { loadCandles } from '../../shared/db/queries/candles';
import { calibrateImpactK, type ImpactCalibration } from '../../shared/market/impact-calibration';

const dateArg = z.union([z.number().int(), z.string().min(4)]).transform((v, ctx) => {
  const t = typeof v === 'number' ? v : /^\d+$/.test(v) ? Number(v) : Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v);
  if (!Number.isFinite(t)) {
    ctx.addIssue({ code: 'custom', message: `not a date: ${String(v)}` });
    return z.NEVER;
  }
  return t;
});
const intArg = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).pipe(z.number().int().positive());

export const ImpactFitArgs = z.object({
  venue: z.string().min(1),
  symbol: z.string().optional(),
  timeframe: z.string().refine(isTimeframe, { message: `must be one of ${TIMEFRAMES.join(', ')}` }).default('5m'),
  from: dateArg.optional(),
  to: dateArg.optional(),
  horizon: intArg.optional(),
  lookback: intArg.optional(),
});
export type ImpactFitInput = z.input<typeof ImpactFitArgs>;

export interface SymbolImpactFit {
  venue: string;
  symbol: string;
  timeframe: Timeframe;
  snapshots: number;
  calibration: ImpactCalibration;
}

export async function impactFit(db: Database, input: ImpactFitInput): Promise<SymbolImpactFit[]> {
  const p = ImpactFitArgs.safeParse(input);
  if (!p.success) throw new Error(`impact-fit: ${p.error.issues.map((i) => `--${i.path.join('.')} ${i.message}`).join('; ')}`);
  const a = p.data;
  const tf = a.timeframe as Timeframe;
  const snaps = await loadBookSnapshots(db, { venue: a.venue, ...(a.symbol !== undefined && { symbol: a.symbol }), ...(a.from !== undefined && { from: a.from }), ...(a.to !== undefined && { to: a.to }) });
  if (snaps.length === 0) throw new Error(`impact-fit: no book snapshots stored for ${a.venue}${a.symbol ? ` ${a.symbol}` : ''} in the window (the cron stores one per ingested series and cycle)`);
  const bySymbol = new Map<string, typeof snaps>();
  for (const s of snaps) bySymbol.set(s.symbol, [...(bySymbol.get(s.symbol) ?? []), s]);
  const out: SymbolImpactFit[] = [];
  const horizon = a.horizon ?? 12;
  const lookback = a.lookback ?? 288;
  for (const [symbol, list] of [...bySymbol.entries()].sort(([x], [y]) => x.localeCompare(y))) {
    const first = list[0]!.bucket;
    const last = list.at(-1)!.bucket;
    const candles = await loadCandles(db, { venue: a.venue, symbol, timeframe: tf }, first - (Math.max(horizon, lookback + 1) + 1) * TIMEFRAME_MS[tf], last);
    out.push({ venue: a.venue, symbol, timeframe: tf, snapshots: list.length, calibration: calibrateImpactK(list, candles, { timeframe: tf, horizonCandles: horizon, volLookbackCandles: lookback }) });
  }
  return out;
}

export function describeImpactFit(r: SymbolImpactFit): string {
  const c = r.calibration;
  const head = `${r.venue} ${r.symbol}: ${r.snapshots} snapshots (${c.snapshotsUsed} used, ${c.skipped.length} skipped), σ and V from ${r.timeframe} candles (horizon ${c.horizonCandles}, lookback ${c.volLookbackCandles})`;
  if (!c.fit.ok) return `${head}\n  no fit: ${c.fit.detail} (${c.fit.count} observations, ${c.fit.required} needed)`;
  const f = c.fit;
  return `${head}\n  k = ${f.k.toPrecision(4)}  SE ${f.standardError.toPrecision(3)}  robust SE ${f.robustStandardError.toPrecision(3)}  n = ${f.n}  RMSE ${f.rmseBps.toPrecision(3)} bps`;
}
