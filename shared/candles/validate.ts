/**
 * Batch validation of candles before they are stored or used: every row is checked on its own (finite numbers,
 * positive prices, OHLC consistency, volume ≥ 0, on the UTC grid, closed at `now`), then duplicates within the
 * batch are resolved. Bad rows are quarantined as `DataIssue`s; good rows of the batch always survive bad ones.
 *
 * Duplicate policy (same openTime more than once in one batch, among rows that passed the per-row checks):
 *  - all copies identical (every OHLCV field equal) → the first is kept, each extra copy is a `duplicate` issue;
 *  - copies differ → none is kept and every copy is a `duplicate-conflict` issue. We cannot tell which copy is
 *    right, and a missing candle is visible (a gap, refetched later) while a wrong one is silent.
 * A row that already failed a per-row check does not take part (it is quarantined for its own reason), so it
 * cannot knock out a good twin. No duplicate ever reaches `valid`.
 *
 * `valid` is returned sorted by openTime ascending (strictly increasing); `issues` lists per-row issues in input
 * order, then duplicate issues in openTime order.
 */
import type { Candle } from './candle';
import type { DataIssue } from './issue';
import { TIMEFRAME_MS, type Timeframe } from './timeframe';

export interface ValidateOptions {
  timeframe: Timeframe;
  /** The clock, ms UTC: a candle is kept only when closed at `now` (openTime + timeframe ≤ now). */
  now: number;
}

export interface ValidationResult {
  valid: Candle[];
  issues: DataIssue[];
}

const FIELDS = ['openTime', 'open', 'high', 'low', 'close', 'volume'] as const;

/** The first reason a single row is unusable, or null when it passes every per-row check. */
export function checkCandle(row: Candle, timeframe: Timeframe, now: number): DataIssue | null {
  if (row === null || typeof row !== 'object') {
    return { openTime: null, reason: 'parse', detail: `not a candle object: ${String(row)}`, raw: row };
  }
  const t = typeof row.openTime === 'number' && Number.isSafeInteger(row.openTime) ? row.openTime : null;
  for (const f of FIELDS) {
    const v: unknown = row[f];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      return { openTime: t, reason: 'non-finite', detail: `${f} is ${String(v)}`, raw: row };
    }
  }
  if (t === null) {
    return { openTime: null, reason: 'non-finite', detail: `openTime ${row.openTime} is not an integer`, raw: row };
  }
  const { open, high, low, close, volume } = row;
  if (open <= 0 || high <= 0 || low <= 0 || close <= 0) {
    return { openTime: t, reason: 'non-positive-price', detail: `prices o=${open} h=${high} l=${low} c=${close}`, raw: row };
  }
  if (high < low) return { openTime: t, reason: 'high-below-low', detail: `high ${high} < low ${low}`, raw: row };
  if (high < Math.max(open, close)) {
    return { openTime: t, reason: 'high-below-body', detail: `high ${high} < max(open ${open}, close ${close})`, raw: row };
  }
  if (low > Math.min(open, close)) {
    return { openTime: t, reason: 'low-above-body', detail: `low ${low} > min(open ${open}, close ${close})`, raw: row };
  }
  if (volume < 0) return { openTime: t, reason: 'negative-volume', detail: `volume ${volume} < 0`, raw: row };
  const ms = TIMEFRAME_MS[timeframe];
  if (t % ms !== 0) {
    return {
      openTime: t,
      reason: 'off-grid',
      detail: `openTime ${t} (${iso(t)}) is not on the ${timeframe} grid (off by ${((t % ms) + ms) % ms} ms)`,
      raw: row,
    };
  }
  if (t + ms > now) {
    return {
      openTime: t,
      reason: 'future',
      detail: `${timeframe} candle ${iso(t)} is not closed at now=${iso(now)}`,
      raw: row,
    };
  }
  return null;
}

function sameCandle(a: Candle, b: Candle): boolean {
  return (
    a.openTime === b.openTime &&
    a.open === b.open &&
    a.high === b.high &&
    a.low === b.low &&
    a.close === b.close &&
    a.volume === b.volume
  );
}

function iso(t: number): string {
  return Number.isFinite(t) && Math.abs(t) < 8.64e15 ? new Date(t).toISOString() : String(t);
}

/** Validate a batch: see the module comment for the checks and the duplicate policy. */
export function validateCandles(rows: readonly Candle[], opts: ValidateOptions): ValidationResult {
  const { timeframe, now } = opts;
  if (!Number.isFinite(now)) throw new RangeError(`validateCandles: now must be a finite ms timestamp, got ${now}`);
  const issues: DataIssue[] = [];
  const byTime = new Map<number, Candle[]>();
  for (const row of rows) {
    const issue = checkCandle(row, timeframe, now);
    if (issue) {
      issues.push(issue);
      continue;
    }
    const list = byTime.get(row.openTime);
    if (list) list.push(row);
    else byTime.set(row.openTime, [row]);
  }
  const times = [...byTime.keys()].sort((a, b) => a - b);
  const valid: Candle[] = [];
  for (const t of times) {
    const copies = byTime.get(t)!;
    const first = copies[0]!;
    if (copies.length === 1) {
      valid.push({ openTime: t, open: first.open, high: first.high, low: first.low, close: first.close, volume: first.volume });
      continue;
    }
    if (copies.every((c) => sameCandle(c, first))) {
      valid.push({ openTime: t, open: first.open, high: first.high, low: first.low, close: first.close, volume: first.volume });
      for (let i = 1; i < copies.length; i++) {
        issues.push({ openTime: t, reason: 'duplicate', detail: `identical repeat #${i + 1} of ${iso(t)}; first copy kept`, raw: copies[i] });
      }
    } else {
      for (const c of copies) {
        issues.push({
          openTime: t,
          reason: 'duplicate-conflict',
          detail: `${copies.length} differing rows for ${iso(t)}; none kept`,
          raw: c,
        });
      }
    }
  }
  return { valid, issues };
}
