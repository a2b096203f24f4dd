/**
 * The offline run report: self-contained (no external reference, no executable script), every panel present, the
 * data block round-trips, text is escaped; the equity CSV/JSON exports. On EMA-crossover trades over real Binance
 * BTC/USDT 4h candles.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dataPath, describeWithData, HAS_SHARED_DATA } from '../testing/data';
import { buildRunFixture, crossoverTrades } from '../../tools/browser/lab-fixtures';
import { equityCsv, equityJson, renderRunReport, type ReportInput } from './report';

const candles = HAS_SHARED_DATA
  ? (JSON.parse(readFileSync(dataPath('freqtrade-binance-spot', 'SauloHenriqueAguiar-freqtrades', 'BTC_USDT-4h.json'), 'utf8')) as number[][]).map((r) => ({ openTime: r[0]!, open: r[1]!, high: r[2]!, low: r[3]!, close: r[4]!, volume: r[5]! }))
  : [];

function input(): ReportInput {
  const trades = crossoverTrades(candles, 12, 26);
  const fx = buildRunFixture({ id: 'report-<run>', strategyId: 'fixture-ema-crossover', venue: 'binance', symbol: 'BTC/USDT', timeframe: '4h', windowFrom: candles[0]!.openTime, windowTo: candles.at(-1)!.openTime, candleCount: candles.length, trades });
  const result = fx.run.result as { gross: unknown; net: Record<string, unknown>; verdicts: Record<string, { verdict: string; reason: string }> };
  return {
    run: { ...(fx.run as unknown as ReportInput['run']), windowFrom: candles[0]!.openTime, windowTo: candles.at(-1)!.openTime },
    venues: Object.entries(result.verdicts).map(([key, v]) => ({ key, verdict: v.verdict, reason: v.reason, metrics: result.net[key] as Record<string, unknown> })),
    metrics: { gross: result.gross, net: result.net },
    equity: fx.equity.map((e) => ({ time: e.time, equityGross: e.equityGross, equityNet: e.equityNet, drawdown: e.drawdown ?? 0 })),
    trades,
    model: 'binance-taker',
    generatedAt: Date.UTC(2026, 0, 2, 3, 4),
  };
}

describe('equity exports', () => {
  const pts = [
    { time: Date.UTC(2022, 0, 1), equityGross: 10_000, equityNet: 9_990, drawdown: 0 },
    { time: Date.UTC(2022, 0, 2), equityGross: 10_100, equityNet: 10_050.5, drawdown: 0.01 },
  ];
  it('CSV with ISO and ms times; JSON columnar', () => {
    expect(equityCsv(pts).split('\n')).toEqual(['time,time_ms,equity_gross,equity_net,drawdown', `2022-01-01T00:00:00.000Z,${pts[0]!.time},10000,9990,0`, `2022-01-02T00:00:00.000Z,${pts[1]!.time},10100,10050.5,0.01`, '']);
    expect(JSON.parse(equityJson('r', pts))).toEqual({ runId: 'r', columns: ['time', 'equityGross', 'equityNet', 'drawdown'], points: pts.map((p) => [p.time, p.equityGross, p.equityNet, p.drawdown]) });
  });
});

describeWithData('run report on real BTC/USDT 4h crossover trades', () => {
  const inp = input();
  const html = renderRunReport(inp);
  it('is self-contained: no src/href/url() to anything, no executable script', () => {
    expect(html).not.toMatch(/\ssrc=|\shref=|url\(|@import/i);
    expect(html.match(/<script\b[^>]*>/g)).toEqual(['<script type="application/json" id="report-data">']);
  });
  it('has every panel', () => {
    for (const id of ['venue-table', 'metrics-table', 'returns-heatmap', 'drawdowns-table', 'entry-tags-table', 'exit-kinds-table', 'trades-table']) expect(html).toContain(`id="${id}"`);
    for (const h of ['Equity (recorded', 'Drawdown (recorded)', 'Underwater and top 5 drawdowns', 'Trade P&amp;L distribution', 'Trade duration distribution', 'Exposure over time', 'Rolling Sharpe']) expect(html).toContain(h);
    expect((html.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(7);
    expect((html.match(/<tr>/g) ?? []).length).toBeGreaterThan(inp.trades.length);
  });
  it('escapes text and inlines the data as JSON that round-trips', () => {
    expect(html).toContain('report-&lt;run&gt;');
    const block = html.split('<script type="application/json" id="report-data">')[1]!.split('</script>')[0]!;
    expect(block).not.toContain('<');
    const data = JSON.parse(block) as { trades: unknown[]; run: { id: string }; equity: { points: unknown[] } };
    expect(data.trades).toHaveLength(inp.trades.length);
    expect(data.run.id).toBe('report-<run>');
    expect(data.equity.points).toHaveLength(inp.equity.length);
  });
  it('same input, byte-identical report', () => {
    expect(renderRunReport(input())).toBe(html);
  });
});
