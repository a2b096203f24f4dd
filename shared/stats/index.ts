/**
 * The statistics library's public surface: tests of the search itself — PBO by CSCV, White's Reality Check and
 * Hansen's SPA on the stationary bootstrap with the Politis–White block length, equity Monte Carlo (trade
 * reshuffle, moving-block bootstrap) and the minimum backtest length. Pure, seeded, pinned to the papers; the
 * definitions are in ./README.md and in each module's header.
 */
export * from './errors';
export * from './combinations';
export * from './cscv-matrix';
export * from './pbo';
export * from './block-length';
export * from './resample';
export * from './autocovariance';
export * from './spa';
export * from './monte-carlo';
export * from './min-btl';
