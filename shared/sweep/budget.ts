/**
 * Budgeted sweep chunks: how many combos one `sweep-chunk` queue message may carry so that it stays inside a set
 * share of the Worker's CPU limit. The limit and the batch size are the deployed ones (`wrangler.toml`
 * `[limits] cpu_ms` and the `jobs` consumer's `max_batch_size`; a test checks they agree): one queue invocation
 * runs a whole batch, so each message gets `cpu_ms / max_batch_size`, and a chunk is planned to use at most
 * `CHUNK_CPU_SHARE` of that — the rest is headroom for loading the window, merging and a slower machine.
 *
 * The cost per combo-candle is measured (`npm run bench -- sweep`, the fast path's CPU time on the 80-combo dsta
 * grid and the 1,000-combo 5m baseline: 0.24–0.6 µs per combo-candle on this 2-core machine under load) and taken
 * at 1.5 µs: the slowest bundled strategy with all cost views, with room for workerd on a busy host.
 */

/** `wrangler.toml` `[limits] cpu_ms`: CPU time one invocation may use (Workers Paid allows up to 300,000). */
export const WORKER_CPU_MS = 120_000;
/** `wrangler.toml` `max_batch_size` of the `jobs` consumer: messages one invocation handles. */
export const JOBS_BATCH_SIZE = 4;
/** Share of a message's CPU a planned chunk may use. */
export const CHUNK_CPU_SHARE = 0.5;
/** Measured CPU cost of one combo over one candle on the fast sweep path, µs (see the module header). */
export const COMBO_CANDLE_COST_US = 1.5;
/** Most combos in one chunk, whatever the budget (a chunk's summaries are one stored row). */
export const MAX_CHUNK_COMBOS = 500;

/** CPU ms one chunk is planned to use. */
export function chunkBudgetMs(cpuMs = WORKER_CPU_MS, batchSize = JOBS_BATCH_SIZE, share = CHUNK_CPU_SHARE): number {
  return (cpuMs / batchSize) * share;
}

/** Combos per chunk for a window of `candles` candles: the most whose planned cost fits the chunk budget (≥ 1). */
export function budgetedChunkSize(candles: number, opts: { costUs?: number; budgetMs?: number; maxCombos?: number } = {}): number {
  const cost = opts.costUs ?? COMBO_CANDLE_COST_US;
  const budget = opts.budgetMs ?? chunkBudgetMs();
  const perCombo = (Math.max(1, candles) * cost) / 1000;
  return Math.max(1, Math.min(opts.maxCombos ?? MAX_CHUNK_COMBOS, Math.floor(budget / perCombo)));
}

/** Planned CPU ms of a chunk of `combos` combos over `candles` candles. */
export function plannedChunkMs(combos: number, candles: number, costUs = COMBO_CANDLE_COST_US): number {
  return (combos * candles * costUs) / 1000;
}
