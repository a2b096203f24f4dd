/**
 * Small shared pieces for the bundled strategies: warm-up arithmetic for seeded indicators, cross detection over
 * prepared arrays, zod parameter builders with bounds, and number formatting for human-readable signal reasons.
 * Nothing here computes an indicator: those live in `shared/indicators/`.
 */
import { z } from 'zod';
import type { RiskConfigInput } from '../backtest/config';

// The warm-up rule is shared with the chart overlays: shared/indicators/warmup.ts.
export { emaSeed, wilderSeed } from '../indicators/warmup';

/** True when every argument is a finite number (indicator warm-up yields NaN). */
export function finite(...xs: number[]): boolean {
  for (const x of xs) if (!Number.isFinite(x)) return false;
  return true;
}

/** `a` crossed strictly above `level` at bar i: a[i-1] <= level < a[i]. False when either value is missing. */
export function crossedAboveLevel(a: Float64Array, i: number, level: number): boolean {
  if (i < 1) return false;
  const prev = a[i - 1]!;
  const cur = a[i]!;
  return finite(prev, cur) && prev <= level && cur > level;
}

/** `a` crossed strictly below `level` at bar i: a[i-1] >= level > a[i]. */
export function crossedBelowLevel(a: Float64Array, i: number, level: number): boolean {
  if (i < 1) return false;
  const prev = a[i - 1]!;
  const cur = a[i]!;
  return finite(prev, cur) && prev >= level && cur < level;
}

/** Series `a` crossed above series `b` at bar i: a[i-1] <= b[i-1] and a[i] > b[i]. */
export function crossedAbove(a: Float64Array, b: Float64Array, i: number): boolean {
  if (i < 1) return false;
  const a0 = a[i - 1]!;
  const b0 = b[i - 1]!;
  const a1 = a[i]!;
  const b1 = b[i]!;
  return finite(a0, b0, a1, b1) && a0 <= b0 && a1 > b1;
}

/** Series `a` crossed below series `b` at bar i: a[i-1] >= b[i-1] and a[i] < b[i]. */
export function crossedBelow(a: Float64Array, b: Float64Array, i: number): boolean {
  if (i < 1) return false;
  const a0 = a[i - 1]!;
  const b0 = b[i - 1]!;
  const a1 = a[i]!;
  const b1 = b[i]!;
  return finite(a0, b0, a1, b1) && a0 >= b0 && a1 < b1;
}

/** An integer parameter with inclusive bounds and a default. */
export function intParam(min: number, max: number, def: number) {
  return z.number().int().min(min).max(max).default(def);
}

/** A real parameter with inclusive bounds and a default. */
export function floatParam(min: number, max: number, def: number) {
  return z.number().min(min).max(max).default(def);
}

/**
 * The Nexus Sentinel knob a strategy may declare as a param (`sentinelDropPct`, optional, absent = off): with it,
 * `sentinelRisk` turns on `risk.sentinel` (exit every long when BTC/USDT falls more than that fraction in one
 * candle, shared/execution/sentinel.ts). Absent from the defaults, so runs that do not set it are unchanged.
 */
export const sentinelDropPctParam = z.number().gt(0).max(1).optional();

/** The declared risk of a strategy carrying `sentinelDropPctParam` (`Strategy.risk`). */
export function sentinelRisk(p: { sentinelDropPct?: number | undefined }): RiskConfigInput {
  return p.sentinelDropPct === undefined ? {} : { sentinel: { dropPct: p.sentinelDropPct } };
}

function group3(intPart: string): string {
  return intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * A price as a person reads it off a chart: thousands separators and no decimals from 10,000 up, 2 decimals from
 * 100, 4 from 1, and 4 significant digits below 1 (so a BTC/ETH ratio of 14.2345 keeps its detail).
 */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  const dp = a >= 10_000 ? 0 : a >= 100 ? 2 : a >= 1 ? 4 : -1;
  if (dp < 0) return x === 0 ? '0' : x.toPrecision(4);
  const s = x.toFixed(dp);
  const [ip, fp] = s.split('.');
  return fp === undefined ? group3(ip!) : `${group3(ip!)}.${fp}`;
}

/** A plain number with a fixed number of decimals (RSI, ADX, z-scores). */
export function num(x: number, dp = 1): string {
  return Number.isFinite(x) ? x.toFixed(dp) : String(x);
}

/** A fraction as a percentage: pct(0.0123) = "1.23%"; signed adds "+" to positives. */
export function pct(x: number, dp = 2, signed = false): string {
  if (!Number.isFinite(x)) return String(x);
  const s = (x * 100).toFixed(dp);
  return `${signed && x > 0 ? '+' : ''}${s}%`;
}

/**
 * A number to `digits` significant digits without exponent notation, for values whose scale varies by asset
 * (a MACD histogram is about 10 on BTC and 0.001 on a one-dollar coin): sig(-0.39043) = "-0.390".
 */
export function sig(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const mag = Math.floor(Math.log10(Math.abs(x)));
  const dp = Math.max(0, digits - 1 - mag);
  return dp > 20 ? x.toExponential(digits - 1) : x.toFixed(dp);
}
