/**
 * Walk-forward as a recorded run (kind `walk-forward`), shared by the CLI and any job (no Node or Workers-only
 * APIs): the combos of a sweep plan are optimised in-sample and tested out-of-sample fold by fold
 * (shared/research `walkForward`); the run stores the OUT-OF-SAMPLE result only (its trades, equity, metrics), the
 * per-fold selection record, and verdicts judged with the walk-forward evidence (the OOS-consistency gate) and the
 * family's trials plus this walk's combos.
 *
 * The walk's search is judged too (issue 13: PBO and SPA for every sweep AND walk-forward): every combo the walk
 * considered is evaluated in-sample over the walk's whole window, once (one sweep chunk of all combos: the same
 * per-combo block statistics and daily returns a sweep keeps), and the run stores the CSCV PBO and the SPA /
 * Reality Check of that family, plus a Monte Carlo of the OUT-OF-SAMPLE trades and equity, and the study gates of
 * the requested gate set (`gates`, like backtests and sweeps) on that evidence. The extra compute is timed
 * (bracketed by one database round trip, as sweep chunks are) and stored as `study.wallMs`.
 */
import { z } from 'zod';
import { toSeries } from '../candles/candle';
import type { Timeframe } from '../candles/timeframe';
import { costModelsOf, parseBacktestConfig } from '../backtest/config';
import { walkForward, walkForwardOptionsSchema, type WalkForwardResult } from '../research/walk-forward';
import type { Database } from '../db/database';
import type { BacktestRunRow } from '../db/schema';
import { createRun, getRunRow } from '../db/queries/research';
import { executeRun, researchTarget, primaryCostModel, RunInputError, storedResult } from './run-backtest';
import { familyJudgeContext } from './trials';
import { judgeRun, type RunJudgement } from './core';
import { auditRunWindow, combinedEvidence } from './lookahead';
import { comboKey } from '../research/summary';
import type { Params } from '../strategies/types';
import { computeChunk, loadSweepWindow, planCount, planSweepCombos, sweepPboOf, sweepSpaOf, type SweepPlan } from './sweep';
import { pingDb } from '../db/queries/research';
import { evaluateStudyGates, resolvableGateSetRefSchema, resolveGateSet, type GateSet, type StudyGateCheck } from '../research/gate-sets';
import { monteCarloRequestSchema, runMonteCarlo, type MonteCarloRequest, type RunMonteCarlo } from '../research/run-monte-carlo';
import type { LoadedWindow } from './window';
import type { Clock } from './ports';
import type { BacktestResult } from '../backtest/types';
import { loadSweepReference, referenceProvenance, sentinelInputError, type LoadedReference } from './sentinel-reference';

export const WalkForwardRequest = researchTarget
  .extend({
    /** grid / random: the combos every fold evaluates in-sample; tpe: `samples` seeded TPE trials per fold. */
    method: z.enum(['grid', 'random', 'tpe']).default('grid'),
    samples: z.number().int().min(1).max(2000).optional(),
    seed: z.number().int().min(0).default(1),
    folds: z.number().int().min(1).max(50).default(5),
    scheme: z.enum(['rolling', 'anchored']).default('rolling'),
    isToOos: z.number().positive().default(3),
    /** Purge/embargo gap in candles between each IS window and its OOS window (recorded; default none). */
    gap: z.number().int().min(0).max(10_000).optional(),
    objective: z.object({ view: z.string().optional(), metric: z.string().optional(), minTrades: z.number().int().optional() }).optional(),
    /** The gate set the OOS result and the walk's search are judged by: a registered name or a whole set. */
    gates: resolvableGateSetRefSchema.optional(),
    /** Monte Carlo of the OOS trades (paths, seed, ruin drawdown); defaults as for backtests. */
    monteCarlo: monteCarloRequestSchema.optional(),
  })
  .refine((r) => r.from < r.to, { message: 'from must be before to', path: ['to'] });
export type WalkForwardRequestParsed = z.output<typeof WalkForwardRequest>;

/** What the run row's `params` holds for a walk-forward (enough to recompute it). */
interface StoredWalkForwardParams {
  walkForward: Omit<WalkForwardRequestParsed, 'strategy' | 'venue' | 'symbol' | 'timeframe' | 'from' | 'to'>;
}

