/**
 * Budgeted sweep chunks: how many combos one `sweep-chunk` queue message may carry so that it stays inside a set
 * share of the Worker's CPU limit. The limit and the batch size are the deployed ones (`wrangler.toml`
 * `[limits] cpu_ms` and the `jobs` consumer's `max_batch_size`; a test checks they agree): one queue invocation
 * runs a whole batch, so each message gets `cpu_ms / max_batch_size`, and a chunk is planned to use at most
 * `CHUNK_CPU_SHARE` of that — the rest is headroom for loading the window, merging and a slower machine.
 *
 * The cost per combo-candle is measured: `npm run bench -- sweep` (Node, the fast path's CPU time) gives 0.45 µs on
 * the 80-combo dsta grid over BTC/USDT 1h and 0.21 µs on the 1,000-combo 5m baseline; in workerd (`npm run dev`,
 * the 10,000-combo baseline sweep over 45,024 BTC/USDT 1h candles) 46 chunks of 222 combos took 1.34–1.84 s each,
 * 0.15 µs per combo-candle. Planned at 0.75 µs: the slowest measured × 1.7, so a chunk planned at 15 s stays inside
 * its message's 30 s share even at twice the planned cost.
 */

/** `wrangler.toml` `[limits] cpu_ms`: CPU time one invocation may use (Workers Paid allows up to 300,000). */
export const WORKER_CPU_MS = 120_000;
/** `wrangler.toml` `max_batch_size` of the `jobs` consumer: messages one invocation handles. */
export const JOBS_BATCH_SIZE = 4;
/** Share of a message's CPU a planned chunk may use. */
export const CHUNK_CPU_SHARE = 0.5;
/** Measured CPU cost of one combo over one candle on the fast sweep path, µs (see the module header). */
export const COMBO_CANDLE_COST_US = 0.75;
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
