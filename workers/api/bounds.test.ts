/**
 * Request bounds on the research actions (workers/api/routes/bounds.ts), in workerd: beyond a bound the request
 * is a 422 whose message and `details.limit` name the limit, and nothing is queued.
 */
import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { createApp } from './app';
import { eq } from 'drizzle-orm';
import { getConfig, type Env } from '../env';
import { withDb } from '../db';
import { backtestRuns } from '../../shared/db/schema';
import { accessHeaders } from './test-access';
import { MAX_CHUNK_CPU_MS, MAX_SWEEP_CHUNKS, MAX_WINDOW_CANDLES, MIN_CHUNK_SIZE } from './routes/bounds';
import { plannedChunkMs } from '../../shared/sweep/budget';

let queued = 0;
const countingQueue = {
  send: async () => void queued++,
  sendBatch: async (b: unknown[]) => void (queued += b.length),
} as unknown as Queue;

async function post(path: string, body: unknown): Promise<{ status: number; run?: { id: string }; error?: { code: string; message: string; details?: { limit?: { name: string; asked: number; max?: number } } } }> {
  const ctx = createExecutionContext();
  const res = await createApp().fetch(
    new Request(`http://lab.local${path}`, { method: 'POST', headers: { ...(await accessHeaders()), 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    { ...(env as unknown as Env), JOBS: countingQueue } as Env,
    ctx,
  );
  const j = (await res.json()) as { error?: { code: string; message: string } };
  await waitOnExecutionContext(ctx);
  return { status: res.status, ...j };
}

const target = { venue: 'binance', symbol: 'BTC/USDT' };

describe('research request bounds', () => {
  it('a backtest window to 2100 on 5m is refused naming MAX_WINDOW_CANDLES (8.2M candles asked)', async () => {
    queued = 0;
    const r = await post('/api/research/backtests', { ...target, strategy: 'dsta-sma-crossover', timeframe: '5m', from: '2022-01-01', to: '2099-12-31' });
    expect(r.status).toBe(422);
    expect(r.error?.message).toMatch(/MAX_WINDOW_CANDLES = 250000/);
    expect(r.error?.details?.limit?.name).toBe('MAX_WINDOW_CANDLES');
    // (2099-12-31 − 2022-01-01) / 5 min
    expect(r.error?.details?.limit?.asked).toBe(Math.ceil((Date.UTC(2099, 11, 31) - Date.UTC(2022, 0, 1)) / 300_000));
    expect(queued).toBe(0);
    // Just inside the bound is accepted (at 1d: 2022 → 2099 is 28,124 candles).
    const ok = await post('/api/research/backtests', { ...target, strategy: 'dsta-sma-crossover', timeframe: '1d', from: '2022-01-01', to: '2099-12-31' });
    expect(ok.status).toBe(202);
    expect(queued).toBe(1);
    await withDb(getConfig(env as unknown as Env), (db) => db.delete(backtestRuns).where(eq(backtestRuns.id, ok.run!.id)));
  });

  it('a window past 2100 or before 1970 is refused with the time bound', async () => {
    for (const [from, to] of [[-86_400_000, 86_400_000], [Date.UTC(2099, 0, 1), Date.UTC(2101, 0, 1)]] as const) {
      const r = await post('/api/research/backtests', { ...target, strategy: 'dsta-sma-crossover', timeframe: '1d', from, to });
      expect(r.status).toBe(422);
      expect(r.error?.details?.limit?.name).toBe('MAX_TIME_MS');
    }
  });

  it('a sweep with chunkSize below MIN_CHUNK_SIZE, or more chunks than MAX_SWEEP_CHUNKS, is refused; nothing is queued', async () => {
    queued = 0;
    const sweep = { ...target, strategy: 'nexara-div006', timeframe: '4h', from: '2021-01-01', to: '2021-06-01', method: 'random', seed: 1 };
    const tiny = await post('/api/research/sweeps', { ...sweep, samples: 100, chunkSize: 1 });
    expect(tiny.status).toBe(422);
    expect(tiny.error?.message).toMatch(new RegExp(`MIN_CHUNK_SIZE = ${MIN_CHUNK_SIZE}`));
    // ~3,000 random combos of the baseline's 12,800-point space at 5 per chunk ≈ 600 messages > 250.
    const wide = await post('/api/research/sweeps', { ...sweep, strategy: 'nexara-baseline-5m', timeframe: '5m', from: '2022-01-01', to: '2022-02-01', samples: 3000, chunkSize: 5 });
    expect(wide.status).toBe(422);
    expect(wide.error?.details?.limit?.name).toBe('MAX_SWEEP_CHUNKS');
    expect(wide.error?.message).toMatch(new RegExp(`MAX_SWEEP_CHUNKS = ${MAX_SWEEP_CHUNKS}`));
    const window = await post('/api/research/sweeps', { ...sweep, timeframe: '1m', from: '2021-01-01', to: '2022-01-01', samples: 10 });
    expect(window.status).toBe(422);
    expect(window.error?.details?.limit?.name).toBe('MAX_WINDOW_CANDLES');
    expect(queued).toBe(0);
    expect(MAX_WINDOW_CANDLES).toBe(250_000);
  });

  it('a sweep whose chunkSize would plan a chunk past its share of the CPU limit is refused naming MAX_CHUNK_CPU_MS', async () => {
    queued = 0;
    // 500 combos × 105,120 5m candles (2021) × the measured cost per combo-candle ≫ cpu_ms / batch size.
    const sweep = { ...target, strategy: 'nexara-baseline-5m', timeframe: '5m', from: '2021-01-01', to: '2022-01-01', method: 'random', seed: 1, samples: 1000 };
    const r = await post('/api/research/sweeps', { ...sweep, chunkSize: 500 });
    expect(r.status).toBe(422);
    expect(r.error?.details?.limit?.name).toBe('MAX_CHUNK_CPU_MS');
    expect(r.error?.details?.limit?.max).toBe(MAX_CHUNK_CPU_MS);
    expect(r.error?.details?.limit?.asked).toBe(Math.ceil(plannedChunkMs(500, 105_120)));
    expect(queued).toBe(0);
  });

  it('a JSON body over its byte cap is a 413 counted in bytes, not characters', async () => {
    // 4-byte characters: 1,100 of them are 4,400 bytes > the import route's 4,096-byte cap, though only 2,200 UTF-16 units.
    const r = await post('/api/research/imports', { symbol: '𝔘'.repeat(1100), interval: '1h', from: '2022-01', to: '2022-01' });
    expect(r.status).toBe(413);
    expect(r.error?.code).toBe('payload_too_large');
    expect(r.error?.message).toMatch(/4096 bytes/);
  });
});
