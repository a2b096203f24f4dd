import { describe, it } from 'vitest';
import { nexusGridEma200, nexusGridEma200Params } from './nexus-grid-ema200';
import { btc5mSeries, expectSchemaBounds, realDataSuite } from './strategy.test-util';

describe('nexus-grid-ema200 params', () => {
  it('parses defaults and rejects out-of-range values', () => {
    expectSchemaBounds(nexusGridEma200Params, nexusGridEma200.defaults, { emaPeriod: 19, step: 0.2, levels: 0, exitSteps: -1 });
  });
});

realDataSuite(nexusGridEma200, 'BTC/USDT 5m 2022', btc5mSeries);
