import { describe, it } from 'vitest';
import { nexusRsiScalp, nexusRsiScalpParams } from './nexus-rsi-scalp';
import { btc5mSeries, expectSchemaBounds, realDataSuite } from './strategy.test-util';

describe('nexus-rsi-scalp params', () => {
  it('parses defaults and rejects out-of-range values', () => {
    expectSchemaBounds(nexusRsiScalpParams, nexusRsiScalp.defaults, { rsiPeriod: 1, rsiEntry: 4, rsiExit: 91, volPeriod: 4, volZMin: -1, stopAtr: 6 }, [{ rsiEntry: 45, rsiExit: 40 }]);
  });
});

realDataSuite(nexusRsiScalp, 'BTC/USDT 5m 2022', btc5mSeries);
