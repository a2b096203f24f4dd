/**
 * Venue cost models: fee schedules, presets (five venues × maker/taker, plus the 31 bps stress cost) and the
 * functions that turn a trade's gross return into a net return per preset, the dated tiered fee schedules and the
 * measured cost model (fee + half-spread + impact per venue, symbol and time). All costs in bps.
 */
export * from './schema';
export * from './presets';
export * from './cost-model';
export * from './estimators';
export * from './impact';
export * from './fee-schedules';
export * from './measured';
export * from './measured-run';
