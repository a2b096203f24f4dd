/**
 * Bid-ask spread estimated from candles, for history where no order book was recorded: EDGE (Ardia, Guidotti &
 * Kroencke 2024), Corwin–Schultz (2012) and Abdi–Ranaldo (2017), single-shot and rolling, plus the seeded
 * bid/ask-bounce simulator their tests recover a known spread from. See shared/costs/README.md for which to use.
 */
export {
  SpreadEstimatorInputError,
  toLogOhlc,
  type LogOhlc,
  type Ohlc,
  type PriceArray,
  type SpreadEstimatorId,
  type SpreadRefusal,
  type SpreadResult,
  type SpreadValue,
} from './types';
export { edgeOnLogs, edgeSpread, type EdgeOptions } from './edge';
export { corwinSchultzOnLogs, corwinSchultzSpread, csTwoDay, type CorwinSchultzOptions, type CsNegativeRule } from './corwin-schultz';
export { abdiRanaldoOnLogs, abdiRanaldoSpread, type AbdiRanaldoOptions, type ArNegativeRule } from './abdi-ranaldo';
export {
  ROLLING_INSUFFICIENT,
  ROLLING_NOT_IDENTIFIABLE,
  ROLLING_OK,
  rollingSpread,
  type RollingEstimator,
  type RollingOptions,
  type RollingSpread,
} from './rolling';
export { edgeRolling, SHORT_WINDOW } from './edge-rolling';
export { simulateBidAskCandles, type SimulateOptions, type SimulatedCandles } from './simulate';
