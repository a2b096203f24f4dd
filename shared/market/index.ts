/**
 * Public surface of the pure market-data core: the normalised book / quote / trade records with their checks,
 * the book metrics with the snapshot record the cron stores, and the half-spread distribution with the parsers of
 * the recorded quote streams (and the Binance diff-depth replay) that calibrate it.
 */
export * from './order-book';
export * from './book-metrics';
export * from './spread-distribution';
export * from './microstructure';
export * from './depth-replay';
export * from './price-levels';
