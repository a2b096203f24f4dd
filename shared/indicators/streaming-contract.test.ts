/**
 * Contract: for every indicator the streaming class, fed bar by bar, returns exactly the batch function's value
 * at every index (NaN positions included) on all 45,024 real BTC/USDT 1h candles, and `isStable` turns true
 * exactly at the first non-NaN value.
 */
import { beforeAll, expect, it } from 'vitest';
import { describeWithData } from '../testing/data';
import * as ind from './index';
import { btc1h, type Columns, expectSameSeries, firstFinite } from './oracle.test-util';

interface Streamer {
  readonly isStable: boolean;
  readonly value: unknown;
}

/** Feeds all bars; returns one column per output key (or 'value') plus the index where isStable first held. */
function runStream<S extends Streamer>(
  d: Columns,
  s: S,
  step: (s: S, i: number) => number | object,
): { cols: Record<string, Float64Array>; stableAt: number } {
  const cols: Record<string, Float64Array> = {};
  let stableAt = -1;
  for (let i = 0; i < d.length; i++) {
    const r = step(s, i);
    if (!Object.is(s.value, r)) throw new Error(`value getter differs from update() at ${i}`);
    if (typeof r === 'number') (cols.value ??= new Float64Array(d.length))[i] = r;
    else
      for (const [k, v] of Object.entries(r as Record<string, number>)) (cols[k] ??= new Float64Array(d.length))[i] = v;
    if (stableAt < 0 && s.isStable) stableAt = i;
  }
  return { cols, stableAt };
}

