/**
 * The downloadable run report: one self-contained HTML file (inline CSS and SVG, the data inlined as a JSON data block,
 * no executable script, no external reference) with every run-page panel — provenance, per-venue verdicts, gross vs net metrics, equity and
 * drawdown, returns heatmap, underwater with the top drawdowns, P&L and duration distributions, tag tables, exposure,
 * rolling Sharpe and every trade — so it opens offline. Plus the equity curve as CSV and JSON (REQ-BT-008).
 * Pure: the generation time is passed in.
 */
import { runPanels, tradeReturn, exitKind, type PanelTrade, type RunPanels, type TagRow } from './run-panels';
import { esc, histogramSvg, lineSvg, returnsHeatmapHtml } from './svg';

export interface ReportRun {
  id: string;
  kind: string;
  strategyId: string;
  strategyVersion: string;
  venue: string;
  symbol: string;
  timeframe: string;
  mode?: string;
  windowFrom: number;
  windowTo: number;
  params: unknown;
  dataSource: string;
  candleCount: number;
  dataHash: string | null;
  codeVersion: string;
  resultHash: string | null;
  status: string;
  verdict: string | null;
  verdictReason: string | null;
}
export interface ReportEquityPoint {
  time: number;
  equityGross: number;
  equityNet: number;
  drawdown: number;
}
export interface ReportInput {
  run: ReportRun;
  venues: { key: string; verdict: string | null; reason: string | null; metrics: Record<string, unknown> | null }[];
  metrics: { gross: unknown; net: Record<string, unknown> | null };
  equity: ReportEquityPoint[];
  /** Which net series the equity table holds (for the label). */
  equityNetLabel?: string | null;
  trades: PanelTrade[];
  /** Cost model for the trade panels. */
  model: string;
  /** ms since the epoch; printed in the footer. */
  generatedAt: number;
}

const iso = (t: number): string => new Date(t).toISOString().slice(0, 16).replace('T', ' ');
const pct = (x: unknown, d = 2): string => (typeof x === 'number' && Number.isFinite(x) ? `${(x * 100).toFixed(d)} %` : '—');
const n3 = (x: unknown): string => (typeof x === 'number' && Number.isFinite(x) ? (Math.abs(x) >= 1e6 ? x.toExponential(2) : String(Math.round(x * 1000) / 1000)) : '—');
const PCT = /return|drawdown|winrate|exposure|cagr|expectancy|avgwin|avgloss|coverage/i;
const metric = (k: string, v: unknown): string => (k === 'trades' ? (typeof v === 'number' ? String(v) : '—') : PCT.test(k) ? pct(v) : n3(v));
const dur = (ms: number): string => (ms < 2 * 3_600_000 ? `${Math.round(ms / 60_000)} min` : ms < 2 * 86_400_000 ? `${(ms / 3_600_000).toFixed(1)} h` : `${(ms / 86_400_000).toFixed(1)} d`);

