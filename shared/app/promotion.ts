/**
 * Strategy promotion and demotion driven by the gates (rules in research-log/methodology.md, "Promotion"):
 *
 * - After a backtest run's, a walk-forward run's (OOS) or a sweep's best combo's verdicts are stored, the strategy's
 *   current status and those verdicts go through `decidePromotion` (shared/research/verdict.ts): `paper` only when
 *   every gate passes on at least one venue preset (stress-31 excluded) and the caller's checks pass; `watch` when
 *   some venue preset keeps or watches; `rejected` when every venue preset rejects.
 * - A strategy in `paper` leaves it only on evidence that FAILS: while some venue preset keeps, or watches with
 *   nothing failed (only gates not yet checked — a plain backtest cannot check OOS consistency or parameter
 *   stability), it stays in paper.
 * - A plain backtest speaks for the strategy only when it ran the strategy's registered params; other params are
 *   recorded as not applicable (no status change). A sweep promoted to paper registers the best combo's params,
 *   so paper trades exactly what passed the gates.
 * - Every decision is recorded once per (strategy, source) with its evidence (`strategy_promotions`); a change also
 *   writes `strategy_status_changes` and updates `strategies` in the same transaction.
 * - Manual decisions (CLI `promote`) move to research / watch / rejected freely and to paper only when the latest
 *   evidence decision says paper.
 */
import { toSeries } from '../candles/candle';
import type { Timeframe } from '../candles/timeframe';
import { runBacktest } from '../backtest/engine';
import { canonicalJson } from '../backtest/hash';
import { runSlices, slicesConfigSchema } from '../backtest/slices';
import type { Database } from '../db/database';
import type { BacktestRunRow } from '../db/schema';
import {
  getStrategyRow,
  latestEvidencePromotion,
  latestWalkForwardRun,
  recordPromotion,
  storeSweepJudgement,
  type PlannedPromotion,
  type PromotionSourceKind,
  type RecordOutcome,
} from '../db/queries/promotion';
import { familyTrialCount, familyTrialSharpeVariance, getSweepRow } from '../db/queries/research';
import { evaluateStudyGates, GATE_SETS, resolveGateSet, studyGatesPassed, type GateSet, type StudyGateCheck } from '../research/gate-sets';
import { runMonteCarlo } from '../research/run-monte-carlo';
import { readRunResult, runResultOrEmpty, walkForwardFolds } from '../research/stored-run-result';
import { sweepNeighbours } from '../research/sweep';
import { sweepResultOrThrow } from '../research/stored-sweep-result';
import { objectiveId, objectiveSchema, type ComboSummary } from '../research/summary';
import { comboHashOfResult } from '../sweep/trade-summary';
import { decidePromotion, decidingVerdicts, type PromotionDecision, type VenueVerdict, type WalkForwardEvidence } from '../research/verdict';
import type { Params, StrategyStatus } from '../strategies/types';
import { judgeRun, type RunJudgement, type VenueVerdictRow } from './core';
import { auditRunWindow } from './lookahead';
import { lookaheadEvidence } from '../backtest/lookahead-audit';
import { familyOf, resolveParams, singleStrategy } from '../strategies/registry';
import { primaryCostModel } from './run-backtest';
import { loadSweepWindow, planSweepCombos, DEFAULT_CHUNK_SIZE } from './sweep';
import { declaredRisk, loadWindowReference } from './sentinel-reference';
import { appLog as log } from './ports';

export const STATUSES: readonly StrategyStatus[] = ['research', 'watch', 'paper', 'rejected'];

export interface PromotionPlan {
  decision: PromotionDecision;
  proposed: StrategyStatus;
  to: StrategyStatus;
  reason: string;
  /** Why the evidence's proposal was not applied (params differ, paper held), or null. */
  override: 'not-applicable' | 'paper-held' | null;
}

/**
 * The status a strategy should take (pure): `decidePromotion`, then the two rules above — evidence about other
 * params changes nothing; a paper strategy is held while some venue preset has no failed gate.
 */
