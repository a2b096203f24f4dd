/**
 * Which closed candles an ingestion cycle should ask a venue for: from the candle after the last stored one up to
 * the newest closed candle at `now`, never reaching further back than `backfillLimit` candles (a long outage is
 * backfilled in bounded steps across cycles, newest gap first is never skipped silently: the remainder stays a
 * visible gap in the coverage report).
 */
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

export function planFetchWindow(
  lastStored: number | null,
  timeframe: Timeframe,
  now: number,
  backfillLimit: number,
): FetchWindow | null {
  const tf = TIMEFRAME_MS[timeframe];
  const newest = lastClosedOpenTime(timeframe, now);
  const earliest = newest - (backfillLimit - 1) * tf;
  const wanted = lastStored === null ? earliest : lastStored + tf;
  if (wanted > newest) return null;
  const since = Math.max(wanted, earliest);
  return {
    since,
    until: newest + tf,
    expected: (newest - since) / tf + 1,
    skipped: lastStored === null ? 0 : Math.max(0, (since - wanted) / tf),
  };
}
