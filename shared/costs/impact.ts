/**
 * Market impact by order size: the square-root law
 *
 *   impact = k · σ · √(Q / V)
 *
 * with σ the volatility over the holding horizon (a fraction), V the volume traded over that horizon and Q the
 * order's notional (same currency as V), so Q/V is the order's participation. It is the empirical law of Tóth,
 * Lempérière, Deremble, de Lataillade, Kockelkoren & Bouchaud ("Anomalous price impact and the critical nature of
 * liquidity in financial markets", Phys. Rev. X 1, 021006, 2011, Eq. 1: Δ = Y σ √(Q/V) with Y of order one), found
 * in Almgren, Thum, Hauptmann & Li ("Direct estimation of equity market impact", Risk 18(7), 2005: an impact
 * exponent of 3/5, close to 1/2) and set out in Bouchaud, Bonart, Donier & Gould ("Trades, Quotes and Prices",
 * CUP 2018, ch. 12); Donier & Bonart ("A million metaorder analysis of market impact on the Bitcoin", Market
 * Microstructure and Liquidity 1(2), 2015) found it on a crypto venue.
 *
 * k defaults to {@link DEFAULT_IMPACT_K} = 1, the upper end of "order one": a cautious default where no venue fit
 * exists. Where observed costs exist (e.g. walk-the-book costs of book snapshots), {@link fitImpactK} calibrates k by
 * least squares through the origin and reports its standard error and residuals. The law is for orders that are a
 * small share of volume: above `maxParticipation` (default {@link DEFAULT_MAX_PARTICIPATION}) an order is refused
 * with {@link ImpactRefusedError} rather than priced by an extrapolation.
 *
 * Costs are in bps (1 bp = 1e-4), σ and participation are fractions.
 */
import { z } from 'zod';

/** Default prefactor k (Tóth et al. 2011's Y, "of order one"), used where no venue calibration exists. */
export const DEFAULT_IMPACT_K = 1;
/** Default largest participation Q/V priced: 10 % of the horizon's volume. */
export const DEFAULT_MAX_PARTICIPATION = 0.1;

/** An order whose participation exceeds the configured share of volume: not priced. */
export class ImpactRefusedError extends Error {
  override readonly name = 'ImpactRefusedError';
  constructor(
    readonly participation: number,
    readonly maxParticipation: number,
  ) {
    super(
      `order is ${(participation * 100).toPrecision(3)} % of the horizon's volume, above the ${(maxParticipation * 100).toPrecision(3)} % the square-root impact model is allowed to price`,
    );
  }
}

/** Malformed impact input (negative notional, non-positive volume, NaN σ, …); the message says which field. */
export class ImpactInputError extends Error {
  override readonly name = 'ImpactInputError';
}

const nonNegative = z.number().finite().nonnegative();

export const impactInputSchema = z.object({
  /** Order notional Q (quote currency). */
  notional: nonNegative,
  /** Volume V traded over the holding horizon, same currency as Q; must be > 0. */
  volume: z.number().finite().positive(),
  /** Volatility σ over the holding horizon, a fraction (0.02 = 2 %). */
  sigma: nonNegative,
});
export type ImpactInput = z.infer<typeof impactInputSchema>;

export const impactOptionsSchema = z.object({
  k: nonNegative.default(DEFAULT_IMPACT_K),
  maxParticipation: z.number().finite().positive().max(1).default(DEFAULT_MAX_PARTICIPATION),
});
export type ImpactOptions = z.input<typeof impactOptionsSchema>;

export interface ImpactEstimate {
  /** k · σ · √(Q/V) in bps. */
  impactBps: number;
  /** Q / V. */
  participation: number;
  k: number;
}

function parse<S extends z.ZodType>(schema: S, v: unknown, what: string): z.output<S> {
  const r = schema.safeParse(v);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new ImpactInputError(`${what}: ${i.path.join('.') || '(value)'}: ${i.message}`);
  }
  return r.data;
}

/**
 * Square-root impact of one order, in bps. Throws {@link ImpactInputError} on malformed input and
 * {@link ImpactRefusedError} when Q/V exceeds `maxParticipation`.
 */
