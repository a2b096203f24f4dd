/**
 * Volume z-score: the rolling z-score (see `zscore`) of raw bar volume over the last `period` bars — how unusual
 * this bar's volume is against the recent window, in population standard deviations. 0 for a flat window
 * (e.g. all-zero volume). Default period 20.
 *
 * TA-Lib has no such indicator; tested against a naive two-pass reference computed in the test.
 * Warm-up: first value at index `period − 1`.
 */
import { zscore, ZScore } from './zscore';

/** Rolling z-score of `volume`; NaN for indices < period − 1. */
export function volumeZScore(volume: Float64Array, period = 20): Float64Array {
  return zscore(volume, period);
}

/** Streaming volume z-score: `update(volume)` returns the current z (NaN during warm-up). */
export class VolumeZScore extends ZScore {}
