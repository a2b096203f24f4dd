/**
 * Portfolio backtests (REQ-BT-005: several symbols, shared capital, max open positions, equal-weight or
 * fixed-fraction sizing, ranking strategies picking the symbols) as runs like any other: the request is validated
 * (zod), a `backtest_runs` row is created `queued` with mode `shared-capital` (its `symbol` lists the universe,
 * `options.portfolio` holds symbols, max positions, sizing and filters), the `backtest` queue job computes it with
 * `shared/portfolio`'s `runPortfolio` on exactly the date window of every series (plus each one's warm-up), and the
 * result is stored with full provenance: every series' data source, candle count, warm-up and data hash, the
 * sizing, max positions, cost models and code version, the per-symbol contribution and each trade's symbol
 * (`result.tradeSymbols[seq]`). Verdicts are judged per cost preset as for a single series; single-strategy
 * universes are lookahead-audited per symbol. Not done for portfolios: the Monte Carlo (its trade resampling
 * assumes one position at a time) and promotion (a strategy is promoted on its single-series evidence).
 * Shared by the Worker (route + job) and the CLI.
 */
import { z } from 'zod';
import { toSeries, type CandleSeries } from '../../shared/candles/candle';
import type { Timeframe } from '../../shared/candles/timeframe';
import type { Database } from '../../shared/db/database';
import type { BacktestRunRow } from '../../shared/db/schema';
import { completeRun, createRun, failRun, getRunRow, setRunProgress } from '../../shared/db/queries/research';
import { familyJudgeContext } from '../../shared/app/trials';
import { hashCanonical } from '../../shared/backtest/hash';
import { costModelsOf, parseBacktestConfig } from '../../shared/backtest/config';
import type { BacktestResult } from '../../shared/backtest/types';
import type { LookaheadAudit } from '../../shared/backtest/lookahead-audit';
import { PortfolioInputError, portfolioSizingSchema, runPortfolio, type PortfolioResult } from '../../shared/portfolio';
import { evaluateStudyGates, resolvableGateSetRefSchema, resolveGateSet } from '../../shared/research/gate-sets';
import { getStrategy } from '../../shared/strategies/registry';
import type { Params, RankingStrategy, Strategy } from '../../shared/strategies/types';
import { checkParams, claimForExecution, equityRows, primaryCostModel, researchTarget, RunInputError, storedResult, tradeRows, type CoreResult, type ExecuteOptions } from '../../shared/app/run-backtest';
import { judgeRun, type RunJudgement } from '../../shared/app/core';
import { auditRunWindow, combinedEvidence } from '../../shared/app/lookahead';
import { loadWindow, type LoadedWindow } from '../../shared/app/window';

/** `backtest_runs.mode` of a portfolio run. */
export const PORTFOLIO_MODE = 'shared-capital';
/** At most this many symbols in one universe (each is loaded and stepped in the same queue message). */
export const MAX_PORTFOLIO_SYMBOLS = 20;

const symbolSchema = z.string().regex(/^[A-Z0-9]+\/[A-Z0-9]+$/, 'canonical BASE/QUOTE, e.g. BTC/USDT');

/** The portfolio part of a request, as stored in `options.portfolio` and read back by the job. */
export const portfolioOptionsSchema = z.object({
  symbols: z
    .array(symbolSchema)
    .min(1)
    .max(MAX_PORTFOLIO_SYMBOLS)
    .refine((s) => new Set(s).size === s.length, { message: 'duplicate symbols' }),
  /** At most this many symbols hold a position (or a pending entry) at once. */
  maxPositions: z.number().int().min(1).max(MAX_PORTFOLIO_SYMBOLS).default(3),
  /** `equal-weight` (equity / maxPositions per entry, the default) or `{ kind: 'fixed-fraction', fraction }`. */
  sizing: portfolioSizingSchema.default({ kind: 'equal-weight' }),
  /** The 4h platform's entry filters; given, they override the strategy's declared ATR cap / minimum volume. */
  maxAtrPct: z.number().positive().max(1).optional(),
  minVolume: z.number().positive().optional(),
});
export type PortfolioOptions = z.output<typeof portfolioOptionsSchema>;

