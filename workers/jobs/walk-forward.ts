/**
 * walk-forward job: run one walk-forward `backtest_runs` row (kind `walk-forward`, created `queued` by
 * `POST /api/research/walk-forwards`). Idempotent by the run's status: it is claimed queued → running with a lease
 * (a done / failed run, or one running under a live lease, is not recomputed); input errors end the run `failed`;
 * other failures release the claim and retry; after the last retry `onDead` marks it failed.
 */
import { z } from 'zod';
import { claimRun, failRun, releaseRun, RUN_LEASE_MS } from '../../shared/db/queries/research';
import { TransientError } from '../errors';
import { walkForwardThenPromote } from '../../shared/app/promote-after';
import type { JobDeps } from './consumer';
import { log } from '../observability/logger';

export const WalkForwardMessage = z.object({
  kind: z.literal('walk-forward'),
  key: z.string().min(1),
  runId: z.string().min(1).max(100),
});
export type WalkForwardJob = z.infer<typeof WalkForwardMessage>;

export function walkForwardJob(runId: string): WalkForwardJob {
  return { kind: 'walk-forward', key: `walk-forward:${runId}`, runId };
}

export async function runWalkForwardJob(msg: WalkForwardJob, deps: JobDeps): Promise<void> {
  const claim = await claimRun(deps.db, msg.runId);
  if (!claim.claimed) {
    log.info('walk-forward', { at: 'walk-forward', runId: msg.runId, status: 'skipped', reason: `run is ${claim.status ?? 'missing'}` });
    if (claim.status === 'running') throw new TransientError('run is running', RUN_LEASE_MS / 1000 + 5);
    return;
  }
  try {
    const out = await walkForwardThenPromote(deps.db, msg.runId, { codeVersion: deps.config.CODE_VERSION ?? 'unknown', now: deps.now });
    log.info('walk-forward', { at: 'walk-forward', runId: msg.runId, status: 'error' in out ? 'failed' : 'done', ...('error' in out ? { error: out.error } : {}) });
  } catch (err) {
    await releaseRun(deps.db, msg.runId).catch(() => {});
    throw err;
  }
}

export async function onDeadWalkForward(msg: WalkForwardJob, deps: JobDeps): Promise<void> {
  await failRun(deps.db, msg.runId, 'retries exhausted (dead-lettered)');
}
