/**
 * Portfolio mode: a multi-symbol backtest with shared capital on the execution kernel (REQ-BT-005). Rules in
 * ./README.md.
 */
export * from './config';
export * from './types';
export { runPortfolio } from './run';
export { kernelPass, checkUniverse, type Selector, type KernelPassResult } from './kernel-pass';
export { bookView, placeTrades } from './accounting';
