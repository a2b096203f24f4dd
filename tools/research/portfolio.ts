/**
 * The CLI's portfolio backtest (`backtest --symbols BTC/USDT,ETH/USDT --max-positions 3 …`): its flags parsed
 * here, the run created and computed as a stored run like any other (workers/jobs/backtest-portfolio.ts: same
 * date window of each symbol's stored series with the strategy's warm-up, shared/portfolio's `runPortfolio`,
 * provenance, verdicts), then the portfolio printed per cost view with the per-symbol contribution table.
 */
import type { PortfolioResult, PortfolioSizing } from '../../shared/portfolio';
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
