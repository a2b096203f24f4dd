import { describe, it } from 'vitest';
import { dstaRsiMeanReversion, dstaRsiMeanReversionParams } from './dsta-rsi-mean-reversion';
import { btc4hSeries, expectSchemaBounds, realDataSuite } from './strategy.test-util';

describe('dsta-rsi-mean-reversion params', () => {
  it('parses defaults and rejects out-of-range values', () => {
    expectSchemaBounds(dstaRsiMeanReversionParams, dstaRsiMeanReversion.defaults, { rsiPeriod: 1, oversold: 46, exitLevel: 91, stopAtr: 11 }, [{ oversold: 45, exitLevel: 45 }]);
  });
});

realDataSuite(dstaRsiMeanReversion, 'BTC/USDT 4h 2017-2022', btc4hSeries);
