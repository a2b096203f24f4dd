import { describe, it } from 'vitest';
import { platform4hMacdRsi, platform4hMacdRsiParams } from './platform4h-macd-rsi';
import { btc4hSeries, expectSchemaBounds, realDataSuite } from './strategy.test-util';

describe('platform4h-macd-rsi params', () => {
  it('parses defaults and rejects out-of-range values', () => {
    expectSchemaBounds(platform4hMacdRsiParams, platform4hMacdRsi.defaults, { macdFast: 2, macdSlow: 101, macdSignal: 1, rsiMin: 19, rsiMax: 81, atrMaxPct: 0.3, stopAtr: 7 }, [{ macdFast: 26, macdSlow: 26 }, { rsiMin: 60, rsiMax: 55 }, { rsiMax: 75, rsiExit: 70 }, { atrMinPct: 0.05, atrMaxPct: 0.05 }]);
  });
});

realDataSuite(platform4hMacdRsi, 'BTC/USDT 4h 2017-2022', btc4hSeries);
