/**
 * Test helpers for the indicator library: real BTC/USDT 1h candles as Float64Array columns, a TA-Lib (npm
 * `talib`, TA-Lib C 0.4) runner that pads its output back to input length with NaN, the Tulip A-to-Z vectors,
 * and comparison helpers (relative error after warm-up, first non-NaN index).
 */
// eslint-disable-next-line no-restricted-imports -- test-only helper (never bundled): loads the native TA-Lib oracle
import { createRequire } from 'node:module';
import { expect } from 'vitest';
import { readDataJson, readFreqtrade } from '../testing/data';

const require = createRequire(import.meta.url);

interface TalibResult {
  begIndex: number;
  nbElement: number;
  result: Record<string, number[]>;
  error?: string;
}
interface Talib {
  execute(params: Record<string, unknown>): TalibResult;
}
export const talib = require('talib') as Talib;

export interface Columns {
  openTime: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  length: number;
}

/** The first `rows` rows of djienne BTC_USDT-1h.json (45,024 rows in all) as columns. */
export function btc1h(rows = 5_000): Columns {
  const raw = readFreqtrade('djienne-3EMA_SRSI_ATR', 'BTC_USDT-1h.json').slice(0, rows);
  const n = raw.length;
  const c: Columns = {
    openTime: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
    length: n,
  };
  raw.forEach((r, i) => {
    c.openTime[i] = r[0]!;
    c.open[i] = r[1]!;
    c.high[i] = r[2]!;
    c.low[i] = r[3]!;
    c.close[i] = r[4]!;
    c.volume[i] = r[5]!;
  });
  return c;
}

/** Runs a TA-Lib function from index 0; every output is padded back to `n` with leading NaNs. */
export function runTalib(
  name: string,
  n: number,
  inputs: Record<string, Float64Array>,
  options: Record<string, number> = {},
): { begIndex: number; out: Record<string, Float64Array> } {
  const params: Record<string, unknown> = { name, startIdx: 0, endIdx: n - 1, ...options };
  for (const [k, v] of Object.entries(inputs)) params[k] = Array.from(v);
  const r = talib.execute(params);
  if (r.error) throw new Error(`talib ${name}: ${r.error}`);
  const out: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(r.result)) {
    const a = new Float64Array(n).fill(NaN);
    for (let i = 0; i < r.nbElement; i++) a[r.begIndex + i] = v[i]!;
    out[k] = a;
  }
  return { begIndex: r.begIndex, out };
}

export function firstFinite(a: Float64Array): number {
  for (let i = 0; i < a.length; i++) if (!Number.isNaN(a[i]!)) return i;
  return -1;
}

/** Max relative error |a − b| / max(|b|, floor) over indices where `expected` is defined. */
export function maxRelErr(actual: Float64Array, expected: Float64Array, floor = 1e-12): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const b = expected[i]!;
    if (Number.isNaN(b)) continue;
    const e = Math.abs(actual[i]! - b) / Math.max(Math.abs(b), floor);
    if (!(e <= worst)) worst = e; // NaN in `actual` propagates as NaN → test fails
  }
  return worst;
}

/** Same warm-up (first non-NaN index) and ≤ `tol` relative error after it. */
export function expectMatches(actual: Float64Array, expected: Float64Array, tol = 1e-9, floor = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  expect(firstFinite(actual)).toBe(firstFinite(expected));
  expect(maxRelErr(actual, expected, floor)).toBeLessThanOrEqual(tol);
}

/** Element-by-element equality, NaN positions included (Object.is semantics, but +0 equals −0). */
export function expectSameSeries(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    if (!(a === b || (Number.isNaN(a) && Number.isNaN(b)))) {
      throw new Error(`series differ at index ${i}: ${a} vs ${b}`);
    }
  }
}

export interface AtozCase {
  indicator: string;
  options: Record<string, number>;
  inputs: Record<string, number[]>;
  expected_outputs: Record<string, number[]>;
}

export function atozCase(indicator: string): AtozCase {
  const d = readDataJson<{ tests: AtozCase[] }>('indicator-reference', 'tulip-atoz-achelis-reference.json');
  const t = d.tests.find((x) => x.indicator === indicator);
  if (!t) throw new Error(`no atoz case ${indicator}`);
  return t;
}

/** Compares our full-length output to an end-aligned Tulip output from index `from` on (absolute tolerance). */
export function expectEndAligned(ours: Float64Array, tulip: number[], tol: number, from = 0): number {
  const offset = ours.length - tulip.length;
  let compared = 0;
  for (let k = 0; k < tulip.length; k++) {
    const i = offset + k;
    if (i < from) continue;
    expect(Math.abs(ours[i]! - tulip[k]!), `index ${i}: ours ${ours[i]} vs book ${tulip[k]}`).toBeLessThanOrEqual(tol);
    compared++;
  }
  expect(compared).toBeGreaterThan(0);
  return compared;
}

export const f64 = (a: number[]): Float64Array => Float64Array.from(a);