export async function createWalkForwardRun(db: Database, req: WalkForwardRequestParsed, opts: { id?: string; codeVersion: string; queued?: boolean }): Promise<BacktestRunRow> {
  const plan = planSweepCombos({ strategyId: req.strategy, baseParams: req.params, method: req.method, samples: req.samples, seed: req.seed, chunkSize: 1_000_000 });
  const { strategy: _s, venue, symbol, timeframe, from, to, gates, ...wf } = req;
  // The gate set is stored resolved (name and every value), so a later change of a registered set never shows.
  const stored: StoredWalkForwardParams = { walkForward: { ...wf, ...(gates !== undefined ? { gates: resolveGateSet(gates) } : {}) } };
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
  // The Sentinel reference any combo watches, once for the walk's whole window: its folds and its in-sample family.
  const ref = await loadSweepReference(db, plan.strategy, plan.warmupCombos, 'portfolio', win);
  const series = toSeries(win.candles, win.key.timeframe, win.key.symbol);
  let result: WalkForwardResult;
  try {
    const options = walkForwardOptionsSchema.parse({ folds: wf.folds, scheme: wf.scheme, isToOos: wf.isToOos, ...(wf.gap ? { gap: wf.gap } : {}), objective: wf.objective ?? {}, from: run.windowFrom, to: run.windowTo });
    const tpe = plan.tpe ? { samples: plan.tpe.samples, seed: plan.tpe.seed, base: plan.base } : undefined;
    result = walkForward(series, plan.strategy, tpe ? plan.warmupCombos : plan.combos, options, {}, tpe, ref ? { reference: ref.series } : {});
  } catch (err) {
    throw new RunInputError((err as Error).message);
  }
  return { plan, win, ref, result };
}

/** What a walk-forward run stores about its search (PBO, SPA over the walk's combos) and its OOS Monte Carlo. */
export interface WalkForwardStudy {
  /** Combos evaluated in-sample over the walk's whole window (every combo the walk considered). */
  combos: number;
  window: { from: number; to: number };
  pbo: ReturnType<typeof sweepPboOf>;
  spa: ReturnType<typeof sweepSpaOf>;
  /** Compute of the in-sample family, PBO and SPA plus one database round trip (an upper bound on its CPU), ms. */
  wallMs: number;
}

/**
 * PBO and SPA of the walk's search: every combo evaluated over the walk's window as one sweep chunk (block
 * statistics and daily returns exactly as a sweep keeps them), PBO in-process (a walk's combos are ≤ 2,000:
 * ≈ 2,000 × 12,870 combo-splits at the measured ≈ 0.3 µs each ≈ 8 s, inside the 30 s CPU limit) and SPA seeded
 * with the walk's seed. The in-sample family dominates: measured in workerd (walk-forward job test, nexara-div006,
 * a year of 4h candles) 40 combos × 4 folds → study 2.2 s of a 7.5 s run (≈ 55 ms per combo, one full-window
 * backtest each — less than the walk's own folds × IS backtests, so it never sets the walk's size limit).
 * Never throws: a failure is recorded in `pbo` / `spa` with its reason.
 */
export async function walkForwardStudy(db: Database, plan: SweepPlan, win: LoadedWindow, seed: number, now: Clock, ref: LoadedReference | null = null): Promise<WalkForwardStudy> {
  const t0 = now();
  let pbo: WalkForwardStudy['pbo'];
  let spa: WalkForwardStudy['spa'];
  try {
    const out = computeChunk(plan, win, 0, 'portfolio', ref);
    pbo = sweepPboOf([out], now, Infinity);
    spa = sweepSpaOf([out], seed);
  } catch (err) {
    // A refused Sentinel input is the run's bad input (it fails with the reason), not a study that could not be computed.
    const input = sentinelInputError(err);
    if (input) throw input;
    const reason = `in-sample family failed: ${(err as Error).message}`;
    pbo = { status: 'failed', reason };
    spa = { status: 'failed', reason };
  }
  await pingDb(db);
  return { combos: planCount(plan), window: { from: win.from, to: win.to }, pbo, spa, wallMs: now() - t0 };
}

