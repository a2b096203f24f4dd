/**
 * One handler per job kind. `run` must be idempotent by the message's key (every write it makes is an upsert on
 * a unique key or a guarded status transition); `onDead` records the final failure after retries are exhausted.
 */
import type { JobDeps } from './consumer';
import type { JobKind, JobMessage } from './messages';
import { runSystemAlert } from './system-alert';

export interface JobHandler<M extends JobMessage> {
  run(msg: M, deps: JobDeps): Promise<void>;
  onDead?(msg: M, deps: JobDeps): Promise<void>;
}

type HandlerMap = { [K in JobKind]: JobHandler<Extract<JobMessage, { kind: K }>> };

export const JOB_HANDLERS: HandlerMap = {
  'system-alert': { run: runSystemAlert },
};
