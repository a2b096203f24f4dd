/**
 * Data issues: the one record every candle check (archive parsing, batch validation) uses to say why a row was
 * quarantined, with a machine `reason` code, a human `detail` and the offending `raw` input kept for inspection.
 */

/** Machine codes for a rejected (or, for `close-time`, merely suspicious) row. */
export const ISSUE_REASONS = [
  /** A row that could not be read at all (not an object, unparseable line). */
  'parse',
  /** A CSV row with the wrong number of columns. */
  'arity',
  /** A CSV field that is empty or not a number. */
  'non-numeric',
  /** A CSV row whose timestamp unit (ms vs µs) differs from the file's first row. */
  'time-unit',
  /** A close_time that is not openTime + timeframe − 1 (a warning: the row is kept). */
  'close-time',
  /** A numeric field that is NaN or ±Infinity, or an openTime that is not an integer. */
  'non-finite',
  /** high < low. */
  'high-below-low',
  /** high < max(open, close). */
  'high-below-body',
  /** low > min(open, close). */
  'low-above-body',
  /** volume < 0. */
  'negative-volume',
  /** A non-positive price (a ratio or log return of it would be meaningless). */
  'non-positive-price',
  /** openTime not on the timeframe's UTC grid. */
  'off-grid',
  /** A candle that is still open or lies in the future at `now` (openTime + timeframe > now). */
  'future',
  /** An identical repeat of an earlier row of the batch (the first copy is kept). */
  'duplicate',
  /** Two or more rows of one batch with the same openTime but different values (none is kept). */
  'duplicate-conflict',
  /** A candle that disagrees with the one already stored for its open time (the stored one is kept). */
  'source-conflict',
  /** A closed range the venue was asked for and returned no candle for (`raw` = { from, to }); not asked again. */
  'venue-gap',
] as const;

export type IssueReason = (typeof ISSUE_REASONS)[number];

export interface DataIssue {
  /** Open time (ms UTC) of the offending row when one could be read, else null. */
  openTime: number | null;
  /** Machine code, one of `ISSUE_REASONS`. */
  reason: IssueReason;
  /** Human explanation (which field, which values). */
  detail: string;
  /** The offending input as received (a Candle, a CSV line, …). */
  raw: unknown;
}

/** Count issues by reason (reasons with no issue are absent). */
export function countIssues(issues: readonly DataIssue[]): Partial<Record<IssueReason, number>> {
  const out: Partial<Record<IssueReason, number>> = {};
  for (const i of issues) out[i.reason] = (out[i.reason] ?? 0) + 1;
  return out;
}