export function sqrtImpact(input: ImpactInput, options: ImpactOptions = {}): ImpactEstimate {
  // plain checks rather than zod here: this sits on the backtest's per-fill path; the rules are the schemas' own
  const { notional, volume, sigma } = input;
  if (!(Number.isFinite(notional) && notional >= 0)) throw new ImpactInputError(`impact input: notional must be finite and ≥ 0, got ${notional}`);
  if (!(Number.isFinite(volume) && volume > 0)) throw new ImpactInputError(`impact input: volume must be finite and > 0, got ${volume}`);
  if (!(Number.isFinite(sigma) && sigma >= 0)) throw new ImpactInputError(`impact input: sigma must be finite and ≥ 0, got ${sigma}`);
  const k = options.k ?? DEFAULT_IMPACT_K;
  const max = options.maxParticipation ?? DEFAULT_MAX_PARTICIPATION;
  if (!(Number.isFinite(k) && k >= 0)) throw new ImpactInputError(`impact options: k must be finite and ≥ 0, got ${k}`);
  if (!(max > 0 && max <= 1)) throw new ImpactInputError(`impact options: maxParticipation must be in (0, 1], got ${max}`);
  const participation = notional / volume;
  if (participation > max) throw new ImpactRefusedError(participation, max);
  return { impactBps: k * sigma * Math.sqrt(participation) * 1e4, participation, k };
}

/** One observed execution cost, e.g. walking a recorded book for notional Q. */
export const impactObservationSchema = impactInputSchema.extend({
  /** Observed cost of the order relative to the mid, bps (a walk-the-book cost includes the half-spread). */
  costBps: z.number().finite(),
  /** Half-spread at the time, bps, subtracted from `costBps` so only impact is fitted. Default 0. */
  halfSpreadBps: z.number().finite().nonnegative().default(0),
});
export type ImpactObservation = z.input<typeof impactObservationSchema>;

export interface ImpactFit {
  ok: true;
  /** Least-squares k (through the origin). */
  k: number;
  /** Classical standard error of k: √(s² / Σx²), s² = Σr² / (n − 1). */
  standardError: number;
  /** Heteroskedasticity-robust (White HC0) standard error: √(Σ x² r²) / Σx². */
  robustStandardError: number;
  /** Observed impact − fitted impact per row, bps, in input order. */
  residualsBps: Float64Array;
  /** Root mean square residual, bps. */
  rmseBps: number;
  n: number;
}

export interface ImpactFitRefusal {
  ok: false;
  reason: 'insufficient-data' | 'not-identifiable';
  count: number;
  required: number;
  detail: string;
}

/**
 * Calibrate k from observed costs: minimise Σ (y_i − k·x_i)² with x_i = σ_i √(Q_i/V_i) · 1e4 and
 * y_i = costBps_i − halfSpreadBps_i, so k = Σxy / Σx². Needs at least 2 rows, at least one with x > 0 (else a
 * refusal with the count). Rows are validated (zod): a malformed row throws {@link ImpactInputError} naming its index.
 */
export function fitImpactK(rows: readonly ImpactObservation[]): ImpactFit | ImpactFitRefusal {
  const n = rows.length;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  rows.forEach((row, i) => {
    const r = parse(impactObservationSchema, row, `impact observation ${i}`);
    x[i] = r.sigma * Math.sqrt(r.notional / r.volume) * 1e4;
    y[i] = r.costBps - r.halfSpreadBps;
  });
  if (n < 2) return { ok: false, reason: 'insufficient-data', count: n, required: 2, detail: `fitting k needs at least 2 observations, got ${n}` };
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += x[i]! * x[i]!;
    sxy += x[i]! * y[i]!;
  }
  if (!(sxx > 0)) {
    return { ok: false, reason: 'not-identifiable', count: n, required: 2, detail: 'every observation has σ·√(Q/V) = 0: k is not identifiable' };
  }
  const k = sxy / sxx;
  const residualsBps = new Float64Array(n);
  let ssr = 0;
  let hc = 0;
  for (let i = 0; i < n; i++) {
    const r = y[i]! - k * x[i]!;
    residualsBps[i] = r;
    ssr += r * r;
    hc += x[i]! * x[i]! * r * r;
  }
  return {
    ok: true,
    k,
    standardError: Math.sqrt(ssr / (n - 1) / sxx),
    robustStandardError: Math.sqrt(hc) / sxx,
    residualsBps,
    rmseBps: Math.sqrt(ssr / n),
    n,
  };
}
