/**
 * Rolling z-score: z = (x − mean) / σ over the last `period` values (current value included), σ the population
 * standard deviation (divide by period). 0 when σ is 0 or negligible (σ ≤ 1e-12·|mean|, i.e. a flat window).
 *
 * Mean and σ are updated in O(1) per bar with a rolling Welford update and re-computed exactly (two passes over
 * the window) every `period` bars, so rounding drift cannot build up over long series. TA-Lib has no z-score;
 * tested against a naive two-pass reference computed in the test (and σ against TA-Lib `STDDEV`).
 * Warm-up: first value at index `period − 1`.
 */
import { checkPeriod, nanArray } from './util';

/** Rolling z-score of `values`; NaN for indices < period − 1. */
export function zscore(values: Float64Array, period = 20): Float64Array {
  const z = new ZScore(period);
  const n = values.length;
  const out = nanArray(n);
  for (let i = 0; i < n; i++) out[i] = z.update(values[i]!);
  return out;
}

/** Streaming rolling z-score: `update(x)` returns the current z (NaN during warm-up). `zscore()` runs this. */
export class ZScore {
  readonly period: number;
  private readonly buf: Float64Array;
  private count = 0;
  private mean = 0;
  private m2 = 0;
  private current = NaN;

  constructor(period = 20) {
    checkPeriod('ZScore', period, 2);
    this.period = period;
    this.buf = new Float64Array(period);
  }

  update(x: number): number {
    const p = this.period;
    const slot = this.count % p;
    const c = ++this.count;
    if (c <= p) {
      this.buf[slot] = x;
      const delta = x - this.mean;
      this.mean += delta / c;
      this.m2 += delta * (x - this.mean);
      if (c < p) return this.current;
    } else {
      const old = this.buf[slot]!;
      this.buf[slot] = x;
      const delta = x - old;
      const mean = this.mean + delta / p;
      this.m2 += delta * (x - mean + (old - this.mean));
      this.mean = mean;
      if (slot === p - 1) this.resync();
    }
    const sd = this.m2 > 0 ? Math.sqrt(this.m2 / p) : 0;
    this.current = sd > 1e-12 * Math.abs(this.mean) ? (x - this.mean) / sd : 0;
    return this.current;
  }

  /** Exact two-pass mean and sum of squared deviations of the window (called when the ring wraps). */
  private resync(): void {
    const p = this.period;
    let s = 0;
    for (let j = 0; j < p; j++) s += this.buf[j]!;
    const mean = s / p;
    let m2 = 0;
    for (let j = 0; j < p; j++) {
      const d = this.buf[j]! - mean;
      m2 += d * d;
    }
    this.mean = mean;
    this.m2 = m2;
  }

  get value(): number {
    return this.current;
  }

  get isStable(): boolean {
    return this.count >= this.period;
  }
}
