/**
 * The technical-indicator library: one indicator per module, each with a batch function over Float64Array
 * columns (same-length output, NaN during warm-up) and a streaming class (`update`, `value`, `isStable`).
 * Definitions follow TA-Lib 0.4 (seeding included); see README.md for signatures, warm-ups and where TA-Lib,
 * Tulip and Achelis differ.
 */
export { adx, ADX, type AdxOutput, type AdxValue } from './adx';
export { atr, ATR } from './atr';
export { bbands, BBands, type BbandsOutput, type BbandsValue } from './bbands';
export { cci, CCI } from './cci';
export { donchian, Donchian, type DonchianOutput, type DonchianValue } from './donchian';
export { ema, EMA, emaK } from './ema';
export { keltner, Keltner, type KeltnerOutput, type KeltnerValue } from './keltner';
export { linRegSlope, LinRegSlope } from './linreg-slope';
export { macd, MACD, type MacdOutput, type MacdValue } from './macd';
export { mfi, MFI } from './mfi';
export { obv, OBV } from './obv';
export { roc, ROC } from './roc';
export { rollingMax, rollingMin, RollingMax, RollingMin } from './rolling-extremes';
export { rsi, RSI } from './rsi';
export { sma, SMA, smaFrom } from './sma';
export { stoch, Stoch, rawK, type StochOutput, type StochValue } from './stoch';
export { stochRsi, StochRSI, type StochRsiOutput, type StochRsiValue } from './stoch-rsi';
export { trange, TRange, trueRange } from './trange';
export { volumeZScore, VolumeZScore } from './volume-zscore';
export { vwap, VWAP, DAY_MS } from './vwap';
export { wma, WMA } from './wma';
export { zscore, ZScore } from './zscore';
