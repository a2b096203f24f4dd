/**
 * A recorded run's DSR "at judgement" (stored with its verdicts) and "now" (re-deflated with the family's lab-wide
 * trial count and trial-Sharpe variance of today), with MinBTL for both counts — see shared/research/trials.ts.
 * Read-only: nothing is written, so the figure is always current.
 */
import type { Timeframe } from '../candles/timeframe';
import type { Database } from '../db/database';
import { familyTrialCount, familyTrialSharpeVariance, getRunRow, runNetReturns } from '../db/queries/research';
import { redeflateRun, type RunTrials } from '../research/trials';
import { familyOf, RunInputError } from '../strategies/registry';
import type { JudgeContext } from './core';

/**
 * The family part of a run's judgement (`judgeRun`'s context): the strategy's family, the lab-wide trials counted
 * before this run (`runId` excluded) plus the `ownTrials` this run adds, and the family's trial-Sharpe variance.
 */
export async function familyJudgeContext(
  db: Database,
  run: { id: string; strategyId: string; venue: string; timeframe: string },
  ownTrials: number,
): Promise<Pick<JudgeContext, 'trials' | 'venue' | 'family' | 'timeframe' | 'trialSharpeVariance'>> {
  const fam = familyOf(run.strategyId);
  const trials = await familyTrialCount(db, fam.ids, run.id);
  return {
    trials: trials.total + ownTrials,
    venue: run.venue,
    family: fam.family,
    timeframe: run.timeframe as Timeframe,
    trialSharpeVariance: await familyTrialSharpeVariance(db, fam.ids),
  };
}

interface StoredJudgement {
  trials?: number;
  venues?: { key: string; metrics?: { dsr?: number | null } | null }[];
}

export async function runTrialsNow(db: Database, runId: string): Promise<RunTrials & { runId: string; strategyId: string }> {
  const run = await getRunRow(db, runId);
  if (!run) throw new RunInputError(`no run ${runId}`);
  if (run.status !== 'done') throw new RunInputError(`run ${runId} is ${run.status}: only a finished run has a judgement`);
  const stored = (run.result ?? {}) as StoredJudgement;
  const trades = await runNetReturns(db, runId);
  const presets = new Set<string>(stored.venues?.map((v) => v.key) ?? []);
  for (const t of trades) for (const k of Object.keys(t)) presets.add(k);
  const netByPreset: Record<string, number[]> = {};
  for (const p of presets) netByPreset[p] = trades.map((t) => t[p]).filter((x): x is number => typeof x === 'number');
  const storedDsr: Record<string, number | null> = {};
  for (const v of stored.venues ?? []) if (v.metrics && 'dsr' in v.metrics) storedDsr[v.key] = v.metrics.dsr ?? null;
  const fam = familyOf(run.strategyId);
  const now = await familyTrialCount(db, fam.ids);
  const varianceNow = await familyTrialSharpeVariance(db, fam.ids);
  const out = redeflateRun({
    family: fam.family,
    netByPreset,
    trialsAtJudgement: Math.max(1, Math.floor(stored.trials ?? 1)),
    trialsNow: Math.max(1, now.total),
    storedDsr,
    varianceNow,
    window: { from: run.windowFrom, to: run.windowTo },
  });
  return { runId, strategyId: run.strategyId, ...out };
}
