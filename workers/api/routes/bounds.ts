/**
 * Request bounds for the research actions: how much one request may ask the platform to do. Beyond a bound the
 * request is refused with a 422 that names the limit (`details.limit: { name, max, asked }`), before any row is
 * written or any message is queued.
 *
 * - `MAX_WINDOW_CANDLES`: candles in one research window (backtest or sweep) at its timeframe. 250,000 is ≈ 2.4
 *   years of 5m, 28 years of 1h; a Worker holds the window (plus warm-up) in memory in one invocation.
 * - `MAX_SWEEP_COMBOS`: parameter combinations per sweep (the planner's own cap, `MAX_COMBOS`).
 * - `MAX_SWEEP_CHUNKS`: queue messages (chunks) per sweep: one request could otherwise fan out 5,000 messages.
 * - `MIN_CHUNK_SIZE`: combos per chunk when the caller sets `chunkSize` (each chunk reloads the whole window, so
 *   tiny chunks multiply the data loaded); a sweep with fewer combos may use one chunk of all of them.
 * - `MAX_CHUNK_CPU_MS`: the planned CPU of one chunk (combos × window candles × the measured cost per
 *   combo-candle, shared/sweep/budget.ts) may not exceed one queue message's share of `[limits] cpu_ms`: a
 *   caller's `chunkSize` beyond it would be killed by the CPU limit on every retry.
 */
import { TIMEFRAME_MS, type Timeframe } from '../../../shared/candles/timeframe';
import { AppError } from '../../errors';
import { MAX_COMBOS } from '../../../shared/app/sweep';
import { JOBS_BATCH_SIZE, plannedChunkMs, WORKER_CPU_MS } from '../../../shared/sweep/budget';

export const MAX_WINDOW_CANDLES = 250_000;
export const MAX_SWEEP_COMBOS = MAX_COMBOS;
export const MAX_SWEEP_CHUNKS = 250;
export const MIN_CHUNK_SIZE = 5;
export const MAX_CHUNK_CPU_MS = WORKER_CPU_MS / JOBS_BATCH_SIZE;
/** Research windows lie between the epoch and 2100-01-01 (what the candle store's bigint times can mean). */
export const MAX_TIME_MS = 4_102_444_800_000;

/** A 422 naming the limit that was exceeded. */
export function overLimit(name: string, max: number, asked: number, what: string): AppError {
  return new AppError('validation', `Request exceeds a limit: ${what} (${asked}) is more than ${name} = ${max}`, { limit: { name, max, asked } });
}

/** Refuse a research window outside [0, 2100) or longer than MAX_WINDOW_CANDLES candles of its timeframe. */
export function checkResearchWindow(r: { timeframe: Timeframe; from: number; to: number }): void {
  if (r.from < 0 || r.to > MAX_TIME_MS) {
    throw new AppError('validation', `Invalid body: the window must lie between 1970-01-01 and 2100-01-01 (got ${r.from} .. ${r.to})`, {
      limit: { name: 'MAX_TIME_MS', max: MAX_TIME_MS, asked: Math.max(r.to, -r.from) },
    });
  }
  const candles = Math.ceil((r.to - r.from) / TIMEFRAME_MS[r.timeframe]);
  if (candles > MAX_WINDOW_CANDLES) throw overLimit('MAX_WINDOW_CANDLES', MAX_WINDOW_CANDLES, candles, `${r.timeframe} candles in the window`);
}

/** Refuse a planned sweep beyond the combo and chunk caps, or with a requested chunk size below the minimum. */
export function checkSweepPlan(plan: { combos: number; chunks: number; chunkSize: number; candles?: number }, requestedChunkSize: number | undefined): void {
  if (plan.combos > MAX_SWEEP_COMBOS) throw overLimit('MAX_SWEEP_COMBOS', MAX_SWEEP_COMBOS, plan.combos, 'parameter combinations');
  if (requestedChunkSize !== undefined && requestedChunkSize < Math.min(MIN_CHUNK_SIZE, plan.combos)) {
    throw new AppError('validation', `Request below a limit: chunkSize (${requestedChunkSize}) is less than MIN_CHUNK_SIZE = ${MIN_CHUNK_SIZE}`, {
      limit: { name: 'MIN_CHUNK_SIZE', min: MIN_CHUNK_SIZE, asked: requestedChunkSize },
    });
  }
  if (plan.candles !== undefined) {
    const ms = Math.ceil(plannedChunkMs(Math.min(plan.chunkSize, plan.combos), plan.candles));
    if (ms > MAX_CHUNK_CPU_MS) throw overLimit('MAX_CHUNK_CPU_MS', MAX_CHUNK_CPU_MS, ms, `planned CPU ms of one chunk (${plan.chunkSize} combos × ${plan.candles} candles)`);
  }
  if (plan.chunks > MAX_SWEEP_CHUNKS) {
    throw overLimit('MAX_SWEEP_CHUNKS', MAX_SWEEP_CHUNKS, plan.chunks, `queue chunks (${plan.combos} combos / ${plan.chunkSize} per chunk)`);
  }
}