/** `POST /api/research/backtests` with `symbols: [...]`: a portfolio run (single or ranking strategy). */
export const PortfolioBacktestRequest = researchTarget
  .omit({ symbol: true })
  .extend({
    ...portfolioOptionsSchema.shape,
    gates: resolvableGateSetRefSchema.optional(),
  })
  .refine((r) => r.from < r.to, { message: 'from must be before to', path: ['to'] })
  .superRefine(checkParams);
export type PortfolioBacktestInput = z.input<typeof PortfolioBacktestRequest>;
export type PortfolioBacktestParsed = z.output<typeof PortfolioBacktestRequest>;

function strategyOf(id: string): Strategy<Params> | RankingStrategy<Params> {
  const s = getStrategy(id);
  if (!s) throw new RunInputError(`unknown strategy ${id}`);
  return s as Strategy<Params> | RankingStrategy<Params>;
}

function paramsOf(strategy: { paramsSchema: z.ZodType; defaults: unknown }, params: unknown): Params {
  const parsed = strategy.paramsSchema.safeParse({ ...(strategy.defaults as Params), ...((params ?? {}) as Params) });
  if (!parsed.success) throw new RunInputError(`invalid params: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data as Params;
}

/** Create the portfolio run row `queued` (the queue job or the CLI computes it). */
export async function createPortfolioRun(db: Database, req: PortfolioBacktestParsed, opts: { id?: string; codeVersion: string }): Promise<BacktestRunRow> {
  const strategy = strategyOf(req.strategy);
  const params = paramsOf(strategy, req.params);
  const portfolio: PortfolioOptions = portfolioOptionsSchema.parse(req);
  return createRun(db, {
    id: opts.id ?? crypto.randomUUID(),
    kind: 'backtest',
    strategyId: strategy.id,
    strategyVersion: strategy.version,
    params,
    venue: req.venue,
    symbol: portfolio.symbols.join(','),
    timeframe: req.timeframe,
    mode: PORTFOLIO_MODE,
    windowFrom: req.from,
    windowTo: req.to,
    dataSource: 'pending',
    costModels: costModelsOf(parseBacktestConfig({})),
    codeVersion: opts.codeVersion,
    status: 'queued',
    sweepId: null,
    options: { portfolio, ...(req.gates !== undefined ? { gates: resolveGateSet(req.gates) } : {}) },
  });
}

/** What one portfolio computation needs: the strategy, one venue (default binance) and timeframe, the window, the options. */
export type PortfolioWindowRequest = z.input<typeof portfolioOptionsSchema> & {
  strategy: string;
  venue?: string;
  timeframe: Timeframe;
  from: number;
  to: number;
  params?: Record<string, unknown>;
};

export interface PortfolioRun {
  result: PortfolioResult;
  windows: LoadedWindow[];
  strategy: Strategy<Params> | RankingStrategy<Params>;
  params: Params;
}

/** ATR period of the kernel's ATR cap (the portfolio config's default), part of every symbol's warm-up. */
const ATR_PERIOD = 14;

/**
 * Load each symbol's window (same dates, with the strategy's warm-up before `from`) and run the portfolio.
 * A series without candles in the window is an input error naming it.
 */
export async function runPortfolioWindow(db: Database, input: PortfolioWindowRequest): Promise<PortfolioRun> {
  const strategy = strategyOf(input.strategy);
  const params = paramsOf(strategy, input.params);
  const opts = portfolioOptionsSchema.safeParse(input);
  if (!opts.success) throw new RunInputError(`invalid portfolio: ${opts.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const req = { ...input, ...opts.data, venue: input.venue ?? 'binance' };
  if (!(req.to > req.from)) throw new RunInputError('the window is empty: to must be after from');
  const warm = Math.max(strategy.startupCandles(params as never), ATR_PERIOD + 1);
  const windows: LoadedWindow[] = [];
  const universe: CandleSeries[] = [];
  for (const symbol of req.symbols) {
    const w = await loadWindow(db, { venue: req.venue, symbol, timeframe: req.timeframe }, req.from, req.to, warm);
    if (w.windowCount === 0) throw new RunInputError(`no candles for ${req.venue}:${symbol}:${req.timeframe} in [${iso(req.from)}, ${iso(req.to)}) (import it first)`);
    windows.push(w);
    universe.push(toSeries(w.candles, req.timeframe, symbol));
  }
  const filters = req.maxAtrPct !== undefined || req.minVolume !== undefined;
  const declared = strategy.risk ? strategy.risk(params as never) : {};
  const config = {
    from: req.from,
    to: req.to,
    maxPositions: req.maxPositions,
    atrPeriod: ATR_PERIOD,
    sizing: req.sizing,
    ...(filters ? { risk: { ...declared, ...(req.maxAtrPct !== undefined ? { maxAtrPct: req.maxAtrPct } : {}), ...(req.minVolume !== undefined ? { minVolume: req.minVolume } : {}) } } : {}),
  };
  try {
    const result =
      strategy.kind === 'ranking'
        ? runPortfolio(universe, { kind: 'ranking', strategy: strategy as RankingStrategy<Params> }, params, config)
        : runPortfolio(universe, { kind: 'single', strategy: strategy as Strategy<Params> }, params, config);
    return { result, windows, strategy, params };
  } catch (err) {
    if (err instanceof PortfolioInputError) throw new RunInputError(err.message);
    throw err;
  }
}

/** The run's combined data hash: sha256 of the canonical `[[symbol, dataHash], …]` in universe order. */
export function universeDataHash(windows: readonly LoadedWindow[]): string {
  return hashCanonical(windows.map((w) => [w.key.symbol, w.dataHash]));
}

/** Provenance of every series of the universe, in universe order. */
export function seriesProvenance(windows: readonly LoadedWindow[]) {
  return windows.map((w) => ({
    symbol: w.key.symbol,
    dataSource: w.dataSource,
    sources: w.sources,
    candleCount: w.windowCount,
    warmupCandles: w.warmup,
    dataHash: w.dataHash,
  }));
}

/**
 * The result jsonb of a portfolio run: what `storedResult` stores for a single series (the core's figures without
 * trades, provenance, audits, verdicts), with the universe's provenance — every series' own, the combined data
 * hash, sizing, max positions, cost models — and each trade's symbol.
 */
export function storedPortfolioResult(run: PortfolioRun, codeVersion: string, judgement: RunJudgement, audits: readonly LookaheadAudit[]): Record<string, unknown> {
  const w = run.windows;
  // The universe as one window: sources and counts summed, the combined data hash.
  const universe: LoadedWindow = {
    key: { ...w[0]!.key, symbol: w.map((x) => x.key.symbol).join(',') },
    from: w[0]!.from,
    to: w[0]!.to,
    candles: [],
    warmup: Math.max(0, ...w.map((x) => x.warmup)),
    windowCount: w.reduce((s, x) => s + x.windowCount, 0),
    dataHash: universeDataHash(w),
    sources: w.flatMap((x) => x.sources),
    dataSource: w.map((x) => x.dataSource).join('; '),
  };
  // storedResult reads `trades` and `engineVersion` and passes the other figures through: a PortfolioResult has both.
  const base = storedResult(run.result as unknown as CoreResult, universe, codeVersion, judgement, audits.length === 1 ? audits[0] : audits.length ? audits : undefined);
  const r = run.result;
  return {
    ...base,
    tradeSymbols: r.trades.map((t) => t.symbol),
    provenance: { ...(base.provenance as Record<string, unknown>), series: seriesProvenance(w), sizing: r.config.sizing, maxPositions: r.config.maxPositions, costModels: r.costModels.map((m) => m.id) },
  };
}

export type PortfolioOutcome =
  | { status: 'done'; run: BacktestRunRow; result: PortfolioResult; judgement: RunJudgement; windows: LoadedWindow[] }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; error: string };

/** The stored request of a portfolio run row (its options), or an input error saying what is wrong. */
export function portfolioRequestOf(run: BacktestRunRow): PortfolioWindowRequest {
  const parsed = portfolioOptionsSchema.safeParse((run.options as { portfolio?: unknown } | null)?.portfolio);
  if (!parsed.success) throw new RunInputError(`not a portfolio run (options.portfolio: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
  return { ...parsed.data, strategy: run.strategyId, venue: run.venue, timeframe: run.timeframe as Timeframe, from: run.windowFrom, to: run.windowTo, params: run.params as Record<string, unknown> };
}

/**
 * Execute a portfolio run row: claim (skip when done or under a live lease), compute, judge, persist trades,
 * equity and the finished row in one transaction. Input errors end the run `failed` (returned); anything else
 * throws (the queue retries; the job releases the claim).
 */
export async function executePortfolioRun(db: Database, runId: string, opts: ExecuteOptions): Promise<PortfolioOutcome> {
  const claimed = await claimForExecution(db, runId, opts.alreadyClaimed);
  if ('skipped' in claimed) return { status: 'skipped', reason: claimed.skipped };
  const run = claimed.run;
  const started = Date.now();
  const progress = async (f: number, phase: string): Promise<void> => {
    opts.onProgress?.(f, phase);
    await setRunProgress(db, runId, f);
  };
  try {
    const strategy = strategyOf(run.strategyId);
    if (strategy.version !== run.strategyVersion) throw new RunInputError(`strategy ${strategy.id} is now v${strategy.version}, the run asked for v${run.strategyVersion}`);
    const computed = await runPortfolioWindow(db, portfolioRequestOf(run));
    await progress(0.7, 'portfolio');
    // A single strategy is audited on each symbol's own candles; a ranking strategy's audit is not defined here.
    const audits = computed.strategy.kind === 'single' ? computed.windows.map((w) => auditRunWindow(computed.strategy as Strategy<Params>, computed.params, w)) : [];
    await progress(0.85, 'lookahead audit');
    const gateSet = resolveGateSet((run.options as { gates?: unknown } | null)?.gates);
    const evidence = combinedEvidence(audits);
    // judgeRun reads only `trades` (per-trade net returns) and `net` (metrics per cost model): both are the
    // portfolio's own, so the gates judge the shared-capital portfolio.
    const judgement = judgeRun(computed.result as unknown as BacktestResult, {
      gates: gateSet.gates,
      ...(await familyJudgeContext(db, run, 1)),
      ...(evidence ? { lookahead: evidence } : {}),
    });
    const studyGates = evaluateStudyGates(gateSet, { mcDrawdownP95: null });
    const r = computed.result;
    const primary = primaryCostModel(run.venue);
    await completeRun(
      db,
      runId,
      {
        dataSource: computed.windows.map((w) => w.dataSource).join('; '),
        candleCount: computed.windows.reduce((s, w) => s + w.windowCount, 0),
        dataHash: universeDataHash(computed.windows),
        costModels: r.costModels,
        codeVersion: opts.codeVersion,
        verdict: judgement.verdict,
        verdictReason: judgement.reason,
        result: { ...storedPortfolioResult(computed, opts.codeVersion, judgement, audits), gateSet, studyGates },
        resultHash: r.resultHash,
        durationMs: Date.now() - started,
      },
      tradeRows(r.trades),
      equityRows(r.equity.gross, r.equity.net[primary] ?? r.equity.net['stress-31']),
    );
    opts.onProgress?.(1, 'done');
    return { status: 'done', run: (await getRunRow(db, runId))!, result: r, judgement, windows: computed.windows };
  } catch (err) {
    if (err instanceof RunInputError || err instanceof z.ZodError) {
      await failRun(db, runId, (err as Error).message, Date.now() - started);
      return { status: 'failed', error: (err as Error).message };
    }
    throw err;
  }
}

/** Recompute a recorded portfolio run from the database and compare its hashes (nothing is written). */
export async function reproducePortfolioRun(db: Database, runId: string): Promise<{ resultHash: string; dataHash: string; same: boolean; sameData: boolean }> {
  const run = await getRunRow(db, runId);
  if (!run) throw new RunInputError(`no run ${runId}`);
  const computed = await runPortfolioWindow(db, portfolioRequestOf(run));
  const dataHash = universeDataHash(computed.windows);
  return { resultHash: computed.result.resultHash, dataHash, same: computed.result.resultHash === run.resultHash, sameData: dataHash === run.dataHash };
}

function iso(t: number): string {
  return new Date(t).toISOString();
}
