/**
 * The backtester's public surface: single-series engine, chunked runs, sliding slices, ranking, metrics,
 * lookahead guards and result hashing. Rules are documented in ./README.md.
 */
export * from './types';
export * from './config';
export { ENGINE_VERSION_ID, INITIAL_CARRY, emptySkips, lowerBound, resolveWindow, runBacktest, runChunk, warmupCandles, wholeRunPrepareFrom } from './engine';
export * from './chunking';
export * from './slices';
export * from './ranking';
export * from './metrics';
export * from './lookahead';
export { buildResult, priceTrades, withHash } from './result';
export { canonicalJson, canonicalNumber, hashCanonical, sha256Hex } from './hash';
export { atrPctAt } from './atr';
export { mulberry32, type Prng } from './prng';
