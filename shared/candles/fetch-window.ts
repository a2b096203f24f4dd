/**
 * Which closed candles an ingestion cycle should ask a venue for, planned from the stored coverage: the tail (after
 * the newest stored candle up to the newest closed one at `now`) and the holes inside the stored range (within a
 * repair horizon, minus ranges the venue already answered with nothing), at most `budget` candles per cycle,
 * newest first. A long outage is therefore caught up in bounded steps across cycles: a tail longer than the budget
 * fetches its newest part (the live loop is fresh at once) and the older rest becomes a hole the next cycles fill,
 * newest first, until none is left. What a cycle leaves for later is counted in `skipped`, never dropped.
 */
import type { Gap } from './gaps';
import { lastClosedOpenTime, TIMEFRAME_MS, type Timeframe } from './timeframe';

export interface FetchWindow {
  /** Inclusive. */
  since: number;
  /** Exclusive. */
  until: number;
  /** Expected candle count if the venue has no gaps. */
  expected: number;
  /** Candles older than `since` that are missing but beyond the backfill bound this cycle. */
  skipped: number;
}

/** Holes older than this (before `now − REPAIR_HORIZON_MS`) are left to the archive importer, not the cron. */
export const REPAIR_HORIZON_MS = 90 * 86_400_000;
/** At most this many separate ranges (venue requests, before paging) per series and cycle. */
export const MAX_RANGES_PER_CYCLE = 8;

/** What the store says about a series: its newest candle and its holes (see `seriesCoverage`). */
export interface StoredCoverage {
  /** Newest stored open time, or null for an empty series. */
  last: number | null;
  /** Missing runs inside the stored range (oldest first), within the repair horizon. */
  holes: readonly Gap[];
  /** Ranges [from, to) the venue already answered with no candle (`venue-gap` issues): not asked again. */
  venueGaps?: readonly { from: number; to: number }[];
}

export interface FetchPlan {
  /** Ranges to fetch, newest first; each [since, until) on the grid. */
  ranges: { since: number; until: number }[];
  /** Candles the ranges ask for. */
  expected: number;
  /** Missing candles left for later cycles (beyond the budget or the range cap). */
  skipped: number;
}

/** `holes` minus `cut` (both half-open [from, to) runs on the grid), as runs on the `tf` grid. */
function subtract(holes: readonly { from: number; to: number }[], cut: readonly { from: number; to: number }[], tf: number): Gap[] {
  let out = holes.map((h) => ({ from: h.from, to: h.to }));
  for (const c of cut) {
    const next: { from: number; to: number }[] = [];
    for (const h of out) {
      if (c.to <= h.from || c.from >= h.to) next.push(h);
      else {
        if (c.from > h.from) next.push({ from: h.from, to: c.from });
        if (c.to < h.to) next.push({ from: c.to, to: h.to });
      }
    }
    out = next;
  }
  return out.filter((h) => h.to > h.from).map((h) => ({ ...h, missing: (h.to - h.from) / tf }));
}

/** Plan one cycle's fetches for a series from its stored coverage (pure; see the module header). */
export function planFetches(stored: StoredCoverage, timeframe: Timeframe, now: number, budget: number): FetchPlan {
  const tf = TIMEFRAME_MS[timeframe];
  const newest = lastClosedOpenTime(timeframe, now);
  if (stored.last === null) {
    // First ingestion of a series: the newest `budget` candles (history before them is the archive's job).
    const since = newest - (budget - 1) * tf;
    return { ranges: [{ since, until: newest + tf }], expected: budget, skipped: 0 };
  }
  const horizon = now - REPAIR_HORIZON_MS;
  const runs: { from: number; to: number }[] = stored.holes.filter((h) => h.to > horizon).map((h) => ({ from: Math.max(h.from, Math.ceil(horizon / tf) * tf), to: h.to }));
  if (stored.last < newest) runs.push({ from: stored.last + tf, to: newest + tf });
  const missing = subtract(runs, stored.venueGaps ?? [], tf).sort((a, b) => b.from - a.from);
  const total = missing.reduce((a, g) => a + g.missing, 0);
  const ranges: { since: number; until: number }[] = [];
  let left = budget;
  for (const g of missing) {
    if (left <= 0 || ranges.length >= MAX_RANGES_PER_CYCLE) break;
    const take = Math.min(g.missing, left);
    ranges.push({ since: g.to - take * tf, until: g.to });
    left -= take;
  }
  const expected = budget - left;
  return { ranges, expected, skipped: total - expected };
}

/** The newest-first single window after `lastStored` (no holes known): the tail part of `planFetches`. */
export function planFetchWindow(lastStored: number | null, timeframe: Timeframe, now: number, backfillLimit: number): FetchWindow | null {
  const plan = planFetches({ last: lastStored, holes: [] }, timeframe, now, backfillLimit);
  const r = plan.ranges[0];
  if (!r) return null;
  return { since: r.since, until: r.until, expected: plan.expected, skipped: plan.skipped };
}

/**
 * The closed sub-ranges of a fetched range that the venue returned no valid candle for and that are old enough to
 * be final (closed at least `settleMs` before `now`): recorded as `venue-gap`, so no later cycle asks again.
 */
export function unansweredRanges(range: { since: number; until: number }, got: readonly number[], timeframe: Timeframe, now: number, settleMs = Math.max(3600_000, 3 * TIMEFRAME_MS[timeframe])): { from: number; to: number }[] {
  const tf = TIMEFRAME_MS[timeframe];
  const have = new Set(got);
  const out: { from: number; to: number }[] = [];
  for (let t = range.since; t < range.until; t += tf) {
    if (have.has(t) || t + tf > now - settleMs) continue;
    const last = out.at(-1);
    if (last && last.to === t) last.to = t + tf;
    else out.push({ from: t, to: t + tf });
  }
  return out;
}
