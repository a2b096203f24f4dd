/**
 * TA-Lib oracle: every indicator TA-Lib has, on the first 5,000 real BTC/USDT 1h candles, must start where
 * TA-Lib starts (begIndex = our first non-NaN index) and agree to ≤ 1e-9 relative error after that.
 * Oracle: npm `talib` 1.1.6 (TA-Lib C 0.4, default settings: unstable periods 0, default compatibility).
 */
import { beforeAll, expect, it } from 'vitest';
import { describeWithData } from '../testing/data';
import { adx, atr, bbands, cci, donchian, ema, linRegSlope, macd, mfi, obv, roc, rsi, sma, stoch, stochRsi, trange, wma } from './index';
import { btc1h, type Columns, expectMatches, firstFinite, runTalib } from './oracle.test-util';

describeWithData('indicators vs TA-Lib 0.4 (npm talib) on BTC/USDT 1h', () => {
  let d: Columns;
  let hlc: { high: Float64Array; low: Float64Array; close: Float64Array };
  beforeAll(() => {
    d = btc1h(5_000);
    hlc = { high: d.high, low: d.low, close: d.close };
  });

  for (const period of [2, 10, 20, 50]) {
    it(`SMA(${period}), EMA(${period}), WMA(${period})`, () => {
      for (const [name, fn] of [
        ['SMA', sma],
        ['EMA', ema],
        ['WMA', wma],
      ] as const) {
        const t = runTalib(name, d.length, { inReal: d.close }, { optInTimePeriod: period });
        const ours = fn(d.close, period);
        expectMatches(ours, t.out.outReal!);
        expect(firstFinite(ours)).toBe(t.begIndex);
      }
    });
  }

  for (const period of [2, 6, 14]) {
    it(`RSI(${period})`, () => {
      const t = runTalib('RSI', d.length, { inReal: d.close }, { optInTimePeriod: period });
      expectMatches(rsi(d.close, period), t.out.outReal!);
    });
  }

  for (const [f, s, g] of [
    [12, 26, 9],
    [5, 35, 5],
    [26, 12, 9], // swapped: TA-Lib swaps fast/slow
    [3, 10, 2], // (signal 1 is broken in TA-Lib 0.4: its first output is uninitialised memory)
  ]) {
    it(`MACD(${f},${s},${g}) with TA-Lib's seed alignment`, () => {
      const t = runTalib('MACD', d.length, { inReal: d.close }, { optInFastPeriod: f, optInSlowPeriod: s, optInSignalPeriod: g });
      const ours = macd(d.close, f, s, g);
      expectMatches(ours.macd, t.out.outMACD!);
      expectMatches(ours.signal, t.out.outMACDSignal!);
      expectMatches(ours.histogram, t.out.outMACDHist!, 1e-9, 1); // histogram crosses 0: floor the scale at 1 USDT
      expect(firstFinite(ours.macd)).toBe(t.begIndex);
    });
  }

  it('MACD fast line differs from a stand-alone EMA(12) (TA-Lib seeds it at the slow EMA start)', () => {
    const ours = macd(d.close, 12, 26, 9);
    const naive = ema(d.close, 12);
    const slow = ema(d.close, 26);
    expect(Math.abs(ours.macd[33]! - (naive[33]! - slow[33]!))).toBeGreaterThan(1e-6);
  });

  it('TRANGE and ATR(1, 5, 14)', () => {
    const t = runTalib('TRANGE', d.length, hlc);
    expectMatches(trange(d.high, d.low, d.close), t.out.outReal!);
    for (const period of [1, 5, 14]) {
      const ta = runTalib('ATR', d.length, hlc, { optInTimePeriod: period });
      expectMatches(atr(d.high, d.low, d.close, period), ta.out.outReal!);
    }
  });

  for (const [period, mult] of [
    [20, 2],
    [5, 1],
    [50, 2.5],
  ]) {
    it(`BBANDS(${period}, ${mult}) with SMA`, () => {
      const t = runTalib(
        'BBANDS',
        d.length,
        { inReal: d.close },
        { optInTimePeriod: period, optInNbDevUp: mult, optInNbDevDn: mult, optInMAType: 0 },
      );
      const ours = bbands(d.close, period, mult);
      expectMatches(ours.upper, t.out.outRealUpperBand!);
      expectMatches(ours.middle, t.out.outRealMiddleBand!);
      expectMatches(ours.lower, t.out.outRealLowerBand!);
      const u = t.out.outRealUpperBand!;
      const l = t.out.outRealLowerBand!;
      const m = t.out.outRealMiddleBand!;
      const bw = u.map((x, i) => (x - l[i]!) / m[i]!);
      expectMatches(ours.bandwidth, bw);
    });
  }

  for (const period of [2, 14, 30]) {
    it(`ADX, PLUS_DI, MINUS_DI, DX (${period})`, () => {
      const ours = adx(d.high, d.low, d.close, period);
      const opt = { optInTimePeriod: period };
      expectMatches(ours.adx, runTalib('ADX', d.length, hlc, opt).out.outReal!);
      expectMatches(ours.plusDI, runTalib('PLUS_DI', d.length, hlc, opt).out.outReal!);
      expectMatches(ours.minusDI, runTalib('MINUS_DI', d.length, hlc, opt).out.outReal!);
      expectMatches(ours.dx, runTalib('DX', d.length, hlc, opt).out.outReal!, 1e-9, 1e-6);
    });
  }

  for (const [fk, sk, sd] of [
    [14, 3, 3],
    [5, 3, 3],
    [9, 1, 1],
    [21, 5, 4],
  ]) {
    it(`STOCH(${fk},${sk},${sd}) with SMA`, () => {
      const t = runTalib('STOCH', d.length, hlc, {
        optInFastK_Period: fk,
        optInSlowK_Period: sk,
        optInSlowK_MAType: 0,
        optInSlowD_Period: sd,
        optInSlowD_MAType: 0,
      });
      const ours = stoch(d.high, d.low, d.close, fk, sk, sd);
      expectMatches(ours.k, t.out.outSlowK!, 1e-9, 1e-6);
      expectMatches(ours.d, t.out.outSlowD!, 1e-9, 1e-6);
    });
  }

  for (const [p, fk, fd] of [
    [14, 5, 3],
    [14, 14, 3],
    [6, 3, 1],
  ]) {
    it(`STOCHRSI(${p},${fk},${fd}) with SMA`, () => {
      const t = runTalib(
        'STOCHRSI',
        d.length,
        { inReal: d.close },
        { optInTimePeriod: p, optInFastK_Period: fk, optInFastD_Period: fd, optInFastD_MAType: 0 },
      );
      const ours = stochRsi(d.close, p, fk, fd);
      expectMatches(ours.k, t.out.outFastK!, 1e-9, 1e-6);
      expectMatches(ours.d, t.out.outFastD!, 1e-9, 1e-6);
    });
  }

  for (const period of [5, 14, 20]) {
    it(`CCI(${period}), MFI(${period}), ROC(${period}), LINEARREG_SLOPE(${period})`, () => {
      const opt = { optInTimePeriod: period };
      expectMatches(cci(d.high, d.low, d.close, period), runTalib('CCI', d.length, hlc, opt).out.outReal!, 1e-9, 1e-6);
      expectMatches(
        mfi(d.high, d.low, d.close, d.volume, period),
        runTalib('MFI', d.length, { ...hlc, volume: d.volume }, opt).out.outReal!,
        1e-9,
        1e-6,
      );
      expectMatches(roc(d.close, period), runTalib('ROC', d.length, { inReal: d.close }, opt).out.outReal!, 1e-9, 1e-6);
      expectMatches(
        linRegSlope(d.close, period),
        runTalib('LINEARREG_SLOPE', d.length, { inReal: d.close }, opt).out.outReal!,
        1e-9,
        1e-6,
      );
    });
  }

  it('OBV', () => {
    expectMatches(obv(d.close, d.volume), runTalib('OBV', d.length, { inReal: d.close, volume: d.volume }).out.outReal!);
  });

  it('Donchian upper/lower = TA-Lib MAX(high)/MIN(low)', () => {
    for (const period of [2, 20, 55]) {
      const ours = donchian(d.high, d.low, period);
      expectMatches(ours.upper, runTalib('MAX', d.length, { inReal: d.high }, { optInTimePeriod: period }).out.outReal!, 0);
      expectMatches(ours.lower, runTalib('MIN', d.length, { inReal: d.low }, { optInTimePeriod: period }).out.outReal!, 0);
    }
  });
});
