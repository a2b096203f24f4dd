/**
 * The honest-maker report describes the same strategy as the run it is stored with (issue 11 item 2, risk travels
 * with the strategy): its taker baseline is the run's own backtest under the strategy's declared risk rules — here
 * the Nexara baseline with the Sentinel (`sentinelDropPct`) on real ETH/USDT 5m candles, BTC/USDT 5m as the
 * reference — and it refuses, rather than silently dropping the rule, when the reference is not given.
 */
import { expect, it } from 'vitest';
import { runBacktest } from '../backtest/engine';
import type { CandleSeries } from '../candles/candle';
import { costModelSchema, feeSchedule } from '../costs';
import { SentinelReferenceError } from '../execution/sentinel';
import { getStrategy } from '../strategies/registry';
import type { Params, Strategy } from '../strategies/types';
import { describeWithData, readFreqtradeSeries } from '../testing/data';
import { makerFillReport } from './maker-fills';

const load = (file: string, symbol: string, max: number): CandleSeries => readFreqtradeSeries('SauloHenriqueAguiar-freqtrades', file, symbol, '5m', max);

describeWithData('maker report under the declared risk rules (real ETH/USDT, BTC/USDT 5m, Sentinel on)', () => {
  const eth = load('ETH_USDT-5m.json', 'ETH/USDT', 4_000);
  const btc = load('BTC_USDT-5m.json', 'BTC/USDT', 4_000);
  const strategy = getStrategy('nexara-baseline-5m') as Strategy<Params>;
  const window = { from: eth.openTime[600]!, to: eth.openTime[eth.length - 1]! + 300_000 };
  const params = strategy.paramsSchema.parse({ ...strategy.defaults, sentinelDropPct: 0.0017 }) as Params;
  const opts = { tick: 0.01, venue: 'binance', maxCandles: 3 };
  const model = costModelSchema.parse({ id: 'binance-as-filled', label: 'binance base tier, each fill at its own liquidity', schedule: feeSchedule('binance'), liquidity: 'as-filled' });

  it('the taker baseline equals the run’s backtest with the Sentinel, which differs from one without it', () => {
    const report = makerFillReport(eth, strategy, params, window, opts, { reference: btc });
    const run = runBacktest(eth, strategy, params, { ...window, costs: [model] }, { reference: btc });
    const sentinelExits = run.trades.filter((t) => t.exitReason.startsWith('sentinel:')).length;
    expect(sentinelExits).toBeGreaterThan(0);
    const mean = (run.trades.reduce((a, t) => a + t.net[model.id]!, 0) / run.trades.length) * 1e4;
    expect(report.takerNetMeanBps).toBe(mean);
    // Without the rule (no sentinelDropPct) the baseline is another strategy's: the figure moves.
    const plain = strategy.paramsSchema.parse({ ...strategy.defaults }) as Params;
    expect(makerFillReport(eth, strategy, plain, window, opts).takerNetMeanBps).not.toBe(mean);
  });

  it('without the reference the report is refused, not run without the rule', () => {
    expect(() => makerFillReport(eth, strategy, params, window, opts)).toThrow(SentinelReferenceError);
  });
});
