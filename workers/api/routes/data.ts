/**
 * `GET /api/data/coverage`: per stored series — candle count, first, last, coverage ratio, gaps (count, candles
 * missing, largest) and data_issues counts by reason. With `?venue&symbol&timeframe`, one series in full: its gap
 * list (paged by `cursor`) and its quarantined/rejected rows (paged by `issuesCursor`).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { TIMEFRAME_MS, type Timeframe } from '../../../shared/candles/timeframe';
import { listSeries } from '../../../shared/db/queries/candles';
import { countDataIssues } from '../../../shared/db/queries/data-issues';
import { gapSummaries, listDataIssues, seriesGaps, seriesStats } from '../../../shared/db/queries/lab-data';
import { AppError } from '../../errors';
import { documentRoutes } from '../openapi';
import type { AppEnv } from '../app';
import { cursorParam, intCursor, limitParam, pageOf, pageSchema, parseQuery, symbolParam, timeframeParam, venueParam } from './common';

export const coverageQuery = z.object({
  venue: venueParam.optional(),
  symbol: symbolParam.optional(),
  timeframe: timeframeParam.optional(),
  limit: limitParam(100).describe('Gaps (and quarantined rows) per page in the one-series view, 1..500'),
  cursor: cursorParam.describe("Gap page cursor (previous page's gaps.page.nextCursor)"),
  issuesCursor: cursorParam.describe("Quarantined-rows page cursor (previous page's issues.page.nextCursor)"),
});

const gapSchema = z.object({ from: z.number(), to: z.number(), missing: z.number() });
const seriesCoverage = z.object({
  venue: z.string(),
  symbol: z.string(),
  timeframe: z.string(),
  count: z.number().int(),
  first: z.number().nullable(),
  last: z.number().nullable(),
  expected: z.number().int(),
  ratio: z.number(),
  gaps: z.object({ count: z.number().int(), missing: z.number().int(), largest: z.number().int() }),
  issues: z.record(z.string(), z.number().int()).describe('data_issues count by reason'),
});
export const coverageResponse = z.union([
  z.object({ items: z.array(seriesCoverage), issuesWithoutCandles: z.array(z.object({ venue: z.string(), symbol: z.string(), timeframe: z.string(), reason: z.string(), count: z.number() })) }),
  z.object({
    series: seriesCoverage,
    gaps: z.object({ items: z.array(gapSchema), page: pageSchema }),
    quarantined: z.object({
      items: z.array(z.object({ id: z.number(), openTime: z.number().nullable(), reason: z.string(), detail: z.string(), raw: z.unknown(), source: z.string(), createdAt: z.string() })),
      page: pageSchema,
    }),
  }),
]);

const sKey = (x: { venue: string; symbol: string; timeframe: string }): string => `${x.venue}|${x.symbol}|${x.timeframe}`;

function cover(count: number, first: number | null, last: number | null, tf: string): { expected: number; ratio: number } {
  const ms = TIMEFRAME_MS[tf as Timeframe] ?? 1;
  const expected = first === null || last === null ? 0 : (last - first) / ms + 1;
  return { expected, ratio: expected === 0 ? 1 : count / expected };
}

export const dataRoutes = new Hono<AppEnv>().get('/coverage', async (c) => {
  const q = parseQuery(c, coverageQuery);
  const db = c.var.getDb();
  const given = [q.venue, q.symbol, q.timeframe].filter((x) => x !== undefined).length;
  if (given !== 0 && given !== 3) throw new AppError('validation', 'Invalid query: give venue, symbol and timeframe together (or none)');

  if (q.venue && q.symbol && q.timeframe) {
    const key = { venue: q.venue, symbol: q.symbol, timeframe: q.timeframe };
    const stats = await seriesStats(db, key);
    const gapRows = await seriesGaps(db, key, intCursor(q.cursor), q.limit + 1);
    const issueRows = await listDataIssues(db, key, intCursor(q.issuesCursor), q.limit + 1);
    const counts = await countDataIssues(db, key);
    const [summary] = (await gapSummaries(db)).filter((g) => sKey(g) === sKey(key));
    return c.json({
      series: {
        ...key,
        ...stats,
        ...cover(stats.count, stats.first, stats.last, key.timeframe),
        gaps: { count: summary?.gaps ?? 0, missing: summary?.missing ?? 0, largest: summary?.largestMissing ?? 0 },
        issues: Object.fromEntries(counts.map((x) => [x.reason, x.count])),
      },
      gaps: pageOf(gapRows, q.limit, (g) => String(g.from)),
      quarantined: pageOf(issueRows, q.limit, (r) => String(r.id)),
    });
  }

  const series = await listSeries(db);
  const gaps = new Map((await gapSummaries(db)).map((g) => [sKey(g), g]));
  const issues = await countDataIssues(db);
  const byKey = new Map<string, Record<string, number>>();
  for (const i of issues) (byKey.get(sKey(i)) ?? byKey.set(sKey(i), {}).get(sKey(i))!)[i.reason] = i.count;
  const known = new Set(series.map(sKey));
  return c.json({
    items: series.map((s) => {
      const g = gaps.get(sKey(s));
      return {
        ...s,
        ...cover(s.count, s.first, s.last, s.timeframe),
        gaps: { count: g?.gaps ?? 0, missing: g?.missing ?? 0, largest: g?.largestMissing ?? 0 },
        issues: byKey.get(sKey(s)) ?? {},
      };
    }),
    issuesWithoutCandles: issues.filter((i) => !known.has(sKey(i))),
  });
});

documentRoutes([
  {
    method: 'get',
    path: '/api/data/coverage',
    tag: 'market',
    summary: 'Coverage, gaps and data issues per stored series; one series in full with ?venue&symbol&timeframe',
    query: coverageQuery,
    response: coverageResponse,
  },
]);
