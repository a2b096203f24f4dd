/**
 * The research layer's public surface: parameter sweeps (generation, chunking, deterministic merge), walk-forward
 * (sliding windows and IS-optimised / OOS-tested folds), statistics (bootstrap CI, PSR, DSR, MinTRL), gates as
 * data, per-venue verdicts and promotion decisions, and paper-trading accounts with the paper-vs-replay diff.
 * Definitions are documented in ./README.md.
 */
export * from './summary';
export * from './sweep';
export * from './walk-forward';
export * from './stats';
export * from './gates';
export * from './verdict';
export * from './paper';
export * from './divergence';
export * from './tpe';