export function planPromotion(
  current: StrategyStatus,
  verdicts: readonly VenueVerdict[],
  opts: { gatesPassedAll?: boolean; applicable?: { ok: boolean; reason?: string } } = {},
): PromotionPlan {
  const decision = decidePromotion(current, verdicts, opts.gatesPassedAll);
  if (opts.applicable && !opts.applicable.ok) {
    return { decision, proposed: decision.to, to: current, reason: `stays ${current}: not applicable (${opts.applicable.reason ?? 'other params'}); the evidence alone says ${decision.to}`, override: 'not-applicable' };
  }
  if (current === 'paper' && decision.to !== 'paper') {
    const unfailed = decidingVerdicts(verdicts).filter((v) => (v.verdict === 'keep' || (v.verdict === 'watch' && v.failed.length === 0)));
    if (unfailed.length > 0) {
      return {
        decision,
        proposed: decision.to,
        to: 'paper',
        reason: `stays paper: nothing failed on ${unfailed.map((v) => v.label).join(', ')} (not yet checked: ${[...new Set(unfailed.flatMap((v) => v.skipped))].join(', ') || 'none'}); ${decision.reason}`,
        override: 'paper-held',
      };
    }
  }
  return { decision, proposed: decision.to, to: decision.to, reason: decision.reason, override: null };
}

/** Verdicts per preset with their numbers and gates, as stored in the evidence. */
export function verdictEvidence(verdicts: readonly VenueVerdict[]): Record<string, unknown>[] {
  return verdicts.map((v) => ({
    presetId: v.presetId,
    label: v.label,
    verdict: v.verdict,
    trades: v.trades,
    netMeanBps: v.netMeanBps,
    grossMeanBps: v.grossMeanBps,
    netMeanBpsAt2xCost: v.netMeanBpsAt2xCost,
    roundTripBps: v.roundTripBps,
    ci: v.ci,
    tradeSharpe: v.tradeSharpe,
    psr: v.psr,
    dsr: v.dsr,
    gatesPassed: v.gates.filter((g) => g.status === 'pass').map((g) => g.gate),
    gatesFailed: v.failed,
    gatesSkipped: v.skipped,
    gates: v.gates.map((g) => ({ gate: g.gate, status: g.status, value: g.value, threshold: g.threshold, detail: g.detail })),
    reason: v.reason,
  }));
}

/** Rebuild VenueVerdicts from a stored run's `result.venues` rows (see `judgeRun`). */
export function verdictsFromRows(rows: readonly VenueVerdictRow[]): VenueVerdict[] {
  return rows.map((r) => {
    const { net: _net, ...m } = (r.metrics ?? {}) as Record<string, unknown>;
    return { ...(m as Omit<VenueVerdict, 'presetId' | 'venue' | 'label' | 'verdict' | 'reason'>), presetId: r.key, venue: r.venue ?? r.key, label: r.label ?? r.key, verdict: r.verdict, reason: r.reason } as VenueVerdict;
  });
}

export interface PromotionInput {
  strategyId: string;
  source: { kind: PromotionSourceKind; id: string };
  verdicts: readonly VenueVerdict[];
  gatesPassedAll?: boolean;
  applicable?: { ok: boolean; reason?: string };
  /** Params, series, window … of the evidence (stored with it). */
  context?: Record<string, unknown>;
  /** Registered with the strategy when this evidence promotes it to paper. */
  paramsOnPaper?: Params;
  /** The gate set the evidence was judged by (recorded with the decision; default: the `default` set). */
  gateSet?: GateSet;
  /** The study gates (PBO, SPA, MC drawdown) as checked; a skipped one never counts as passed. */
  studyGates?: StudyGateCheck[];
}

export interface PromotionOutcome {
  status: 'changed' | 'unchanged' | 'duplicate';
  from: string;
  to: string;
  reason: string;
  promotionId: number;
  statusChangeId: number | null;
}

function outcomeOf(r: RecordOutcome): PromotionOutcome {
  const p = r.promotion;
  if (r.status === 'duplicate') return { status: 'duplicate', from: p.fromStatus, to: p.toStatus, reason: p.reason, promotionId: p.id, statusChangeId: p.statusChangeId };
  return { status: p.changed ? 'changed' : 'unchanged', from: p.fromStatus, to: p.toStatus, reason: p.reason, promotionId: p.id, statusChangeId: r.statusChangeId };
}

