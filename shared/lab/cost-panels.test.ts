import { describe, expect, it } from 'vitest';
import { edgeMargin } from '../research/verdict-margin';
import { costBreakdownSvg, costPanelsOf, costTableHtml, makerHtml, makerReportOf, marginSvg, niceCeil } from './cost-panels';

// Two venues as a measured run stores them: components and sources in result.measuredCosts, the margin (computed
// by the verdict's own edgeMargin) in the venue rows' metrics.
const gross = [0.012, 0.004, -0.002, 0.009, 0.006, 0.011, -0.001, 0.008];
const ratio = gross.map((g) => 1 + g);
const cheap = gross.map(() => 20);
const dear = gross.map((_, i) => 90 + i);
const result = {
  measuredCosts: {
    version: 'measured-cost/1.0.0',
    venues: [
      { id: 'binance-measured', venue: 'binance', tier: 'VIP0', components: { feeBps: 15, halfSpreadBps: 3, impactBps: 2 }, sources: { fee: { 'binance VIP0 2025-01-01': 16 }, spread: { edge: 12, book: 4 }, impact: { default: 16 } }, net: [], roundTripBps: [] },
      { id: 'kraken-measured', venue: 'kraken', tier: 'Starter', components: { feeBps: 80, halfSpreadBps: 6, impactBps: 8 }, sources: { fee: { 'kraken Starter 2025-01-01': 16 }, spread: { edge: 16 }, impact: { fit: 16 } } },
    ],
  },
  maker: { options: { offsetBps: 0, maxCandles: 3, tick: 0.01, venue: 'binance' }, tickSource: 'inferred from the candles', posted: 79, filledMaker: 72, filledTakerOnArrival: 0, expired: 7, cancelled: 0, fillRate: 72 / 79, filledNetMeanBps: -12.5, missedNetMeanBps: 4, adverseSelectionBps: -16.5, takerNetMeanBps: -10, costModel: 'binance-as-filled' },
};
const venues = [
  { key: 'binance-measured', verdict: 'watch', reason: 'n < 30', metrics: { margin: edgeMargin(gross, ratio, cheap, { seed: 1 }) } },
  { key: 'kraken-measured', verdict: 'reject', reason: 'margin', metrics: { margin: edgeMargin(gross, ratio, dear, { seed: 1 }) } },
];

describe('run page cost panels', () => {
  it('read the stored measured views and margins through one schema; a run without them gets null', () => {
    const p = costPanelsOf(result, venues)!;
    expect(p.version).toBe('measured-cost/1.0.0');
    expect(p.rows.map((r) => [r.venue, r.totalBps, r.verdict, r.margin?.status])).toEqual([
      ['binance', 20, 'watch', 'ok'],
      ['kraken', 94, 'reject', 'ok'],
    ]);
    expect(costPanelsOf({}, venues)).toBeNull();
    expect(costPanelsOf({ measuredCosts: { version: 'x', venues: [{ id: 1 }] } }, venues)).toBeNull(); // not a guessed layout
    expect(costPanelsOf(result, [])!.rows[0]!.margin).toBeNull();
  });

  it('the stacked bars are proportional to fee / spread / impact on a nice axis', () => {
    const svg = costBreakdownSvg(costPanelsOf(result, venues)!.rows, { width: 640 });
    expect(niceCeil(94)).toBe(100);
    // axis from x=90 to 640-70=570 → 480 px for 100 bps: kraken's fee 80 bps is 384 px, binance's 15 bps 72 px.
    const widths = [...svg.matchAll(/data-venue="(\w+)" data-part="([^"]+)" x="[\d.]+" y="[\d.]+" width="([\d.]+)"/g)].map((m) => [m[1], m[2], Number(m[3])]);
    expect(widths).toEqual([
      ['binance', 'fee', 72],
      ['binance', 'spread (half at each fill)', 14.4],
      ['binance', 'impact', 9.6],
      ['kraken', 'fee', 384],
      ['kraken', 'spread (half at each fill)', 28.8],
      ['kraken', 'impact', 38.4],
    ]);
  });

  it("the margin chart marks break-even with its CI against the venue's median and p90, coloured by the rule", () => {
    const rows = costPanelsOf(result, venues)!.rows;
    const svg = marginSvg(rows);
    const b = rows[0]!.margin!;
    const k = rows[1]!.margin!;
    if (b.status !== 'ok' || k.status !== 'ok') throw new Error('expected two margins');
    // The edge (mean gross ≈ 59 bps) clears a 20 bps cost at binance but not ~97 bps at kraken.
    expect(b.clears).toBe(true);
    expect(k.clears).toBe(false);
    expect(svg.match(/class="margin-be"[^>]*fill="(#[0-9a-f]+)"/g)!.map((s) => s.slice(-8, -1))).toEqual(['#16a34a', '#dc2626']);
    expect(svg).toContain(`margin ${b.marginBps.toFixed(Math.abs(b.marginBps) >= 10 ? 1 : 2)} bps: clears p90`);
    expect(svg).toMatch(/margin −?-?\d+\.\d bps: short of p90/);
    const noEdge = marginSvg([{ ...rows[0]!, margin: edgeMargin([-0.01, -0.02], [0.99, 0.98], [20, 20]) }]);
    expect(noEdge).toContain('no edge before costs');
    expect(noEdge).not.toContain('margin-be'); // never a negative break-even
  });

  it('the table names every source; the maker report reads back or says it is absent', () => {
    const html = costTableHtml(costPanelsOf(result, venues)!.rows);
    expect(html).toContain('spread: edge 12, book 4');
    expect(html).toContain('fee: kraken Starter 2025-01-01 16');
    const m = makerReportOf(result)!;
    expect(m.fillRate).toBeCloseTo(0.911, 3);
    expect(makerHtml(m)).toContain('91.1 % (72 maker, 0 taker on arrival, 7 expired, 0 cancelled)');
    expect(makerHtml(makerReportOf({}))).toContain('No maker report');
  });
});
