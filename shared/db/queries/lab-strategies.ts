/**
 * The `strategies` table as the Lab sees it: lifecycle rows (status, enabled, muted) to merge with the code
 * registry, status history, and the enable/disable/mute/unmute switches (a missing row is created from the
 * registry's code-owned fields first, so a switch works before the registry was seeded).
 */
import { asc, desc, eq, sql } from 'drizzle-orm';
import { strategies, strategyStatusChanges, type StrategyRow, type StrategyStatusChangeRow } from '../schema';
import type { Database } from '../database';

export async function listStrategyRows(db: Database): Promise<StrategyRow[]> {
  return db.select().from(strategies).orderBy(asc(strategies.id));
}

export async function getStrategyRow(db: Database, id: string): Promise<StrategyRow | null> {
  const [row] = await db.select().from(strategies).where(eq(strategies.id, id));
  return row ?? null;
}

export async function strategyStatusHistory(db: Database, id: string, limit = 200): Promise<StrategyStatusChangeRow[]> {
  return db
    .select()
    .from(strategyStatusChanges)
    .where(eq(strategyStatusChanges.strategyId, id))
    .orderBy(desc(strategyStatusChanges.createdAt), desc(strategyStatusChanges.id))
    .limit(limit);
}

export interface StrategySeed {
  id: string;
  title: string;
  version: string;
  origin: string;
  family: string;
  timeframe: string;
  params: Record<string, unknown>;
}

export type StrategySwitch = 'enable' | 'disable' | 'mute' | 'unmute';

/** Flip one switch (idempotent); inserts the row from `seed` when the registry was never seeded. */
export async function setStrategySwitch(db: Database, seed: StrategySeed, action: StrategySwitch): Promise<StrategyRow> {
  const patch =
    action === 'enable' ? { enabled: true } : action === 'disable' ? { enabled: false } : action === 'mute' ? { muted: true } : { muted: false };
  const [row] = await db
    .insert(strategies)
    .values({ ...seed, ...patch })
    .onConflictDoUpdate({ target: strategies.id, set: { ...patch, updatedAt: sql`now()` } })
    .returning();
  return row!;
}
