/** The whole drizzle schema, grouped by domain: market data, live loop, research. */
export * from './market';
export * from './live';
export * from './research';
export * from './ops';