/** Decide and record (once per strategy and source) — the transaction lives in shared/db/queries/promotion.ts. */
export async function applyPromotion(db: Database, input: PromotionInput): Promise<PromotionOutcome> {
  const r = await recordPromotion(db, { strategyId: input.strategyId, sourceKind: input.source.kind, sourceId: input.source.id }, (row): PlannedPromotion => {
    const current = (STATUSES.includes(row.status as StrategyStatus) ? row.status : 'research') as StrategyStatus;
    const plan = planPromotion(current, input.verdicts, { gatesPassedAll: input.gatesPassedAll, applicable: input.applicable });
    const evidence = {
      source: input.source,
      runId: input.source.kind === 'backtest' || input.source.kind === 'walk-forward' ? input.source.id : null,
      sweepId: input.source.kind === 'sweep' ? input.source.id : null,
      ...(input.context ?? {}),
      gatesPassedAll: input.gatesPassedAll ?? null,
      proposed: plan.proposed,
      override: plan.override,
      eligible: plan.decision.evidence.eligible,
      verdicts: verdictEvidence(input.verdicts),
      gateSet: input.gateSet ?? GATE_SETS.default,
      studyGates: input.studyGates ?? null,
    };
    return {
      proposedStatus: plan.proposed,
      toStatus: plan.to,
      reason: plan.reason,
      evidence,
      adoptParams: plan.to === 'paper' && current !== 'paper' && input.paramsOnPaper ? input.paramsOnPaper : null,
    };
  });
  return outcomeOf(r);
}

/** Promotion after a finished backtest or walk-forward run (its verdicts as judged, or as stored). */
export async function promoteFromRun(db: Database, run: BacktestRunRow, judgement?: RunJudgement): Promise<PromotionOutcome | null> {
  if (run.status !== 'done') return null;
  const kind: PromotionSourceKind = run.kind === 'walk-forward' ? 'walk-forward' : 'backtest';
  if (run.kind !== 'backtest' && run.kind !== 'walk-forward' && run.kind !== 'reproduction') return null;
  const read = readRunResult(run.result);
  if (!read.ok) throw new Error(`run ${run.id}: ${read.reason}`);
  const stored = read.result;
  const verdicts = judgement?.venueVerdicts ?? verdictsFromRows(Array.isArray(stored.venues) ? (stored.venues as VenueVerdictRow[]) : []);
  const row = await getStrategyRow(db, run.strategyId);
  if (!row) return null; // not in the registry (an unseeded database): nothing to promote
  let applicable: { ok: boolean; reason?: string } = { ok: true };
  if (kind === 'backtest') {
    const strategy = singleStrategy(run.strategyId);
    const ran = canonicalJson(resolveParams(strategy, run.params));
    let registered: string | null = null;
    try {
      registered = canonicalJson(resolveParams(strategy, row.params ?? {}));
    } catch {
      applicable = { ok: false, reason: 'the registered params do not parse' };
    }
    if (registered !== null && registered !== ran) applicable = { ok: false, reason: `the run's params ${ran} are not the registered ${registered}` };
  }
  const recorded = stored as { gateSet?: GateSet; studyGates?: StudyGateCheck[] };
  return applyPromotion(db, {
    strategyId: run.strategyId,
    source: { kind, id: run.id },
    verdicts,
    applicable,
    ...(recorded.gateSet ? { gateSet: recorded.gateSet } : {}),
    ...(recorded.studyGates ? { studyGates: recorded.studyGates } : {}),
    context: {
      kind: run.kind,
      series: `${run.venue}:${run.symbol}:${run.timeframe}`,
      window: { from: run.windowFrom, to: run.windowTo },
      params: kind === 'backtest' ? run.params : null,
      resultHash: run.resultHash,
      verdict: run.verdict,
    },
  });
}

/** Call `promoteFromRun` without letting a promotion failure fail the (already stored) run. */
export async function promoteFromRunSafely(db: Database, run: BacktestRunRow, judgement?: RunJudgement): Promise<PromotionOutcome | null> {
  try {
    return await promoteFromRun(db, run, judgement);
  } catch (err) {
    log.error('promotion failed', { at: 'promotion', runId: run.id, error: String(err) });
    return null;
  }
}

/** Walk-forward evidence from a stored walk-forward result (folds carry `outOfSample` since paper trading). */
export function walkForwardEvidenceOf(result: unknown): WalkForwardEvidence | null {
  const folds = walkForwardFolds(runResultOrEmpty(result));
  return folds ? { folds: folds.map((f) => ({ outOfSample: f.outOfSample as ComboSummary | null })) } : null;
}

export interface SweepJudgement {
  best: { objective: string; key: string; params: Params; value: number } | null;
  reproduced: boolean | null;
  walkForwardRunId: string | null;
  neighbours: number;
  judgement: RunJudgement | null;
  promotion: PromotionOutcome | null;
}

