/**
 * Test helper for the execution kernel: an hourly kernel context with the backtest's default risk rules, no ATR,
 * entries open and a 3-candle limit expiry, with any field overridable.
 */
import { parseBacktestConfig } from '../backtest/config';
import type { KernelContext } from './kernel';

export const HOUR_MS = 3_600_000;

export function kernelTestContext(over: Partial<KernelContext> = {}): KernelContext {
  return {
    timeframeMs: HOUR_MS,
    risk: parseBacktestConfig({}).risk,
    limitExpiryCandles: 3,
    allowShort: false,
    entriesOpen: true,
    atrBefore: () => null,
    atrAt: () => null,
    ...over,
  };
}
