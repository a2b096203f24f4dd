import { describe, it } from 'vitest';
import { dstaSmaCrossover, dstaSmaCrossoverParams } from './dsta-sma-crossover';
import { btc4hSeries, expectSchemaBounds, realDataSuite } from './strategy.test-util';

describe('dsta-sma-crossover params', () => {
  it('parses defaults and rejects out-of-range values', () => {
    expectSchemaBounds(dstaSmaCrossoverParams, dstaSmaCrossover.defaults, { fastPeriod: 1, slowPeriod: 401, stopAtr: 0.4 }, [{ fastPeriod: 60, slowPeriod: 50 }]);
  });
});

realDataSuite(dstaSmaCrossover, 'BTC/USDT 4h 2017-2022', btc4hSeries);
