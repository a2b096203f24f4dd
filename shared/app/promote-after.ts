/**
 * Each research step, then promotion on what it stored: what the queue's jobs, the CLI and the tests call. The
 * steps themselves (run-backtest, walk-forward, sweep, sweep-pbo) never import promotion — promotion reads their
 * results and re-runs their pieces, so calling it from here, after the step returns, keeps the module graph free of
 * cycles (checked by tools/ci/import-cycles.test.ts). A promotion failure never fails the stored step (`…Safely`).
 */
import type { Database } from '../db/database';
import { getSweepRow } from '../db/queries/research';
import { sweepResultOrThrow } from '../research/stored-sweep-result';
import { promoteFromRunSafely, promoteFromSweepSafely, type PromotionOutcome, type SweepJudgement } from './promotion';
import { executeBacktestRun, type ExecuteOptions, type ExecuteOutcome } from './run-backtest';
import { executeSweepChunk, type ChunkOutcome, type MergeOptions } from './sweep';
import { executePboChunk, type PboChunkOutcome } from './sweep-pbo';
import { executeWalkForwardRun } from './walk-forward';
import type { Clock } from './ports';

/** A backtest run, then promotion on its verdicts (recorded once per run). */
export async function backtestThenPromote(db: Database, runId: string, opts: ExecuteOptions): Promise<ExecuteOutcome & { promotion?: PromotionOutcome | null }> {
  const out = await executeBacktestRun(db, runId, opts);
  if (out.status !== 'done') return out;
  return { ...out, promotion: await promoteFromRunSafely(db, out.run, out.judgement) };
}

/** A walk-forward run, then promotion on its out-of-sample verdicts (once per run). */
export async function walkForwardThenPromote(db: Database, runId: string, opts: { codeVersion: string; now: Clock }): Promise<Awaited<ReturnType<typeof executeWalkForwardRun>> & { promotion?: PromotionOutcome | null }> {
  const out = await executeWalkForwardRun(db, runId, opts);
  if ('error' in out) return out;
  return { ...out, promotion: await promoteFromRunSafely(db, out.run, out.judgement) };
}

/**
 * Judge a sweep that a merge just wrote: its best combo (neighbours, reproduction, newest walk-forward) and
 * promotion, once per sweep. A deferred PBO is judged when its last range merges instead: judging now would skip
 * the PBO gate and, promotion being recorded once per source, the sweep could never reach paper.
 */
async function judgeMergedSweep(db: Database, sweepId: string): Promise<SweepJudgement | null> {
  const sweep = await getSweepRow(db, sweepId);
  if (!sweep || sweep.status !== 'done') return null;
  if (sweepResultOrThrow(sweep.result, sweepId)?.pbo?.status === 'deferred') return null;
  return promoteFromSweepSafely(db, sweepId);
}

/** A sweep chunk; when its delivery wrote the merged sweep, the sweep is judged (stored on it) and promoted. */
export async function sweepChunkThenPromote(db: Database, sweepId: string, chunkIndex: number, opts: MergeOptions): Promise<ChunkOutcome & { promotion?: PromotionOutcome | null }> {
  const out = await executeSweepChunk(db, sweepId, chunkIndex, opts);
  if (!out.merged) return out;
  return { ...out, promotion: (await judgeMergedSweep(db, sweepId))?.promotion ?? null };
}

/** A pbo-chunk range; when its delivery merged the sweep's PBO, the sweep is judged (stored on it) and promoted. */
export async function pboChunkThenPromote(db: Database, msg: { sweepId: string; rangeIndex: number; from: number; to: number }, now: Clock): Promise<PboChunkOutcome & { promotion?: PromotionOutcome | null }> {
  const out = await executePboChunk(db, msg, now);
  if (out.status !== 'done' || !out.merged) return out;
  return { ...out, promotion: (await promoteFromSweepSafely(db, msg.sweepId))?.promotion ?? null };
}
