import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../testing/data';
import { budgetedChunkSize, chunkBudgetMs, COMBO_CANDLE_COST_US, JOBS_BATCH_SIZE, MAX_CHUNK_COMBOS, plannedChunkMs, WORKER_CPU_MS } from './budget';

describe('budgeted sweep chunks', () => {
  it('uses the deployed CPU limit and queue batch size (wrangler.toml)', () => {
    const toml = readFileSync(join(REPO_ROOT, 'wrangler.toml'), 'utf8');
    expect(toml).toMatch(new RegExp(`\\[limits\\]\\s*\\ncpu_ms = ${WORKER_CPU_MS}\\b`));
    const jobs = /\[\[queues\.consumers\]\]\s*\nqueue = "jobs"\s*\n((?:[a-z_]+ = .*\n)+)/.exec(toml);
    expect(jobs, 'jobs consumer block').not.toBeNull();
    expect(jobs![1]).toContain(`max_batch_size = ${JOBS_BATCH_SIZE}\n`);
  });

  it('keeps a whole batch of planned chunks inside the CPU limit', () => {
    for (const candles of [500, 2_190, 45_024, 105_120, 250_000]) {
      const size = budgetedChunkSize(candles);
      expect(size).toBeGreaterThanOrEqual(1);
      expect(size).toBeLessThanOrEqual(MAX_CHUNK_COMBOS);
      if (size > 1) expect(plannedChunkMs(size, candles) * JOBS_BATCH_SIZE).toBeLessThanOrEqual(WORKER_CPU_MS);
      // One more combo would exceed the chunk budget (unless capped).
      if (size < MAX_CHUNK_COMBOS) expect(plannedChunkMs(size + 1, candles)).toBeGreaterThan(chunkBudgetMs());
    }
  });

  it('gives the 45,024-candle BTC/USDT 1h window chunks that put 10,000 combos in well under 250 messages', () => {
    const size = budgetedChunkSize(45_024);
    expect(Math.ceil(10_000 / size)).toBeLessThan(250);
    expect(budgetedChunkSize(45_024, { costUs: 2 * COMBO_CANDLE_COST_US })).toBe(Math.floor(size / 2));
  });
});
