/**
 * Lab fixtures: a backtest run (result jsonb, trades, equity) derived deterministically from real candles with a
 * plain EMA crossover, and a parameter sweep computed by the real sweep code (the SMA crossover strategy, stored
 * exactly as the sweep jobs store it), for the API tests, the browser tests and the API benchmark — used until
 * (and beside) the research runner's own rows. Pure TypeScript
 * (no Node APIs) so the workerd tests can import it too. The result jsonb mimics shared/backtest's BacktestResult
 * (gross, net per cost model, costModels, equity) plus per-venue `verdicts`, but pages must not depend on it.
 */
import { sql } from 'drizzle-orm';
import type { Candle } from '../../shared/candles/candle';
import { ema } from '../../shared/indicators';
import type { Database } from '../../shared/db/database';
import { backtestEquity, backtestRuns, backtestTrades, sweepChunks, sweeps } from '../../shared/db/schema';
import { toSeries } from '../../shared/candles/candle';
import { TIMEFRAME_MS, type Timeframe } from '../../shared/candles/timeframe';
import { dstaSmaCrossover } from '../../shared/strategies/dsta-sma-crossover';
import type { Params, Strategy } from '../../shared/strategies/types';
import { gridCombos, planSweep, runSweepChunk, type SweepRunConfig } from '../../shared/research/sweep';
import { sweepBlockEdges } from '../../shared/research/sweep-pbo';
import { chunkResultOrThrow, sweepResultOrThrow, type StoredChunkResult } from '../../shared/research/stored-sweep-result';
import { storedSweepResultOf } from '../../shared/app/sweep';

/** Round-trip costs (bps) per cost model id used by the fixtures. */
export const FIXTURE_COSTS: Record<string, { label: string; roundTripBps: number }> = {
  'binance-taker': { label: 'binance spot VIP0, taker fee only', roundTripBps: 20 },
  'kraken-taker': { label: 'kraken Pro $0-10K, taker fee only', roundTripBps: 80 },
  'coinbase-taker': { label: 'coinbase Advanced $0-10K, taker fee only', roundTripBps: 120 },
  'stress-31': { label: 'Nexara stress: 31 bps per side all-in', roundTripBps: 62 },
};

export interface FixtureTrade {
  seq: number;
  side: 'long';
  entryTime: number;
  entryPrice: number;
  exitTime: number;
  exitPrice: number;
  entryReason: string;
  exitReason: string;
  grossReturn: number;
  netReturns: Record<string, number>;
}

/** A type alias, not an interface: it is stored as a result's `gross`/`net` record (StoredRunResult). */
type Metrics = {
  trades: number;
  winRate: number | null;
  meanReturn: number | null;
  profitFactor: number | null;
  totalReturn: number;
  maxDrawdownEquity: number;
  sharpe: number | null;
};

