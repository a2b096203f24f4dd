/**
 * Promotion storage: one `strategy_promotions` row per (strategy, evidence source) and, when the decision changes
 * the status, the `strategy_status_changes` row and the `strategies` update — all in one transaction with the
 * strategy row locked, so concurrent or repeated processing of the same run records one decision and at most one
 * change. The decision itself is computed by the caller's `plan` (shared/app/promotion.ts) from the status
 * read under the lock.
 */
import type { StoredSweepJudgement } from '../../research/stored-sweep-result';
import { and, desc, eq, ne, sql } from 'drizzle-orm';
import { backtestRuns, strategies, strategyPromotions, strategyStatusChanges, sweeps, type StrategyPromotionRow, type StrategyRow } from '../schema';
import type { Database } from '../database';

export type PromotionSourceKind = 'backtest' | 'walk-forward' | 'sweep' | 'manual';

export interface PlannedPromotion {
  proposedStatus: string;
  toStatus: string;
  reason: string;
  /** Stored on the promotion row and, when the status changes, on the status-change row. */
  evidence: Record<string, unknown>;
  /** Params to register with the new status (a sweep's best combo promoted to paper), or null to keep them. */
  adoptParams?: Record<string, unknown> | null;
}

export type RecordOutcome =
  | { status: 'recorded'; promotion: StrategyPromotionRow; statusChangeId: number | null }
  | { status: 'duplicate'; promotion: StrategyPromotionRow };

/**
 * Record the decision for (strategy, source) exactly once. `plan` sees the strategy row as locked in this
 * transaction. A second call with the same source returns the first decision (`duplicate`) and writes nothing.
 */
export async function recordPromotion(
  db: Database,
  input: { strategyId: string; sourceKind: PromotionSourceKind; sourceId: string },
  plan: (strategy: StrategyRow) => PlannedPromotion,
): Promise<RecordOutcome> {
  return db.transaction(async (tx) => {
    const t = tx as unknown as Database;
    const [row] = await t.select().from(strategies).where(eq(strategies.id, input.strategyId)).for('update');
    if (!row) throw new Error(`no strategy ${input.strategyId} in the registry`);
    const [prior] = await t
      .select()
      .from(strategyPromotions)
      .where(and(eq(strategyPromotions.strategyId, input.strategyId), eq(strategyPromotions.sourceId, input.sourceId)));
    if (prior) return { status: 'duplicate' as const, promotion: prior };
    const p = plan(row);
    const changed = p.toStatus !== row.status;
    const [ins] = await t
      .insert(strategyPromotions)
      .values({
        strategyId: row.id,
        sourceKind: input.sourceKind,
        sourceId: input.sourceId,
        fromStatus: row.status,
        proposedStatus: p.proposedStatus,
        toStatus: p.toStatus,
        changed,
        reason: p.reason,
        evidence: p.evidence,
      })
      .onConflictDoNothing()
      .returning();
    if (!ins) {
      const [again] = await t
        .select()
        .from(strategyPromotions)
        .where(and(eq(strategyPromotions.strategyId, input.strategyId), eq(strategyPromotions.sourceId, input.sourceId)));
      return { status: 'duplicate' as const, promotion: again! };
    }
    if (!changed) return { status: 'recorded' as const, promotion: ins, statusChangeId: null };
    const [change] = await t
      .insert(strategyStatusChanges)
      .values({ strategyId: row.id, fromStatus: row.status, toStatus: p.toStatus, reason: p.reason, evidence: p.evidence })
      .returning({ id: strategyStatusChanges.id });
    await t
      .update(strategies)
      .set({ status: p.toStatus, statusReason: p.reason.slice(0, 2000), updatedAt: sql`now()`, ...(p.adoptParams ? { params: p.adoptParams } : {}) })
      .where(eq(strategies.id, row.id));
    const [done] = await t.update(strategyPromotions).set({ statusChangeId: change!.id }).where(eq(strategyPromotions.id, ins.id)).returning();
    return { status: 'recorded' as const, promotion: done!, statusChangeId: change!.id };
  });
}

export async function getStrategyRow(db: Database, id: string): Promise<StrategyRow | null> {
  const [row] = await db.select().from(strategies).where(eq(strategies.id, id));
  return row ?? null;
}

/** The strategy's promotion decisions, newest first. */
export async function listPromotions(db: Database, strategyId: string, limit = 50): Promise<StrategyPromotionRow[]> {
  return db.select().from(strategyPromotions).where(eq(strategyPromotions.strategyId, strategyId)).orderBy(desc(strategyPromotions.id)).limit(limit);
}

/** The newest decision taken on evidence (not a manual one). */
export async function latestEvidencePromotion(db: Database, strategyId: string): Promise<StrategyPromotionRow | null> {
  const [row] = await db
    .select()
    .from(strategyPromotions)
    .where(and(eq(strategyPromotions.strategyId, strategyId), ne(strategyPromotions.sourceKind, 'manual')))
    .orderBy(desc(strategyPromotions.id))
    .limit(1);
  return row ?? null;
}

/** The newest finished walk-forward run of a strategy on one series (result included), or null. */
export async function latestWalkForwardRun(
  db: Database,
  strategyId: string,
  key: { venue: string; symbol: string; timeframe: string },
): Promise<{ id: string; result: unknown } | null> {
  const [row] = await db
    .select({ id: backtestRuns.id, result: backtestRuns.result })
    .from(backtestRuns)
    .where(
      and(
        eq(backtestRuns.strategyId, strategyId),
        eq(backtestRuns.kind, 'walk-forward'),
        eq(backtestRuns.status, 'done'),
        eq(backtestRuns.venue, key.venue),
        eq(backtestRuns.symbol, key.symbol),
        eq(backtestRuns.timeframe, key.timeframe),
      ),
    )
    .orderBy(desc(backtestRuns.finishedAt), desc(backtestRuns.id))
    .limit(1);
  return row ?? null;
}

/** Attach the best combo's judgement to a finished sweep's result (`result.judgement`). */
export async function storeSweepJudgement(db: Database, sweepId: string, judgement: StoredSweepJudgement): Promise<void> {
  await db
    .update(sweeps)
    .set({ result: sql`coalesce(${sweeps.result}, '{}'::jsonb) || jsonb_build_object('judgement', ${JSON.stringify(judgement)}::jsonb)` })
    .where(eq(sweeps.id, sweepId));
}
