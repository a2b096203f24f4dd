/**
 * Data-quality reporting: per series, coverage, gaps (with lengths) and quarantined rows by reason; and
 * `crossCheck`, which compares two sources of the same series (the Binance archive vs candles fetched from REST)
 * field by field and lists every disagreement and every candle present in only one of them.
 */
import type { Candle } from './candle';
import { coverage, findGaps, type Coverage, type Gap, type TimeWindow } from './gaps';
import { countIssues, type DataIssue, type IssueReason } from './issue';
import type { Timeframe } from './timeframe';

export interface QualityInput {
  timeframe: Timeframe;
  /** Candles that passed validation (strictly increasing, on the grid): `validateCandles(...).valid`. */
  valid: readonly Candle[];
  /** Quarantined rows: parse issues plus `validateCandles(...).issues`. */
  issues?: readonly DataIssue[];
  /** Kept-but-suspicious rows (e.g. `parseArchiveCsv(...).warnings`). */
  warnings?: readonly DataIssue[];
  /** Measure coverage/gaps over this window instead of first..last present. */
  window?: TimeWindow;
}

export interface QualityReport {
  timeframe: Timeframe;
  coverage: Coverage;
  gaps: Gap[];
  /** Sum of `missing` over the gaps. */
  missingCandles: number;
  /** The gap with the most missing candles (the earliest on a tie), or null. */
  longestGap: Gap | null;
  /** Rows rejected (all `issues`). */
  quarantined: number;
  /** Of which off the timeframe grid. */
  offGrid: number;
  issuesByReason: Partial<Record<IssueReason, number>>;
  warnings: number;
  warningsByReason: Partial<Record<IssueReason, number>>;
}

export function qualityReport(input: QualityInput): QualityReport {
  const { timeframe, valid, window } = input;
  const issues = input.issues ?? [];
  const warnings = input.warnings ?? [];
  const times = valid.map((c) => c.openTime);
  const gaps = findGaps(times, timeframe, window);
  let longestGap: Gap | null = null;
  let missingCandles = 0;
  for (const g of gaps) {
    missingCandles += g.missing;
    if (!longestGap || g.missing > longestGap.missing) longestGap = g;
  }
  const issuesByReason = countIssues(issues);
  return {
    timeframe,
    coverage: coverage(times, timeframe, window),
    gaps,
    missingCandles,
    longestGap,
    quarantined: issues.length,
    offGrid: issuesByReason['off-grid'] ?? 0,
    issuesByReason,
    warnings: warnings.length,
    warningsByReason: countIssues(warnings),
  };
}

export type CandleField = 'open' | 'high' | 'low' | 'close' | 'volume';
export const CANDLE_FIELDS: readonly CandleField[] = ['open', 'high', 'low', 'close', 'volume'];

export interface Disagreement {
  openTime: number;
  field: CandleField;
  archive: number;
  rest: number;
}

export interface CrossCheckOptions {
  /**
   * Relative tolerance: values a, b agree when |a − b| ≤ tolerance · max(|a|, |b|). Default 0 (exact; the same
   * decimal text parses to the same double, so 8-decimal archive values and REST values compare exactly).
   */
  tolerance?: number;
  /** Absolute tolerance, OR-ed with the relative one. Default 0. */
  absTolerance?: number;
  /** Compare only open times in [from, to). */
  window?: TimeWindow;
  /** Fields to compare; default all of OHLCV. */
  fields?: readonly CandleField[];
}

export interface CrossCheckResult {
  /** Open times present in both and compared. */
  compared: number;
  /** One entry per differing field, by openTime then field order. */
  disagreements: Disagreement[];
  /** Distinct open times with at least one disagreement. */
  differingOpenTimes: number[];
  onlyInArchive: number[];
  onlyInRest: number[];
}

function agree(a: number, b: number, rel: number, abs: number): boolean {
  if (a === b) return true;
  const d = Math.abs(a - b);
  return d <= abs || d <= rel * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * Compare two sources of one series. Both must be sorted by openTime, strictly increasing (validate first; throws
 * otherwise). NaN never agrees with anything.
 */
export function crossCheck(archive: readonly Candle[], rest: readonly Candle[], opts: CrossCheckOptions = {}): CrossCheckResult {
  const rel = opts.tolerance ?? 0;
  const abs = opts.absTolerance ?? 0;
  const fields = opts.fields ?? CANDLE_FIELDS;
  const from = opts.window?.from ?? -Infinity;
  const to = opts.window?.to ?? Infinity;
  const inWin = (t: number): boolean => t >= from && t < to;
  assertIncreasing(archive, 'archive');
  assertIncreasing(rest, 'rest');
  const res: CrossCheckResult = { compared: 0, disagreements: [], differingOpenTimes: [], onlyInArchive: [], onlyInRest: [] };
  let i = 0;
  let j = 0;
  while (i < archive.length || j < rest.length) {
    const a = archive[i];
    const r = rest[j];
    if (a && (!r || a.openTime < r.openTime)) {
      if (inWin(a.openTime)) res.onlyInArchive.push(a.openTime);
      i++;
    } else if (r && (!a || r.openTime < a.openTime)) {
      if (inWin(r.openTime)) res.onlyInRest.push(r.openTime);
      j++;
    } else {
      const t = a!.openTime;
      if (inWin(t)) {
        res.compared++;
        let differs = false;
        for (const f of fields) {
          if (!agree(a![f], r![f], rel, abs)) {
            res.disagreements.push({ openTime: t, field: f, archive: a![f], rest: r![f] });
            differs = true;
          }
        }
        if (differs) res.differingOpenTimes.push(t);
      }
      i++;
      j++;
    }
  }
  return res;
}

function assertIncreasing(xs: readonly Candle[], name: string): void {
  for (let i = 1; i < xs.length; i++) {
    if (!(xs[i]!.openTime > xs[i - 1]!.openTime)) throw new RangeError(`crossCheck: ${name} must be strictly increasing by openTime (index ${i})`);
  }
}
