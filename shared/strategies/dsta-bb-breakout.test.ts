import { describe, it } from 'vitest';
import { dstaBbBreakout, dstaBbBreakoutParams } from './dsta-bb-breakout';
import { btc4hSeries, expectSchemaBounds, realDataSuite } from './strategy.test-util';

describe('dsta-bb-breakout params', () => {
  it('parses defaults and rejects out-of-range values', () => {
    expectSchemaBounds(dstaBbBreakoutParams, dstaBbBreakout.defaults, { bbPeriod: 101, bbMult: 0.9, trailAtr: 11 });
  });
});

realDataSuite(dstaBbBreakout, 'BTC/USDT 4h 2017-2022', btc4hSeries);
