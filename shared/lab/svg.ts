/**
 * Small hand-written SVG/HTML renderers for the panels no chart library type fits (histograms over a numeric axis,
 * the calendar returns heatmap) and for the offline run report, which must draw every panel with no script at all.
 * Output is a string of markup built only from numbers and escaped text, so it is safe to inline.
 */
import type { MonthReturn, YearReturn } from './run-panels';

export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const f1 = (x: number): string => (Math.round(x * 10) / 10).toString();

export interface BarSeries {
  label: string;
  color: string;
  counts: number[];
}

/** Overlaid histogram bars (one translucent layer per series) on shared bin edges, with edge and count labels. */
export function histogramSvg(o: { edges: number[]; series: BarSeries[]; xLabel: string; id?: string; width?: number; height?: number; fmt?: (x: number) => string }): string {
  const W = o.width ?? 640;
  const H = o.height ?? 220;
  const L = 40;
  const B = 38;
  const T = 18;
  const R = 20;
  const fmt = o.fmt ?? ((x: number) => f1(x));
  const n = o.edges.length - 1;
  const max = Math.max(1, ...o.series.flatMap((s) => s.counts));
  const bw = (W - L - R) / Math.max(1, n);
  const y = (c: number): number => T + (H - T - B) * (1 - c / max);
  const parts: string[] = [];
  parts.push(`<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#9ca3af"/>`);
  parts.push(`<text x="${L - 4}" y="${T + 4}" font-size="10" text-anchor="end" fill="#6b7280">${max}</text><text x="${L - 4}" y="${H - B}" font-size="10" text-anchor="end" fill="#6b7280">0</text>`);
  o.series.forEach((s, k) => {
    s.counts.forEach((c, i) => {
      if (!c) return;
      const x = L + i * bw;
      parts.push(
        `<rect x="${f1(x + 1)}" y="${f1(y(c))}" width="${f1(Math.max(1, bw - 2))}" height="${f1(H - B - y(c))}" fill="${esc(s.color)}" fill-opacity="${o.series.length > 1 ? 0.55 : 0.85}" data-series="${k}"><title>${esc(s.label)}: ${c} in [${esc(fmt(o.edges[i]!))}, ${esc(fmt(o.edges[i + 1]!))}${i === n - 1 ? ']' : ')'}</title></rect>`,
      );
    });
    parts.push(`<rect x="${L + k * 150}" y="2" width="10" height="10" fill="${esc(s.color)}" fill-opacity="0.7"/><text x="${L + 14 + k * 150}" y="11" font-size="11" fill="#374151">${esc(s.label)}</text>`);
  });
  const ticks = Math.min(n, 6);
  for (let t = 0; t <= ticks; t++) {
    const i = Math.round((t * n) / ticks);
    parts.push(`<text x="${f1(L + i * bw)}" y="${H - B + 13}" font-size="10" text-anchor="middle" fill="#6b7280">${esc(fmt(o.edges[i]!))}</text>`);
  }
  parts.push(`<text x="${f1((L + W) / 2)}" y="${H - 6}" font-size="11" text-anchor="middle" fill="#374151">${esc(o.xLabel)}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${esc(o.xLabel)} histogram"${o.id ? ` id="${esc(o.id)}"` : ''}>${parts.join('')}</svg>`;
}

export interface LineSeries {
  label: string;
  color: string;
  points: { x: number; y: number | null }[];
}

const day = (t: number): string => new Date(t).toISOString().slice(0, 10);

/** A time-series line (or filled area down to 0) chart with min/max y labels and the first/last dates. */
export function lineSvg(o: { series: LineSeries[]; title: string; area?: boolean; yFmt?: (y: number) => string; width?: number; height?: number }): string {
  const W = o.width ?? 640;
  const H = o.height ?? 200;
  const L = 56;
  const B = 22;
  const T = 18;
  const yFmt = o.yFmt ?? ((y: number) => y.toFixed(2));
  const pts = o.series.flatMap((s) => s.points).filter((p): p is { x: number; y: number } => p.y !== null && Number.isFinite(p.y) && Number.isFinite(p.x));
  if (!pts.length) return `<p class="muted">No data for ${esc(o.title)}.</p>`;
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = o.area ? 0 : Infinity;
  let y1 = o.area ? 0 : -Infinity;
  for (const p of pts) {
    x0 = Math.min(x0, p.x);
    x1 = Math.max(x1, p.x);
    y0 = Math.min(y0, p.y);
    y1 = Math.max(y1, p.y);
  }
  const sx = (x: number): number => L + ((x - x0) / (x1 - x0 || 1)) * (W - L - 8);
  const sy = (y: number): number => T + (1 - (y - y0) / (y1 - y0 || 1)) * (H - T - B);
  const parts: string[] = [`<line x1="${L}" y1="${H - B}" x2="${W - 8}" y2="${H - B}" stroke="#e5e7eb"/>`];
  if (y0 < 0 && y1 > 0) parts.push(`<line x1="${L}" y1="${f1(sy(0))}" x2="${W - 8}" y2="${f1(sy(0))}" stroke="#9ca3af" stroke-dasharray="3 3"/>`);
  o.series.forEach((s, k) => {
    // Break the line at nulls.
    let d = '';
    let pen = false;
    for (const p of s.points) {
      if (p.y === null || !Number.isFinite(p.y)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${f1(sx(p.x))},${f1(sy(p.y))}`;
      pen = true;
    }
    if (o.area) {
      const valid = s.points.filter((p) => p.y !== null);
      if (valid.length) d += `L${f1(sx(valid[valid.length - 1]!.x))},${f1(sy(0))}L${f1(sx(valid[0]!.x))},${f1(sy(0))}Z`;
      parts.push(`<path d="${d}" fill="${esc(s.color)}" fill-opacity="0.3" stroke="${esc(s.color)}" stroke-width="1"/>`);
    } else parts.push(`<path d="${d}" fill="none" stroke="${esc(s.color)}" stroke-width="1.5"/>`);
    parts.push(`<text x="${L + k * 170}" y="11" font-size="11" fill="${esc(s.color)}">${esc(s.label)}</text>`);
  });
  parts.push(
    `<text x="${L - 4}" y="${T + 4}" font-size="10" text-anchor="end" fill="#6b7280">${esc(yFmt(y1))}</text>`,
    `<text x="${L - 4}" y="${H - B}" font-size="10" text-anchor="end" fill="#6b7280">${esc(yFmt(y0))}</text>`,
    `<text x="${L}" y="${H - 6}" font-size="10" fill="#6b7280">${day(x0)}</text>`,
    `<text x="${W - 8}" y="${H - 6}" font-size="10" text-anchor="end" fill="#6b7280">${day(x1)}</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${esc(o.title)}">${parts.join('')}</svg>`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Background for a return: green for gains, red for losses, saturating at ±`scale`. */
export function returnColor(r: number, scale = 0.2): string {
  const a = Math.min(1, Math.abs(r) / scale);
  const mix = (c: number): number => Math.round(255 - (255 - c) * a * 0.85);
  return r >= 0 ? `rgb(${mix(22)},${mix(163)},${mix(74)})` : `rgb(${mix(220)},${mix(38)},${mix(38)})`;
}

/** Calendar heatmap as a table: one row per year, a cell per month (blank: no exits that month), and the year. */
export function returnsHeatmapHtml(monthly: readonly MonthReturn[], yearly: readonly YearReturn[], id = 'returns-heatmap'): string {
  if (!yearly.length) return '<p class="muted">No closed trades: no period returns.</p>';
  const pct = (r: number): string => `${(r * 100).toFixed(1)}%`;
  const cell = (r: number | undefined, n: number | undefined, label: string): string =>
    r === undefined
      ? '<td class="num heat empty"></td>'
      : `<td class="num heat" style="background:${returnColor(r)}" title="${esc(label)}: ${pct(r)} over ${n} trades" data-ret="${r}">${pct(r)}</td>`;
  const rows = yearly.map((y) => {
    const ms = MONTHS.map((m, i) => {
      const x = monthly.find((q) => q.year === y.year && q.month === i + 1);
      return cell(x?.ret, x?.trades, `${m} ${y.year}`);
    });
    return `<tr><th scope="row">${y.year}</th>${ms.join('')}${cell(y.ret, y.trades, String(y.year)).replace('class="num heat"', 'class="num heat year"')}</tr>`;
  });
  return `<table id="${esc(id)}" class="heatmap"><thead><tr><th scope="col">Year</th>${MONTHS.map((m) => `<th scope="col" class="num">${m}</th>`).join('')}<th scope="col" class="num">Year</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}
