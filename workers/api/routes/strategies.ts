/**
 * Strategies: the code registry (`shared/strategies/registry.ts`) merged with the `strategies` table's lifecycle
 * fields (status, enabled, muted). `GET /api/strategies`, `GET /api/strategies/:id` (rules, defaults, the params
 * JSON Schema from the strategy's own zod schema, sweep ranges, status history) and
 * `POST /api/strategies/:id/enable|disable|mute|unmute`.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { getStrategy, listStrategies, type StrategySummary } from '../../../shared/strategies/registry';
import type { AnyStrategy } from '../../../shared/strategies/types';
import type { StrategyRow } from '../../../shared/db/schema';
import { getStrategyRow, listStrategyRows, setStrategySwitch, strategyStatusHistory, type StrategySwitch } from '../../../shared/db/queries/lab-strategies';
import { documentRoutes } from '../openapi';
import type { AppEnv } from '../app';
import { notFound, parseParams, parseQuery } from './common';

export const strategyIdParams = z.object({ id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'strategy id (kebab-case)') });
export const strategyActionParams = strategyIdParams.extend({ action: z.enum(['enable', 'disable', 'mute', 'unmute']) });
export const strategiesQuery = z.object({
  origin: z.enum(['nexara', '4h-platform', 'nexus', 'dsta', 'test']).optional(),
  family: z.string().max(64).optional(),
  status: z.enum(['research', 'watch', 'paper', 'rejected']).optional(),
});

const lifecycle = z.object({
  status: z.string().describe('research | watch | paper | rejected'),
  statusReason: z.string().nullable(),
  enabled: z.boolean(),
  muted: z.boolean(),
  /** False when the registry row was never written to the database (defaults shown). */
  registered: z.boolean(),
  updatedAt: z.string().nullable(),
});
export const strategySummarySchema = z.object({
  id: z.string(),
  version: z.string(),
  kind: z.string(),
  origin: z.string(),
  family: z.string(),
  title: z.string(),
  description: z.string(),
  timeframes: z.array(z.string()),
  allowShort: z.boolean(),
  startupCandles: z.number(),
  defaults: z.record(z.string(), z.unknown()),
  lifecycle,
});
export const strategyDetailSchema = strategySummarySchema.extend({
  paramSchema: z.record(z.string(), z.unknown()).describe('JSON Schema of the params (from the strategy zod schema)'),
  paramSpace: z.record(z.string(), z.unknown()).describe('Sweep ranges per param'),
  dbVersion: z.string().nullable(),
  statusHistory: z.array(
    z.object({ id: z.number(), fromStatus: z.string(), toStatus: z.string(), reason: z.string(), evidence: z.unknown(), createdAt: z.string() }),
  ),
});

function lifecycleOf(row: StrategyRow | null | undefined): z.infer<typeof lifecycle> {
  return {
    status: row?.status ?? 'research',
    statusReason: row?.statusReason ?? null,
    enabled: row?.enabled ?? false,
    muted: row?.muted ?? false,
    registered: Boolean(row),
    updatedAt: row?.updatedAt ? row.updatedAt.toISOString() : null,
  };
}

function summaryOf(s: AnyStrategy): StrategySummary {
  return listStrategies().find((x) => x.id === s.id)!;
}

function paramSchemaOf(s: AnyStrategy): Record<string, unknown> {
  try {
    const { $schema: _d, ...rest } = z.toJSONSchema(s.paramsSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    return rest;
  } catch (err) {
    return { error: `not representable as JSON Schema: ${(err as Error).message}` };
  }
}

function requireStrategy(id: string): AnyStrategy {
  return getStrategy(id) ?? notFound('Strategy', id);
}

export const strategyRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const q = parseQuery(c, strategiesQuery);
    const rows = new Map((await listStrategyRows(c.var.getDb())).map((r) => [r.id, r]));
    const items = listStrategies({ origin: q.origin, family: q.family })
      .map((s) => ({ ...s, lifecycle: lifecycleOf(rows.get(s.id)) }))
      .filter((s) => !q.status || s.lifecycle.status === q.status);
    return c.json({ items });
  })
  .get('/:id', async (c) => {
    const { id } = parseParams(c, strategyIdParams);
    const s = requireStrategy(id);
    const db = c.var.getDb();
    const row = await getStrategyRow(db, id);
    const history = row ? await strategyStatusHistory(db, id) : [];
    return c.json({
      ...summaryOf(s),
      lifecycle: lifecycleOf(row),
      dbVersion: row?.version ?? null,
      paramSchema: paramSchemaOf(s),
      paramSpace: s.paramSpace,
      statusHistory: history.map((h) => ({ ...h, createdAt: h.createdAt.toISOString() })),
    });
  })
  .post('/:id/:action', async (c) => {
    const { id, action } = parseParams(c, strategyActionParams);
    const s = requireStrategy(id);
    const row = await setStrategySwitch(
      c.var.getDb(),
      {
        id: s.id,
        title: s.title,
        version: s.version,
        origin: s.origin,
        family: s.family,
        timeframe: s.timeframes[0],
        params: { ...s.defaults },
      },
      action as StrategySwitch,
    );
    return c.json({ id, action, lifecycle: lifecycleOf(row) });
  });

documentRoutes([
  {
    method: 'get',
    path: '/api/strategies',
    tag: 'strategies',
    summary: 'The strategy registry merged with lifecycle state (status, enabled, muted)',
    query: strategiesQuery,
    response: z.object({ items: z.array(strategySummarySchema) }),
  },
  {
    method: 'get',
    path: '/api/strategies/:id',
    tag: 'strategies',
    summary: 'One strategy: rules, defaults, params JSON Schema, sweep ranges, status history',
    params: strategyIdParams,
    response: strategyDetailSchema,
  },
  {
    method: 'post',
    path: '/api/strategies/:id/:action',
    tag: 'strategies',
    summary: 'Enable, disable, mute or unmute a strategy (idempotent)',
    params: strategyActionParams,
    response: z.object({ id: z.string(), action: z.string(), lifecycle }),
  },
]);
