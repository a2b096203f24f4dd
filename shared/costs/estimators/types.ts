/**
 * Shared vocabulary of the spread-from-candles estimators (EDGE, Corwin–Schultz, Abdi–Ranaldo): the result type
 * (an estimate, or a typed refusal that carries the count it was short of — never a made-up number), the input
 * error, and the validation every estimator runs on its open/high/low/close arrays.
 *
 * Spreads are fractions of the mid price (0.01 = 1 % = 100 bps) and are the FULL quoted-equivalent spread, as in
 * the papers; the half-spread a fill pays is half of it.
 */

export type SpreadEstimatorId = 'edge' | 'corwin-schultz' | 'abdi-ranaldo';

/** A price series as four aligned arrays, oldest first. NaN marks a missing value (kept, as the references do). */
export type PriceArray = Float64Array | readonly number[];

export interface SpreadValue {
  ok: true;
  estimator: SpreadEstimatorId;
  /** Spread estimate, a fraction of the price (0.01 = 1 %); never negative. */
  spread: number;
  /**
   * The signed estimate the negative-value rule was applied to: the signed root sign(s²)·√|s²| for EDGE and
   * Abdi–Ranaldo, the plain mean of the two-day estimates for Corwin–Schultz. Negative means the data said "no
   * measurable spread" (noise dominates); `spread` holds the estimator's documented non-negative version.
   */
  signed: number;
  /** Candles in the sample (including missing ones). */
  n: number;
  /** Consecutive-candle pairs that entered the estimate. */
  pairs: number;
}

export interface SpreadRefusal {
  ok: false;
  estimator: SpreadEstimatorId;
  /**
   * `insufficient-data`: fewer usable observations than the estimator needs (`count` < `required`);
   * `not-identifiable`: enough rows but no price variation to identify the spread (e.g. every open equals its high
   * and its low), so the moments divide by zero.
   */
  reason: 'insufficient-data' | 'not-identifiable';
  /** What was counted (usable pairs for EDGE/CS/AR). */
  count: number;
  required: number;
  detail: string;
}

export type SpreadResult = SpreadValue | SpreadRefusal;

/** Malformed input: arrays of unequal length, a non-positive or infinite price, a bar whose high is below its low. */
export class SpreadEstimatorInputError extends Error {
  override readonly name = 'SpreadEstimatorInputError';
  constructor(
    message: string,
    /** Row of the first offending candle, when there is one. */
    readonly index?: number,
  ) {
    super(message);
  }
}

export interface Ohlc {
  open: PriceArray;
  high: PriceArray;
  low: PriceArray;
  close: PriceArray;
}

/** Natural logs of the four arrays (NaN stays NaN), after validation. */
export interface LogOhlc {
  o: Float64Array;
  h: Float64Array;
  l: Float64Array;
  c: Float64Array;
  n: number;
}

/**
 * Validate and take logs. Throws {@link SpreadEstimatorInputError} on unequal lengths, a price that is ≤ 0 or ±∞,
 * or a candle whose present values are inconsistent (high < low, open or close outside [low, high]); NaN is a
 * missing value and passes.
 *
 * Options: `from` / `to`, the rows to take (default all; row `from` becomes row 0, and errors name rows from there,
 * as for a subarray); `into`, arrays to write the logs into when they are long enough (a caller taking many windows
 * reuses one set instead of allocating four per window), which the result then holds. A price equal to one already
 * taken (the open to the previous close, the high or low to the open or close) reuses its log: the same number.
 */
export function toLogOhlc(x: Ohlc, opts: { from?: number; to?: number; into?: Omit<LogOhlc, 'n'> } = {}): LogOhlc {
  const len = x.open.length;
  if (x.high.length !== len || x.low.length !== len || x.close.length !== len) {
    throw new SpreadEstimatorInputError(
      `open, high, low, close must have the same length (got ${len}, ${x.high.length}, ${x.low.length}, ${x.close.length})`,
    );
  }
  const from = opts.from ?? 0;
  const n = (opts.to ?? len) - from;
  const into = opts.into;
  const reuse = into !== undefined && into.o.length >= n && into.h.length >= n && into.l.length >= n && into.c.length >= n;
  const o = reuse ? into.o : new Float64Array(n);
  const h = reuse ? into.h : new Float64Array(n);
  const l = reuse ? into.l : new Float64Array(n);
  const c = reuse ? into.c : new Float64Array(n);
  const check = (p: number, name: string, i: number): void => {
    if (Number.isNaN(p)) return;
    if (!(p > 0) || p === Infinity) {
      throw new SpreadEstimatorInputError(`${name}[${i}] = ${p}: prices must be positive and finite (NaN = missing)`, i);
    }
  };
  const { open, high, low, close } = x;
  for (let i = 0; i < n; i++) {
    const po = open[from + i]!;
    const ph = high[from + i]!;
    const pl = low[from + i]!;
    const pc = close[from + i]!;
    // a complete, consistent candle (0 < low ≤ open, close ≤ high < ∞) passes at once; anything else is checked
    if (!(pl > 0 && ph < Infinity && po >= pl && po <= ph && pc >= pl && pc <= ph)) {
      check(po, 'open', i);
      check(ph, 'high', i);
      check(pl, 'low', i);
      check(pc, 'close', i);
      // comparisons with NaN are false, so a missing value never trips these
      if (ph < pl) throw new SpreadEstimatorInputError(`candle ${i}: high ${ph} < low ${pl}`, i);
      if (po > ph || pc > ph) throw new SpreadEstimatorInputError(`candle ${i}: open/close above high ${ph}`, i);
      if (po < pl || pc < pl) throw new SpreadEstimatorInputError(`candle ${i}: open/close below low ${pl}`, i);
    }
    const lo = i > 0 && po === close[from + i - 1] ? c[i - 1]! : Math.log(po);
    const lc = pc === po ? lo : Math.log(pc);
    o[i] = lo;
    c[i] = lc;
    h[i] = ph === po ? lo : ph === pc ? lc : Math.log(ph);
    l[i] = pl === po ? lo : pl === pc ? lc : Math.log(pl);
  }
  return { o, h, l, c, n };
}

/** Neumaier-compensated running mean over the non-NaN values pushed into it (the references' nanmean). */
export class NanMean {
  private sum = 0;
  private comp = 0;
  count = 0;
  add(x: number): void {
    if (Number.isNaN(x)) return;
    const t = this.sum + x;
    if (Math.abs(this.sum) >= Math.abs(x)) this.comp += this.sum - t + x;
    else this.comp += x - t + this.sum;
    this.sum = t;
    this.count++;
  }
  /** Sum of the values (0 when none). */
  total(): number {
    return this.sum + this.comp;
  }
  /** Mean, NaN when nothing was added (as numpy's nanmean of an all-NaN slice). */
  mean(): number {
    return this.count === 0 ? NaN : (this.sum + this.comp) / this.count;
  }
}

export function refuse(
  estimator: SpreadEstimatorId,
  reason: SpreadRefusal['reason'],
  count: number,
  required: number,
  detail: string,
): SpreadRefusal {
  return { ok: false, estimator, reason, count, required, detail };
}
