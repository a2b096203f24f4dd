import { beforeAll, expect, it } from 'vitest';
import { exports } from 'cloudflare:workers';
import { describeWithData } from '../real-data.test-util';
import { getRunRow } from '../../shared/db/queries/research';
import { TIMEFRAME_MS } from '../../shared/candles/timeframe';
import { withDb } from '../db';
import { accessHeaders } from '../api/test-access';
import { createWalkForwardRun, executeWalkForwardRun, WalkForwardRequest } from '../../shared/app/walk-forward';
import { config, LAB_VENUE, seedLabCandles, waitUntil } from '../research-app/lab-fixtures.test-util';

interface StoredWf {
  walkForward: { combos: number; options: { gap?: number; folds: number }; folds: { is: { from: number; to: number }; oos: { from: number; to: number } }[] };
  pbo: { status: string; combos?: number; splits?: number; pbo?: number; reason?: string };
  spa: { status?: string; strategies?: number; vsFlat?: { status: string; spa?: { consistent: number } } };
  study: { combos: number; window: { from: number; to: number }; wallMs: number };
  monteCarlo: { trades: number; view: string; tradeResample: { status: string } };
  gateSet: { name: string };
  studyGates: { gate: string; status: string; value: number | null; threshold: number }[];
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
    const req = { strategy: 'nexara-div006', venue: LAB_VENUE, symbol: 'BTC/USDT', timeframe: '4h', from: '2021-01-01', to: '2022-01-01', method: 'random', samples: 4, seed: 2, folds: 3, gap: 12, gates: 'strict' };
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
    const wf = (done.result as unknown as StoredWf).walkForward;
    expect(wf.options.gap).toBe(12);
    expect(wf.folds).toHaveLength(3);
    // The IS window ends (its last candle's close) 12 candles before the OOS window opens.
    for (const f of wf.folds) expect(f.oos.from - f.is.to).toBe(12 * TIMEFRAME_MS['4h']);
    // PBO and SPA of the walk's search (every combo it considered, in-sample over the walk's window), Monte Carlo of
    // the OOS trades, and the requested gate set's study gates on that evidence (issue 13: "for every sweep and
    // walk-forward"). Bailey et al. 2017 §3: CSCV over S = 16 blocks has C(16, 8) = 12,870 splits.
    const stored = done.result as unknown as StoredWf;
    expect(stored.study.combos).toBe(stored.walkForward.combos);
    expect(stored.study.window.from).toBe(Date.parse('2021-01-01'));
    expect(stored.pbo.status, stored.pbo.reason ?? '').toBe('done');
    expect(stored.pbo.combos).toBe(stored.walkForward.combos);
    expect(stored.pbo.splits).toBe(12_870);
    expect(stored.pbo.pbo).toBeGreaterThanOrEqual(0);
    expect(stored.pbo.pbo).toBeLessThanOrEqual(1);
    // SPA (Hansen 2005) over the same combos' daily returns vs flat: one row per combo the walk considered.
    expect(stored.spa.status, JSON.stringify(stored.spa)).toBeUndefined();
    expect(stored.spa.strategies).toBe(stored.walkForward.combos);
    const spaGate = stored.studyGates.find((g) => g.gate === 'maxSpaPValue')!;
    expect(spaGate.value).toBe(stored.spa.vsFlat?.status === 'done' ? stored.spa.vsFlat.spa!.consistent : null);
    // The Monte Carlo is on the OOS trades: every fold's OOS trades, no in-sample one.
    const oosTrades = (stored.walkForward.folds as unknown as { oosTrades: number }[]).reduce((a, f) => a + f.oosTrades, 0);
    expect(stored.monteCarlo.trades).toBe(oosTrades);
    expect(stored.gateSet.name).toBe('strict');
    const pboGate = stored.studyGates.find((g) => g.gate === 'maxPbo')!;
    expect(pboGate.threshold).toBe(0.2);
    expect(pboGate.value).toBe(stored.pbo.pbo);
    expect(pboGate.status).toBe(stored.pbo.pbo! <= 0.2 ? 'pass' : 'fail');
    // The measured cost in workerd (in-sample family + PBO + SPA + one DB round trip), printed for the record.
    console.log(JSON.stringify({ at: 'walk-forward-study', combos: stored.study.combos, wallMs: stored.study.wallMs }));
    expect((await post({ ...req, gap: -1 })).status).toBe(422);
    expect((await post({ ...req, gates: 'no-such-set' })).status).toBe(422);
  });

  // The cost of the walk's study (every combo over the walk's window as one sweep chunk, PBO over C(16, 8) splits,
  // SPA) next to the whole run, in workerd, printed for the record (speed targets live in `npm run bench`).
  it('the study of a 40-combo walk: PBO over all 40 combos, its cost next to the walk (timing printed)', async () => {
    const req = WalkForwardRequest.parse({ strategy: 'nexara-div006', venue: LAB_VENUE, symbol: 'BTC/USDT', timeframe: '4h', from: Date.parse('2021-01-01'), to: Date.parse('2022-01-01'), method: 'random', samples: 40, seed: 5, folds: 4 });
    const out = await withDb(config, async (db) => {
      const run = await createWalkForwardRun(db, req, { codeVersion: 'test' });
      return executeWalkForwardRun(db, run.id, { codeVersion: 'test', now: Date.now });
    });
    if ('error' in out) throw new Error(out.error);
    const stored = out.run.result as unknown as StoredWf;
    expect(stored.pbo.status, stored.pbo.reason ?? '').toBe('done');
    expect(stored.pbo.combos).toBe(out.result.combos);
    expect(stored.gateSet.name).toBe('default');
    console.log(JSON.stringify({ at: 'walk-forward-study', combos: stored.study.combos, folds: 4, studyWallMs: stored.study.wallMs, runDurationMs: out.run.durationMs, pbo: stored.pbo.pbo }));
  }, 180_000);

  it('a TPE walk-forward: seeded trials in-sample per fold, their distinct count recorded, the run judged', async () => {
    const req = WalkForwardRequest.parse({ strategy: 'nexara-div006', venue: LAB_VENUE, symbol: 'BTC/USDT', timeframe: '4h', from: Date.parse('2021-01-01'), to: Date.parse('2022-01-01'), method: 'tpe', samples: 8, seed: 3, folds: 3 });
    const out = await withDb(config, async (db) => {
      const run = await createWalkForwardRun(db, req, { codeVersion: 'test' });
      return executeWalkForwardRun(db, run.id, { codeVersion: 'test', now: Date.now });
    });
    if ('error' in out) throw new Error(out.error);
    expect(out.run.status).toBe('done');
    expect(out.result.search?.method).toBe('tpe');
    expect(out.result.search!.trials).toBeGreaterThanOrEqual(8);
    expect(out.result.search!.trials).toBeLessThanOrEqual(24);
    expect(out.result.folds).toHaveLength(3);
    const stored = out.run.result as unknown as StoredWf;
    expect(stored.study.combos).toBe(8);
  }, 180_000);
});
