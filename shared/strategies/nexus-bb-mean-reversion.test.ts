import { describe, it } from 'vitest';
import { nexusBbMeanReversion, nexusBbMeanReversionParams } from './nexus-bb-mean-reversion';
import { btc5mSeries, expectSchemaBounds, realDataSuite } from './strategy.test-util';

describe('nexus-bb-mean-reversion params', () => {
  it('parses defaults and rejects out-of-range values', () => {
    expectSchemaBounds(nexusBbMeanReversionParams, nexusBbMeanReversion.defaults, { bbPeriod: 4, bbMult: 0.5, atrPeriod: 51, stopAtr: 7 });
  });
});

realDataSuite(nexusBbMeanReversion, 'BTC/USDT 5m 2022', btc5mSeries);