function metricsOf(returns: number[]): Metrics {
  const n = returns.length;
  let eq = 1;
  let peak = 1;
  let mdd = 0;
  let wins = 0;
  let sumW = 0;
  let sumL = 0;
  for (const r of returns) {
    eq *= 1 + r;
    peak = Math.max(peak, eq);
    mdd = Math.max(mdd, 1 - eq / peak);
    if (r > 0) {
      wins++;
      sumW += r;
    } else sumL += -r;
  }
  const mean = n ? returns.reduce((a, b) => a + b, 0) / n : null;
  const sd = n > 1 && mean !== null ? Math.sqrt(returns.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return {
    trades: n,
    winRate: n ? wins / n : null,
    meanReturn: mean,
    profitFactor: sumL > 0 ? sumW / sumL : null,
    totalReturn: eq - 1,
    maxDrawdownEquity: mdd,
    sharpe: sd > 0 && mean !== null ? (mean / sd) * Math.sqrt(Math.min(n, 252)) : null,
  };
}

const netOf = (gross: number, bps: number): number => (1 + gross) * (1 - bps / 1e4) - 1;

/** Long-only EMA(fast) / EMA(slow) crossover trades on `candles` (fills at the next candle's open). */
export function crossoverTrades(candles: readonly Candle[], fast: number, slow: number, maxTrades = Infinity): FixtureTrade[] {
  const close = Float64Array.from(candles, (c) => c.close);
  const f = ema(close, fast);
  const s = ema(close, slow);
  const trades: FixtureTrade[] = [];
  let entry: { i: number; price: number } | null = null;
  for (let i = 1; i < candles.length - 1 && trades.length < maxTrades; i++) {
    const up = f[i - 1]! <= s[i - 1]! && f[i]! > s[i]!;
    const down = f[i - 1]! >= s[i - 1]! && f[i]! < s[i]!;
    if (!entry && up) entry = { i: i + 1, price: candles[i + 1]!.open };
    else if (entry && down) {
      const exitPrice = candles[i + 1]!.open;
      const gross = exitPrice / entry.price - 1;
      trades.push({
        seq: trades.length,
        side: 'long',
        entryTime: candles[entry.i]!.openTime,
        entryPrice: entry.price,
        exitTime: candles[i + 1]!.openTime,
        exitPrice,
        entryReason: `EMA${fast} crossed above EMA${slow}`,
        exitReason: `EMA${fast} crossed below EMA${slow}`,
        grossReturn: gross,
        netReturns: Object.fromEntries(Object.entries(FIXTURE_COSTS).map(([k, v]) => [k, netOf(gross, v.roundTripBps)])),
      });
      entry = null;
    }
  }
  return trades;
}

/** `n` synthetic trades (for the benchmark's 10,000-trade run), deterministic. */
export function syntheticTrades(n: number, start: number, stepMs: number): FixtureTrade[] {
  let x = 12345;
  const rnd = (): number => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
  let price = 40_000;
  return Array.from({ length: n }, (_, seq) => {
    const entryPrice = price;
    const gross = (rnd() - 0.48) * 0.02;
    price = entryPrice * (1 + gross);
    return {
      seq,
      side: 'long' as const,
      entryTime: start + seq * 2 * stepMs,
      entryPrice,
      exitTime: start + (seq * 2 + 1) * stepMs,
      exitPrice: price,
      entryReason: 'synthetic entry',
      exitReason: 'synthetic exit',
      grossReturn: gross,
      netReturns: Object.fromEntries(Object.entries(FIXTURE_COSTS).map(([k, v]) => [k, netOf(gross, v.roundTripBps)])),
    };
  });
}

export interface RunFixture {
  run: typeof backtestRuns.$inferInsert;
  trades: (typeof backtestTrades.$inferInsert)[];
  equity: (typeof backtestEquity.$inferInsert)[];
}

function verdictOf(m: Metrics): { verdict: 'keep' | 'watch' | 'reject'; reason: string } {
  if (m.trades < 5) return { verdict: 'reject', reason: `only ${m.trades} trades` };
  if ((m.meanReturn ?? 0) > 0 && (m.profitFactor ?? 0) > 1.2) return { verdict: 'keep', reason: `net mean ${((m.meanReturn ?? 0) * 100).toFixed(2)} % per trade, PF ${(m.profitFactor ?? 0).toFixed(2)}` };
  if ((m.meanReturn ?? 0) > 0) return { verdict: 'watch', reason: 'positive net mean, weak profit factor' };
  return { verdict: 'reject', reason: 'negative net mean after costs' };
}

type Curve = { time: number[]; equity: number[]; drawdown: number[] };

/** Compounded equity (from 1) and drawdown after each trade, gross and net of every fixture cost model. */
function engineCurves(trades: readonly FixtureTrade[]): { gross: Curve; net: Record<string, Curve> } {
  const curve = (ret: (t: FixtureTrade) => number): Curve => {
    let e = 1;
    let peak = 1;
    const c: Curve = { time: [], equity: [], drawdown: [] };
    for (const t of trades) {
      e *= 1 + ret(t);
      peak = Math.max(peak, e);
      c.time.push(t.exitTime);
      c.equity.push(e);
      c.drawdown.push(1 - e / peak);
    }
    return c;
  };
  return { gross: curve((t) => t.grossReturn), net: Object.fromEntries(Object.keys(FIXTURE_COSTS).map((k) => [k, curve((t) => t.netReturns[k]!)])) };
}

/** A run row (with result jsonb), its trades and a per-trade equity curve (≤ maxEquity points). */
export function buildRunFixture(o: {
  id: string;
  strategyId: string;
  venue: string;
  symbol: string;
  timeframe: string;
  windowFrom: number;
  windowTo: number;
  candleCount: number;
  trades: FixtureTrade[];
  params?: Record<string, unknown>;
  kind?: string;
  sweepId?: string | null;
  createdAt?: Date;
  /** Embed the trades in the result jsonb as well (like BacktestResult.trades). */
  embedTrades?: boolean;
  /** More result fields (e.g. the issue-13 statistics of tools/browser/stats-fixtures). */
  extraResult?: Record<string, unknown>;
  /** Embed the engine's own curves in the result (`equity.gross` and `equity.net[model]`, one point per trade), as
   * shared/backtest's BacktestResult does: the bulk of a real run's result jsonb. */
  engineEquity?: boolean;
}): RunFixture {
  const gross = metricsOf(o.trades.map((t) => t.grossReturn));
  const net = Object.fromEntries(Object.keys(FIXTURE_COSTS).map((k) => [k, metricsOf(o.trades.map((t) => t.netReturns[k]!))]));
  const verdicts = Object.fromEntries(Object.entries(net).map(([k, m]) => [k, verdictOf(m)]));
  const main = verdicts[`${o.venue}-taker`] ?? verdicts['binance-taker']!;
  const equity: RunFixture['equity'] = [];
  let eg = 10_000;
  let en = 10_000;
  let peak = en;
  const step = Math.max(1, Math.ceil(o.trades.length / 2000));
  o.trades.forEach((t, i) => {
    eg *= 1 + t.grossReturn;
    en *= 1 + t.netReturns[`${o.venue}-taker`]!;
    peak = Math.max(peak, en);
    if (i % step === 0 || i === o.trades.length - 1) {
      equity.push({ runId: o.id, seq: equity.length, time: t.exitTime, equityGross: eg, equityNet: en, drawdown: 1 - en / peak });
    }
  });
  return {
    run: {
      id: o.id,
      kind: o.kind ?? 'backtest',
      strategyId: o.strategyId,
      strategyVersion: '1.0.0',
      params: o.params ?? { fast: 12, slow: 26 },
      venue: o.venue,
      symbol: o.symbol,
      timeframe: o.timeframe,
      windowFrom: o.windowFrom,
      windowTo: o.windowTo,
      dataSource: `candles:${o.venue}:${o.symbol}:${o.timeframe}`,
      candleCount: o.candleCount,
      dataHash: 'fixture',
      costModels: Object.entries(FIXTURE_COSTS).map(([id, v]) => ({ id, label: v.label })),
      codeVersion: 'fixture',
      status: 'done',
      progress: 1,
      verdict: main.verdict,
      verdictReason: main.reason,
      result: {
        mode: 'single',
        engineVersion: 'fixture',
        strategy: { id: o.strategyId, version: '1.0.0', params: o.params ?? { fast: 12, slow: 26 } },
        costModels: Object.entries(FIXTURE_COSTS).map(([id, v]) => ({ id, label: v.label, roundTripBps: v.roundTripBps })),
        gross,
        net,
        verdicts,
        breakEvenRoundTripBps: gross.meanReturn === null ? null : gross.meanReturn * 1e4,
        ...(o.embedTrades ? { trades: o.trades } : {}),
        ...(o.engineEquity ? { equity: engineCurves(o.trades) } : {}),
        ...(o.extraResult ?? {}),
      },
      resultHash: 'fixture',
      sweepId: o.sweepId ?? null,
      ...(o.createdAt ? { createdAt: o.createdAt } : {}),
      startedAt: new Date(o.windowTo),
      finishedAt: new Date(o.windowTo + 1000),
      durationMs: 1000,
    },
    trades: o.trades.map((t) => ({ runId: o.id, ...t })),
    equity,
  };
}

export interface SweepFixture {
  sweep: typeof sweeps.$inferInsert;
  chunks: (typeof sweepChunks.$inferInsert)[];
}

/** The real strategy a fixture sweep runs (under the fixture's strategy id): fast × slow SMA crossover. */
export const FIXTURE_SWEEP_STRATEGY = dstaSmaCrossover;

/**
 * A grid sweep over `fastPeriod` × `slowPeriod` of the real SMA crossover on `candles`, built by the real sweep code
 * (gridCombos → planSweep → runSweepChunk per chunk → the merge's `storedSweepResultOf`), so its rows hold exactly
 * what the sweep jobs write; both layouts are then read back through their schemas (a drift throws here).
 */
export function buildSweepFixture(o: {
  id: string;
  strategyId: string;
  venue: string;
  symbol: string;
  timeframe: Timeframe;
  candles: readonly Candle[];
  fast: number[];
  slow: number[];
  chunkSize: number;
  /** Chunks left pending (a sweep in progress). */
  pendingChunks?: number;
}): SweepFixture {
  const strategy = { ...FIXTURE_SWEEP_STRATEGY, id: o.strategyId } as unknown as Strategy<Params, unknown>;
  const ranges = { fastPeriod: { kind: 'choice' as const, values: o.fast }, slowPeriod: { kind: 'choice' as const, values: o.slow } };
  const set = gridCombos({ defaults: strategy.defaults, paramsSchema: strategy.paramsSchema, paramSpace: ranges } as Parameters<typeof gridCombos>[0]);
  const tf = TIMEFRAME_MS[o.timeframe];
  const from = o.candles[0]?.openTime ?? 0;
  const to = (o.candles.at(-1)?.openTime ?? 0) + tf;
  const window = { from, to };
  // As the chunk job runs it (shared/app/sweep.ts computeChunk): block statistics for the PBO, daily returns for SPA.
  const config: SweepRunConfig = { mode: 'single', backtest: window, ...(o.candles.length ? { blocks: { edges: sweepBlockEdges(from, to, tf) }, periods: window } : {}) };
  const series = toSeries(o.candles, o.timeframe, o.symbol);
  const outputs: StoredChunkResult[] = planSweep(set.combos, o.chunkSize).map((c) => ({ ...runSweepChunk(series, strategy, c, config), dataHash: 'fixture', candleCount: o.candles.length }));
  for (const out of outputs) chunkResultOrThrow(JSON.parse(JSON.stringify(out)), `fixture ${o.id} chunk ${out.index}`);
  const pending = Math.min(o.pendingChunks ?? 0, outputs.length);
  const done = outputs.length - pending;
  const chunks: SweepFixture['chunks'] = outputs.map((out, i) =>
    i < done ? { sweepId: o.id, chunkIndex: i, status: 'done', attempts: 1, result: out, cpuMs: 5, combos: out.combos.length } : { sweepId: o.id, chunkIndex: i, status: 'pending', attempts: 0, result: null, cpuMs: null, combos: out.combos.length },
  );
  const result = pending || !outputs.length ? null : storedSweepResultOf(outputs, { seed: 1, now: () => 0, chunkWallMs: outputs.map(() => 5), pboInlineBudget: Infinity });
  if (result) sweepResultOrThrow(JSON.parse(JSON.stringify(result)), o.id);
  return {
    sweep: {
      id: o.id,
      strategyId: o.strategyId,
      venue: o.venue,
      symbol: o.symbol,
      timeframe: o.timeframe,
      windowFrom: from,
      windowTo: to,
      method: 'grid',
      seed: 1,
      space: { ranges, samples: null, strategyVersion: strategy.version, invalid: set.invalid, duplicates: set.duplicates },
      combos: set.combos.length,
      chunksTotal: outputs.length,
      chunksDone: done,
      chunkSize: o.chunkSize,
      baseParams: strategy.defaults,
      mode: 'portfolio',
      codeVersion: 'fixture',
      dataHash: result ? 'fixture' : null,
      candleCount: result ? o.candles.length : null,
      status: pending ? 'running' : 'done',
      result,
      resultHash: result?.resultHash ?? null,
      finishedAt: result ? new Date(to) : null,
    },
    chunks,
  };
}

/** Replace a run fixture (delete then insert; trades and equity in batches). */
export async function insertRunFixture(db: Database, fx: RunFixture): Promise<void> {
  await db.execute(sql`DELETE FROM backtest_runs WHERE id = ${fx.run.id}`);
  await db.insert(backtestRuns).values(fx.run);
  for (let i = 0; i < fx.trades.length; i += 1000) await db.insert(backtestTrades).values(fx.trades.slice(i, i + 1000));
  for (let i = 0; i < fx.equity.length; i += 1000) await db.insert(backtestEquity).values(fx.equity.slice(i, i + 1000));
}

export async function insertSweepFixture(db: Database, fx: SweepFixture): Promise<void> {
  await db.execute(sql`DELETE FROM sweeps WHERE id = ${fx.sweep.id}`);
  await db.insert(sweeps).values(fx.sweep);
  for (let i = 0; i < fx.chunks.length; i += 200) await db.insert(sweepChunks).values(fx.chunks.slice(i, i + 200));
}
