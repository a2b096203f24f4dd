/**
 * The run page's execution-cost panels (issue 12): per venue, what the measured cost model charged a round trip —
 * fee, half-spread and impact, stacked — and the verdict's edge margin: the break-even round-trip cost with its
 * bootstrap CI drawn against that venue's measured cost distribution (median and p90), so "does the edge survive
 * this venue's costs?" is one look; plus the honest-maker report (fill rate, adverse selection) when the run has
 * one. Read from the stored result (`measuredCosts`, `maker`) and the venue rows' `metrics.margin`, through zod:
 * a run recorded before these existed gets `null` (the page says so), never a guessed layout.
 */
import { z } from 'zod';
import { esc } from './svg';

const num = z.number();
const costDistribution = z.object({ n: num, medianBps: num, p90Bps: num, meanBps: num });
export const edgeMarginSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('ok'),
    breakEvenBps: num,
    ci: z.object({ lo: num, hi: num, confidence: num, resamples: num, seed: num }),
    cost: costDistribution,
    marginBps: num,
    clears: z.boolean(),
  }),
  z.object({ status: z.literal('no-edge'), grossMeanBps: num, cost: costDistribution, clears: z.literal(false) }),
  z.object({ status: z.literal('no-trades'), clears: z.literal(false) }),
]);
export type EdgeMarginView = z.infer<typeof edgeMarginSchema>;

const measuredVenue = z.object({
  id: z.string(),
  venue: z.string(),
  tier: z.string(),
  components: z.object({ feeBps: num, halfSpreadBps: num, impactBps: num }),
  sources: z.object({ fee: z.record(z.string(), num), spread: z.record(z.string(), num), impact: z.record(z.string(), num) }),
});
const measuredCosts = z.object({ version: z.string(), venues: z.array(measuredVenue) });

export const makerReportSchema = z.object({
  options: z.object({ offsetBps: num, maxCandles: num, tick: num, venue: z.string() }),
  tickSource: z.string().optional(),
  posted: num,
  filledMaker: num,
  filledTakerOnArrival: num,
  expired: num,
  cancelled: num,
  fillRate: num.nullable(),
  filledNetMeanBps: num.nullable(),
  missedNetMeanBps: num.nullable(),
  adverseSelectionBps: num.nullable(),
  takerNetMeanBps: num.nullable(),
  costModel: z.string(),
});
export type MakerReportView = z.infer<typeof makerReportSchema>;

export interface CostRow {
  venue: string;
  /** The measured view id (`<venue>-measured`). */
  view: string;
  tier: string;
  feeBps: number;
  spreadBps: number;
  impactBps: number;
  totalBps: number;
  /** Fill-legs per source of each component, e.g. `spread: edge 120, book 38`. */
  sources: { fee: Record<string, number>; spread: Record<string, number>; impact: Record<string, number> };
  margin: EdgeMarginView | null;
  verdict: string | null;
  reason: string | null;
}

export interface CostPanels {
  version: string;
  rows: CostRow[];
}

/** The measured-cost rows of a run (null when it has no measured views: recorded before them, or a portfolio). */
export function costPanelsOf(result: unknown, venues: readonly { key: string; verdict: string | null; reason: string | null; metrics: Record<string, unknown> | null }[]): CostPanels | null {
  const m = measuredCosts.safeParse((result as { measuredCosts?: unknown } | null)?.measuredCosts);
  if (!m.success || m.data.venues.length === 0) return null;
  const rows = m.data.venues.map((v): CostRow => {
    const row = venues.find((x) => x.key === v.id);
    const margin = edgeMarginSchema.safeParse(row?.metrics?.margin);
    const c = v.components;
    return {
      venue: v.venue,
      view: v.id,
      tier: v.tier,
      feeBps: c.feeBps,
      spreadBps: c.halfSpreadBps,
      impactBps: c.impactBps,
      totalBps: c.feeBps + c.halfSpreadBps + c.impactBps,
      sources: v.sources,
      margin: margin.success ? margin.data : null,
      verdict: row?.verdict ?? null,
      reason: row?.reason ?? null,
    };
  });
  return { version: m.data.version, rows };
}

/** The run's honest-maker report, when it has one. */
export function makerReportOf(result: unknown): MakerReportView | null {
  const r = makerReportSchema.safeParse((result as { maker?: unknown } | null)?.maker);
  return r.success ? r.data : null;
}

const bps = (x: number): string => (Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2));
const COMPONENTS = [
  { key: 'feeBps', label: 'fee', color: '#2563eb' },
  { key: 'spreadBps', label: 'spread (half at each fill)', color: '#d97706' },
  { key: 'impactBps', label: 'impact', color: '#dc2626' },
] as const;

