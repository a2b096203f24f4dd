/**
 * The execution kernel's public surface: the pure `step` (and its in-place halves used by the backtest loop), the
 * serialisable state, and `stepSeries` for callers that drive it over a candle series (paper, live alerts).
 */
export * from './kernel';
export * from './state';
export * from './series';
export * from './cost-hook';
