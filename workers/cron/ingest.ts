/**
 * Cron ingestion stage: for each configured series, plan the fetches from the stored coverage (the tail after the
 * newest stored candle and the holes inside the stored range, at most INGEST_BACKFILL_LIMIT candles per cycle,
 * newest first: shared/candles/fetch-window.ts), validate, store (a stored candle is never rewritten), record
 * rejected rows with their reason and ranges the venue had no candle for (`venue-gap`, not asked again), and beat
 * one heartbeat per venue (ok/error, rows, latency). Venues run concurrently and independently: one failing never blocks the others.
 */
import { planFetches, REPAIR_HORIZON_MS, unansweredRanges } from '../../shared/candles/fetch-window';
import type { DataIssue } from '../../shared/candles/issue';
import { TIMEFRAME_MS, type Timeframe } from '../../shared/candles/timeframe';
import { validateCandles } from '../../shared/candles/validate';
import { seriesCoverage, upsertCandles } from '../../shared/db/queries/candles';
import { recordDataIssues } from '../../shared/db/queries/data-issues';
import { CircuitBreaker, createVenue, isVenueId, type VenueId } from '../../shared/venues';
import type { Db } from '../db';
import type { AppConfig, Env } from '../env';
import { beat } from '../heartbeat/monitor';
import { log } from '../observability/logger';

export const CRON_INTERVAL_MS = 5 * 60_000;

export interface SeriesOutcome {
  venue: string;
  symbol: string;
  timeframe: string;
  ok: boolean;
  fetched: number;
  written: number;
  rejected: number;
  skipped: number;
  error?: string;
}

export interface IngestReport {
  series: number;
  rows: number;
  failed: number;
  outcomes: SeriesOutcome[];
  summary: string;
}

// One breaker per venue per isolate: consecutive failures across cron cycles open it.
const breakers = new Map<VenueId, CircuitBreaker>();

/** The configured REST root of a venue (the cron's candle and book stages both use it). */
export function baseUrlFor(config: AppConfig, venue: VenueId): string {
  switch (venue) {
    case 'binance':
      return config.BINANCE_BASE_URL;
    case 'kraken':
      return config.KRAKEN_BASE_URL;
    case 'coinbase':
      return config.COINBASE_BASE_URL;
    case 'okx':
      return config.OKX_BASE_URL;
    case 'bybit':
      return config.BYBIT_BASE_URL;
  }
}

export async function runIngestion(deps: { env: Env; config: AppConfig; db: Db; now: number }): Promise<IngestReport> {
  const { config, db, now, env } = deps;
  const byVenue = new Map<string, { symbol: string; timeframe: Timeframe }[]>();
  for (const s of config.INGEST_SERIES) {
    const list = byVenue.get(s.venue) ?? [];
    list.push({ symbol: s.symbol, timeframe: s.timeframe as Timeframe });
    byVenue.set(s.venue, list);
  }

  const perVenue = await Promise.all(
    [...byVenue.entries()].map(async ([venueName, series]) => {
      const started = Date.now();
      const outcomes: SeriesOutcome[] = [];
      if (!isVenueId(venueName)) {
        for (const s of series) outcomes.push({ venue: venueName, ...s, ok: false, fetched: 0, written: 0, rejected: 0, skipped: 0, error: 'unknown venue' });
      } else {
        let breaker = breakers.get(venueName);
        if (!breaker) {
          breaker = new CircuitBreaker({ now: () => Date.now(), failureThreshold: 5, cooldownMs: 10 * 60_000 });
          breakers.set(venueName, breaker);
        }
        const venue = createVenue(venueName, {
          baseUrl: baseUrlFor(config, venueName),
          fetch: (url, init) => fetch(url, init),
          clock: () => Date.now(),
          sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
          random: Math.random,
          timeoutMs: config.VENUE_TIMEOUT_MS,
          maxAttempts: 3,
          breaker,
        });
        for (const s of series) {
          outcomes.push(await ingestSeries(db, venue, venueName, s.symbol, s.timeframe, now, config.INGEST_BACKFILL_LIMIT));
        }
      }
      const failed = outcomes.filter((o) => !o.ok);
      const rows = outcomes.reduce((a, o) => a + o.written, 0);
      await beat(env, {
        role: `ingest:${venueName}`,
        ok: failed.length === 0,
        intervalMs: CRON_INTERVAL_MS,
        detail: outcomes
          .map((o) => `${o.symbol} ${o.timeframe}: ${o.ok ? `+${o.written}${o.rejected ? `, ${o.rejected} rejected` : ''}` : `error ${o.error}`}`)
          .join('; '),
        metrics: { rows, failed: failed.length, latencyMs: Date.now() - started },
      }).catch((err) => log.error('ingest heartbeat failed', { at: 'ingest', venue: venueName, beatError: String(err) }));
      return outcomes;
    }),
  );

  const outcomes = perVenue.flat();
  const failed = outcomes.filter((o) => !o.ok).length;
  const rows = outcomes.reduce((a, o) => a + o.written, 0);
  return {
    series: outcomes.length,
    rows,
    failed,
    outcomes,
    summary: `${outcomes.length} series, ${rows} candles written, ${failed} failed`,
  };
}

