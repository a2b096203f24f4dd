/**
 * The stored run-detail projection (`backtest_runs.detail`): what the run page needs of a run's result, computed
 * once in SQL (shared/db/queries/lab-runs.ts, `RUN_DETAIL_PROJECTION_SQL`) when the run completes, or on the first
 * read of an older row, so a read never detoasts the megabytes of the full result again. It holds the result
 * without its embedded trades and engine curves (and without the measured views' per-trade arrays), the length of
 * the result's own trade list and the run's stored trade rows. A finished run never changes (its trades are written
 * with it, in completeRun's transaction), so neither does its projection.
 *
 * `$type` names the projection's layout: a stored projection of another layout reads as absent and is rebuilt.
 * The result inside passes through untouched (its known fields are read by stored-run-result.ts).
 */
import { z } from 'zod';

export const RUN_DETAIL_PROJECTION_TYPE = 'run-detail-projection/1';

export const storedRunDetailSchema = z.object({
  $type: z.literal(RUN_DETAIL_PROJECTION_TYPE),
  /** `result` minus `trades` and `equity` (and minus `measuredCosts.venues[].net|roundTripBps`); null for none. */
  result: z.unknown(),
  /** Length of `result.trades` when the result embeds a trade array, else null. */
  resultTradeCount: z.number().int().nonnegative().nullable(),
  /** Rows of the run in backtest_trades (the detail's `trades.total`). */
  tradeCount: z.number().int().nonnegative(),
});
export type StoredRunDetail = z.infer<typeof storedRunDetailSchema>;

export type ReadRunDetail = { ok: true; detail: StoredRunDetail } | { ok: false; reason: string };

/** Parse a projection as read back from the database (jsonb arrives parsed, or as text from some drivers). */
export function readRunDetail(json: unknown): ReadRunDetail {
  const value = typeof json === 'string' ? (JSON.parse(json) as unknown) : json;
  const parsed = storedRunDetailSchema.safeParse(value);
  if (!parsed.success) return { ok: false, reason: `stored run detail: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}` };
  return { ok: true, detail: { ...parsed.data, result: parsed.data.result ?? null } };
}
