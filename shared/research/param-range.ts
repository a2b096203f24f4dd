/**
 * The values a sweepable parameter range spans — shared by the grid/random sweep and the TPE search (its own module
 * so the two import it without importing each other).
 */
import type { ParamRange, ParamValue } from '../strategies/types';

function decimals(x: number): number {
  const s = String(x);
  const e = s.indexOf('e-');
  if (e >= 0) return Number(s.slice(e + 2)) + decimals(Number(s.slice(0, e)));
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

/**
 * The values of one range: `choice` as listed; `int` / `float` the inclusive grid min, min + step, … ≤ max, each
 * value rounded to the decimals of min and step (so 0.1 steps give 0.3, not 0.30000000000000004).
 */
export function rangeValues(r: ParamRange): ParamValue[] {
  if (r.kind === 'choice') return [...r.values];
  if (!(r.step > 0) || !Number.isFinite(r.min) || !Number.isFinite(r.max) || r.max < r.min) {
    throw new Error(`bad ${r.kind} range: min ${r.min}, max ${r.max}, step ${r.step}`);
  }
  const d = Math.min(20, Math.max(decimals(r.min), decimals(r.step)));
  const count = Math.floor((r.max - r.min) / r.step + 1e-9) + 1;
  if (count > 1_000_000) throw new Error(`range with ${count} values`);
  const out: ParamValue[] = [];
  for (let k = 0; k < count; k++) {
    const v = Number((r.min + k * r.step).toFixed(d));
    out.push(r.kind === 'int' ? Math.round(v) : v);
  }
  return out;
}

