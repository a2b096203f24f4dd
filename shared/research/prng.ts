/**
 * The seeded PRNG for research code (bootstrap, random sweeps): mulberry32 from the backtester, re-exported so
 * that `shared/research` has the module the lint rule against Math.random() points to.
 */
export { mulberry32, type Prng } from '../backtest/prng';