describeWithData('streaming classes equal batch functions (all 45,024 BTC/USDT 1h bars)', () => {
  let d: Columns;
  beforeAll(() => {
    d = btc1h(Infinity);
  });

  const single = (
    name: string,
    batch: (d: Columns) => Float64Array,
    make: () => Streamer,
    step: (s: never, d: Columns, i: number) => number,
  ) =>
    it(name, () => {
      const expected = batch(d);
      const { cols, stableAt } = runStream(d, make(), (s, i) => step(s as never, d, i));
      expectSameSeries(cols.value!, expected);
      expect(stableAt).toBe(firstFinite(expected));
    });

  const multi = (
    name: string,
    batch: (d: Columns) => Record<string, Float64Array>,
    make: () => Streamer,
    step: (s: never, d: Columns, i: number) => object,
    stableKey: string,
  ) =>
    it(name, () => {
      const expected = batch(d);
      const { cols, stableAt } = runStream(d, make(), (s, i) => step(s as never, d, i));
      for (const k of Object.keys(expected)) expectSameSeries(cols[k]!, expected[k]!);
      expect(Object.keys(cols).sort()).toEqual(Object.keys(expected).sort());
      expect(stableAt).toBe(firstFinite(expected[stableKey]!));
    });

  single('SMA', (d) => ind.sma(d.close, 20), () => new ind.SMA(20), (s: ind.SMA, d, i) => s.update(d.close[i]!));
  single('EMA', (d) => ind.ema(d.close, 21), () => new ind.EMA(21), (s: ind.EMA, d, i) => s.update(d.close[i]!));
  single('WMA', (d) => ind.wma(d.close, 9), () => new ind.WMA(9), (s: ind.WMA, d, i) => s.update(d.close[i]!));
  single('RSI', (d) => ind.rsi(d.close, 14), () => new ind.RSI(14), (s: ind.RSI, d, i) => s.update(d.close[i]!));
  single(
    'TRANGE',
    (d) => ind.trange(d.high, d.low, d.close),
    () => new ind.TRange(),
    (s: ind.TRange, d, i) => s.update(d.high[i]!, d.low[i]!, d.close[i]!),
  );
  single(
    'ATR',
    (d) => ind.atr(d.high, d.low, d.close, 14),
    () => new ind.ATR(14),
    (s: ind.ATR, d, i) => s.update(d.high[i]!, d.low[i]!, d.close[i]!),
  );
  single(
    'CCI',
    (d) => ind.cci(d.high, d.low, d.close, 20),
    () => new ind.CCI(20),
    (s: ind.CCI, d, i) => s.update(d.high[i]!, d.low[i]!, d.close[i]!),
  );
  single('OBV', (d) => ind.obv(d.close, d.volume), () => new ind.OBV(), (s: ind.OBV, d, i) => s.update(d.close[i]!, d.volume[i]!));
  single(
    'MFI',
    (d) => ind.mfi(d.high, d.low, d.close, d.volume, 14),
    () => new ind.MFI(14),
    (s: ind.MFI, d, i) => s.update(d.high[i]!, d.low[i]!, d.close[i]!, d.volume[i]!),
  );
  single(
    'VWAP',
    (d) => ind.vwap(d.high, d.low, d.close, d.volume, d.openTime),
    () => new ind.VWAP(),
    (s: ind.VWAP, d, i) => s.update(d.high[i]!, d.low[i]!, d.close[i]!, d.volume[i]!, d.openTime[i]!),
  );
  single(
    'VWAP (4h sessions, 1h offset)',
    (d) => ind.vwap(d.high, d.low, d.close, d.volume, d.openTime, 4 * 3_600_000, 3_600_000),
    () => new ind.VWAP(4 * 3_600_000, 3_600_000),
    (s: ind.VWAP, d, i) => s.update(d.high[i]!, d.low[i]!, d.close[i]!, d.volume[i]!, d.openTime[i]!),
  );
  single('ROC', (d) => ind.roc(d.close, 10), () => new ind.ROC(10), (s: ind.ROC, d, i) => s.update(d.close[i]!));
  single('z-score', (d) => ind.zscore(d.close, 20), () => new ind.ZScore(20), (s: ind.ZScore, d, i) => s.update(d.close[i]!));
  single(
    'volume z-score',
    (d) => ind.volumeZScore(d.volume, 30),
    () => new ind.VolumeZScore(30),
    (s: ind.VolumeZScore, d, i) => s.update(d.volume[i]!),
  );
  single(
    'LINEARREG_SLOPE',
    (d) => ind.linRegSlope(d.close, 14),
    () => new ind.LinRegSlope(14),
    (s: ind.LinRegSlope, d, i) => s.update(d.close[i]!),
  );
  single('rolling max', (d) => ind.rollingMax(d.high, 7), () => new ind.RollingMax(7), (s: ind.RollingMax, d, i) => s.update(d.high[i]!));
  single('rolling min', (d) => ind.rollingMin(d.low, 7), () => new ind.RollingMin(7), (s: ind.RollingMin, d, i) => s.update(d.low[i]!));

  multi(
    'MACD',
    (d) => ({ ...ind.macd(d.close, 12, 26, 9) }),
    () => new ind.MACD(12, 26, 9),
    (s: ind.MACD, d, i) => s.update(d.close[i]!),
    'macd',
  );
  multi(
    'BBANDS',
    (d) => ({ ...ind.bbands(d.close, 20, 2) }),
    () => new ind.BBands(20, 2),
    (s: ind.BBands, d, i) => s.update(d.close[i]!),
    'middle',
  );
  multi(
    'ADX / ±DI / DX',
    (d) => ({ ...ind.adx(d.high, d.low, d.close, 14) }),
    () => new ind.ADX(14),
    (s: ind.ADX, d, i) => s.update(d.high[i]!, d.low[i]!, d.close[i]!),
    'adx',
  );
  multi(
    'STOCH',
    (d) => ({ ...ind.stoch(d.high, d.low, d.close, 14, 3, 3) }),
    () => new ind.Stoch(14, 3, 3),
    (s: ind.Stoch, d, i) => s.update(d.high[i]!, d.low[i]!, d.close[i]!),
    'k',
  );
  multi(
    'STOCHRSI',
    (d) => ({ ...ind.stochRsi(d.close, 14, 14, 3) }),
    () => new ind.StochRSI(14, 14, 3),
    (s: ind.StochRSI, d, i) => s.update(d.close[i]!),
    'k',
  );
  multi(
    'Donchian',
    (d) => ({ ...ind.donchian(d.high, d.low, 20) }),
    () => new ind.Donchian(20),
    (s: ind.Donchian, d, i) => s.update(d.high[i]!, d.low[i]!),
    'upper',
  );
  multi(
    'Keltner',
    (d) => ({ ...ind.keltner(d.high, d.low, d.close, 20, 2, 10) }),
    () => new ind.Keltner(20, 2, 10),
    (s: ind.Keltner, d, i) => s.update(d.high[i]!, d.low[i]!, d.close[i]!),
    'middle',
  );
});
