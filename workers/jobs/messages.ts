/**
 * Queue message schemas: every message has a `kind` and an idempotency `key`; consumers parse with zod and
 * reject malformed messages with a recorded reason instead of retrying them forever.
 */
import { z } from 'zod';

export const SystemAlertMessage = z.object({
  kind: z.literal('system-alert'),
  key: z.string().min(1),
  dedupeKey: z.string().min(1),
  text: z.string().min(1).max(4000),
});

export const JobMessageSchema = z.discriminatedUnion('kind', [SystemAlertMessage]);

export type JobMessage = z.infer<typeof JobMessageSchema>;
export type JobKind = JobMessage['kind'];
