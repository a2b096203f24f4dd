/**
 * The live loop's execution-kernel events as the alerts carry them: the zod schema of `alerts.event` (an entry or
 * an exit fill with its kind, the kernel's fill price and liquidity, the fill and decision candles, levels or the
 * trade's result) and the newest events with their alert's delivery state, for the bot's `/signals` and the
 * Dashboard. An alert row whose `event` does not parse is reported as such, never guessed at.
 */
import { desc, isNotNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { alerts } from '../schema';
import type { Database } from '../database';

/** One kernel event (entry or exit fill) of a live or paper series; what the alert text is formatted from. */
export const kernelEventSchema = z.object({
  strategyId: z.string(),
  strategyVersion: z.string(),
  venue: z.string(),
  symbol: z.string(),
  timeframe: z.string(),
  mode: z.string(),
  effect: z.enum(['open', 'close']),
  positionSide: z.enum(['long', 'short']),
  /** The fill price the kernel used, and how it filled. */
  price: z.number(),
  liquidity: z.enum(['maker', 'taker']),
  /** Open time of the fill candle (a next-open fill fills at this instant; a stop or target inside this candle). */
  time: z.number(),
  /** signal | stop | take-profit | trailing | end-of-data (closing fills). */
  exitKind: z.string().optional(),
  /** Open time of the candle whose decision caused the fill (entry and signal exits). */
  signalTime: z.number(),
  reason: z.string(),
  stopLoss: z.number().nullable().optional(),
  takeProfit: z.number().nullable().optional(),
  trailPct: z.number().nullable().optional(),
  /** Closing fills: the entry price and the trade's gross return. */
  entryPrice: z.number().optional(),
  grossReturn: z.number().optional(),
  signalId: z.number().nullable().optional(),
});
export type KernelEventRecord = z.infer<typeof kernelEventSchema>;

/** A stored kernel event with the alert that carries it. */
export interface KernelEventRow {
  alertId: number;
  /** The alert's delivery state (pending, sent, muted, …). */
  status: string;
  createdAt: Date;
  event: KernelEventRecord;
}

/** `n` newest kernel events (by fill time, then alert id); rows whose stored event does not parse are skipped and counted. */
export async function listKernelEvents(db: Database, n: number): Promise<{ items: KernelEventRow[]; unreadable: number }> {
  const rows = await db
    .select({ alertId: alerts.id, status: alerts.status, createdAt: alerts.createdAt, event: alerts.event })
    .from(alerts)
    .where(isNotNull(alerts.event))
    .orderBy(desc(sql`(${alerts.event}->>'time')::bigint`), desc(alerts.id))
    .limit(n);
  const items: KernelEventRow[] = [];
  let unreadable = 0;
  for (const r of rows) {
    const e = kernelEventSchema.safeParse(r.event);
    if (e.success) items.push({ alertId: r.alertId, status: r.status, createdAt: r.createdAt, event: e.data });
    else unreadable++;
  }
  return { items, unreadable };
}
