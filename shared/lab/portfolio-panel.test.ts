/**
 * The run page's portfolio section on a real BTC/USDT + ETH/USDT 4h portfolio (freqtrade files in ../shared/data):
 * the stored result reads back, the contribution table's rows add up to the portfolio's PnL, the bar chart draws
 * two bars per symbol; a single-series result is not a portfolio; text is escaped.
 */
import { expect, it } from 'vitest';
import { runBacktest } from '../backtest/engine';
import { runPortfolio } from '../portfolio';
import { getStrategy } from '../strategies/registry';
import { btc4hSeries, eth4hSeries } from '../strategies/strategy.test-util';
import type { Params, Strategy } from '../strategies/types';
import { describeWithData } from '../testing/data';
import { contributionBarsSvg, contributionTableHtml, portfolioSeriesHtml, portfolioSummaryText, portfolioViewOf, type PortfolioView } from './portfolio-panel';

describeWithData('portfolio section of the run page (real BTC + ETH 4h)', () => {
  const strat = getStrategy('platform4h-macd-rsi') as Strategy<Params>;
  const p = strat.defaults as Params;
  const win = { from: Date.UTC(2021, 0, 1), to: Date.UTC(2022, 0, 1) };

  it('reads the stored result back and renders the contribution table and chart', () => {
    const r = runPortfolio([btc4hSeries(), eth4hSeries()], { kind: 'single', strategy: strat }, p, { ...win, maxPositions: 3 });
    const { trades, ...stored } = r;
    const v = portfolioViewOf({ ...stored, tradeSymbols: trades.map((t) => t.symbol) });
    expect(v).not.toBeNull();
    expect(portfolioSummaryText(v!)).toContain('BTC/USDT, ETH/USDT 4h · the same strategy on every symbol · max 3 positions · equal weight');
    const html = contributionTableHtml(v!, ['binance-taker']);
    expect(html.match(/<tr>/g)).toHaveLength(1 + 2 + 1); // head, two symbols, the portfolio total
    const total = r.contributions.reduce((s, c) => s + c.netPnl['binance-taker']!, 0);
    const final = r.equity.net['binance-taker']!.equity.at(-1)! - r.config.initialEquity;
    expect(total).toBeCloseTo(final, 6); // contributions add up to the portfolio's PnL
    expect(html).toContain(`${total >= 0 ? '+' : '−'}${Math.abs(total).toFixed(2)}`);
    const svg = contributionBarsSvg(v!, 'binance-taker');
    expect(svg.match(/<rect /g)).toHaveLength(4);
    expect(svg.match(/data-symbol="ETH\/USDT"/g)).toHaveLength(2);
    expect(portfolioSeriesHtml(v!)).toContain('No per-series provenance');
  });

  it('a single-series result is not a portfolio', () => {
    expect(portfolioViewOf(runBacktest(btc4hSeries(), strat, p, win))).toBeNull();
    expect(portfolioViewOf(null)).toBeNull();
  });
});

it('escapes text from the stored result', () => {
  const v: PortfolioView = {
    mode: 'portfolio',
    selection: 'single-strategy',
    universe: { symbols: ['<b>X</b>'], timeframe: '4h', from: 0, to: 1, steps: 1 },
    config: { initialEquity: 1, maxPositions: 1, sizing: { kind: 'equal-weight' } },
    contributions: [{ symbol: '<b>X</b>', trades: 0, exposure: 0, grossPnl: 0, netPnl: {}, skipped: {} }],
    skipped: {},
    provenance: { series: [{ symbol: '<b>X</b>', dataSource: '<i>s</i>', candleCount: 1, warmupCandles: 0, dataHash: 'ab' }] },
  };
  for (const out of [contributionTableHtml(v, ['m']), contributionBarsSvg(v, 'm'), portfolioSeriesHtml(v)]) expect(out).not.toMatch(/<b>|<i>/);
});
