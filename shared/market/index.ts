/**
 * Public surface of the pure market-data core: the normalised book / quote / trade records with their checks,
 * and the book metrics with the snapshot record the cron stores.
 */
export * from './order-book';
export * from './book-metrics';
