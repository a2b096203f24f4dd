/**
 * Walk-forward as a recorded run (kind `walk-forward`), shared by the CLI and any job (no Node or Workers-only
 * APIs): the combos of a sweep plan are optimised in-sample and tested out-of-sample fold by fold
 * (shared/research `walkForward`); the run stores the OUT-OF-SAMPLE result only (its trades, equity, metrics), the
 * per-fold selection record, and verdicts judged with the walk-forward evidence (the OOS-consistency gate) and the
 * family's trials plus this walk's combos.
 */
import { z } from 'zod';
import { toSeries } from '../../shared/candles/candle';
import type { Timeframe } from '../../shared/candles/timeframe';
import { costModelsOf, parseBacktestConfig } from '../../shared/backtest/config';
import { walkForward, walkForwardOptionsSchema, type WalkForwardResult } from '../../shared/research/walk-forward';
import type { Database } from '../../shared/db/database';
import type { BacktestRunRow } from '../../shared/db/schema';
import { completeRun, createRun, failRun, familyTrialCount, familyTrialSharpeVariance, getRunRow } from '../../shared/db/queries/research';
import { familyOf, researchTarget, primaryCostModel, RunInputError, storedResult } from './run-backtest';
import { judgeRun, type RunJudgement } from './core';
import { auditRunWindow, combinedEvidence } from './lookahead';
import { comboKey } from '../../shared/research/summary';
import type { Params } from '../../shared/strategies/types';
import { loadSweepWindow, planSweepCombos } from './sweep';

export const WalkForwardRequest = researchTarget
  .extend({
    method: z.enum(['grid', 'random']).default('grid'),
    samples: z.number().int().min(1).max(2000).optional(),
    seed: z.number().int().min(0).default(1),
    folds: z.number().int().min(1).max(50).default(5),
    scheme: z.enum(['rolling', 'anchored']).default('rolling'),
    isToOos: z.number().positive().default(3),
    /** Purge/embargo gap in candles between each IS window and its OOS window (recorded; default none). */
    gap: z.number().int().min(0).max(10_000).optional(),
    objective: z.object({ view: z.string().optional(), metric: z.string().optional(), minTrades: z.number().int().optional() }).optional(),
  })
  .refine((r) => r.from < r.to, { message: 'from must be before to', path: ['to'] });
export type WalkForwardRequestParsed = z.output<typeof WalkForwardRequest>;

/** What the run row's `params` holds for a walk-forward (enough to recompute it). */
interface StoredWalkForwardParams {
  walkForward: Omit<WalkForwardRequestParsed, 'strategy' | 'venue' | 'symbol' | 'timeframe' | 'from' | 'to'>;
}

export async function createWalkForwardRun(db: Database, req: WalkForwardRequestParsed, opts: { id?: string; codeVersion: string; queued?: boolean }): Promise<BacktestRunRow> {
  const plan = planSweepCombos({ strategyId: req.strategy, baseParams: req.params, method: req.method, samples: req.samples, seed: req.seed, chunkSize: 1_000_000 });
  const { strategy: _s, venue, symbol, timeframe, from, to, ...wf } = req;
  const stored: StoredWalkForwardParams = { walkForward: wf };
  return createRun(db, {
    id: opts.id ?? crypto.randomUUID(),
    kind: 'walk-forward',
    strategyId: plan.strategy.id,
    strategyVersion: plan.strategy.version,
    params: stored,
    venue,
    symbol,
    timeframe,
    mode: 'portfolio',
    windowFrom: from,
    windowTo: to,
    dataSource: 'pending',
    costModels: costModelsOf(parseBacktestConfig({})),
    codeVersion: opts.codeVersion,
    // The CLI runs the row at once; the API queues it for the walk-forward job (claimed with a lease there).
    status: opts.queued ? 'queued' : 'running',
  });
}

async function compute(db: Database, run: BacktestRunRow) {
  const wf = (run.params as StoredWalkForwardParams).walkForward;
  const plan = planSweepCombos({ strategyId: run.strategyId, baseParams: wf.params, method: wf.method, samples: wf.samples, seed: wf.seed, chunkSize: 1_000_000 });
  const win = await loadSweepWindow(db, plan, { venue: run.venue, symbol: run.symbol, timeframe: run.timeframe as Timeframe }, run.windowFrom, run.windowTo);
  if (win.windowCount === 0) throw new RunInputError('no candles in the window');
  const series = toSeries(win.candles, win.key.timeframe, win.key.symbol);
  let result: WalkForwardResult;
  try {
    result = walkForward(series, plan.strategy, plan.combos, walkForwardOptionsSchema.parse({ folds: wf.folds, scheme: wf.scheme, isToOos: wf.isToOos, ...(wf.gap ? { gap: wf.gap } : {}), objective: wf.objective ?? {}, from: run.windowFrom, to: run.windowTo }));
  } catch (err) {
    throw new RunInputError((err as Error).message);
  }
  return { plan, win, result };
}

