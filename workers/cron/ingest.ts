/**
 * Cron ingestion stage: for each configured series, fetch closed candles from the last stored one (bounded
 * backfill), validate, upsert idempotently, record rejected rows with their reason, and beat one heartbeat per
 * venue (ok/error, rows, latency). Venues run concurrently and independently: one failing never blocks the others.
 */
import { planFetchWindow } from '../../shared/candles/fetch-window';
import type { DataIssue } from '../../shared/candles/issue';
import type { Timeframe } from '../../shared/candles/timeframe';
import { validateCandles } from '../../shared/candles/validate';
import { lastCandleTime, upsertCandles } from '../../shared/db/queries/candles';
import { recordDataIssues } from '../../shared/db/queries/data-issues';
import { CircuitBreaker, createVenue, isVenueId, type VenueId } from '../../shared/venues';
import type { Db } from '../db';
import type { AppConfig, Env } from '../env';
import { beat } from '../heartbeat/monitor';

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
      }).catch((err) => console.error(JSON.stringify({ at: 'ingest', venue: venueName, beatError: String(err) })));
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
  try {
    const window = planFetchWindow(await lastCandleTime(db, key), timeframe, now, backfillLimit);
    if (!window) return { ...base, ok: true, fetched: 0, written: 0, rejected: 0, skipped: 0 };
    const res = await venue.fetchClosedCandles({ symbol, timeframe, since: window.since, until: window.until, now });
    const checked = validateCandles(res.candles, { timeframe, now });
    const issues: DataIssue[] = [
      ...res.rejected.map((r) => ({ openTime: null, reason: 'parse' as const, detail: r.reason, raw: r.raw })),
      ...checked.issues,
    ];
    const source = `rest:${venueName}`;
    const up = await upsertCandles(db, key, checked.valid, source);
    if (issues.length) await recordDataIssues(db, key, source, issues);
    return { ...base, ok: true, fetched: res.candles.length, written: up.written, rejected: issues.length, skipped: window.skipped };
  } catch (err) {
    const e = err as Error & { kind?: string };
    console.error(JSON.stringify({ at: 'ingest', venue: venueName, symbol, timeframe, error: e.message, kind: e.kind }));
    return { ...base, ok: false, fetched: 0, written: 0, rejected: 0, skipped: 0, error: `${e.kind ?? 'error'}: ${e.message.slice(0, 200)}` };
  }
}