async function ingestSeries(
  db: Db,
  venue: ReturnType<typeof createVenue>,
  venueName: string,
  symbol: string,
  timeframe: Timeframe,
  now: number,
  backfillLimit: number,
): Promise<SeriesOutcome> {
  const key = { venue: venueName, symbol, timeframe };
  const base = { venue: venueName, symbol, timeframe };
  const source = `rest:${venueName}`;
  let fetched = 0;
  let written = 0;
  let rejected = 0;
  let skipped = 0;
  try {
    const stored = await seriesCoverage(db, key, TIMEFRAME_MS[timeframe], now - REPAIR_HORIZON_MS);
    const plan = planFetches(stored, timeframe, now, backfillLimit);
    skipped = plan.skipped;
    // Newest range first: a failure part-way keeps what the earlier ranges stored; the rest is planned again next cycle.
    for (const range of plan.ranges) {
      const res = await venue.fetchClosedCandles({ symbol, timeframe, since: range.since, until: range.until, now });
      const checked = validateCandles(res.candles, { timeframe, now });
      // A row the venue sent but we rejected is not a venue gap: it stays a hole, asked again next cycle.
      const answered = [...checked.valid, ...checked.issues].flatMap((c) => (c.openTime === null ? [] : [c.openTime]));
      const unanswered = stored.last === null ? [] : unansweredRanges(range, answered, timeframe, now);
      const issues: DataIssue[] = [
        ...res.rejected.map((r) => ({ openTime: null, reason: 'parse' as const, detail: r.reason, raw: r.raw })),
        ...checked.issues,
        ...unanswered.map((g) => ({
          openTime: g.from,
          reason: 'venue-gap' as const,
          detail: `${venueName} returned no valid ${timeframe} candle for ${new Date(g.from).toISOString()}..${new Date(g.to).toISOString()} (${(g.to - g.from) / TIMEFRAME_MS[timeframe]} candle(s)); not asked again`,
          raw: g,
        })),
      ];
      const up = await upsertCandles(db, key, checked.valid, source);
      if (issues.length) await recordDataIssues(db, key, source, issues);
      fetched += res.candles.length;
      written += up.written;
      rejected += issues.length - unanswered.length;
    }
    return { ...base, ok: true, fetched, written, rejected, skipped };
  } catch (err) {
    const e = err as Error & { kind?: string };
    log.error('ingest fetch failed', { at: 'ingest', venue: venueName, symbol, timeframe, error: e.message, kind: e.kind });
    return { ...base, ok: false, fetched, written, rejected, skipped, error: `${e.kind ?? 'error'}: ${e.message.slice(0, 200)}` };
  }
}
