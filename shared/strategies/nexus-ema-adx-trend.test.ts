import { describe, it } from 'vitest';
import { nexusEmaAdxTrend, nexusEmaAdxTrendParams } from './nexus-ema-adx-trend';
import { btc4hSeries, expectSchemaBounds, realDataSuite } from './strategy.test-util';

describe('nexus-ema-adx-trend params', () => {
  it('parses defaults and rejects out-of-range values', () => {
    expectSchemaBounds(nexusEmaAdxTrendParams, nexusEmaAdxTrend.defaults, { fastPeriod: 2, slowPeriod: 301, adxPeriod: 4, adxMin: 51, trailAtr: 0.4 }, [{ fastPeriod: 50, slowPeriod: 50 }]);
  });
});

realDataSuite(nexusEmaAdxTrend, 'BTC/USDT 4h 2017-2022', btc4hSeries);
