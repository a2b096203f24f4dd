/**
 * Paper trading (read-only): `GET /api/paper` — every paper account with equity, position, PnL, its last fills and
 * its last daily paper-vs-replay comparison; `GET /api/paper/divergences` — the classified paper-vs-replay
 * differences (counts per class and the newest rows, `?account=` for one account); `GET /api/paper/:id` — one
 * account (numeric id) with its fills, daily rows and divergences, or every account of one strategy
 * (`/api/paper/nexara-baseline-5m`, possibly none yet).
 * Accounts are written by the cron's paper stage (workers/cron/paper.ts).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { AppError } from '../../errors';
import { getStrategy } from '../../../shared/strategies/registry';
import {
  getPaperAccount,
  listPaperAccounts,
  paperDivergenceCounts,
  recentPaperDivergences,
  recentPaperDays,
  recentPaperFills,
} from '../../../shared/db/queries/paper';
import type { PaperAccountRow, PaperDailyRow, PaperDivergenceRow, PaperFillRow } from '../../../shared/db/schema';
import { DIVERGENCE_KINDS } from '../../../shared/research/divergence';
import { documentRoutes } from '../openapi';
import type { AppEnv } from '../app';

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

const fillSchema = z.object({
  id: z.number(),
  signalId: z.number(),
  signalTime: z.string(),
  action: z.string(),
  side: z.enum(['buy', 'sell']),
  effect: z.enum(['open', 'close']),
  price: z.number(),
  costBps: z.number(),
  time: z.string(),
  notional: z.number(),
  netReturn: z.number().nullable(),
  pnl: z.number().nullable(),
  gap: z.boolean(),
});

const daySchema = z.object({
  day: z.string(),
  equity: z.number(),
  pnl: z.number(),
  signals: z.number(),
  fills: z.number(),
  ok: z.boolean(),
  divergences: z.number(),
  gapBps: z.number().nullable(),
  comparison: z.record(z.string(), z.unknown()),
});

const divergenceSchema = z.object({
  id: z.number(),
  accountId: z.number(),
  day: z.string(),
  candleTime: z.string(),
  kind: z.enum(DIVERGENCE_KINDS),
  detail: z.string(),
  paper: z.unknown(),
  replay: z.unknown(),
});
const countsSchema = z.object({ data: z.number(), timing: z.number(), fill: z.number(), fee: z.number() });
const divergencesSchema = z.object({ counts: countsSchema, data: z.array(divergenceSchema) });
const divergenceQuery = z.object({
  account: z.coerce.number().int().positive().optional().describe('Only this paper account'),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

const accountSchema = z.object({
  id: z.number(),
  strategyId: z.string(),
  venue: z.string(),
  symbol: z.string(),
  timeframe: z.string(),
  costPreset: z.string(),
  initialEquity: z.number(),
  equity: z.number(),
  cash: z.number(),
  realisedPnl: z.number(),
  unrealisedPnl: z.number(),
  returnPct: z.number(),
  trades: z.number(),
  position: z
    .object({ side: z.enum(['long', 'short']), size: z.number().nullable(), notional: z.number().nullable(), entryPrice: z.number().nullable(), entryTime: z.string().nullable(), entryCostBps: z.number().nullable(), reason: z.string().nullable() })
    .nullable(),
  mark: z.object({ price: z.number().nullable(), time: z.string().nullable() }),
  since: z.string(),
  lastCycleAt: z.string().nullable(),
  updatedAt: z.string(),
});

const listItemSchema = accountSchema.extend({ lastFills: z.array(fillSchema), lastDaily: daySchema.nullable() });
const accountDetailSchema = z.object({ account: accountSchema, fills: z.array(fillSchema), daily: z.array(daySchema), divergences: divergencesSchema });
const detailSchema = z.union([accountDetailSchema, z.object({ strategyId: z.string(), accounts: z.array(accountDetailSchema) })]);
const idParams = z.object({ id: z.string().describe('A paper account id, or a strategy id for all its accounts') });

function accountOut(a: PaperAccountRow): z.infer<typeof accountSchema> {
  return {
    id: a.id,
    strategyId: a.strategyId,
    venue: a.venue,
    symbol: a.symbol,
    timeframe: a.timeframe,
    costPreset: a.costPreset,
    initialEquity: a.initialEquity,
    equity: a.equity,
    cash: a.cash,
    realisedPnl: a.realisedPnl,
    unrealisedPnl: a.unrealisedPnl,
    returnPct: ((a.equity - a.initialEquity) / a.initialEquity) * 100,
    trades: a.trades,
    position: a.positionSide
      ? { side: a.positionSide as 'long' | 'short', size: a.positionSize, notional: a.positionNotional, entryPrice: a.entryPrice, entryTime: iso(a.entryTime), entryCostBps: a.entryCostBps, reason: a.entryReason }
      : null,
    mark: { price: a.markPrice, time: iso(a.markTime) },
    since: iso(a.since)!,
    lastCycleAt: iso(a.lastCycleAt),
    updatedAt: a.updatedAt.toISOString(),
  };
}

function fillOut(f: PaperFillRow): z.infer<typeof fillSchema> {
  return {
    id: f.id,
    signalId: f.signalId,
    signalTime: iso(f.signalTime)!,
    action: f.action,
    side: f.side as 'buy' | 'sell',
    effect: f.effect as 'open' | 'close',
    price: f.price,
    costBps: f.costBps,
    time: iso(f.time)!,
    notional: f.notional,
    netReturn: f.netReturn,
    pnl: f.pnl,
    gap: f.gap,
  };
}

function dayOut(d: PaperDailyRow): z.infer<typeof daySchema> {
  return { day: iso(d.day)!.slice(0, 10), equity: d.equity, pnl: d.pnl, signals: d.signals, fills: d.fills, ok: d.ok, divergences: d.divergences, gapBps: d.gapBps, comparison: d.comparison as Record<string, unknown> };
}

function divergenceOut(d: PaperDivergenceRow): z.infer<typeof divergenceSchema> {
  return { id: d.id, accountId: d.accountId, day: iso(d.day)!.slice(0, 10), candleTime: iso(d.candleTime)!, kind: d.kind as z.infer<typeof divergenceSchema>['kind'], detail: d.detail, paper: d.paper, replay: d.replay };
}

async function divergencesOf(db: Parameters<typeof recentPaperDivergences>[0], limit: number, accountIds?: readonly number[]): Promise<z.infer<typeof divergencesSchema>> {
  const [rows, raw] = [await recentPaperDivergences(db, limit, accountIds), await paperDivergenceCounts(db, accountIds)];
  const counts = { data: raw.data ?? 0, timing: raw.timing ?? 0, fill: raw.fill ?? 0, fee: raw.fee ?? 0 };
  return { counts, data: rows.map(divergenceOut) };
}

export const paperRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const db = c.var.getDb();
    const accounts = await listPaperAccounts(db);
    const ids = accounts.map((a) => a.id);
    const [fills, days] = [await recentPaperFills(db, ids, 5), await recentPaperDays(db, ids, 1)];
    return c.json({
      data: accounts.map((a) => {
        const lastDay = days.find((d) => d.accountId === a.id);
        return { ...accountOut(a), lastFills: fills.filter((f) => f.accountId === a.id).map(fillOut), lastDaily: lastDay ? dayOut(lastDay) : null };
      }),
    });
  })
  .get('/divergences', async (c) => {
    const q = divergenceQuery.safeParse(c.req.query());
    if (!q.success) throw new AppError('bad_request', `invalid query: ${q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return c.json(await divergencesOf(c.var.getDb(), q.data.limit, q.data.account !== undefined ? [q.data.account] : undefined));
  })
  .get('/:id', async (c) => {
    const id = c.req.param('id');
    const db = c.var.getDb();
    const detail = async (a: PaperAccountRow): Promise<z.infer<typeof accountDetailSchema>> => {
      const [fills, days, divergences] = [await recentPaperFills(db, [a.id], 200), await recentPaperDays(db, [a.id], 60), await divergencesOf(db, 200, [a.id])];
      return { account: accountOut(a), fills: fills.map(fillOut), daily: days.map(dayOut), divergences };
    };
    if (/^\d{1,15}$/.test(id)) {
      const a = await getPaperAccount(db, Number(id));
      if (!a) throw new AppError('not_found', `no paper account ${id}`);
      return c.json(await detail(a));
    }
    if (!getStrategy(id)) throw new AppError('not_found', `no paper account or strategy ${id}`);
    const accounts = (await listPaperAccounts(db)).filter((a) => a.strategyId === id);
    const out = [];
    for (const a of accounts) out.push(await detail(a));
    return c.json({ strategyId: id, accounts: out });
  });

documentRoutes([
  { method: 'get', path: '/api/paper', tag: 'paper', summary: 'Paper accounts with equity, position, PnL, last fills and the last daily paper-vs-replay comparison', response: z.object({ data: z.array(listItemSchema) }) },
  { method: 'get', path: '/api/paper/divergences', tag: 'paper', summary: 'Classified paper-vs-replay differences (data, timing, fill, fee): counts per class and the newest rows', query: divergenceQuery, response: divergencesSchema },
  { method: 'get', path: '/api/paper/:id', tag: 'paper', summary: 'One paper account (numeric id) with its fills and daily comparisons, or all accounts of a strategy (strategy id)', params: idParams, response: detailSchema },
]);
