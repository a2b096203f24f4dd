import { describe, it } from 'vitest';
import { nexaraBaseline5m, nexaraBaseline5mParams } from './nexara-baseline-5m';
import { btc5mSeries, expectSchemaBounds, realDataSuite } from './strategy.test-util';

describe('nexara-baseline-5m params', () => {
  it('parses defaults and rejects out-of-range values', () => {
    expectSchemaBounds(nexaraBaseline5mParams, nexaraBaseline5m.defaults, { emaPeriod: 49, rsiPeriod: 31, rsiEntry: 14, rsiExit: 91, atrCapPct: 0, stopAtr: 0.4, takeAtr: 11 });
  });
});

realDataSuite(nexaraBaseline5m, 'BTC/USDT 5m 2022', btc5mSeries);
