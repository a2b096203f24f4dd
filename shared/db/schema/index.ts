/** The whole drizzle schema, grouped by domain: market data, live loop, research, paper trading. */
export * from './market';
export * from './live';
export * from './research';
export * from './ops';
export * from './paper';