function table(id: string, head: string[], rows: string[][]): string {
  return `<table id="${esc(id)}"><thead><tr>${head.map((x) => `<th scope="col">${esc(x)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function tagRows(rows: TagRow[]): string[][] {
  return rows.map((r) => [esc(r.tag), String(r.trades), `${r.wins} / ${r.draws} / ${r.losses}`, pct(r.winRate, 1), `${r.meanNetBps.toFixed(1)} bps`, pct(r.sumNetReturn), pct(r.compoundedNetReturn), dur(r.meanDurationMs)]);
}
const TAG_HEAD = ['Tag', 'Trades', 'Win / draw / loss', 'Win rate', 'Mean net', 'Total net (Σ)', 'Compounded', 'Mean duration'];

/** Equity curve as CSV: time (ISO), time_ms, equity_gross, equity_net, drawdown. */
export function equityCsv(points: readonly ReportEquityPoint[]): string {
  return ['time,time_ms,equity_gross,equity_net,drawdown', ...points.map((p) => `${new Date(p.time).toISOString()},${p.time},${p.equityGross},${p.equityNet},${p.drawdown}`)].join('\n') + '\n';
}
export function equityJson(runId: string, points: readonly ReportEquityPoint[]): string {
  return JSON.stringify({ runId, columns: ['time', 'equityGross', 'equityNet', 'drawdown'], points: points.map((p) => [p.time, p.equityGross, p.equityNet, p.drawdown]) });
}

const insuff = (r: { ok: false; message: string }): string => `<p class="muted">${esc(r.message)}</p>`;

export function renderPanelsHtml(p: RunPanels): Record<string, string> {
  const out: Record<string, string> = {};
  out.heatmap = returnsHeatmapHtml(p.periods.monthly, p.periods.yearly);
  out.underwater = lineSvg({ title: 'underwater (trade-closed)', area: true, series: [{ label: `underwater, net ${p.model}`, color: '#dc2626', points: p.underwater.map((u) => ({ x: u.time, y: u.underwater * 100 })) }], yFmt: (y) => `${y.toFixed(1)}%` });
  out.drawdowns = p.drawdowns.length
    ? table(
        'drawdowns-table',
        ['#', 'Depth', 'Peak', 'Valley', 'Recovery', 'Length', 'Valley → recovery'],
        p.drawdowns.map((d, i) => [String(i + 1), pct(d.depth), iso(d.peakTime), iso(d.valleyTime), d.recoveryTime === null ? 'not recovered' : iso(d.recoveryTime), dur(d.lengthMs), d.recoveryMs === null ? '—' : dur(d.recoveryMs)]),
      )
    : '<p class="muted">No drawdown: equity never fell below a previous high.</p>';
  out.pnl = p.returns.ok
    ? histogramSvg({ edges: p.returns.value.edgesBps, xLabel: 'return per trade (bps)', fmt: (x) => x.toFixed(0), series: [{ label: 'gross', color: '#6b7280', counts: p.returns.value.gross }, { label: `net ${p.model}`, color: '#2563eb', counts: p.returns.value.net }] })
    : insuff(p.returns);
  out.durations = p.durations.ok
    ? histogramSvg({ edges: p.durations.value.edgesHours, xLabel: `trade duration (hours; median ${p.durations.value.medianHours.toFixed(1)} h)`, fmt: (x) => x.toFixed(x < 10 ? 1 : 0), series: [{ label: 'trades', color: '#7c3aed', counts: p.durations.value.counts }] })
    : insuff(p.durations);
  out.entryTags = table('entry-tags-table', TAG_HEAD, tagRows(p.entryTags));
  out.exitKinds = table('exit-kinds-table', TAG_HEAD, tagRows(p.exitKinds));
  out.exposure = lineSvg({ title: 'exposure', area: true, series: [{ label: `time in market per ${dur(p.exposure.bucketMs)} (overall ${pct(p.exposure.overall, 1)})`, color: '#0891b2', points: p.exposure.points.map((e) => ({ x: e.time, y: e.exposure * 100 })) }], yFmt: (y) => `${y.toFixed(0)}%` });
  out.sharpe = p.rollingSharpe.ok
    ? lineSvg({ title: 'rolling Sharpe', series: [{ label: `${p.rollingWindowDays}-day rolling Sharpe (annualised, net ${p.model})`, color: '#059669', points: p.rollingSharpe.value.map((s) => ({ x: s.time, y: s.sharpe })) }] })
    : insuff(p.rollingSharpe);
  return out;
}

const CSS = `body{font-family:system-ui,sans-serif;color:#1c2024;background:#f7f8fa;margin:0}main{max-width:1280px;margin:0 auto;padding:1.5rem}
h1{font-size:1.4rem}h2{font-size:1.05rem;margin:0 0 .6rem}section{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:1rem;margin-bottom:1rem;overflow-x:auto}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #e5e7eb;font-size:.82rem}th{background:#f3f4f6}
.num{text-align:right;font-variant-numeric:tabular-nums}.heat{color:#111;min-width:3.2rem}.year{font-weight:600}.muted{color:#6b7280}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:1rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0;font-size:.86rem}dt{color:#6b7280}dd{margin:0;word-break:break-all}
code{font-family:ui-monospace,monospace;font-size:.8rem}`;

/** The whole report as one HTML document. */
export function renderRunReport(input: ReportInput): string {
  const r = input.run;
  const panels = runPanels(input.trades, input.model, { from: r.windowFrom, to: r.windowTo });
  const ph = renderPanelsHtml(panels);
  const gross = (input.metrics.gross && typeof input.metrics.gross === 'object' ? input.metrics.gross : {}) as Record<string, unknown>;
  const net = input.metrics.net ?? {};
  const netKeys = Object.keys(net);
  const names = [...new Set([...Object.keys(gross), ...netKeys.flatMap((k) => Object.keys((net[k] ?? {}) as object))])].filter(
    (m) => typeof gross[m] === 'number' || netKeys.some((k) => typeof (net[k] as Record<string, unknown> | undefined)?.[m] === 'number'),
  );
  const kv: [string, string][] = [
    ['Strategy', `${esc(r.strategyId)} v${esc(r.strategyVersion)}`],
    ['Kind / mode', `${esc(r.kind)} / ${esc(r.mode ?? '—')}`],
    ['Series', `${esc(r.venue)} ${esc(r.symbol)} ${esc(r.timeframe)}`],
    ['Window', `${iso(r.windowFrom)} → ${iso(r.windowTo)} UTC`],
    ['Params', `<code>${esc(JSON.stringify(r.params))}</code>`],
    ['Data', `${esc(r.dataSource)} (${r.candleCount} candles), hash <code>${esc(r.dataHash ?? '—')}</code>`],
    ['Code version', esc(r.codeVersion)],
    ['Result hash', `<code>${esc(r.resultHash ?? '—')}</code>`],
    ['Verdict', `${esc(r.verdict ?? '—')} ${esc(r.verdictReason ?? '')}`],
    ['Trade panels', `net of ${esc(input.model)}; trade-closed equity (each trade's net return compounded at its exit)`],
  ];
  const netLabel = input.equityNetLabel ?? `net (${r.venue})`;
  const eq = input.equity;
  const trades = [...input.trades].sort((a, b) => a.seq - b.seq);
  const data = { run: r, model: input.model, venues: input.venues, metrics: input.metrics, equity: JSON.parse(equityJson(r.id, eq)) as unknown, trades };
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const sections = [
    `<section><h2>Provenance</h2><dl>${kv.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl></section>`,
    `<section><h2>Per-venue verdicts</h2>${table(
      'venue-table',
      ['Cost model', 'Verdict', 'Trades', 'Total net', 'Why'],
      input.venues.map((v) => [esc(v.key), esc(v.verdict ?? '—'), metric('trades', v.metrics?.trades), metric('totalReturn', v.metrics?.totalReturn), esc(v.reason ?? '')]),
    )}</section>`,
    `<section><h2>Gross vs net metrics</h2>${table('metrics-table', ['Metric', 'Gross', ...netKeys.map((k) => `Net ${k}`)], names.map((m) => [esc(m), metric(m, gross[m]), ...netKeys.map((k) => metric(m, (net[k] as Record<string, unknown> | undefined)?.[m]))]))}</section>`,
    `<div class="grid"><section><h2>Equity (recorded, ${eq.length} points)</h2>${lineSvg({ title: 'equity', series: [{ label: 'gross', color: '#9ca3af', points: eq.map((p) => ({ x: p.time, y: p.equityGross })) }, { label: netLabel, color: '#2563eb', points: eq.map((p) => ({ x: p.time, y: p.equityNet })) }], yFmt: (y) => y.toFixed(0) })}</section>`,
    `<section><h2>Drawdown (recorded)</h2>${lineSvg({ title: 'drawdown', area: true, series: [{ label: 'drawdown %', color: '#dc2626', points: eq.map((p) => ({ x: p.time, y: -Math.abs(p.drawdown) * 100 })) }], yFmt: (y) => `${y.toFixed(1)}%` })}</section></div>`,
    `<section><h2>Monthly and yearly returns (net ${esc(input.model)})</h2>${ph.heatmap}</section>`,
    `<section><h2>Underwater and top 5 drawdowns</h2><div class="grid"><div>${ph.underwater}</div><div>${ph.drawdowns}</div></div></section>`,
    `<div class="grid"><section><h2>Trade P&amp;L distribution</h2>${ph.pnl}</section><section><h2>Trade duration distribution</h2>${ph.durations}</section></div>`,
    `<section><h2>By entry reason</h2>${ph.entryTags}</section>`,
    `<section><h2>By exit kind</h2>${ph.exitKinds}</section>`,
    `<div class="grid"><section><h2>Exposure over time</h2>${ph.exposure}</section><section><h2>Rolling Sharpe</h2>${ph.sharpe}</section></div>`,
    `<section><h2>Trades (${trades.length})</h2>${table(
      'trades-table',
      ['#', 'Side', 'Entry', 'Exit', 'Duration', 'Gross', `Net ${input.model}`, 'Entry reason', 'Exit kind', 'Exit reason'],
      trades.map((t) => [String(t.seq), esc(t.side), iso(t.entryTime), iso(t.exitTime), dur(t.exitTime - t.entryTime), pct(t.grossReturn), pct(tradeReturn(t, input.model)), esc(t.entryReason), esc(exitKind(t)), esc(t.exitReason)]),
    )}</section>`,
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Run ${esc(r.id)} · Nexara report</title><style>${CSS}</style></head>
<body><main><h1>Run <code>${esc(r.id)}</code>: ${esc(r.strategyId)} on ${esc(r.venue)} ${esc(r.symbol)} ${esc(r.timeframe)}</h1>
${sections.join('\n')}
<p class="muted">Generated ${iso(input.generatedAt)} UTC from the Nexara Strategy Lab. Data inlined below (JSON, element #report-data).</p>
<script type="application/json" id="report-data">${json}</script>
</main></body></html>
`;
}
