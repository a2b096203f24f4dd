/**
 * One backtest run end to end, shared by the Worker's `backtest` job and the CLI (no Node or Workers-only APIs):
 * validate the request → create the run row `queued` → (claim) → load exactly the date window plus the strategy's
 * warm-up candles → hash the data → run the core (chunked in ~10 % steps with the engine's carry, so progress is
 * written as it goes) → price the trades under each venue's measured cost model (./measured-costs.ts; its own
 * hash and version, outside the core's `resultHash`) → judge every venue preset and measured view with the lab-wide trial count of the strategy's family → persist
 * trades, the downsampled equity/drawdown and the finished row with full provenance in one transaction.
 * A run that cannot be computed (unknown strategy, bad params, no data) ends `failed` with the error.
 */
import { z } from 'zod';
import { evaluateStudyGates, resolvableGateSetRefSchema, resolveGateSet } from '../research/gate-sets';
import { monteCarloRequestSchema, runMonteCarlo, type MonteCarloRequest, type RunMonteCarlo } from '../research/run-monte-carlo';
import { toSeries, type CandleSeries } from '../candles/candle';
import { TIMEFRAMES, timeframeMs, type Timeframe } from '../candles/timeframe';
import { costModelsOf, parseBacktestConfig, withStrategyRisk, type BacktestConfig } from '../backtest/config';
import { INITIAL_CARRY, runChunk, warmupCandles } from '../backtest/engine';
import { mergeChunks, normalizeCarry, planChunks } from '../backtest/chunking';
import { buildResult } from '../backtest/result';
import { runSlices, type SlicesResult } from '../backtest/slices';
import type { BacktestResult, ChunkResult, EquityCurve, Trade } from '../backtest/types';
import { VENUE_IDS } from '../costs';
import { familyOf, getStrategy, resolveParams, RunInputError, singleStrategy } from '../strategies/registry';
import type { Params, Strategy } from '../strategies/types';
import type { Database } from '../db/database';
import type { BacktestRunRow } from '../db/schema';
import {
  claimRun,
  completeRun,
  createRun,
  failRun,
  getRunRow,
  setRunProgress,
  type EquityInsert,
  type TradeInsert,
} from '../db/queries/research';
import { loadWindow, type LoadedWindow } from './window';
import { judgeRun, type RunJudgement } from './core';
import { auditRunWindow } from './lookahead';
import { lookaheadEvidence, type LookaheadAudit } from '../backtest/lookahead-audit';
import { hashCanonical } from '../backtest/hash';
import { MeasuredCostRefusedError, UnknownFeeTierError, measuredCostConfigSchema, type MeasuredCostConfigInput } from '../costs';
import { withMeasuredViews, type MeasuredCosts } from '../costs/measured-run';
import { MeasuredCostInputError, measureRun } from './measured-costs';
import type { Clock } from './ports';
import { makerOfRun } from './maker-run';
import { familyJudgeContext } from './trials';
import { declaredRisk, loadWindowReference, referenceProvenance, type LoadedReference } from './sentinel-reference';

/** A date: ISO 8601 (`2021-01-01`, `2021-01-01T00:00:00Z`) or epoch milliseconds. */
export const dateInput = z.union([z.number().int(), z.string().min(4)]).transform((v, ctx) => {
  const t = typeof v === 'number' ? v : /^\d+$/.test(v) ? Number(v) : Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v);
  if (!Number.isFinite(t)) {
    ctx.addIssue({ code: 'custom', message: `not a date: ${String(v)}` });
    return z.NEVER;
  }
  return t;
});

const strategyId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/)
  .refine((id) => getStrategy(id) !== undefined, { message: 'unknown strategy' });

/** What every research request names: a strategy, one stored series, a date-bounded window and fixed params. */
export const researchTarget = z.object({
  strategy: strategyId,
  /** A venue id, or `derived:<venue>` for a spread derived from that venue's legs. */
  venue: z.string().regex(/^(derived:)?[a-z]+$/),
  symbol: z.string().regex(/^[A-Z0-9]+\/[A-Z0-9]+$/, 'canonical BASE/QUOTE, e.g. BTC/USDT'),
  timeframe: z.enum(TIMEFRAMES),
  from: dateInput,
  to: dateInput,
  params: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])).optional(),
});

