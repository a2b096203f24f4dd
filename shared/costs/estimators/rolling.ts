/**
 * Rolling-window versions of the spread estimators: the estimate over each window of `window` consecutive candles
 * (`window − 1` consecutive pairs, as the `bidask` reference counts: width w uses rows t−w+1 … t), evaluated every
 * `step` candles. Each window runs the same code as the whole-sample estimator on the same log prices, so a window
 * gives byte-for-byte the number the single-shot function gives on that slice (cost O(n·window/step); with
 * step = window, e.g. daily estimates from minute bars, it is O(n)).
 *
 * Output is compact (one entry per evaluated window) and says, per window, whether it is an estimate or a refusal:
 * a window that cannot identify a spread has status ≠ 0 and NaN in `spread`, never a made-up number.
 */
import { abdiRanaldoOnLogs, type AbdiRanaldoOptions } from './abdi-ranaldo';
import { corwinSchultzOnLogs, type CorwinSchultzOptions } from './corwin-schultz';
import { edgeOnLogs, type EdgeOptions } from './edge';
import { SpreadEstimatorInputError, toLogOhlc, type Ohlc, type SpreadEstimatorId, type SpreadResult } from './types';

export type RollingEstimator =
  | ({ estimator: 'edge' } & EdgeOptions)
  | ({ estimator: 'corwin-schultz' } & CorwinSchultzOptions)
  | ({ estimator: 'abdi-ranaldo' } & AbdiRanaldoOptions);

export interface RollingOptions {
  /** Candles per window (≥ 3 for EDGE, ≥ 2 for Corwin–Schultz and Abdi–Ranaldo). */
  window: number;
  /** Evaluate every `step` candles (default 1: every candle from the first full window on). */
  step?: number;
}

/** Window status: 0 = estimate, 1 = insufficient data, 2 = not identifiable. */
export const ROLLING_OK = 0;
export const ROLLING_INSUFFICIENT = 1;
export const ROLLING_NOT_IDENTIFIABLE = 2;

export interface RollingSpread {
  estimator: SpreadEstimatorId;
  window: number;
  step: number;
  /** Index of the last candle of each evaluated window. */
  end: Int32Array;
  /** Spread per window (fraction); NaN where status ≠ 0. */
  spread: Float64Array;
  /** Signed estimate per window (see {@link SpreadValue.signed}); NaN where status ≠ 0. */
  signed: Float64Array;
  /** Pairs that entered each window's estimate (usable pairs counted, for refusals too). */
  pairs: Int32Array;
  status: Uint8Array;
  /** Windows refused (status ≠ 0). */
  refused: number;
}

const MIN_WINDOW: Record<SpreadEstimatorId, number> = { edge: 3, 'corwin-schultz': 2, 'abdi-ranaldo': 2 };

/** The chosen estimator over every `step`-th window of `window` candles. */
export function rollingSpread(x: Ohlc, est: RollingEstimator, opts: RollingOptions): RollingSpread {
  const { window } = opts;
  const step = opts.step ?? 1;
  const min = MIN_WINDOW[est.estimator];
  if (!Number.isInteger(window) || window < min) {
    throw new SpreadEstimatorInputError(`${est.estimator} rolling window must be an integer ≥ ${min} candles, got ${window}`);
  }
  if (!Number.isInteger(step) || step < 1) throw new SpreadEstimatorInputError(`rolling step must be an integer ≥ 1, got ${step}`);
  const logs = toLogOhlc(x);
  const count = logs.n < window ? 0 : Math.floor((logs.n - window) / step) + 1;
  const out: RollingSpread = {
    estimator: est.estimator,
    window,
    step,
    end: new Int32Array(count),
    spread: new Float64Array(count),
    signed: new Float64Array(count),
    pairs: new Int32Array(count),
    status: new Uint8Array(count),
    refused: 0,
  };
  for (let i = 0; i < count; i++) {
    const to = window + i * step;
    const from = to - window;
    const r: SpreadResult =
      est.estimator === 'edge'
        ? edgeOnLogs(logs, from, to, est)
        : est.estimator === 'corwin-schultz'
          ? corwinSchultzOnLogs(logs, from, to, est)
          : abdiRanaldoOnLogs(logs, from, to, est);
    out.end[i] = to - 1;
    if (r.ok) {
      out.spread[i] = r.spread;
      out.signed[i] = r.signed;
      out.pairs[i] = r.pairs;
    } else {
      out.spread[i] = NaN;
      out.signed[i] = NaN;
      out.pairs[i] = r.count;
      out.status[i] = r.reason === 'insufficient-data' ? ROLLING_INSUFFICIENT : ROLLING_NOT_IDENTIFIABLE;
      out.refused++;
    }
  }
  return out;
}