/**
 * Judge a finished sweep's best combo (by net mean bps at the series venue's taker preset, else the first objective
 * with a best): re-run it on the sweep's data (its resultHash must equal the sweep's — the reproduction check,
 * `gatesPassedAll`), judge it with the combo's grid neighbours (parameter stability) and the newest walk-forward
 * run on the same series (OOS consistency), store the judgement on the sweep and apply promotion.
 */
export async function promoteFromSweep(db: Database, sweepId: string): Promise<SweepJudgement> {
  const sweep = await getSweepRow(db, sweepId);
  if (!sweep || sweep.status !== 'done') throw new Error(`sweep ${sweepId} is not done`);
  const res = sweepResultOrThrow(sweep.result, sweepId);
  const none: SweepJudgement = { best: null, reproduced: null, walkForwardRunId: null, neighbours: 0, judgement: null, promotion: null };
  if (!res?.combos?.length || !(await getStrategyRow(db, sweep.strategyId))) return none;
  const preferred = objectiveId(objectiveSchema.parse({ view: primaryCostModel(sweep.venue), metric: 'meanBps' }));
  const entry = res.best[preferred] ? ([preferred, res.best[preferred]] as const) : Object.entries(res.best).find(([, b]) => b !== null);
  if (!entry || !entry[1]) {
    await storeSweepJudgement(db, sweepId, { best: null, reason: 'no combo meets any objective’s trade floor' });
    return none;
  }
  const [objective, best] = entry;
  const centre = res.combos.find((c) => c.key === best.key)!;
  const neighbours = sweepNeighbours(res.combos, best.key);
  const plan = planSweepCombos({ strategyId: sweep.strategyId, baseParams: sweep.baseParams, method: sweep.method, samples: (sweep.space as { samples?: number | null }).samples ?? null, seed: sweep.seed, chunkSize: sweep.chunkSize ?? DEFAULT_CHUNK_SIZE });
  const key = { venue: sweep.venue, symbol: sweep.symbol, timeframe: sweep.timeframe as Timeframe };
  const win = await loadSweepWindow(db, plan, key, sweep.windowFrom, sweep.windowTo);
  const series = toSeries(win.candles, key.timeframe, key.symbol);
  const strategy = singleStrategy(sweep.strategyId);
  const params = resolveParams(strategy, best.params);
  const window = { from: win.from, to: win.to };
  // The sweep ran each combo under the strategy's declared risk rules (and the Sentinel's reference when they watch
  // another symbol): so does the reproduction — unparsed config, so the declared rules are not dropped.
  const ref = sweep.mode === 'slices' ? null : await loadWindowReference(db, declaredRisk(strategy, params), win);
  const result = sweep.mode === 'slices' ? runSlices(series, strategy, params, slicesConfigSchema.parse(window)) : runBacktest(series, strategy, params, window, ref ? { reference: ref.series } : {});
  // A single-mode sweep combo carries the compact combo hash (sweep-summary/2.0.0); 1.x sweeps the full resultHash.
  const reproduced = result.resultHash === centre.resultHash || (result.mode === 'single' && comboHashOfResult(result) === centre.resultHash);
  // The best combo is audited for lookahead on the sweep's candles before it can pass the gates.
  const audit = auditRunWindow(strategy, params, win);
  const wfRun = await latestWalkForwardRun(db, sweep.strategyId, key);
  const wf = wfRun ? walkForwardEvidenceOf(wfRun.result) : null;
  const fam = familyOf(sweep.strategyId);
  const trials = await familyTrialCount(db, fam.ids);
  const judgement = judgeRun(result, {
    trials: Math.max(1, trials.total),
    venue: sweep.venue,
    family: fam.family,
    timeframe: key.timeframe,
    trialSharpeVariance: res.trials?.tradeSharpeVariance ?? (await familyTrialSharpeVariance(db, fam.ids)),
    sweepNeighbours: neighbours,
    sweepCentre: centre,
    ...(wf ? { walkForward: wf } : {}),
    lookahead: lookaheadEvidence(audit),
    gates: resolveGateSet((sweep.options as { gates?: unknown } | null)?.gates).gates,
  });
  const bestOut = { objective, key: best.key, params, value: best.value };
  // Study gates of the default set: the sweep's PBO and SPA, the best combo's Monte Carlo drawdown.
  const gateSet = resolveGateSet((sweep.options as { gates?: unknown } | null)?.gates);
  const stats = res as { pbo?: { status: string; pbo?: number }; spa?: { vsFlat?: { status: string; spa?: { consistent: number } } } };
  const mc = runMonteCarlo(result.trades, result.equity.net[primaryCostModel(sweep.venue)] ?? result.equity.net['stress-31'], result.equity.net[primaryCostModel(sweep.venue)] ? primaryCostModel(sweep.venue) : 'stress-31');
  const studyGates = evaluateStudyGates(gateSet, {
    pbo: stats.pbo?.status === 'done' ? (stats.pbo.pbo ?? null) : null,
    spaPValue: stats.spa?.vsFlat?.status === 'done' ? (stats.spa.vsFlat.spa?.consistent ?? null) : null,
    mcDrawdownP95: mc.blockBootstrap.status === 'done' ? mc.blockBootstrap.maxDrawdown.p95 : null,
  });
  await storeSweepJudgement(db, sweepId, {
    best: bestOut,
    reproduced,
    walkForwardRunId: wf ? wfRun!.id : null,
    neighbours: neighbours.length,
    verdict: judgement.verdict,
    verdictReason: judgement.reason,
    trials: judgement.trials,
    verdicts: judgement.verdicts,
    venues: judgement.venues,
    lookahead: audit,
    gateSet: gateSet.name,
    studyGates,
    monteCarlo: mc,
  });
  const promotion = await applyPromotion(db, {
    strategyId: sweep.strategyId,
    source: { kind: 'sweep', id: sweepId },
    verdicts: judgement.venueVerdicts ?? [],
    // Paper needs the reproduction AND every study gate (a skipped one — e.g. a deferred PBO — blocks it).
    gatesPassedAll: reproduced && studyGatesPassed(studyGates),
    gateSet,
    studyGates,
    context: {
      kind: 'sweep',
      series: `${sweep.venue}:${sweep.symbol}:${sweep.timeframe}`,
      window: { from: sweep.windowFrom, to: sweep.windowTo },
      params,
      objective,
      comboKey: best.key,
      reproduced,
      neighbours: neighbours.length,
      walkForwardRunId: wf ? wfRun!.id : null,
      resultHash: result.resultHash,
    },
    paramsOnPaper: params,
  });
  return { best: bestOut, reproduced, walkForwardRunId: wf ? wfRun!.id : null, neighbours: neighbours.length, judgement, promotion };
}

