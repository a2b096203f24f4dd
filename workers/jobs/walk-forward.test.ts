import { beforeAll, expect, it } from 'vitest';
import { exports } from 'cloudflare:workers';
import { describeWithData } from '../real-data.test-util';
import { getRunRow } from '../../shared/db/queries/research';
import { TIMEFRAME_MS } from '../../shared/candles/timeframe';
import { withDb } from '../db';
import { accessHeaders } from '../api/test-access';
import { config, LAB_VENUE, seedLabCandles, waitUntil } from '../research/lab-fixtures.test-util';

interface StoredWf {
  walkForward: { options: { gap?: number; folds: number }; folds: { is: { from: number; to: number }; oos: { from: number; to: number } }[] };
}

describeWithData('walk-forward as a queued job (issue 13 item 7)', () => {
  beforeAll(async () => {
    await seedLabCandles();
  }, 180_000);

  it('POST /api/research/walk-forwards queues it; the job runs it with the purge/embargo gap recorded; OOS only', async () => {
    const post = async (body: unknown) =>
      exports.default.fetch(
        new Request('http://lab.local/api/research/walk-forwards', { method: 'POST', headers: { ...(await accessHeaders()), 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      );
    const req = { strategy: 'nexara-div006', venue: LAB_VENUE, symbol: 'BTC/USDT', timeframe: '4h', from: '2021-01-01', to: '2022-01-01', method: 'random', samples: 4, seed: 2, folds: 3, gap: 12 };
    const res = await post(req);
    expect(res.status).toBe(202);
    const { run } = (await res.json()) as { run: { id: string; status: string } };
    expect(run.status).toBe('queued');
    const done = await waitUntil(
      async () => {
        const r = await withDb(config, (db) => getRunRow(db, run.id));
        return r && (r.status === 'done' || r.status === 'failed') ? r : null;
      },
      120_000,
      'walk-forward run',
    );
    expect(done.status, done.error ?? '').toBe('done');
    expect(done.kind).toBe('walk-forward');
    const wf = (done.result as StoredWf).walkForward;
    expect(wf.options.gap).toBe(12);
    expect(wf.folds).toHaveLength(3);
    // The IS window ends (its last candle's close) 12 candles before the OOS window opens.
    for (const f of wf.folds) expect(f.oos.from - f.is.to).toBe(12 * TIMEFRAME_MS['4h']);
    expect((await post({ ...req, gap: -1 })).status).toBe(422);
  });
});
