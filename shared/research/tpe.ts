/**
 * A seeded, deterministic Tree-structured Parzen Estimator (TPE) search over a strategy's `paramSpace`, beside the
 * grid and random sweeps: the sampler behind Optuna's default, after Bergstra, Bardenet, Bengio & Kégl, "Algorithms
 * for Hyper-Parameter Optimization" (NeurIPS 2011), with the component choices Optuna uses as documented by
 * Watanabe, "Tree-Structured Parzen Estimator: Understanding Its Algorithm Components and Their Roles for Better
 * Empirical Performance" (arXiv:2304.11127, 2023):
 *
 * - the first `nStartup` (10) trials are uniform draws over the space's grid values;
 * - afterwards the trials are split by value: the best γ(n) = min(⌈0.1·n⌉, 25) form the "good" set (density l),
 *   the rest the "bad" set (density g) — Optuna's `default_gamma`;
 * - each parameter gets an independent (univariate) Parzen estimator per set: numeric parameters a mixture of
 *   normals truncated to [min − step/2, max + step/2], one kernel per observation plus a prior kernel (μ = centre,
 *   σ = range) of weight `priorWeight` (1); kernel σ = the larger gap to its sorted neighbours (the prior included),
 *   clipped to [range / min(100, 1 + kernels), range] ("magic clip"); the value's probability is the kernel mass over
 *   its grid bin [v − step/2, v + step/2]. Choice parameters: a categorical kernel per observation putting
 *   `priorWeight / kernels` on every choice and 1 on the observed one, plus a uniform prior kernel;
 *   observation weights are uniform below 25 observations and Optuna's ramp (older ones down to 1/n) above;
 * - `nCandidates` (24) samples are drawn from l and the one maximising log l(x) − log g(x) (the expected
 *   improvement criterion of Bergstra et al. §4.1) is proposed.
 *
 * Values are maximised (a sweep's objective). Trials whose value is `null` (failed, no trades) rank below every
 * valued trial. Every proposal is a valid, defaults-filled combo (the strategy's `paramsSchema`) not already
 * tried; the RNG stream of proposal k depends only on (seed, k), so the same seed and history give the same
 * proposal on every runtime. Every trial TPE runs is a trial like any other: callers count it in the lab-wide
 * trial registry.
 */
import type { ParamRange, ParamSpace, ParamValue, Params } from '../strategies/types';
import { mulberry32, type Prng } from './prng';
import { normCdf } from './stats';
import { rangeValues } from './param-range';
import type { SweepableStrategy } from './sweep';
import { comboKey } from './summary';

export interface TpeTrial<P extends Params = Params> {
  params: P;
  /** The objective (higher is better); null for a trial that produced no value. */
  value: number | null;
}

export interface TpeOptions {
  seed: number;
  /** Uniform random trials before the model is used (Optuna: 10). */
  nStartup?: number;
  /** Samples drawn from l(x) per proposal (Optuna: 24). */
  nCandidates?: number;
  /** Weight of the prior kernel (Optuna: 1). */
  priorWeight?: number;
  /** Size of the good set for n trials (Optuna: min(⌈0.1·n⌉, 25)). */
  gamma?: (n: number) => number;
  /** Space to search (default: the strategy's `paramSpace`). */
  space?: ParamSpace<Params>;
}

/** Optuna's `default_gamma`. */
export function defaultGamma(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

/** Optuna's `default_weights`: uniform below 25 observations, else a ramp from 1/n (oldest) to 1 plus 25 ones. */
export function defaultWeights(n: number): number[] {
  if (n === 0) return [];
  if (n < 25) return new Array<number>(n).fill(1);
  const ramp = n - 25;
  const out: number[] = [];
  for (let i = 0; i < ramp; i++) out.push(ramp === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (ramp - 1));
  for (let i = 0; i < 25; i++) out.push(1);
  return out;
}

interface NumericAxis {
  kind: 'numeric';
  name: string;
  values: number[];
  min: number;
  step: number;
  lo: number;
  hi: number;
}
interface ChoiceAxis {
  kind: 'choice';
  name: string;
  values: ParamValue[];
}
type Axis = NumericAxis | ChoiceAxis;

function axesOf(space: ParamSpace<Params>): Axis[] {
  const names = Object.keys(space)
    .filter((k) => space[k] !== undefined)
    .sort();
  return names.map((name): Axis => {
    const r = space[name] as ParamRange;
    const values = rangeValues(r);
    if (values.length === 0) throw new Error(`param ${name} has an empty range`);
    if (r.kind === 'choice') return { kind: 'choice', name, values };
    const nums = values as number[];
    const step = nums.length > 1 ? r.step : 1;
    return { kind: 'numeric', name, values: nums, min: nums[0]!, step, lo: nums[0]! - step / 2, hi: nums[nums.length - 1]! + step / 2 };
  });
}

/** A univariate mixture of truncated normals (numeric) or of categoricals (choice). */
export interface NumericParzen {
  kind: 'numeric';
  mus: number[];
  sigmas: number[];
  weights: number[];
  lo: number;
  hi: number;
}
export interface ChoiceParzen {
  kind: 'choice';
  /** kernels × choices, rows summing to 1. */
  probs: number[][];
  weights: number[];
}
export type Parzen = NumericParzen | ChoiceParzen;

function normalise(w: number[]): number[] {
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / s);
}

