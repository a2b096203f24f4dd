/**
 * backtest job: run one `backtest_runs` row (created `queued` by `POST /api/research/backtests`). Idempotent by
 * the run's status: a `done` or `failed` run is skipped (acked); a `running` one under a live lease is retried
 * after the lease (its consumer may have died); once the lease expired it is claimed and recomputed (same inputs →
 * same result hash). Input errors end the run `failed` with the error and ack; other failures release the claim
 * and retry with backoff; after the last retry `onDead` marks the run failed. A portfolio run (mode
 * `shared-capital`, ./backtest-portfolio.ts) is computed by its own executor under the same rules.
 */
import { z } from 'zod';
import { failRun, getRunRow, releaseRun, RUN_LEASE_MS } from '../../shared/db/queries/research';
import { TransientError } from '../errors';
import { backtestThenPromote } from '../../shared/app/promote-after';
import type { JobDeps } from './consumer';
import { log } from '../observability/logger';
import { executePortfolioRun, PORTFOLIO_MODE } from './backtest-portfolio';

export const BacktestMessage = z.object({
  kind: z.literal('backtest'),
  key: z.string().min(1),
  runId: z.string().min(1).max(100),
});
export type BacktestJob = z.infer<typeof BacktestMessage>;

export function backtestJob(runId: string): BacktestJob {
  return { kind: 'backtest', key: `backtest:${runId}`, runId };
}

export async function runBacktestJob(msg: BacktestJob, deps: JobDeps): Promise<void> {
  let out: Awaited<ReturnType<typeof backtestThenPromote>> | Awaited<ReturnType<typeof executePortfolioRun>>;
  try {
    const opts = { codeVersion: deps.config.CODE_VERSION ?? 'unknown', now: deps.now };
    const row = await getRunRow(deps.db, msg.runId);
    // A portfolio's verdict does not promote a strategy: only single-series runs go through promotion.
    out = row?.mode === PORTFOLIO_MODE ? await executePortfolioRun(deps.db, msg.runId, opts) : await backtestThenPromote(deps.db, msg.runId, opts);
    log.info('backtest', { at: 'backtest', runId: msg.runId, status: out.status, ...(out.status === 'skipped' ? { reason: out.reason } : {}) });
  } catch (err) {
    await releaseRun(deps.db, msg.runId).catch(() => {});
    throw err;
  }
  // Running under another consumer's live lease: if that consumer died, this message is the only one left —
  // retry after the lease instead of acking (the run is then re-claimed, or found done → ack).
  if (out.status === 'skipped' && out.reason === 'run is running') throw new TransientError(out.reason, RUN_LEASE_MS / 1000 + 5);
}

export async function onDeadBacktest(msg: BacktestJob, deps: JobDeps): Promise<void> {
  await failRun(deps.db, msg.runId, 'retries exhausted (dead-lettered)');
}
