/**
 * `GET /api/data/books`: what the cron's book snapshots measured, per venue and symbol — the half-spread
 * distribution (median, p90, max bps), median depth within 10/50 bps of mid per side, median walk-the-book cost of
 * a 10k-quote order. With `?venue&symbol`, that one series over time as columnar arrays, downsampled to `points`
 * buckets keeping each bucket's widest spread and thinnest depth (the Data page's spread and depth charts).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { bookSeries, bookSummaries, SUMMARY_NOTIONAL } from '../../../shared/db/queries/lab-books';
import { AppError } from '../../errors';
import { documentRoutes } from '../openapi';
import type { AppEnv } from '../app';
import { parseQuery, symbolParam, timeParam, venueParam } from './common';

const booksQuery = z.object({
  venue: venueParam.optional(),
  symbol: symbolParam.optional().describe('With venue: that series over time'),
  from: timeParam.optional(),
  to: timeParam.optional(),
  points: z.coerce.number().int().min(10).max(5000).default(1000).describe('Buckets in the one-series view, 10..5000'),
});

const nullableNum = z.number().nullable();
const summary = z.object({
  venue: z.string(),
  symbol: z.string(),
  count: z.number().int(),
  first: z.number(),
  last: z.number(),
  halfSpreadBps: z.object({ median: z.number(), p90: z.number(), max: z.number() }),
  depth10: z.object({ bid: nullableNum, ask: nullableNum }).describe('Median quote notional within 10 bps of mid'),
  depth50: z.object({ bid: nullableNum, ask: nullableNum }),
  fill10k: z.object({ buyBps: nullableNum, sellBps: nullableNum }).describe(`Median cost vs mid to fill ${SUMMARY_NOTIONAL} quote`),
});
const booksResponse = z.object({
  items: z.array(summary),
  series: z
    .object({
      total: z.number().int(),
      time: z.array(z.number()),
      halfSpreadBpsMax: z.array(z.number()),
      halfSpreadBpsMean: z.array(z.number()),
      depth10Bid: z.array(nullableNum),
      depth10Ask: z.array(nullableNum),
      depth50Bid: z.array(nullableNum),
      depth50Ask: z.array(nullableNum),
    })
    .nullable(),
});

export const bookRoutes = new Hono<AppEnv>().get('/', async (c) => {
  const q = parseQuery(c, booksQuery);
  if (q.symbol !== undefined && q.venue === undefined) throw new AppError('validation', 'Invalid query: venue: symbol needs venue');
  const db = c.var.getDb();
  const items = await bookSummaries(db, { venue: q.venue, symbol: q.symbol });
  const series = q.venue && q.symbol ? await bookSeries(db, { venue: q.venue, symbol: q.symbol, from: q.from, to: q.to, points: q.points }) : null;
  return c.json({ items, series } satisfies z.infer<typeof booksResponse>);
});

documentRoutes([
  { method: 'get', path: '/api/data/books', tag: 'data', summary: 'Measured spread and depth per venue from the book snapshots; one series over time with ?venue&symbol', query: booksQuery, response: booksResponse },
]);
