/**
 * Bid-ask spread estimated from candles, for history where no order book was recorded: EDGE (Ardia, Guidotti &
 * Kroencke 2024), Corwin–Schultz (2012) and Abdi–Ranaldo (2017), single-shot and rolling, plus the seeded
 * bid/ask-bounce simulator their tests recover a known spread from.
 */
export * from './types';
export * from './edge';
export * from './corwin-schultz';
export * from './abdi-ranaldo';
export * from './rolling';
export * from './simulate';