/**
 * The numeric Parzen estimator of Optuna's TPE (prior on, magic clip on, endpoints off): kernels at the
 * observations and the prior at the centre of [lo, hi].
 */
export function numericParzen(observations: readonly number[], lo: number, hi: number, priorWeight = 1): NumericParzen {
  const range = hi - lo;
  const mus = [...observations, 0.5 * (lo + hi)];
  const n = mus.length;
  const order = mus.map((_, i) => i).sort((a, b) => mus[a]! - mus[b]! || a - b);
  const sorted = order.map((i) => mus[i]!);
  const withEnds = [lo, ...sorted, hi];
  const sortedSigmas: number[] = [];
  for (let j = 0; j < n; j++) sortedSigmas.push(Math.max(withEnds[j + 1]! - withEnds[j]!, withEnds[j + 2]! - withEnds[j + 1]!));
  if (n >= 2) {
    // consider_endpoints=False: the outermost kernels use only their inner gap.
    sortedSigmas[0] = sorted[1]! - sorted[0]!;
    sortedSigmas[n - 1] = sorted[n - 1]! - sorted[n - 2]!;
  }
  const sigmas = new Array<number>(n);
  order.forEach((i, j) => (sigmas[i] = sortedSigmas[j]!));
  const minSigma = range / Math.min(100, 1 + n);
  for (let i = 0; i < n; i++) sigmas[i] = Math.min(range, Math.max(minSigma, sigmas[i]!));
  sigmas[n - 1] = range; // the prior kernel
  const weights = normalise([...defaultWeights(observations.length), priorWeight]);
  return { kind: 'numeric', mus, sigmas, weights, lo, hi };
}

/** The categorical Parzen estimator of Optuna's TPE: observed indices into `nChoices`, plus a uniform prior. */
export function choiceParzen(observed: readonly number[], nChoices: number, priorWeight = 1): ChoiceParzen {
  const kernels = observed.length + 1;
  const probs = observed.map((idx) => normalise(Array.from({ length: nChoices }, (_, c) => priorWeight / kernels + (c === idx ? 1 : 0))));
  probs.push(new Array<number>(nChoices).fill(1 / nChoices));
  const weights = normalise([...defaultWeights(observed.length), priorWeight]);
  return { kind: 'choice', probs, weights };
}

/** log of the mixture's probability of grid bin [a, b] (numeric) or of choice index `a` (choice). */
export function parzenLogMass(p: Parzen, a: number, b = a): number {
  let total = 0;
  if (p.kind === 'choice') {
    for (let k = 0; k < p.weights.length; k++) total += p.weights[k]! * p.probs[k]![a]!;
  } else {
    for (let k = 0; k < p.mus.length; k++) {
      const mu = p.mus[k]!;
      const s = p.sigmas[k]!;
      const z = normCdf((p.hi - mu) / s) - normCdf((p.lo - mu) / s);
      if (!(z > 0)) continue;
      total += (p.weights[k]! * (normCdf((Math.min(b, p.hi) - mu) / s) - normCdf((Math.max(a, p.lo) - mu) / s))) / z;
    }
  }
  return Math.log(Math.max(total, 1e-300));
}

function pickKernel(weights: readonly number[], rng: Prng): number {
  const u = rng.next();
  let acc = 0;
  for (let k = 0; k < weights.length; k++) {
    acc += weights[k]!;
    if (u < acc) return k;
  }
  return weights.length - 1;
}

/** One grid index drawn from the mixture (numeric: a truncated normal draw, snapped to its grid bin). */
function sampleIndex(p: Parzen, axis: Axis, rng: Prng): number {
  const k = pickKernel(p.weights, rng);
  if (p.kind === 'choice') return pickKernel(p.probs[k]!, rng);
  const ax = axis as NumericAxis;
  let x = Number.NaN;
  for (let tries = 0; tries < 64; tries++) {
    const y = p.mus[k]! + p.sigmas[k]! * rng.normal();
    if (y >= p.lo && y <= p.hi) {
      x = y;
      break;
    }
  }
  if (Number.isNaN(x)) x = Math.min(p.hi, Math.max(p.lo, p.mus[k]!));
  return Math.min(ax.values.length - 1, Math.max(0, Math.round((x - ax.min) / ax.step)));
}

function logMassOf(p: Parzen, axis: Axis, idx: number): number {
  if (axis.kind === 'choice') return parzenLogMass(p, idx);
  const v = axis.values[idx]!;
  return parzenLogMass(p, v - axis.step / 2, v + axis.step / 2);
}

function indexOf(axis: Axis, v: ParamValue | undefined): number {
  if (axis.kind === 'choice') return axis.values.findIndex((x) => x === v);
  if (typeof v !== 'number') return -1;
  const i = Math.round((v - axis.min) / axis.step);
  return i >= 0 && i < axis.values.length && Math.abs(axis.values[i]! - v) <= 1e-9 * Math.max(1, Math.abs(v)) ? i : -1;
}

