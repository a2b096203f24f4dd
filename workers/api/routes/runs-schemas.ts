/**
 * The query and response schemas of the run routes (`GET /api/runs…`): what the handlers parse and what the
 * OpenAPI document says they answer.
 */
import { z } from 'zod';
import { cursorParam, idParam, limitParam, symbolParam, timeParam, timeframeParam, venueParam } from './common';

/** The layout of `GET /api/runs/:id`: bumped whenever its bytes for the same stored run would change (the ETag has it). */
export const RUN_DETAIL_TYPE = 'run-detail/2';
/** Equity points in the detail by default: ≈ 35 bytes a point per column set keeps a run's detail well under 50 KB. */
export const DETAIL_POINTS = 600;

export const runsQuery = z.object({
  limit: limitParam(),
  cursor: cursorParam,
  strategy: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/).optional(),
  venue: venueParam.optional(),
  symbol: symbolParam.optional(),
  timeframe: timeframeParam.optional(),
  verdict: z.enum(['keep', 'watch', 'reject']).optional(),
  status: z.enum(['queued', 'running', 'done', 'failed']).optional(),
  kind: z.enum(['backtest', 'sweep-member', 'walk-forward', 'reproduction']).optional().describe('Default: every kind but sweep-member'),
  sweep: idParam.optional().describe('Only members of this sweep'),
  from: timeParam.optional().describe('Runs whose window starts at or after this'),
  to: timeParam.optional().describe('Runs whose window ends at or before this'),
});

export const runDetailQuery = z.object({
  points: z.coerce.number().int().min(10).max(2000).default(DETAIL_POINTS).describe('Max equity points (stored points only; first, last, peaks, troughs and worst drawdown kept)'),
});
export const tradesQuery = z.object({ limit: limitParam(200), cursor: cursorParam });
export const compareQuery = z.object({ a: idParam, b: idParam, points: z.coerce.number().int().min(10).max(2000).default(400) });

export const venueRowSchema = z.object({
  key: z.string(),
  venue: z.string().nullable(),
  costModel: z.string().nullable(),
  label: z.string().nullable(),
  verdict: z.string().nullable(),
  reason: z.string().nullable(),
  metrics: z.record(z.string(), z.unknown()).nullable(),
});
export const provenanceSchema = z.object({
  id: z.string(),
  kind: z.string(),
  strategyId: z.string(),
  strategyVersion: z.string(),
  params: z.unknown(),
  venue: z.string(),
  symbol: z.string(),
  timeframe: z.string(),
  mode: z.string(),
  windowFrom: z.number(),
  windowTo: z.number(),
  dataSource: z.string(),
  candleCount: z.number(),
  dataHash: z.string().nullable(),
  costModels: z.unknown(),
  codeVersion: z.string(),
  status: z.string(),
  progress: z.number(),
  verdict: z.string().nullable(),
  verdictReason: z.string().nullable(),
  resultHash: z.string().nullable(),
  error: z.string().nullable(),
  sweepId: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
});
export const tradeSchema = z.object({
  seq: z.number(),
  side: z.string(),
  entryTime: z.number(),
  entryPrice: z.number(),
  exitTime: z.number(),
  exitPrice: z.number(),
  entryReason: z.string(),
  exitReason: z.string(),
  grossReturn: z.number(),
  netReturns: z.record(z.string(), z.number()),
});
export const equitySchema = z.object({
  source: z.enum(['table', 'result', 'none']),
  total: z.number(),
  netModel: z.string().nullable(),
  points: z.array(z.object({ time: z.number(), equityGross: z.number(), equityNet: z.number(), drawdown: z.number() })),
});
/** The equity curve as columns (equal-length arrays in time order): the detail's compact form. */
export const equityColumnsSchema = z.object({
  source: z.enum(['table', 'result', 'none']),
  total: z.number().describe('Stored equity points (the columns hold at most `points` of them)'),
  netModel: z.string().nullable(),
  time: z.array(z.number()),
  equityGross: z.array(z.number()),
  equityNet: z.array(z.number()),
  drawdown: z.array(z.number()),
});
export const metricsSchema = z.object({ gross: z.unknown(), net: z.record(z.string(), z.unknown()).nullable() });
export const runListItemSchema = provenanceSchema.extend({ headline: z.record(z.string(), z.unknown()).nullable(), venues: z.array(venueRowSchema) });
/** One run as `detail()` loads it (the compare view): equity as points. */
export const runViewSchema = z.object({
  run: provenanceSchema,
  result: z.unknown().describe('backtest_runs.result without its trades and equity curves, passed through'),
  metrics: metricsSchema,
  venues: z.array(venueRowSchema),
  equity: equitySchema,
});
/** `GET /api/runs/:id`: bounded in size whatever the run (columnar equity, no trades: they page at `trades.href`). */
export const runDetailSchema = runViewSchema.extend({
  $type: z.literal(RUN_DETAIL_TYPE),
  equity: equityColumnsSchema,
  trades: z.object({ total: z.number(), href: z.string().describe('The trades, keyset-paged (GET, ?limit=&cursor=)') }),
});
export const compareSchema = z.object({
  a: runViewSchema,
  b: runViewSchema,
  diff: z.object({
    params: z.array(z.object({ key: z.string(), a: z.unknown(), b: z.unknown(), same: z.boolean() })),
    gross: z.array(z.object({ key: z.string(), a: z.number().nullable(), b: z.number().nullable(), delta: z.number().nullable() })),
    venues: z.array(z.object({ key: z.string(), a: z.string().nullable(), b: z.string().nullable() })),
  }),
});