/** A "nice" axis end ≥ x (1, 2, 2.5, 5 × 10^k). */
export function niceCeil(x: number): number {
  if (!(x > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

/** One chart row per venue between a label column (L) and a right margin (R), with a bps axis below. */
function frame(n: number, o: { width?: number; right: number; rowH: number; top: number }) {
  const W = o.width ?? 640;
  const L = 90;
  return { W, L, R: o.right, rowH: o.rowH, T: o.top, H: o.top + o.rowH * n + 30, axisY: o.top + o.rowH * n + 4 };
}

function axisSvg(x: (v: number) => number, max: number, f: ReturnType<typeof frame>, label: string): string {
  const ticks = [0, max / 2, max].map((t) => `<text x="${x(t).toFixed(1)}" y="${f.axisY + 14}" font-size="10" text-anchor="middle" fill="#6b7280">${bps(t)}</text>`);
  return (
    `<line x1="${f.L}" y1="${f.axisY}" x2="${f.W - f.R}" y2="${f.axisY}" stroke="#9ca3af"/>${ticks.join('')}` +
    `<text x="${f.W - f.R}" y="${f.axisY + 26}" font-size="10" text-anchor="end" fill="#6b7280">${label}</text>`
  );
}

/** Stacked horizontal bars: per venue, mean round-trip cost split into fee, spread and impact (bps). */
export function costBreakdownSvg(rows: readonly CostRow[], o: { width?: number } = {}): string {
  const f = frame(rows.length, { width: o.width, right: 70, rowH: 26, top: 26 });
  const { W, L, R, rowH, T, H } = f;
  const max = niceCeil(Math.max(...rows.map((r) => r.totalBps)));
  const x = (v: number): number => L + ((W - L - R) * v) / max;
  const parts: string[] = [];
  COMPONENTS.forEach((c, k) => {
    parts.push(`<rect x="${L + k * 150}" y="6" width="10" height="10" fill="${c.color}"/><text x="${L + k * 150 + 14}" y="15" font-size="11" fill="#374151">${c.label}</text>`);
  });
  rows.forEach((r, i) => {
    const y = T + i * rowH;
    parts.push(`<text x="${L - 6}" y="${y + 15}" font-size="12" text-anchor="end" fill="#111827">${esc(r.venue)}</text>`);
    let at = 0;
    for (const c of COMPONENTS) {
      const v = r[c.key];
      if (v > 0) parts.push(`<rect class="cost-seg" data-venue="${esc(r.venue)}" data-part="${c.label}" x="${x(at).toFixed(1)}" y="${y + 3}" width="${(x(at + v) - x(at)).toFixed(1)}" height="${rowH - 8}" fill="${c.color}"><title>${esc(r.venue)} ${c.label}: ${bps(v)} bps</title></rect>`);
      at += v;
    }
    parts.push(`<text x="${(x(r.totalBps) + 4).toFixed(1)}" y="${y + 15}" font-size="11" fill="#374151">${bps(r.totalBps)} bps</text>`);
  });
  parts.push(axisSvg(x, max, f, 'mean round-trip cost, bps (both fills, every leg)'));
  return `<svg id="cost-breakdown-svg" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="Measured round-trip cost per venue: fee, spread, impact">${parts.join('')}</svg>`;
}

/**
 * The edge margin per venue on one bps axis: the break-even round-trip cost (●) with its bootstrap CI (whisker), the
 * venue's measured cost median (|) and p90 (▌). Green when the CI's lower end clears the p90 cost, red otherwise;
 * a venue with no edge before costs says so instead of plotting a negative break-even.
 */
export function marginSvg(rows: readonly CostRow[], o: { width?: number } = {}): string {
  const f = frame(rows.length, { width: o.width, right: 170, rowH: 28, top: 10 });
  const { W, L, R, rowH, T, H } = f;
  const values = rows.flatMap((r) => {
    const m = r.margin;
    if (!m || m.status === 'no-trades') return [r.totalBps];
    return m.status === 'ok' ? [m.ci.hi, m.breakEvenBps, m.cost.p90Bps] : [m.cost.p90Bps];
  });
  const max = niceCeil(Math.max(1, ...values));
  const x = (v: number): number => L + ((W - L - R) * Math.max(0, Math.min(v, max))) / max;
  const parts: string[] = [];
  rows.forEach((r, i) => {
    const y = T + i * rowH + rowH / 2;
    const m = r.margin;
    parts.push(`<text x="${L - 6}" y="${y + 4}" font-size="12" text-anchor="end" fill="#111827">${esc(r.venue)}</text>`);
    parts.push(`<line x1="${L}" y1="${y}" x2="${W - R}" y2="${y}" stroke="#f3f4f6"/>`);
    if (!m || m.status === 'no-trades') {
      parts.push(`<text x="${L + 4}" y="${y + 4}" font-size="11" fill="#6b7280">no trades</text>`);
      return;
    }
    const c = m.cost;
    parts.push(`<line class="cost-median" x1="${x(c.medianBps).toFixed(1)}" y1="${y - 9}" x2="${x(c.medianBps).toFixed(1)}" y2="${y + 9}" stroke="#6b7280" stroke-width="2"><title>measured cost median ${bps(c.medianBps)} bps</title></line>`);
    parts.push(`<rect class="cost-p90" x="${(x(c.p90Bps) - 2).toFixed(1)}" y="${y - 9}" width="4" height="18" fill="#111827"><title>measured cost p90 ${bps(c.p90Bps)} bps</title></rect>`);
    if (m.status === 'no-edge') {
      parts.push(`<text class="no-edge" x="${W - R + 8}" y="${y + 4}" font-size="11" fill="#dc2626">no edge before costs</text>`);
      return;
    }
    const color = m.clears ? '#16a34a' : '#dc2626';
    parts.push(`<line class="margin-ci" x1="${x(m.ci.lo).toFixed(1)}" y1="${y}" x2="${x(m.ci.hi).toFixed(1)}" y2="${y}" stroke="${color}" stroke-width="3"><title>break-even ${Math.round(m.ci.confidence * 100)} % CI ${bps(m.ci.lo)}…${bps(m.ci.hi)} bps</title></line>`);
    parts.push(`<circle class="margin-be" cx="${x(m.breakEvenBps).toFixed(1)}" cy="${y}" r="5" fill="${color}"><title>break-even ${bps(m.breakEvenBps)} bps</title></circle>`);
    parts.push(`<text x="${W - R + 8}" y="${y + 4}" font-size="11" fill="${color}">margin ${bps(m.marginBps)} bps: ${m.clears ? 'clears' : 'short of'} p90</text>`);
  });
  parts.push(axisSvg(x, max, f, 'round-trip cost, bps: ● break-even (CI) · | median · ▌ p90 measured'));
  return `<svg id="margin-svg" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="Edge margin per venue: break-even cost with CI against the measured cost">${parts.join('')}</svg>`;
}

const srcText = (s: Record<string, number>): string =>
  Object.entries(s)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

/** The table beside the two charts: components, their sources, the margin and the verdict per venue. */
export function costTableHtml(rows: readonly CostRow[]): string {
  const head = ['Venue', 'Tier', 'Fee', 'Spread', 'Impact', 'Total', 'Cost median / p90', 'Break-even (CI)', 'Margin', 'Verdict', 'Sources'];
  const body = rows.map((r) => {
    const m = r.margin;
    const dist = m && m.status !== 'no-trades' ? `${bps(m.cost.medianBps)} / ${bps(m.cost.p90Bps)}` : '—';
    const be = !m || m.status === 'no-trades' ? '—' : m.status === 'no-edge' ? 'no edge before costs' : `${bps(m.breakEvenBps)} (${bps(m.ci.lo)}…${bps(m.ci.hi)})`;
    const margin = m?.status === 'ok' ? bps(m.marginBps) : '—';
    const cells = [r.venue, r.tier, bps(r.feeBps), bps(r.spreadBps), bps(r.impactBps), bps(r.totalBps), dist, be, margin, r.verdict ?? '—', `fee: ${srcText(r.sources.fee)}; spread: ${srcText(r.sources.spread)}; impact: ${srcText(r.sources.impact)}`];
    return `<tr>${cells.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`;
  });
  return `<table id="cost-table"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${body.join('')}</tbody></table>`;
}

/** The honest-maker report as a small key/value list. */
export function makerHtml(m: MakerReportView | null): string {
  if (!m) return '<p class="muted" id="maker-none">No maker report for this run (runs recorded before honest maker fills, or a portfolio run).</p>';
  const pct = (x: number | null): string => (x === null ? '—' : `${(x * 100).toFixed(1)} %`);
  const b = (x: number | null): string => (x === null ? '—' : bps(x));
  const rows: [string, string][] = [
    ['Posted limits', `${m.posted} at the signal close${m.options.offsetBps ? ` ∓ ${m.options.offsetBps} bps` : ''}, resting ${m.options.maxCandles} candles`],
    ['Fill rate', `${pct(m.fillRate)} (${m.filledMaker} maker, ${m.filledTakerOnArrival} taker on arrival, ${m.expired} expired, ${m.cancelled} cancelled)`],
    ['Trade-through', `${m.options.tick} price units (one tick${m.tickSource ? `, ${m.tickSource}` : ''})`],
    ['Net mean bps: filled / missed', `${b(m.filledNetMeanBps)} / ${b(m.missedNetMeanBps)}`],
    ['Adverse selection', `${b(m.adverseSelectionBps)} bps (filled − missed); taker baseline ${b(m.takerNetMeanBps)} bps`],
    ['Fees', m.costModel],
  ];
  return `<dl class="kv" id="maker-report">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`;
}
