/**
 * The execution kernel's public surface: the pure `step` (and its in-place halves used by the backtest loop), the
 * serialisable state, `stepSeries` for callers that drive it over a candle series (paper, live alerts), the
 * Sentinel black-swan overlay's probe, and the rebalance arithmetic of ranking mode.
 */
export * from './kernel';
export * from './state';
export * from './series';
export * from './sentinel';
export * from './rebalance';
export * from './cost-hook';