/** Monte Carlo of the OOS result on the run's primary cost view (stress-31, else gross, when it lacks that view). */
export function walkForwardMonteCarlo(oos: BacktestResult, venue: string, request: MonteCarloRequest = {}): RunMonteCarlo {
  const primary = primaryCostModel(venue);
  const view = oos.equity.net[primary] ? primary : oos.equity.net['stress-31'] ? 'stress-31' : 'gross';
  const curve = view === 'gross' ? oos.equity.gross : oos.equity.net[view];
  return runMonteCarlo(oos.trades, curve, view, request);
}

/** The study gates of a walk-forward: its search's PBO and SPA (vs flat), its OOS Monte Carlo drawdown. */
export function walkForwardStudyGates(gateSet: GateSet, study: WalkForwardStudy, mc: RunMonteCarlo): StudyGateCheck[] {
  const spa = study.spa as { status: string; vsFlat?: { status: string; spa?: { consistent: number } } };
  return evaluateStudyGates(gateSet, {
    pbo: study.pbo.status === 'done' ? study.pbo.pbo : null,
    spaPValue: spa.status !== 'insufficient-data' && spa.status !== 'failed' && spa.vsFlat?.status === 'done' ? (spa.vsFlat.spa?.consistent ?? null) : null,
    mcDrawdownP95: mc.blockBootstrap.status === 'done' ? mc.blockBootstrap.maxDrawdown.p95 : null,
  });
}

/** Compute and record a walk-forward run created by `createWalkForwardRun`. */
export async function executeWalkForwardRun(db: Database, runId: string, opts: { codeVersion: string; now: Clock }): Promise<{ run: BacktestRunRow; result: WalkForwardResult; judgement: RunJudgement } | { error: string }> {
  const run = await getRunRow(db, runId);
  if (!run) throw new RunInputError(`no run ${runId}`);
  const out = await executeRun(db, run, opts, async () => {
    const { plan, win, ref, result } = await compute(db, run);
    // Every distinct combo the walk chose is audited on the walk's candles.
    const chosen = new Map<string, Params>();
    for (const f of result.folds) if (f.chosen) chosen.set(comboKey(f.chosen.params), f.chosen.params);
    const audits = [...chosen.values()].map((p) => auditRunWindow(plan.strategy, p, win));
    const wf = (run.params as StoredWalkForwardParams).walkForward;
    const gateSet = resolveGateSet(wf.gates);
    const study = await walkForwardStudy(db, plan, win, wf.seed, opts.now, ref);
    const monteCarlo = walkForwardMonteCarlo(result.oos, run.venue, wf.monteCarlo ?? {});
    const studyGates = walkForwardStudyGates(gateSet, study, monteCarlo);
    const judgement = judgeRun(result.oos, {
      gates: gateSet.gates,
      // Every trial counts: a TPE walk's distinct in-sample trials, else the combos every fold evaluated.
      ...(await familyJudgeContext(db, run, result.search?.trials ?? plan.combos.length)),
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
      pbo: study.pbo,
      spa: study.spa,
      study: { combos: study.combos, window: study.window, wallMs: study.wallMs },
      monteCarlo,
      gateSet,
      studyGates,
      ...(ref ? { sentinelReference: referenceProvenance(ref) } : {}),
    };
    return { win, core: result.oos, judgement, stored, resultHash: result.resultHash, walk: result };
  });
  if (out.status === 'failed') return { error: out.error };
  // Promotion on the OOS verdicts is the caller's next step (shared/app/promote-after.ts).
  return { run: out.run, result: out.record.walk, judgement: out.record.judgement };
}

/** Recompute a recorded walk-forward and compare its hash. */
export async function reproduceWalkForward(db: Database, runId: string): Promise<{ same: boolean; resultHash: string; dataHash: string }> {
  const run = await getRunRow(db, runId);
  if (!run) throw new RunInputError(`no run ${runId}`);
  const { win, result } = await compute(db, run);
  return { same: result.resultHash === run.resultHash, resultHash: result.resultHash, dataHash: win.dataHash };
}