export const BacktestRequest = researchTarget
  .extend({
    mode: z.enum(['portfolio', 'slices']).default('portfolio'),
    kind: z.enum(['backtest', 'reproduction', 'walk-forward']).default('backtest'),
    /** Monte Carlo of the run (paths, seed, ruin drawdown; defaults 1,000 / 1 / 30 %), stored with its result. */
    monteCarlo: monteCarloRequestSchema.optional(),
    /** The gate set to judge by: a registered name (`default`, `strict`) or a whole set (shared/research/gate-sets.ts). */
    gates: resolvableGateSetRefSchema.optional(),
    /** The measured cost model's knobs (order notional, fee tier per venue, impact cap …; shared/costs/measured.ts). */
    measuredCosts: measuredCostConfigSchema.optional(),
  })
  .refine((r) => r.from < r.to, { message: 'from must be before to', path: ['to'] })
  .refine((r) => getStrategy(r.strategy)?.kind === 'single', { message: 'ranking strategies run through the ranking mode (not here)', path: ['strategy'] })
  .superRefine(checkParams);

/** A request's params are valid for its strategy (zod superRefine; shared with portfolio runs). */
export function checkParams(r: { strategy: string; params?: Record<string, unknown> }, ctx: z.RefinementCtx): void {
  const s = getStrategy(r.strategy);
  if (!s) return;
  const parsed = s.paramsSchema.safeParse({ ...(s.defaults as Params), ...(r.params ?? {}) });
  if (!parsed.success) ctx.addIssue({ code: 'custom', path: ['params'], message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
}
export type BacktestRequestInput = z.input<typeof BacktestRequest>;
export type BacktestRequestParsed = z.output<typeof BacktestRequest>;

// The registry helpers live with the registry; re-exported here for the callers that import them from the run.
export { familyOf, resolveParams, RunInputError, singleStrategy };

/** The cost model the run's stored equity_net column and headline use: the data venue's taker fees, else the stress. */
export function primaryCostModel(venue: string): string {
  return (VENUE_IDS as readonly string[]).includes(venue) ? `${venue}-taker` : 'stress-31';
}

export async function createBacktestRun(
  db: Database,
  req: BacktestRequestParsed,
  opts: { id?: string; codeVersion: string; sweepId?: string },
): Promise<BacktestRunRow> {
  const strategy = singleStrategy(req.strategy);
  const params = resolveParams(strategy, req.params);
  const config = parseBacktestConfig({});
  return createRun(db, {
    id: opts.id ?? crypto.randomUUID(),
    kind: req.kind,
    strategyId: strategy.id,
    strategyVersion: strategy.version,
    params,
    venue: req.venue,
    symbol: req.symbol,
    timeframe: req.timeframe,
    mode: req.mode,
    windowFrom: req.from,
    windowTo: req.to,
    dataSource: 'pending',
    costModels: costModelsOf(config),
    codeVersion: opts.codeVersion,
    status: 'queued',
    sweepId: opts.sweepId ?? null,
    options:
      req.monteCarlo || req.gates !== undefined || req.measuredCosts
        ? {
            ...(req.monteCarlo ? { monteCarlo: req.monteCarlo } : {}),
            ...(req.gates !== undefined ? { gates: resolveGateSet(req.gates) } : {}),
            ...(req.measuredCosts ? { measuredCosts: req.measuredCosts } : {}),
          }
        : null,
  });
}

export type CoreResult = BacktestResult | SlicesResult;

export interface CoreRun {
  result: CoreResult;
  window: LoadedWindow;
}

/** Chunks the window is cut into for progress (each chunk re-prepares from its warm-up; carry passed in order). */
export const PROGRESS_STEPS = 10;

/**
 * Run the core on a loaded window. Pure apart from `onProgress`; equal inputs give equal results (and hashes).
 * The strategy's declared risk rules apply (as in every other run); `inputs.reference` is the Sentinel's watched
 * series when `risk.sentinel` watches another symbol (`loadRunReference`).
 */
export async function runCore(
  strategy: Strategy<Params, unknown>,
  params: Params,
  mode: 'portfolio' | 'slices',
  win: LoadedWindow,
  onProgress?: (fraction: number) => Promise<void>,
  inputs: { reference?: CandleSeries } = {},
): Promise<CoreResult> {
  const series = toSeries(win.candles, win.key.timeframe, win.key.symbol);
  if (mode === 'slices') {
    const r = runSlices(series, strategy, params, { from: win.from, to: win.to });
    await onProgress?.(1);
    return r;
  }
  const config: BacktestConfig = parseBacktestConfig(withStrategyRisk(strategy, params, { from: win.from, to: win.to }));
  const window = { from: win.from, to: win.to };
  const chunkOpts = inputs.reference ? { reference: inputs.reference } : {};
  const tf = timeframeMs(win.key.timeframe);
  const chunkCandles = Math.max(1, Math.ceil((win.to - win.from) / tf / PROGRESS_STEPS));
  const specs = planChunks(series, window, chunkCandles);
  const chunks: ChunkResult[] = [];
  for (let k = 0; k < specs.length; k++) {
    const carry = k === 0 ? INITIAL_CARRY : normalizeCarry(chunks[k - 1]!.carryOut, specs[k]!.from);
    chunks.push(runChunk(series, strategy, params, config, specs[k]!, carry, chunkOpts));
    await onProgress?.((k + 1) / specs.length);
  }
  const merged = mergeChunks(chunks);
  if (!merged.ok) throw new Error(`chunk chain inconsistent at ${merged.rerun} (a bug: carries are passed in order)`);
  return buildResult(series, strategy, params, config, window, merged.trades, merged.skipped);
}

/** Loads the window for a run (warm-up = the engine's warm-up for these params). */
export async function loadRunWindow(db: Database, strategy: Strategy<Params, unknown>, params: Params, run: Pick<BacktestRunRow, 'venue' | 'symbol' | 'timeframe' | 'windowFrom' | 'windowTo'>): Promise<LoadedWindow> {
  const warm = warmupCandles(strategy, params, parseBacktestConfig({}));
  const key = { venue: run.venue, symbol: run.symbol, timeframe: run.timeframe as Timeframe };
  return loadWindow(db, key, run.windowFrom, run.windowTo, warm);
}

/** The Sentinel reference a portfolio-mode run over `win` needs under the strategy's declared risk, or null. */
export async function loadRunReference(db: Database, strategy: Strategy<Params, unknown>, params: Params, mode: 'portfolio' | 'slices', win: LoadedWindow): Promise<LoadedReference | null> {
  if (mode === 'slices') return null; // slices apply no risk rules
  return loadWindowReference(db, declaredRisk(strategy, params), win);
}

export function tradeRows(trades: readonly Trade[]): TradeInsert[] {
  return trades.map((t, seq) => ({
    seq,
    side: t.side,
    entryTime: t.entryTime,
    entryPrice: t.entryPrice,
    exitTime: t.exitTime,
    exitPrice: t.exitPrice,
    entryReason: t.entryReason,
    exitReason: t.exitReason,
    grossReturn: t.grossReturn,
    netReturns: t.net,
  }));
}

export function equityRows(gross: EquityCurve, net: EquityCurve | undefined): EquityInsert[] {
  return gross.time.map((time, k) => ({
    time,
    equityGross: gross.equity[k]!,
    equityNet: net?.equity[k] ?? gross.equity[k]!,
    drawdown: net?.drawdown[k] ?? gross.drawdown[k]!,
  }));
}

export interface StoredRunResult {
  /** The core result without its trade list (trades live in backtest_trades). */
  core: Omit<CoreResult, 'trades'>;
  provenance: {
    dataSource: string;
    /** The stored timeframe the candles were aggregated from, when the run's timeframe is not stored itself. */
    derivedFrom?: string;
    sources: { source: string; count: number }[];
    candleCount: number;
    warmupCandles: number;
    dataHash: string;
    window: { from: number; to: number };
    codeVersion: string;
    engineVersion: string;
  };
  judgement: RunJudgement;
  /** The measured cost views (per venue: per-trade round trip and net, mean components, sources) and their hash. */
  measuredCosts?: MeasuredCosts & { hash: string };
  /** The lookahead audit of the run (dense truncation + recursive analysis); absent on runs recorded before it. */
  lookahead?: LookaheadAudit;
}

/** The result jsonb: the core's figures at the top level (gross, net, equity …) plus provenance and verdicts. */
export function storedResult(
  core: CoreResult,
  win: LoadedWindow,
  codeVersion: string,
  judgement: RunJudgement,
  lookahead?: LookaheadAudit | readonly LookaheadAudit[],
  measured?: MeasuredCosts | null,
): Record<string, unknown> {
  const { trades: _trades, ...rest } = core;
  return {
    ...rest,
    tradeCount: core.trades.length,
    ...(measured ? { measuredCosts: { ...measured, hash: hashCanonical(measured) } } : {}),
    provenance: {
      dataSource: win.dataSource,
      // A timeframe derived from a stored base says so (absent for a stored timeframe: old results unchanged).
      ...(win.derivedFrom ? { derivedFrom: win.derivedFrom } : {}),
      sources: win.sources,
      candleCount: win.windowCount,
      warmupCandles: win.warmup,
      dataHash: win.dataHash,
      window: { from: win.from, to: win.to },
      codeVersion,
      engineVersion: core.engineVersion,
      ...(measured ? { measuredCostVersion: measured.version, costSources: Object.fromEntries(measured.venues.map((v) => [v.id, v.sources])) } : {}),
    },
    ...(lookahead === undefined ? {} : { lookahead }),
    trials: judgement.trials,
    verdicts: judgement.verdicts,
    venues: judgement.venues,
    verdict: judgement.verdict,
    verdictReason: judgement.reason,
    ...(judgement.detail === undefined ? {} : { judgement: judgement.detail }),
  };
}

export interface ExecuteOptions {
  codeVersion: string;
  /** The host's clock, for the run's recorded duration. */
  now: Clock;
  /** Called with 0..1 after each step (the CLI draws a bar); the row's progress is written too. */
  onProgress?: (fraction: number, phase: string) => void;
  /** Skip the claim (the CLI runs a row it just created); default false. */
  alreadyClaimed?: boolean;
}

export type ExecuteOutcome =
  | { status: 'done'; run: BacktestRunRow; result: CoreResult; judgement: RunJudgement }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; error: string };

/**
 * The row a job may execute: claimed (queued, or running past its lease), or read as is when the caller claimed it
 * already; otherwise why it is skipped (no such run, or its status).
 */
export async function claimForExecution(db: Database, runId: string, alreadyClaimed?: boolean): Promise<{ run: BacktestRunRow } | { skipped: string }> {
  if (alreadyClaimed) {
    const r = await getRunRow(db, runId);
    return r ? { run: r } : { skipped: 'no such run' };
  }
  const claim = await claimRun(db, runId);
  if (!claim.claimed) return { skipped: claim.status === null ? 'no such run' : `run is ${claim.status}` };
  return { run: claim.run };
}

/**
 * Execute a run row: claim it (skip when done or running under a live lease), compute, persist. Input errors end
 * the run `failed` (returned, not thrown); anything else releases the claim and throws (the queue retries).
 */
export async function executeBacktestRun(db: Database, runId: string, opts: ExecuteOptions): Promise<ExecuteOutcome> {
  const claimed = await claimForExecution(db, runId, opts.alreadyClaimed);
  if ('skipped' in claimed) return { status: 'skipped', reason: claimed.skipped };
  const run = claimed.run;
  let lastWritten = 0;
  const progress = async (f: number, phase: string): Promise<void> => {
    opts.onProgress?.(f, phase);
    if (f - lastWritten >= 0.1 || f >= 1) {
      lastWritten = f;
      await setRunProgress(db, runId, f);
    }
  };
  const out = await executeRun(db, run, opts, async () => {
    const strategy = singleStrategy(run.strategyId);
    if (strategy.version !== run.strategyVersion) throw new RunInputError(`strategy ${strategy.id} is now v${strategy.version}, the run asked for v${run.strategyVersion}`);
    const params = resolveParams(strategy, run.params);
    const win = await loadRunWindow(db, strategy, params, run);
    if (win.windowCount === 0) throw new RunInputError(`no candles for ${run.venue}:${run.symbol}:${run.timeframe} in [${iso(run.windowFrom)}, ${iso(run.windowTo)})`);
    const mode = run.mode === 'slices' ? 'slices' : 'portfolio';
    const ref = await loadRunReference(db, strategy, params, mode, win);
    await progress(0.1, 'loaded');
    const result = await runCore(strategy, params, mode, win, (f) => progress(0.1 + 0.7 * f, 'backtest'), ref ? { reference: ref.series } : {});
    const measured = await measureRunOrRefuse(db, win, result, run);
    const audit = auditRunWindow(strategy, params, win);
    await progress(0.85, 'lookahead audit');
    const gateSet = resolveGateSet((run.options as { gates?: unknown } | null)?.gates);
    const judgement = judgeRun(result, {
      gates: gateSet.gates,
      // This run is one more trial of the family.
      ...(await familyJudgeContext(db, run, 1)),
      lookahead: lookaheadEvidence(audit),
      measured,
    });
    await progress(0.9, 'judged');
    const monteCarlo = runMonteCarloOf(result, run);
    // Honest maker fills for the run page (single-series runs; no verdict reads it).
    const maker = run.mode === 'slices' ? null : makerOfRun(toSeries(win.candles, win.key.timeframe, win.key.symbol), win.candles, strategy, params, { from: win.from, to: win.to }, run.venue, ref ? { reference: ref.series } : {});
    // A single backtest has no sweep: PBO and SPA are skipped (never passed); the MC drawdown gate is checked.
    const studyGates = evaluateStudyGates(gateSet, { mcDrawdownP95: monteCarlo.blockBootstrap.status === 'done' ? monteCarlo.blockBootstrap.maxDrawdown.p95 : null });
    return {
      win,
      core: result,
      judgement,
      stored: {
        ...storedResult(result, win, opts.codeVersion, judgement, audit, measured),
        monteCarlo,
        gateSet,
        studyGates,
        ...(maker ? { maker } : {}),
        ...(ref ? { sentinelReference: referenceProvenance(ref) } : {}),
      },
      resultHash: result.resultHash,
      // The stored trade rows carry the measured views' net returns beside the presets'.
      tradeRowsOf: withMeasuredViews(result, measured).trades,
    };
  });
  if (out.status === 'failed') return out;
  opts.onProgress?.(1, 'done');
  // Promotion on these verdicts is the caller's next step (shared/app/promote-after.ts).
  return { status: 'done', run: out.run, result: out.record.core, judgement: out.record.judgement };
}

/** What one run kind computed, for `executeRun` to record. */
export interface RunRecord {
  win: LoadedWindow;
  /** The result whose trades and equity are stored (a walk-forward's: its out-of-sample result). */
  core: CoreResult;
  judgement: RunJudgement;
  /** The result jsonb. */
  stored: Record<string, unknown>;
  resultHash: string;
  /** The trades stored as rows, when they carry more views than `core` (the measured costs); default `core.trades`. */
  tradeRowsOf?: readonly Trade[];
}

/**
 * The sequence every run kind shares (backtest, reproduction, walk-forward): time it, compute, record the result
 * with its provenance, trades and equity (the primary cost model's net curve) and duration; on an input error
 * (bad input, no data) record the failure with its reason and return it; anything else is thrown (the queue
 * retries). The run row is already claimed by the caller.
 */
export async function executeRun<T extends RunRecord>(
  db: Database,
  run: BacktestRunRow,
  opts: { codeVersion: string; now: Clock },
  compute: () => Promise<T>,
): Promise<{ status: 'done'; run: BacktestRunRow; record: T } | { status: 'failed'; error: string }> {
  const started = opts.now();
  try {
    const record = await compute();
    const { win, core, judgement } = record;
    const primary = primaryCostModel(run.venue);
    await completeRun(
      db,
      run.id,
      {
        dataSource: win.dataSource,
        candleCount: win.windowCount,
        dataHash: win.dataHash,
        costModels: core.costModels,
        codeVersion: opts.codeVersion,
        verdict: judgement.verdict,
        verdictReason: judgement.reason,
        result: record.stored,
        resultHash: record.resultHash,
        durationMs: opts.now() - started,
      },
      tradeRows(record.tradeRowsOf ?? core.trades),
      equityRows(core.equity.gross, core.equity.net[primary] ?? core.equity.net['stress-31']),
    );
    return { status: 'done', run: (await getRunRow(db, run.id))!, record };
  } catch (err) {
    if (err instanceof RunInputError || err instanceof z.ZodError) {
      await failRun(db, run.id, (err as Error).message, opts.now() - started);
      return { status: 'failed', error: (err as Error).message };
    }
    throw err;
  }
}

/**
 * The run's Monte Carlo on its primary cost view (the data venue's taker preset, else stress-31; gross when the
 * run has neither), with the options recorded on the row (`options.monteCarlo`) or the defaults.
 */
export function runMonteCarloOf(result: CoreResult, run: Pick<BacktestRunRow, 'venue' | 'options'>): RunMonteCarlo {
  const primary = primaryCostModel(run.venue);
  const view = result.equity.net[primary] ? primary : result.equity.net['stress-31'] ? 'stress-31' : 'gross';
  const curve = view === 'gross' ? result.equity.gross : result.equity.net[view];
  const req = (run.options as { monteCarlo?: MonteCarloRequest } | null)?.monteCarlo ?? {};
  return runMonteCarlo(result.trades, curve, view, req);
}

/** The run's measured cost config (`options.measuredCosts`, defaults otherwise). */
export function measuredConfigOf(run: Pick<BacktestRunRow, 'options'>): MeasuredCostConfigInput {
  return (run.options as { measuredCosts?: MeasuredCostConfigInput } | null)?.measuredCosts ?? {};
}

/** The run's measured cost views; an order the model refuses (too large for the volume) or an unknown tier fails the run with the reason. */
async function measureRunOrRefuse(db: Database, win: LoadedWindow, result: CoreResult, run: Pick<BacktestRunRow, 'options'>): Promise<MeasuredCosts> {
  try {
    return await measureRun(db, win, result.trades, measuredConfigOf(run));
  } catch (err) {
    if (err instanceof MeasuredCostRefusedError || err instanceof UnknownFeeTierError || err instanceof MeasuredCostInputError) throw new RunInputError(err.message);
    throw err;
  }
}

/**
 * Recompute a recorded run from the database and compare hashes (nothing is written): the core's `resultHash`, and
 * the measured views' hash when the run recorded them (`sameMeasured` null for runs recorded before them).
 */
export async function reproduceRun(
  db: Database,
  runId: string,
): Promise<{ run: BacktestRunRow; resultHash: string; dataHash: string; same: boolean; sameData: boolean; sameMeasured: boolean | null }> {
  const run = await getRunRow(db, runId);
  if (!run) throw new RunInputError(`no run ${runId}`);
  const strategy = singleStrategy(run.strategyId);
  const params = resolveParams(strategy, run.params);
  const win = await loadRunWindow(db, strategy, params, run);
  const mode = run.mode === 'slices' ? 'slices' : 'portfolio';
  const ref = await loadRunReference(db, strategy, params, mode, win);
  const result = await runCore(strategy, params, mode, win, undefined, ref ? { reference: ref.series } : {});
  const stored = (run.result as { measuredCosts?: { hash?: string } } | null)?.measuredCosts?.hash ?? null;
  const sameMeasured = stored === null ? null : hashCanonical(await measureRun(db, win, result.trades, measuredConfigOf(run))) === stored;
  return { run, resultHash: result.resultHash, dataHash: win.dataHash, same: result.resultHash === run.resultHash, sameData: win.dataHash === run.dataHash, sameMeasured };
}

function iso(t: number): string {
  return new Date(t).toISOString();
}
