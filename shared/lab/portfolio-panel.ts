/**
 * The portfolio section of a run page (REQ-BT-005 runs, mode `shared-capital`): the stored result read back with
 * zod (never guessed at), and markup built only from numbers and escaped text — the universe and its sizing, each
 * series' provenance (candles, warm-up, data hash, source), the per-symbol contribution table (trades, exposure,
 * gross and per-cost-model PnL in quote currency, entries refused for lack of a slot) and a bar chart of each
 * symbol's gross and net PnL for one cost model.
 */
import { z } from 'zod';
import { esc } from './svg';

const skipsSchema = z.record(z.string(), z.number());

/** The part of a stored portfolio result this section reads. */
export const portfolioViewSchema = z.object({
  mode: z.literal('portfolio'),
  selection: z.enum(['single-strategy', 'ranking']),
  universe: z.object({ symbols: z.array(z.string()), timeframe: z.string(), from: z.number(), to: z.number(), steps: z.number() }),
  config: z.object({
    initialEquity: z.number(),
    maxPositions: z.number(),
    sizing: z.union([z.object({ kind: z.literal('equal-weight') }), z.object({ kind: z.literal('fixed-fraction'), fraction: z.number() })]),
  }),
  contributions: z.array(
    z.object({ symbol: z.string(), trades: z.number(), exposure: z.number(), grossPnl: z.number(), netPnl: z.record(z.string(), z.number()), skipped: skipsSchema }),
  ),
  skipped: skipsSchema,
  tradeSymbols: z.array(z.string()).optional(),
  provenance: z
    .object({
      series: z.array(z.object({ symbol: z.string(), dataSource: z.string(), candleCount: z.number(), warmupCandles: z.number(), dataHash: z.string() })),
    })
    .optional(),
});
export type PortfolioView = z.infer<typeof portfolioViewSchema>;

/** The portfolio view of a run's result, or null when the run is not a portfolio (or its result lacks the fields). */
export function portfolioViewOf(result: unknown): PortfolioView | null {
  const r = portfolioViewSchema.safeParse(result);
  return r.success ? r.data : null;
}

const money = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? '—' : `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(2)}`);
const pc = (x: number): string => `${(x * 100).toFixed(1)} %`;
const NUMERIC = /^[-−+\d.,\s%—]+$/;

function table(id: string, head: string[], rows: string[][]): string {
  return `<table id="${esc(id)}"><thead><tr>${head.map((x) => `<th scope="col">${esc(x)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c, i) => `<td${i && NUMERIC.test(c) ? ' class="num"' : ''}>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** One line: symbols, selection, max positions, sizing, initial equity. */
export function portfolioSummaryText(v: PortfolioView): string {
  const sizing = v.config.sizing.kind === 'equal-weight' ? `equal weight (equity / ${v.config.maxPositions} per entry)` : `fixed fraction ${v.config.sizing.fraction} of equity per entry`;
  const sel = v.selection === 'ranking' ? 'a ranking strategy picks the symbols' : 'the same strategy on every symbol';
  return `${v.universe.symbols.join(', ')} ${v.universe.timeframe} · ${sel} · max ${v.config.maxPositions} positions · ${sizing} · initial ${v.config.initialEquity} · ${v.universe.steps} steps`;
}

/** Each series' provenance: candles in the window, warm-up, data hash and source. */
export function portfolioSeriesHtml(v: PortfolioView): string {
  const s = v.provenance?.series;
  if (!s?.length) return '<p class="muted">No per-series provenance recorded.</p>';
  return table(
    'portfolio-series-table',
    ['Symbol', 'Candles', 'Warm-up', 'Data hash', 'Source'],
    s.map((x) => [esc(x.symbol), String(x.candleCount), String(x.warmupCandles), `<code>${esc(x.dataHash.slice(0, 16))}…</code>`, esc(x.dataSource)]),
  );
}

/** Per-symbol contribution: trades, exposure, gross PnL, PnL under each of `models`, entries refused (max positions). */
export function contributionTableHtml(v: PortfolioView, models: readonly string[]): string {
  const rows = v.contributions.map((c) => [esc(c.symbol), String(c.trades), pc(c.exposure), money(c.grossPnl), ...models.map((m) => money(c.netPnl[m])), String(c.skipped.maxPositions ?? 0)]);
  const sum = (f: (c: PortfolioView['contributions'][number]) => number | undefined): number => v.contributions.reduce((s, c) => s + (f(c) ?? 0), 0);
  rows.push(['<strong>portfolio</strong>', String(sum((c) => c.trades)), '—', money(sum((c) => c.grossPnl)), ...models.map((m) => money(sum((c) => c.netPnl[m]))), String(v.skipped.maxPositions ?? 0)]);
  return table('contribution-table', ['Symbol', 'Trades', 'Exposure', 'Gross PnL', ...models.map((m) => `Net PnL ${m}`), 'Refused (max positions)'], rows);
}

/** Horizontal bars per symbol: gross PnL (grey) and net PnL under `model` (blue / red), on one zero-centred scale. */
export function contributionBarsSvg(v: PortfolioView, model: string, opts: { width?: number } = {}): string {
  const W = opts.width ?? 640;
  const rowH = 34;
  const L = 110;
  const R = 90;
  const T = 22;
  const H = T + rowH * v.contributions.length + 8;
  const vals = v.contributions.flatMap((c) => [c.grossPnl, c.netPnl[model] ?? 0]);
  const max = Math.max(1e-9, ...vals.map((x) => Math.abs(x)));
  const x0 = L + (W - L - R) / 2;
  const scale = (W - L - R) / 2 / max;
  const parts: string[] = [
    `<text x="${L}" y="12" font-size="11" fill="#6b7280">gross</text>`,
    `<text x="${L + 50}" y="12" font-size="11" fill="#2563eb">net ${esc(model)}</text>`,
    `<line x1="${x0}" y1="${T - 4}" x2="${x0}" y2="${H - 4}" stroke="#9ca3af"/>`,
  ];
  v.contributions.forEach((c, k) => {
    const y = T + k * rowH;
    const bar = (value: number, dy: number, color: string): string => {
      const w = Math.abs(value) * scale;
      const x = value >= 0 ? x0 : x0 - w;
      return `<rect x="${x.toFixed(1)}" y="${y + dy}" width="${Math.max(0.5, w).toFixed(1)}" height="12" fill="${color}" data-symbol="${esc(c.symbol)}"/>`;
    };
    const net = c.netPnl[model] ?? 0;
    parts.push(
      `<text x="${L - 8}" y="${y + 18}" font-size="12" text-anchor="end" fill="#374151">${esc(c.symbol)}</text>`,
      bar(c.grossPnl, 2, '#9ca3af'),
      bar(net, 16, net >= 0 ? '#2563eb' : '#dc2626'),
      `<text x="${W - R + 6}" y="${y + 26}" font-size="11" fill="#374151">${esc(money(net))}</text>`,
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" id="contribution-chart" viewBox="0 0 ${W} ${H}" width="100%" style="max-width:${W}px" role="img" aria-label="PnL per symbol, gross and net of ${esc(model)}">${parts.join('')}</svg>`;
}
