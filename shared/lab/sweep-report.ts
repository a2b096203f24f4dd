/**
 * The downloadable sweep report: one self-contained HTML file (inline CSS, the parameter heatmap as a coloured table,
 * the best combos, the chunk state, the sweep detail inlined as a JSON data block; no executable script, no external
 * reference) built from what `GET /api/sweeps/:id` returns, so it opens offline. Pure: the time is passed in.
 */
import { esc } from './svg';

export interface SweepReportInput {
  sweep: {
    id: string;
    strategyId: string;
    venue: string;
    symbol: string;
    timeframe: string;
    windowFrom: number;
    windowTo: number;
    method: string;
    seed: number | null;
    space: unknown;
    combos: number;
    chunksTotal: number;
    chunksDone: number;
    status: string;
    resultHash?: string | null;
  };
  progress: { chunksDone: number; chunksTotal: number; ratio: number };
  chunks: { chunkIndex: number; status: string; attempts: number; error: string | null }[];
  combosFound: number;
  heatmap: { x: { param: string; values: unknown[] }; y: { param: string; values: unknown[] }; metric: string; agg: string; cells: (number | null)[][]; counts: number[][]; min: number | null; max: number | null } | null;
  best: { params: Record<string, unknown>; value: number }[];
  generatedAt: number;
}

const iso = (t: number): string => new Date(t).toISOString().slice(0, 16).replace('T', ' ');
const fmt = (v: number): string => (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : String(Math.round(v * 1e4) / 1e4));

/** Background on a blue (low) → white → green (high) scale across [min, max]. */
export function scaleColor(v: number, min: number, max: number): string {
  const t = max > min ? (v - min) / (max - min) : 0.5;
  const a = Math.abs(t - 0.5) * 2;
  const mix = (c: number): number => Math.round(255 - (255 - c) * a * 0.8);
  return t >= 0.5 ? `rgb(${mix(22)},${mix(163)},${mix(74)})` : `rgb(${mix(37)},${mix(99)},${mix(235)})`;
}

export function sweepHeatmapHtml(hm: NonNullable<SweepReportInput['heatmap']>): string {
  const min = hm.min ?? 0;
  const max = hm.max ?? 0;
  const rows = hm.y.values.map((yv, yi) => {
    const cells = hm.x.values.map((xv, xi) => {
      const v = hm.cells[yi]?.[xi] ?? null;
      const n = hm.counts[yi]?.[xi] ?? 0;
      return v === null
        ? '<td class="num heat empty"></td>'
        : `<td class="num heat" style="background:${scaleColor(v, min, max)}" title="${esc(hm.x.param)}=${esc(JSON.stringify(xv))}, ${esc(hm.y.param)}=${esc(JSON.stringify(yv))}: ${esc(fmt(v))} (${hm.agg} of ${n})" data-value="${v}">${esc(fmt(v))}</td>`;
    });
    return `<tr><th scope="row">${esc(JSON.stringify(yv))}</th>${cells.join('')}</tr>`;
  });
  return `<table id="sweep-heatmap"><thead><tr><th scope="col">${esc(hm.y.param)} ↓ / ${esc(hm.x.param)} →</th>${hm.x.values.map((x) => `<th scope="col" class="num">${esc(JSON.stringify(x))}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

const CSS = `body{font-family:system-ui,sans-serif;color:#1c2024;background:#f7f8fa;margin:0}main{max-width:1280px;margin:0 auto;padding:1.5rem}
h1{font-size:1.4rem}h2{font-size:1.05rem;margin:0 0 .6rem}section{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:1rem;margin-bottom:1rem;overflow-x:auto}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #e5e7eb;font-size:.82rem}th{background:#f3f4f6}
.num{text-align:right;font-variant-numeric:tabular-nums}.heat{color:#111}.muted{color:#6b7280}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0;font-size:.86rem}dt{color:#6b7280}dd{margin:0;word-break:break-all}
code{font-family:ui-monospace,monospace;font-size:.8rem}`;

export function renderSweepReport(d: SweepReportInput): string {
  const s = d.sweep;
  const kv: [string, string][] = [
    ['Strategy', esc(s.strategyId)],
    ['Series', `${esc(s.venue)} ${esc(s.symbol)} ${esc(s.timeframe)}`],
    ['Window', `${iso(s.windowFrom)} → ${iso(s.windowTo)} UTC`],
    ['Method', `${esc(s.method)}${s.seed !== null ? ` (seed ${s.seed})` : ''}`],
    ['Space', `<code>${esc(JSON.stringify(s.space))}</code>`],
    ['Combos', `${s.combos} (${d.combosFound} with results)`],
    ['Progress', `${d.progress.chunksDone}/${d.progress.chunksTotal} chunks (${Math.round(d.progress.ratio * 100)} %), ${esc(s.status)}`],
    ['Result hash', `<code>${esc(s.resultHash ?? '—')}</code>`],
  ];
  const bad = d.chunks.filter((c) => c.status !== 'done' || c.error);
  const hm = d.heatmap;
  const json = JSON.stringify(d).replace(/</g, '\\u003c');
  const best = d.best.length
    ? `<table id="best-table"><thead><tr><th scope="col">#</th><th scope="col">Params</th><th scope="col" class="num">${esc(hm?.metric ?? 'value')}</th></tr></thead><tbody>${d.best.map((b, i) => `<tr><td>${i + 1}</td><td><code>${esc(JSON.stringify(b.params))}</code></td><td class="num">${esc(fmt(b.value))}</td></tr>`).join('')}</tbody></table>`
    : '<p class="muted">No combos with results.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sweep ${esc(s.id)} · Nexara report</title><style>${CSS}</style></head>
<body><main><h1>Sweep <code>${esc(s.id)}</code>: ${esc(s.strategyId)} on ${esc(s.venue)} ${esc(s.symbol)} ${esc(s.timeframe)}</h1>
<section><h2>Sweep</h2><dl>${kv.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl></section>
<section><h2>Heatmap${hm ? `: ${esc(hm.metric)} (${esc(hm.agg)}) over ${esc(hm.x.param)} × ${esc(hm.y.param)}` : ''}</h2>${hm ? sweepHeatmapHtml(hm) : '<p class="muted">No heatmap: fewer than two parameters or no results.</p>'}</section>
<section><h2>Best combos</h2>${best}</section>
<section><h2>Chunks</h2>${bad.length ? `<table id="chunks-table"><thead><tr><th scope="col">Chunk</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Error</th></tr></thead><tbody>${bad.map((c) => `<tr><td>${c.chunkIndex}</td><td>${esc(c.status)}</td><td>${c.attempts}</td><td>${esc(c.error ?? '')}</td></tr>`).join('')}</tbody></table>` : `<p class="muted">${d.chunks.length} chunks, all done.</p>`}</section>
<p class="muted">Generated ${iso(d.generatedAt)} UTC from the Nexara Strategy Lab. Data inlined below (JSON, element #report-data).</p>
<script type="application/json" id="report-data">${json}</script>
</main></body></html>
`;
}
