/** The offline sweep report: self-contained, the heatmap cell per (x, y) with its value, best combos, data block. */
import { describe, expect, it } from 'vitest';
import { renderSweepReport, scaleColor, type SweepReportInput } from './sweep-report';

const input: SweepReportInput = {
  sweep: { id: 's<1>', strategyId: 'div006', venue: 'binance', symbol: 'BTC/USDT', timeframe: '4h', windowFrom: Date.UTC(2021, 0, 1), windowTo: Date.UTC(2022, 0, 1), method: 'grid', seed: null, space: { fast: [5, 8], slow: [21, 34] }, combos: 4, chunksTotal: 2, chunksDone: 1, status: 'running', resultHash: null },
  progress: { chunksDone: 1, chunksTotal: 2, ratio: 0.5 },
  chunks: [
    { chunkIndex: 0, status: 'done', attempts: 1, error: null },
    { chunkIndex: 1, status: 'failed', attempts: 3, error: 'timeout <db>' },
  ],
  combosFound: 3,
  heatmap: { x: { param: 'fast', values: [5, 8] }, y: { param: 'slow', values: [21, 34] }, metric: 'sharpe', agg: 'max', cells: [[0.5, -0.25], [1.5, null]], counts: [[1, 1], [1, 0]], min: -0.25, max: 1.5 },
  best: [{ params: { fast: 5, slow: 34 }, value: 1.5 }],
  generatedAt: Date.UTC(2026, 0, 1),
};

describe('sweep report', () => {
  const html = renderSweepReport(input);
  it('is self-contained and escapes text', () => {
    expect(html).not.toMatch(/\ssrc=|\shref=|url\(|@import/i);
    expect(html.match(/<script\b[^>]*>/g)).toEqual(['<script type="application/json" id="report-data">']);
    expect(html).toContain('s&lt;1&gt;');
    expect(html).toContain('timeout &lt;db&gt;');
  });
  it('one heatmap cell per (x, y) with a value; the best combo; the failed chunk', () => {
    expect(html.match(/data-value=/g)).toHaveLength(3);
    expect(html).toContain('title="fast=5, slow=34: 1.5 (max of 1)"');
    expect(html).toContain('{&quot;fast&quot;:5,&quot;slow&quot;:34}');
    expect(html).toMatch(/<td>1<\/td><td>failed<\/td><td>3<\/td>/);
    const block = html.split('id="report-data">')[1]!.split('</script>')[0]!;
    expect(JSON.parse(block)).toEqual(input);
  });
  it('colour scale: the max is green, the min blue, the middle white', () => {
    // 255 − (255 − c) × 0.8 at full strength: green (22,163,74) → (69,181,110); blue (37,99,235) → (81,130,239).
    expect(scaleColor(1, 0, 1)).toBe('rgb(69,181,110)');
    expect(scaleColor(0, 0, 1)).toBe('rgb(81,130,239)');
    expect(scaleColor(0.5, 0, 1)).toBe('rgb(255,255,255)');
  });
});
