/**
 * Gap detection and coverage on a sorted list of on-grid open times: which candles are missing between the
 * first and last present one (or across a requested window), and how much of the expected grid is present.
 */
import { TIMEFRAME_MS, type Timeframe } from './timeframe';

/** A run of missing candles: open times `from`, `from + tf`, …, up to but excluding `to` (`missing` of them). */
export interface Gap {
  /** Open time of the first missing candle. */
  from: number;
  /** Open time just after the last missing one: the next present candle, or the window's end. Exclusive. */
  to: number;
  /** Number of missing candles, (to − from) / tf. */
  missing: number;
}

/** A half-open window [from, to) of open times, ms UTC. */
export interface TimeWindow {
  from: number;
  to: number;
}

export interface Coverage {
  /** First present open time (in the window), or null when none. */
  first: number | null;
  /** Last present open time (in the window), or null when none. */
  last: number | null;
  /** Candles the grid expects: first..last inclusive, or the whole window when one is given. */
  expected: number;
  /** Candles present (in the window). */
  present: number;
  /** expected − present. */
  missing: number;
  /** present / expected (1 when nothing is expected). */
  ratio: number;
}

function check(openTimes: ArrayLike<number>, ms: number, tf: Timeframe): void {
  for (let i = 0; i < openTimes.length; i++) {
    const t = openTimes[i]!;
    if (!Number.isFinite(t) || t % ms !== 0) throw new RangeError(`gaps: openTime ${t} at index ${i} is not on the ${tf} grid`);
    if (i > 0 && t <= openTimes[i - 1]!) {
      throw new RangeError(`gaps: open times must be strictly increasing (index ${i}: ${t} after ${openTimes[i - 1]})`);
    }
  }
}

function checkWindow(w: TimeWindow, ms: number, tf: Timeframe): void {
  if (!(w.from % ms === 0 && w.to % ms === 0 && w.from <= w.to)) {
    throw new RangeError(`gaps: window [${w.from}, ${w.to}) must be on the ${tf} grid with from ≤ to`);
  }
}

/**
 * Missing runs in `openTimes` (strictly increasing, on the `timeframe` grid: validate first; throws otherwise).
 * Without a window only interior gaps are reported; with one, times outside [from, to) are ignored and a missing
 * head (from → first) or tail (last → to) is reported too.
 */
export function findGaps(openTimes: ArrayLike<number>, timeframe: Timeframe, window?: TimeWindow): Gap[] {
  const ms = TIMEFRAME_MS[timeframe];
  check(openTimes, ms, timeframe);
  if (window) checkWindow(window, ms, timeframe);
  const gaps: Gap[] = [];
  let prev: number | null = window ? window.from - ms : null;
  for (let i = 0; i < openTimes.length; i++) {
    const t = openTimes[i]!;
    if (window && (t < window.from || t >= window.to)) continue;
    if (prev !== null && t - prev > ms) gaps.push({ from: prev + ms, to: t, missing: (t - prev - ms) / ms });
    prev = t;
  }
  if (window && prev! + ms < window.to) gaps.push({ from: prev! + ms, to: window.to, missing: (window.to - prev! - ms) / ms });
  return gaps;
}

/** Coverage of `openTimes` (same preconditions as `findGaps`), over first..last or over a window [from, to). */
export function coverage(openTimes: ArrayLike<number>, timeframe: Timeframe, window?: TimeWindow): Coverage {
  const ms = TIMEFRAME_MS[timeframe];
  check(openTimes, ms, timeframe);
  if (window) checkWindow(window, ms, timeframe);
  let first: number | null = null;
  let last: number | null = null;
  let present = 0;
  for (let i = 0; i < openTimes.length; i++) {
    const t = openTimes[i]!;
    if (window && (t < window.from || t >= window.to)) continue;
    if (first === null) first = t;
    last = t;
    present++;
  }
  const expected = window ? (window.to - window.from) / ms : first === null ? 0 : (last! - first) / ms + 1;
  return { first, last, expected, present, missing: expected - present, ratio: expected === 0 ? 1 : present / expected };
}
