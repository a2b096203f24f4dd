/**
 * Queue message schemas: every message has a `kind` and an idempotency `key`; consumers parse with zod and
 * reject malformed messages with a recorded reason instead of retrying them forever.
 */
import { z } from 'zod';
import { ImportFileMessage } from './import-file';
import { BacktestMessage } from './backtest';
import { SweepChunkMessage } from './sweep-chunk';
import { PboChunkMessage } from './pbo-chunk';
import { WalkForwardMessage } from './walk-forward';

export const SystemAlertMessage = z.object({
  kind: z.literal('system-alert'),
  key: z.string().min(1),
  dedupeKey: z.string().min(1),
  text: z.string().min(1).max(4000),
});

/** Deliver one `alerts` row (signal or system alert) to Telegram; idempotent by the row's status. */
export const AlertMessage = z.object({
  kind: z.literal('alert'),
  key: z.string().min(1),
  alertId: z.number().int().positive(),
});

export const JobMessageSchema = z.discriminatedUnion('kind', [SystemAlertMessage, AlertMessage, ImportFileMessage, BacktestMessage, SweepChunkMessage, PboChunkMessage, WalkForwardMessage]);

export type JobMessage = z.infer<typeof JobMessageSchema>;
export type JobKind = JobMessage['kind'];