/** Compute and record a walk-forward run created by `createWalkForwardRun`. */
export async function executeWalkForwardRun(db: Database, runId: string, opts: { codeVersion: string }): Promise<{ run: BacktestRunRow; result: WalkForwardResult; judgement: RunJudgement } | { error: string }> {
  const run = await getRunRow(db, runId);
  if (!run) throw new RunInputError(`no run ${runId}`);
  const started = Date.now();
  try {
    const { plan, win, result } = await compute(db, run);
    const fam = familyOf(run.strategyId);
    const trials = await familyTrialCount(db, fam.ids, runId);
    // Every distinct combo the walk chose is audited on the walk's candles.
    const chosen = new Map<string, Params>();
    for (const f of result.folds) if (f.chosen) chosen.set(comboKey(f.chosen.params), f.chosen.params);
    const audits = [...chosen.values()].map((p) => auditRunWindow(plan.strategy, p, win));
    const judgement = judgeRun(result.oos, {
      trials: trials.total + plan.combos.length,
      venue: run.venue,
      family: fam.family,
      timeframe: run.timeframe as Timeframe,
      trialSharpeVariance: await familyTrialSharpeVariance(db, fam.ids),
      walkForward: { folds: result.folds },
      lookahead: combinedEvidence(audits),
    });
    const stored = {
      ...storedResult(result.oos, win, opts.codeVersion, judgement, audits),
      walkForward: {
        options: result.options,
        combos: result.combos,
        wfe: result.wfe,
        isAnnualReturn: result.isAnnualReturn,
        oosAnnualReturn: result.oosAnnualReturn,
        oosPositiveFoldShare: result.oosPositiveFoldShare,
        folds: result.folds.map((f) => ({ index: f.index, is: f.is, oos: f.oos, chosen: f.chosen, qualifying: f.qualifying, wfe: f.wfe, oosTrades: f.outOfSample?.trades ?? 0, outOfSample: f.outOfSample })),
        oosResultHash: result.oos.resultHash,
      },
    };
    const primary = primaryCostModel(run.venue);
    const gross = result.oos.equity.gross;
    const net = result.oos.equity.net[primary] ?? result.oos.equity.net['stress-31'];
    await completeRun(
      db,
      runId,
      {
        dataSource: win.dataSource,
        candleCount: win.windowCount,
        dataHash: win.dataHash,
        costModels: result.oos.costModels,
        codeVersion: opts.codeVersion,
        verdict: judgement.verdict,
        verdictReason: judgement.reason,
        result: stored,
        resultHash: result.resultHash,
        durationMs: Date.now() - started,
      },
      result.oos.trades.map((t, seq) => ({ seq, side: t.side, entryTime: t.entryTime, entryPrice: t.entryPrice, exitTime: t.exitTime, exitPrice: t.exitPrice, entryReason: t.entryReason, exitReason: t.exitReason, grossReturn: t.grossReturn, netReturns: t.net })),
      gross.time.map((time, k) => ({ time, equityGross: gross.equity[k]!, equityNet: net?.equity[k] ?? gross.equity[k]!, drawdown: net?.drawdown[k] ?? gross.drawdown[k]! })),
    );
    const done = (await getRunRow(db, runId))!;
    // Promotion / demotion on the OOS verdicts (once per run; never fails the stored run).
    const { promoteFromRunSafely } = await import('./promotion');
    await promoteFromRunSafely(db, done, judgement);
    return { run: done, result, judgement };
  } catch (err) {
    if (err instanceof RunInputError) {
      await failRun(db, runId, err.message, Date.now() - started);
      return { error: err.message };
    }
    throw err;
  }
}

/** Recompute a recorded walk-forward and compare its hash. */
export async function reproduceWalkForward(db: Database, runId: string): Promise<{ same: boolean; resultHash: string; dataHash: string }> {
  const run = await getRunRow(db, runId);
  if (!run) throw new RunInputError(`no run ${runId}`);
  const { win, result } = await compute(db, run);
  return { same: result.resultHash === run.resultHash, resultHash: result.resultHash, dataHash: win.dataHash };
}
