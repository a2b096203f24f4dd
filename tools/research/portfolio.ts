/**
 * The CLI's portfolio backtest (`backtest --symbols BTC/USDT,ETH/USDT --max-positions 3 …`): load the same date
 * window of each symbol's stored series (with the strategy's warm-up before `from`), run shared/portfolio's
 * `runPortfolio` on them (single-strategy mode, or ranking mode for a ranking strategy), and print the portfolio
 * per cost view and the per-symbol contribution table. Not persisted: a portfolio run has no row type yet.
 */
import { z } from 'zod';
import { toSeries, type CandleSeries } from '../../shared/candles/candle';
import type { Timeframe } from '../../shared/candles/timeframe';
import type { Database } from '../../shared/db/database';
import { runPortfolio, type PortfolioResult, type PortfolioSizing } from '../../shared/portfolio';
import { getStrategy } from '../../shared/strategies/registry';
import type { Params, RankingStrategy, Strategy } from '../../shared/strategies/types';
import { loadWindow, type LoadedWindow } from '../../shared/app/window';
import { table } from './term';

export class PortfolioCliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PortfolioCliError';
  }
}

/** `BTC/USDT,ETH/USDT` → the symbols, trimmed, at least one, no duplicates. */
export function parseSymbols(v: string): string[] {
  const list = v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (list.length === 0) throw new PortfolioCliError('--symbols: give at least one symbol, e.g. BTC/USDT,ETH/USDT');
  const bad = list.filter((s) => !/^[A-Z0-9]+\/[A-Z0-9]+$/.test(s));
  if (bad.length > 0) throw new PortfolioCliError(`--symbols: not BASE/QUOTE: ${bad.join(', ')}`);
  if (new Set(list).size !== list.length) throw new PortfolioCliError(`--symbols: duplicate symbols in ${v}`);
  return list;
}

/** `equal` (default) or `fraction:0.25`. */
export function parseSizing(v: string | undefined): PortfolioSizing {
  if (v === undefined || v === 'equal' || v === 'equal-weight') return { kind: 'equal-weight' };
  const m = /^fraction:(\d*\.?\d+)$/.exec(v);
  const f = m ? Number(m[1]) : NaN;
  if (!(f > 0 && f <= 1)) throw new PortfolioCliError(`--sizing: "equal" or "fraction:F" with 0 < F <= 1, got ${v}`);
  return { kind: 'fixed-fraction', fraction: f };
}

export const PortfolioRequest = z.object({
  strategy: z.string().min(1),
  venue: z.string().min(1).default('binance'),
  symbols: z.array(z.string()).min(1),
  timeframe: z.string() as z.ZodType<Timeframe>,
  from: z.number(),
  to: z.number(),
  maxPositions: z.number().int().min(1).default(3),
  sizing: z.custom<PortfolioSizing>().optional(),
  params: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])).optional(),
  /** The 4h platform's entry filters (override the strategy's declared risk rules when given). */
  maxAtrPct: z.number().positive().optional(),
  minVolume: z.number().positive().optional(),
});
export type PortfolioRequest = z.input<typeof PortfolioRequest>;

export interface PortfolioRun {
  result: PortfolioResult;
  windows: LoadedWindow[];
}

/** Load each symbol's window and run the portfolio. Throws naming the symbol when a window has no candles. */
export async function runPortfolioWindow(db: Database, input: PortfolioRequest): Promise<PortfolioRun> {
  const req = PortfolioRequest.parse(input);
  const strategy = getStrategy(req.strategy);
  if (!strategy) throw new PortfolioCliError(`unknown strategy ${req.strategy}`);
  if (!(req.to > req.from)) throw new PortfolioCliError('--to must be after --from');
  const params = strategy.paramsSchema.parse({ ...strategy.defaults, ...(req.params ?? {}) }) as Params;
  const atrPeriod = 14;
  const warm = Math.max(strategy.startupCandles(params as never), atrPeriod + 1);
  const windows: LoadedWindow[] = [];
  const universe: CandleSeries[] = [];
  for (const symbol of req.symbols) {
    const w = await loadWindow(db, { venue: req.venue, symbol, timeframe: req.timeframe }, req.from, req.to, warm);
    if (w.windowCount === 0) throw new PortfolioCliError(`${req.venue}:${symbol}:${req.timeframe} has no candles in the window (import it first)`);
    windows.push(w);
    universe.push(toSeries(w.candles, req.timeframe, symbol));
  }
  const filters = req.maxAtrPct !== undefined || req.minVolume !== undefined;
  const declared = strategy.risk ? strategy.risk(params as never) : {};
  const config = {
    from: req.from,
    to: req.to,
    maxPositions: req.maxPositions,
    atrPeriod,
    ...(req.sizing ? { sizing: req.sizing } : {}),
    ...(filters ? { risk: { ...declared, ...(req.maxAtrPct !== undefined ? { maxAtrPct: req.maxAtrPct } : {}), ...(req.minVolume !== undefined ? { minVolume: req.minVolume } : {}) } } : {}),
  };
  const result =
    strategy.kind === 'ranking'
      ? runPortfolio(universe, { kind: 'ranking', strategy: strategy as RankingStrategy<Params> }, params, config)
      : runPortfolio(universe, { kind: 'single', strategy: strategy as Strategy<Params> }, params, config);
  return { result, windows };
}

const pct = (x: number | null): string => (x === null ? '—' : `${(x * 100).toFixed(2)}%`);
const money = (x: number): string => (x >= 0 ? '+' : '') + x.toFixed(2);

/** The portfolio per cost view (gross, then `views`), and the per-symbol table (trades, exposure, PnL). */
export function formatPortfolio(r: PortfolioResult, views: readonly string[]): string {
  const rows: string[][] = [['view', 'trades', 'total return', 'max DD', 'Sharpe', 'exposure', 'turnover']];
  const line = (name: string, m: PortfolioResult['gross']): string[] => [name, String(m.trades), pct(m.totalReturn), pct(m.maxDrawdownEquity), m.sharpe === null ? '—' : m.sharpe.toFixed(2), pct(m.exposure), m.turnover.toFixed(1)];
  rows.push(line('gross', r.gross));
  for (const v of views) if (r.net[v]) rows.push(line(v, r.net[v]));
  const head = ['symbol', 'trades', 'exposure', 'gross PnL', ...views.map((v) => `${v} PnL`), 'skipped (max positions)'];
  const sym = [head, ...r.contributions.map((c) => [c.symbol, String(c.trades), pct(c.exposure), money(c.grossPnl), ...views.map((v) => money(c.netPnl[v] ?? NaN)), String(c.skipped.maxPositions)])];
  const sk = r.skipped;
  const skips = `entries skipped: max positions ${sk.maxPositions}, ATR cap ${sk.atrCap}, min volume ${sk.minVolume ?? 0}, cooldown ${sk.cooldown}, circuit breaker ${sk.circuitBreaker}\n`;
  const u = r.universe;
  return (
    `portfolio ${r.strategy.id} (${r.selection}) on ${u.symbols.join(', ')} ${u.timeframe}, ${new Date(u.from).toISOString().slice(0, 10)} → ${new Date(u.to).toISOString().slice(0, 10)}, ` +
    `${u.steps} steps, max ${r.config.maxPositions} positions, ${r.config.sizing.kind === 'equal-weight' ? 'equal weight' : `fraction ${r.config.sizing.fraction}`}, ` +
    `initial ${r.config.initialEquity}; result ${r.resultHash.slice(0, 16)}…\n\n` +
    table(rows) +
    '\nper-symbol contribution (PnL in quote currency):\n' +
    table(sym) +
    skips
  );
}
