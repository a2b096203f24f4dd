/** The hand-written SVG/HTML renderers: escaping, one bar per non-empty bin, heatmap cells per month with data. */
import { describe, expect, it } from 'vitest';
import { esc, histogramSvg, lineSvg, returnColor, returnsHeatmapHtml } from './svg';

describe('svg renderers', () => {
  it('escapes every markup character', () => {
    expect(esc(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
  it('histogram: one rect per non-empty bin and series, the label escaped', () => {
    const svg = histogramSvg({ edges: [0, 1, 2, 3], xLabel: 'bps <net>', series: [{ label: 'g', color: '#000', counts: [0, 2, 1] }, { label: 'n', color: '#111', counts: [3, 0, 0] }] });
    expect(svg.match(/data-series="0"/g)).toHaveLength(2);
    expect(svg.match(/data-series="1"/g)).toHaveLength(1);
    expect(svg).toContain('bps &lt;net&gt;');
    expect(svg).toContain('1 in [2, 3]'); // the last bin is closed
  });
  it('line: a gap at nulls (a new M), and a note instead of an empty chart', () => {
    const svg = lineSvg({ title: 't', series: [{ label: 's', color: '#000', points: [{ x: 0, y: 1 }, { x: 1, y: null }, { x: 2, y: 2 }, { x: 3, y: 3 }] }] });
    expect((svg.match(/d="([^"]*)"/)![1]!.match(/M/g) ?? []).length).toBe(2);
    expect(lineSvg({ title: 'nothing', series: [{ label: 's', color: '#000', points: [] }] })).toContain('No data for nothing');
  });
  it('heatmap: a row per year, a filled cell per month with trades, green for gains and red for losses', () => {
    const html = returnsHeatmapHtml(
      [
        { year: 2021, month: 3, ret: 0.05, trades: 2 },
        { year: 2022, month: 1, ret: -0.1, trades: 1 },
      ],
      [
        { year: 2021, ret: 0.05, trades: 2 },
        { year: 2022, ret: -0.1, trades: 1 },
      ],
    );
    expect(html.match(/<tr><th scope="row">/g)).toHaveLength(2);
    expect(html.match(/data-ret=/g)).toHaveLength(4);
    expect(html.match(/heat empty/g)).toHaveLength(22);
    expect(html).toContain('Mar 2021: 5.0% over 2 trades');
    const [g, r] = [returnColor(0.2), returnColor(-0.2)].map((c) => c.match(/\d+/g)!.map(Number));
    expect(g![1]).toBeGreaterThan(g![0]!);
    expect(r![0]).toBeGreaterThan(r![1]!);
  });
});