function streamSeed(seed: number, k: number): number {
  return (seed ^ Math.imul(k + 1, 0x9e3779b1)) >>> 0;
}

function validate<P extends Params>(strategy: SweepableStrategy<P>, raw: Params): P | null {
  const parsed = strategy.paramsSchema.safeParse({ ...strategy.defaults, ...raw });
  return parsed.success ? parsed.data : null;
}

/** Trials ordered best first (nulls last; ties keep their order). */
function rankTrials<P extends Params>(trials: readonly TpeTrial<P>[]): TpeTrial<P>[] {
  return trials
    .map((t, i) => ({ t, i }))
    .sort((a, b) => {
      const va = a.t.value;
      const vb = b.t.value;
      if (va === null || !Number.isFinite(va)) return vb === null || !Number.isFinite(vb) ? a.i - b.i : 1;
      if (vb === null || !Number.isFinite(vb)) return -1;
      return vb - va || a.i - b.i;
    })
    .map((x) => x.t);
}

/**
 * The next combo to try given the trials so far, or null when the space has no untried valid combo left (after
 * a bounded number of draws). Deterministic in (seed, trials).
 */
export function suggestTpe<P extends Params>(strategy: SweepableStrategy<P>, trials: readonly TpeTrial<P>[], opts: TpeOptions): P | null {
  const axes = axesOf(opts.space ?? (strategy.paramSpace as ParamSpace<Params>));
  const nStartup = opts.nStartup ?? 10;
  const nCandidates = opts.nCandidates ?? 24;
  const priorWeight = opts.priorWeight ?? 1;
  const gamma = opts.gamma ?? defaultGamma;
  const rng = mulberry32(streamSeed(opts.seed, trials.length));
  const seen = new Set(trials.map((t) => comboKey(t.params)));
  const accept = (raw: Params): P | null => {
    const p = validate(strategy, raw);
    return p !== null && !seen.has(comboKey(p)) ? p : null;
  };
  const uniform = (): Params => Object.fromEntries(axes.map((a) => [a.name, a.values[rng.int(0, a.values.length)]!]));

  if (trials.length >= nStartup) {
    const ranked = rankTrials(trials);
    const nGood = Math.max(1, Math.min(ranked.length - 1, gamma(ranked.length)));
    const good = ranked.slice(0, nGood);
    const bad = ranked.slice(nGood);
    // Observations in trial order (Optuna's weights ramp by age), per axis; values off the grid are left out.
    const inOrder = (set: TpeTrial<P>[]): TpeTrial<P>[] => trials.filter((t) => set.includes(t));
    const build = (set: TpeTrial<P>[], axis: Axis): Parzen => {
      const idx = inOrder(set)
        .map((t) => indexOf(axis, t.params[axis.name]))
        .filter((i) => i >= 0);
      return axis.kind === 'choice'
        ? choiceParzen(idx, axis.values.length, priorWeight)
        : numericParzen(
            idx.map((i) => axis.values[i]!),
            axis.lo,
            axis.hi,
            priorWeight,
          );
    };
    const l = axes.map((a) => build(good, a));
    const g = axes.map((a) => build(bad, a));
    let best: { p: P; score: number } | null = null;
    for (let round = 0; round < 8 && best === null; round++) {
      for (let c = 0; c < nCandidates; c++) {
        const idx = axes.map((a, j) => sampleIndex(l[j]!, a, rng));
        const p = accept(Object.fromEntries(axes.map((a, j) => [a.name, a.values[idx[j]!]!])));
        if (p === null) continue;
        let score = 0;
        axes.forEach((a, j) => (score += logMassOf(l[j]!, a, idx[j]!) - logMassOf(g[j]!, a, idx[j]!)));
        if (best === null || score > best.score) best = { p, score };
      }
    }
    if (best !== null) return best.p;
  }
  // Uniform draws: the startup phase, or the model's candidates were all invalid or already tried.
  for (let i = 0; i < 20_000; i++) {
    const p = accept(uniform());
    if (p !== null) return p;
  }
  return null;
}

export interface TpeSearchResult<P extends Params> {
  trials: TpeTrial<P>[];
  best: TpeTrial<P> | null;
  /** True when the space ran out of untried valid combos before `nTrials`. */
  exhausted: boolean;
}

/**
 * A sequential TPE search: `nTrials` proposals, each evaluated with `objective` before the next is proposed. For
 * queued sweeps, call `suggestTpe` with the trials merged so far for each batch instead.
 */
export function tpeSearch<P extends Params>(
  strategy: SweepableStrategy<P>,
  objective: (params: P) => number | null,
  opts: TpeOptions & { nTrials: number },
): TpeSearchResult<P> {
  const trials: TpeTrial<P>[] = [];
  let exhausted = false;
  while (trials.length < opts.nTrials) {
    const p = suggestTpe(strategy, trials, opts);
    if (p === null) {
      exhausted = true;
      break;
    }
    const v = objective(p);
    trials.push({ params: p, value: v === null || !Number.isFinite(v) ? null : v });
  }
  return { trials, best: rankTrials(trials)[0] ?? null, exhausted };
}