export async function promoteFromSweepSafely(db: Database, sweepId: string): Promise<SweepJudgement | null> {
  try {
    return await promoteFromSweep(db, sweepId);
  } catch (err) {
    log.error('promotion failed', { at: 'promotion', sweepId, error: String(err) });
    return null;
  }
}

export class PromotionRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromotionRefused';
  }
}

/**
 * A person's decision (CLI `promote`), recorded as manual with the reason. To research / watch / rejected: always
 * allowed. To paper: only when the latest evidence decision proposed paper (every gate passed there).
 */
export async function manualPromotion(db: Database, input: { strategyId: string; to: StrategyStatus; reason: string; by?: string }): Promise<PromotionOutcome> {
  if (!STATUSES.includes(input.to)) throw new PromotionRefused(`unknown status ${input.to}`);
  if (!input.reason.trim()) throw new PromotionRefused('a manual decision needs a --reason');
  const row = await getStrategyRow(db, input.strategyId);
  if (!row) throw new PromotionRefused(`no strategy ${input.strategyId}`);
  let latest: Awaited<ReturnType<typeof latestEvidencePromotion>> = null;
  if (input.to === 'paper') {
    latest = await latestEvidencePromotion(db, input.strategyId);
    if (!latest || latest.proposedStatus !== 'paper') {
      throw new PromotionRefused(
        `refused: manual promotion to paper needs the latest evidence to pass every gate; ${latest ? `the latest (${latest.sourceKind} ${latest.sourceId}) proposed ${latest.proposedStatus}: ${latest.reason}` : 'there is no evidence decision yet'}`,
      );
    }
  }
  const r = await recordPromotion(db, { strategyId: input.strategyId, sourceKind: 'manual', sourceId: `manual:${crypto.randomUUID()}` }, (s) => ({
    proposedStatus: input.to,
    toStatus: input.to,
    reason: `manual: ${input.reason.trim()}`,
    evidence: { source: { kind: 'manual' }, manual: true, by: input.by ?? null, from: s.status, basedOn: latest ? { promotionId: latest.id, sourceKind: latest.sourceKind, sourceId: latest.sourceId } : null },
  }));
  return outcomeOf(r);
}
