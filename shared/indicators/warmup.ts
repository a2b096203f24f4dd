/**
 * The one warm-up rule for seeded indicators: how many candles before the first value shown an indicator needs so
 * that it equals the value computed over the whole history. The strategies' startup (shared/strategies) and the
 * chart overlays (`GET /api/candles`) both ask here, so an overlay on the run page is the series the strategy saw.
 */

/**
 * Seed history for an EMA-type indicator (alpha = 2 / (period + 1)): after 10·period bars the weight left on
 * the seed is about e^-20 ≈ 2e-9, so a longer history moves values — stop and limit prices included — by less than
 * the backtester's 1e-6 warm-up tolerance (5·period left ~5e-5: same actions, but prices drifting in the 5th digit).
 */
export function emaSeed(period: number): number {
  return 10 * Math.ceil(period);
}

/**
 * Seed history for a Wilder-smoothed indicator (RSI, ATR, ADX; alpha = 1 / period): the weight left after n bars
 * is (1 - 1/period)^n ≈ e^(-n/period), so the same e^-20 residual needs 20·period bars.
 */
export function wilderSeed(period: number): number {
  return 20 * Math.ceil(period);
}

export type WarmupKind = 'ema' | 'sma' | 'bbands' | 'rsi' | 'atr' | 'macd';

/** Candles of history before the first shown value, for an indicator with these arguments (periods first). */
export function indicatorWarmup(kind: WarmupKind, args: readonly number[]): number {
  const [a = 1, b = 1, c = 1] = args;
  switch (kind) {
    case 'ema':
      return emaSeed(a);
    case 'sma':
    case 'bbands':
      return Math.ceil(a);
    case 'rsi':
    case 'atr':
      return wilderSeed(a) + 1;
    case 'macd':
      return emaSeed(Math.max(a, b)) + emaSeed(c);
  }
}
