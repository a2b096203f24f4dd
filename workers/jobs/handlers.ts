/**
 * One handler per job kind. `run` must be idempotent by the message's key (every write it makes is an upsert on
 * a unique key or a guarded status transition); `onDead` records the final failure after retries are exhausted.
 */
import type { JobDeps } from './consumer';
import type { JobKind, JobMessage } from './messages';
import { onDeadAlert, runAlert } from './alert';
import { onDeadSystemAlert, runSystemAlert } from './system-alert';
import { onDeadImportFile, runImportFile } from './import-file';
import { onDeadBacktest, runBacktestJob } from './backtest';
import { onDeadSweepChunk, runSweepChunkJob } from './sweep-chunk';
import { runPboChunkJob } from './pbo-chunk';
import { onDeadWalkForward, runWalkForwardJob } from './walk-forward';

export interface JobHandler<M extends JobMessage> {
  run(msg: M, deps: JobDeps): Promise<void>;
  onDead?(msg: M, deps: JobDeps): Promise<void>;
}

type HandlerMap = { [K in JobKind]: JobHandler<Extract<JobMessage, { kind: K }>> };

export const JOB_HANDLERS: HandlerMap = {
  'system-alert': { run: runSystemAlert, onDead: onDeadSystemAlert },
  alert: { run: runAlert, onDead: onDeadAlert },
  'import-file': { run: runImportFile, onDead: onDeadImportFile },
  backtest: { run: runBacktestJob, onDead: onDeadBacktest },
  'sweep-chunk': { run: runSweepChunkJob, onDead: onDeadSweepChunk },
  'pbo-chunk': { run: runPboChunkJob },
  'walk-forward': { run: runWalkForwardJob, onDead: onDeadWalkForward },
};
