/**
 * Verdicts per venue and promotion decisions.
 *
 * `judgeVenues` evaluates the gates (./gates.ts) for every cost preset of a result — the five venues in taker and
 * maker variants plus `stress-31` — on the result's per-trade net returns, and says for each:
 *   reject — fewer than `minTrades` trades (however high the Sharpe), or mean net return per trade ≤ 0 at that
 *            preset's cost (no edge there);
 *   keep   — every gate passed (a `skipped` gate — no walk-forward or no sweep neighbours supplied — is NOT a pass);
 *   watch  — anything in between (an edge > 0 that fails or has not yet been tested on some gate).
 * Each verdict carries the numbers (net mean bps per trade, mean round trip bps, net at 2× cost, bootstrap CI,
 * PSR, DSR, every gate's value and threshold) and a sentence a person can act on.
 *
 * Measured views (`<venue>-measured`, shared/costs/measured.ts) also carry the edge margin (./verdict-margin.ts):
 * the break-even round-trip cost with its percentile-bootstrap CI against the venue's measured per-trade cost
 * (median, p90); a measured view keeps only when every gate passes AND the CI's lower bound clears the p90 cost.
 * Whenever the mean gross return is ≤ 0 a reject's reason says "no edge before costs".
 *
 * `overallVerdict` looks at the deciding views (`decidingVerdicts`: the measured views when the run has them, else
 * the fee-only venue presets; stress-31 is reported beside them): keep if any keeps, else watch if any watches,
 * else reject. `decidePromotion` moves a strategy to `paper` only when every gate
 * passes on at least one venue preset (a `keep`, stress-31 excluded) and the caller's `gatesPassedAll` is not
 * false; otherwise to `watch` when some venue preset keeps or watches, and to `rejected` when every venue preset
 * rejects. It never "promotes" to the status it already has: `to` then equals `currentStatus`.
 */
import type { Trade } from '../backtest/types';
import { COST_PRESET_IDS, VENUE_IDS } from '../costs';
import type { StrategyStatus } from '../strategies/types';
import { GATE_IDS, parseGates, type GateCheck, type GateId, type GatesInput } from './gates';
import { bootstrapMeanCi, deflatedSharpe, probabilisticSharpe, sharpeInput } from './stats';
import { viewReturns, type ComboSummary } from './summary';
import { edgeMargin, type EdgeMargin } from './verdict-margin';

export type Verdict = 'keep' | 'watch' | 'reject';

export interface VenueVerdict {
  presetId: string;
  /** binance | kraken | coinbase | okx | bybit | stress | the id of a custom model. */
  venue: string;
  liquidity: 'taker' | 'maker' | 'measured' | 'all-in' | 'custom';
  /** Human label, e.g. "Binance maker", "stress 31 bps/side". */
  label: string;
  verdict: Verdict;
  trades: number;
  grossMeanBps: number | null;
  netMeanBps: number | null;
  /** Mean net bps per trade with every trade's cost doubled (2·net − gross). */
  netMeanBpsAt2xCost: number | null;
  /** Mean round-trip cost of the trades under this preset, bps. */
  roundTripBps: number | null;
  /** Percentile-bootstrap CI of the mean net bps per trade. */
  ci: { lo: number; hi: number; confidence: number } | null;
  /** Per-trade (not annualised) Sharpe of the net returns. */
  tradeSharpe: number | null;
  /** PSR against SR* = 0. */
  psr: number | null;
  dsr: number | null;
  /** The deflated benchmark SR₀ the DSR was computed against, and where its variance came from. */
  dsrBenchmarkSr: number | null;
  dsrVarianceSource: 'trials' | 'null-fallback' | null;
  gates: GateCheck[];
  failed: GateId[];
  skipped: GateId[];
  reason: string;
  /**
   * Measured views (`<venue>-measured`) only: the break-even round-trip cost with its bootstrap CI against the
   * venue's measured per-trade cost (median, p90); keep needs `clears` (./verdict-margin.ts).
   */
  margin?: EdgeMargin;
}

/** The per-fold OOS summaries a walk-forward provides (WalkForwardResult fits). */
export interface WalkForwardEvidence {
  folds: readonly { outOfSample: ComboSummary | null }[];
}

/** What the noLookahead gate reads from a lookahead audit (see shared/backtest/lookahead-audit.ts). */
export interface LookaheadEvidence {
  ok: boolean;
  /** Truncation mismatches + recursive signal changes at 1× startup. */
  mismatches: number;
  detail: string;
}

export interface JudgeInput {
  /** The result to judge: a BacktestResult, SlicesResult or a walk-forward's `oos` result. */
  result: { trades: readonly Trade[]; net?: Readonly<Record<string, unknown>> };
  /** Trials in the strategy's family (the lab-wide count) for the DSR; 1 = no selection. */
  trialsForFamily: number;
  /** Variance of the trials' per-trade Sharpes (a number, or per preset as in SweepResult.trials); default 1/(n−1). */
  trialSharpeVariance?: number | Readonly<Record<string, number | null>> | null;
  gates?: GatesInput;
  /** Grid neighbours of the best combo (see `sweepNeighbours`) for the parameter-stability gate. */
  sweepNeighbours?: readonly ComboSummary[];
  /** The best combo's own sweep summary; its net edge is the reference (default: the judged result's edge). */
  sweepCentre?: ComboSummary;
  /** Walk-forward folds for the OOS-consistency gate. */
  walkForward?: WalkForwardEvidence;
  /** The run's lookahead audit (`lookaheadEvidence`), for the noLookahead gate; absent → skipped. */
  lookahead?: LookaheadEvidence;
  /** Presets to judge (default: every cost model of the result, presets in their canonical order first). */
  presets?: readonly string[];
}

const VENUE_NAMES: Record<string, string> = { binance: 'Binance', kraken: 'Kraken', coinbase: 'Coinbase', okx: 'OKX', bybit: 'Bybit' };

export function presetLabel(id: string): { venue: string; liquidity: VenueVerdict['liquidity']; label: string } {
  if (id === 'stress-31') return { venue: 'stress', liquidity: 'all-in', label: 'stress 31 bps/side' };
  const m = /^([a-z]+)-(taker|maker|measured)$/.exec(id);
  if (m && VENUE_NAMES[m[1]!]) return { venue: m[1]!, liquidity: m[2] as 'taker' | 'maker' | 'measured', label: `${VENUE_NAMES[m[1]!]} ${m[2]}` };
  return { venue: id, liquidity: 'custom', label: id };
}

/** Bps for people: one decimal at most, Unicode minus, `+` on request. */
export function fmtBps(x: number, signed = false): string {
  const r = Math.round(x * 10) / 10;
  const abs = Math.abs(r);
  const s = Number.isInteger(abs) ? abs.toFixed(0) : abs.toFixed(1);
  if (r < 0) return `−${s}`;
  return signed && r > 0 ? `+${s}` : s;
}

const fmt2 = (x: number): string => x.toFixed(2).replace('-', '−');

function mean(xs: readonly number[]): number | null {
  return xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

function presetIdsOf(input: JudgeInput): string[] {
  if (input.presets) return [...input.presets];
  const ids = new Set<string>(Object.keys(input.result.net ?? {}));
  for (const t of input.result.trades) for (const k of Object.keys(t.net)) ids.add(k);
  const known = COST_PRESET_IDS.filter((id) => ids.has(id));
  const measured = VENUE_IDS.map((v) => `${v}-measured`).filter((id) => ids.has(id));
  const listed = new Set<string>([...known, ...measured]);
  const other = [...ids].filter((id) => !listed.has(id)).sort();
  return [...known, ...measured, ...other];
}

/** Judge every cost preset of a result against the gates (rules in the module doc). */
export function judgeVenues(input: JudgeInput): VenueVerdict[] {
  const g = parseGates(input.gates ?? {});
  const trades = input.result.trades;
  const n = trades.length;
  const gross = viewReturns(trades, 'gross');
  const grossMean = mean(gross);
  const ratios = trades.map((t) => t.exitPrice / t.entryPrice);
  return presetIdsOf(input).map((id) => {
    const { venue, liquidity, label } = presetLabel(id);
    const net = viewReturns(trades, id);
    const netMean = mean(net);
    const netBps = netMean === null ? null : netMean * 1e4;
    const at2x = netMean === null || grossMean === null ? null : (2 * netMean - grossMean) * 1e4;
    const rt = mean(trades.map((t) => t.roundTripBps[id]!));
    const boot = bootstrapMeanCi(net, { resamples: g.bootstrapResamples, confidence: g.ciConfidence, seed: g.bootstrapSeed });
    const ci = boot ? { lo: boot.lo * 1e4, hi: boot.hi * 1e4, confidence: g.ciConfidence } : null;
    const si = sharpeInput(net);
    const tv = input.trialSharpeVariance;
    const variance = tv === undefined || tv === null ? null : typeof tv === 'number' ? tv : (tv[id] ?? null);
    const d = si ? deflatedSharpe(si, input.trialsForFamily, variance) : null;
    const psr = si ? probabilisticSharpe(si, 0) : null;

    const gates: GateCheck[] = [];
    gates.push({
      gate: 'minTrades',
      status: n >= g.minTrades ? 'pass' : 'fail',
      value: n,
      threshold: g.minTrades,
      detail: `n=${n} ${n >= g.minTrades ? '≥' : '<'} ${g.minTrades} trades`,
    });
    gates.push({
      gate: 'minNetEdgeBps',
      status: netBps !== null && netBps >= g.minNetEdgeBps ? 'pass' : 'fail',
      value: netBps,
      threshold: g.minNetEdgeBps,
      detail: netBps === null ? 'no trades' : `net ${fmtBps(netBps, true)} bps ${netBps >= g.minNetEdgeBps ? '≥' : '<'} ${fmtBps(g.minNetEdgeBps)} bps per trade`,
    });
    gates.push({
      gate: 'minNetEdgeBpsAt2xCost',
      status: at2x !== null && at2x >= g.minNetEdgeBpsAt2xCost ? 'pass' : 'fail',
      value: at2x,
      threshold: g.minNetEdgeBpsAt2xCost,
      detail: at2x === null ? 'no trades' : `net at 2× cost ${fmtBps(at2x, true)} bps ${at2x >= g.minNetEdgeBpsAt2xCost ? '≥' : '<'} ${fmtBps(g.minNetEdgeBpsAt2xCost)} bps`,
    });
    gates.push({
      gate: 'minDsr',
      status: d !== null && d.dsr >= g.minDsr ? 'pass' : 'fail',
      value: d?.dsr ?? null,
      threshold: g.minDsr,
      detail: d === null ? 'DSR undefined (fewer than 2 trades or zero variance)' : `DSR ${fmt2(d.dsr)} ${d.dsr >= g.minDsr ? '≥' : '<'} ${g.minDsr} (N=${d.trials})`,
    });
    // OOS consistency: folds with ≥ 1 OOS trade whose mean net at this preset is > 0.
    if (input.walkForward) {
      const traded = input.walkForward.folds.filter((f) => f.outOfSample && f.outOfSample.trades > 0);
      const pos = traded.filter((f) => (f.outOfSample!.net[id]?.meanBps ?? 0) > 0).length;
      const share = traded.length > 0 ? pos / traded.length : null;
      gates.push({
        gate: 'oosConsistency',
        status: share !== null && share >= g.oosConsistency ? 'pass' : 'fail',
        value: share,
        threshold: g.oosConsistency,
        detail:
          share === null
            ? 'no walk-forward fold traded out of sample'
            : `${pos}/${traded.length} OOS folds positive (${fmt2(share)} ${share >= g.oosConsistency ? '≥' : '<'} ${g.oosConsistency})`,
      });
    } else {
      gates.push({ gate: 'oosConsistency', status: 'skipped', value: null, threshold: g.oosConsistency, detail: 'OOS consistency not checked (no walk-forward)' });
    }
    // Parameter stability: mean neighbour net edge ≥ y × the centre's net edge (> 0).
    if (input.sweepNeighbours && input.sweepNeighbours.length > 0) {
      const ref = input.sweepCentre ? (input.sweepCentre.net[id]?.meanBps ?? null) : netBps;
      const nb = input.sweepNeighbours.map((c) => c.net[id]?.meanBps ?? null).filter((x): x is number => x !== null);
      const nbMean = mean(nb);
      const ratio = ref !== null && ref > 0 && nbMean !== null ? nbMean / ref : null;
      gates.push({
        gate: 'parameterStability',
        status: ratio !== null && ratio >= g.parameterStability ? 'pass' : 'fail',
        value: ratio,
        threshold: g.parameterStability,
        detail:
          ratio === null
            ? ref === null || ref <= 0
              ? 'no positive net edge for neighbours to keep'
              : 'neighbours have no trades'
            : `${nb.length} neighbours keep ${fmt2(ratio)} of the net edge (${fmtBps(nbMean!, true)} vs ${fmtBps(ref!, true)} bps; ${ratio >= g.parameterStability ? '≥' : '<'} ${g.parameterStability})`,
      });
    } else {
      gates.push({
        gate: 'parameterStability',
        status: 'skipped',
        value: null,
        threshold: g.parameterStability,
        detail: 'parameter stability not checked (no sweep neighbours)',
      });
    }
    if (input.lookahead) {
      gates.push({ gate: 'noLookahead', status: input.lookahead.ok ? 'pass' : 'fail', value: input.lookahead.mismatches, threshold: 0, detail: input.lookahead.detail });
    } else {
      gates.push({ gate: 'noLookahead', status: 'skipped', value: null, threshold: 0, detail: 'lookahead audit not run' });
    }
    gates.sort((a, b) => GATE_IDS.indexOf(a.gate) - GATE_IDS.indexOf(b.gate));
    const failed = gates.filter((x) => x.status === 'fail').map((x) => x.gate);
    const skipped = gates.filter((x) => x.status === 'skipped').map((x) => x.gate);

    const margin =
      liquidity === 'measured'
        ? edgeMargin(
            gross,
            ratios,
            trades.map((t) => t.roundTripBps[id]!),
            { resamples: g.bootstrapResamples, confidence: g.ciConfidence, seed: g.bootstrapSeed },
          )
        : undefined;
    let verdict: Verdict;
    const biased = input.lookahead !== undefined && !input.lookahead.ok;
    if (biased || n < g.minTrades || netBps === null || netBps <= 0) verdict = 'reject';
    else if (failed.length === 0 && skipped.length === 0 && (margin === undefined || margin.clears)) verdict = 'keep';
    else verdict = 'watch';

    const ciText = ci ? `${Math.round(ci.confidence * 100)} % CI [${fmtBps(ci.lo)}, ${fmtBps(ci.hi)}]` : 'no CI';
    const edge = netBps === null ? '' : `${fmtBps(netBps, true)} bps per trade at ${fmtBps(rt ?? 0)} bps round trip`;
    const marginText = margin ? `; ${describeMargin(margin)}` : '';
    let reason: string;
    if (biased) reason = `reject on ${label}: ${input.lookahead!.detail}`;
    else if (grossMean !== null && grossMean <= 0)
      reason = `reject on ${label}: no edge before costs (gross ${fmtBps(grossMean * 1e4, true)} bps per trade, n=${n}${n < g.minTrades ? ` < ${g.minTrades} trades` : ''})`;
    else if (n < g.minTrades) reason = `reject on ${label}: n=${n} < ${g.minTrades} trades${netBps !== null ? ` (${edge})` : ''}`;
    else if (verdict === 'reject') reason = `reject on ${label}: ${edge} (n=${n}, ${ciText})${marginText}`;
    else if (verdict === 'keep') reason = `keep on ${label}: ${edge}, ${ciText}, DSR ${fmt2(d!.dsr)}, n=${n}; every gate passed${marginText}`;
    else {
      const parts = [`watch on ${label}: ${edge}, ${ciText}`];
      if (margin && !margin.clears) parts.push(`margin: ${describeMargin(margin)}`);
      const f = gates.filter((x) => x.status === 'fail').map((x) => x.detail);
      if (f.length) parts.push(`failed: ${f.join(', ')}`);
      const s = gates.filter((x) => x.status === 'skipped').map((x) => x.detail);
      if (s.length) parts.push(`not yet: ${s.join(', ')}`);
      reason = parts.join('; ');
    }
    return {
      presetId: id,
      venue,
      liquidity,
      label,
      verdict,
      trades: n,
      grossMeanBps: grossMean === null ? null : grossMean * 1e4,
      netMeanBps: netBps,
      netMeanBpsAt2xCost: at2x,
      roundTripBps: rt,
      ci,
      tradeSharpe: si ? si.sr : null,
      psr,
      dsr: d?.dsr ?? null,
      dsrBenchmarkSr: d?.benchmarkSr ?? null,
      dsrVarianceSource: d?.varianceSource ?? null,
      gates,
      failed,
      skipped,
      reason,
      ...(margin === undefined ? {} : { margin }),
    };
  });
}

/** One line for a margin: break-even with its CI against the measured cost median and p90. */
export function describeMargin(m: EdgeMargin): string {
  if (m.status === 'no-trades') return 'no trades';
  const cost = `measured cost median ${fmtBps(m.cost.medianBps)} / p90 ${fmtBps(m.cost.p90Bps)} bps`;
  if (m.status === 'no-edge') return `no edge before costs (gross ${fmtBps(m.grossMeanBps, true)} bps per trade; ${cost})`;
  const ci = `${Math.round(m.ci.confidence * 100)} % CI [${fmtBps(m.ci.lo)}, ${fmtBps(m.ci.hi)}]`;
  return `break-even ${fmtBps(m.breakEvenBps)} bps round trip (${ci}) ${m.clears ? 'clears' : 'does not clear'} ${cost}`;
}

const isVenue = (v: VenueVerdict): boolean => v.venue !== 'stress';

/**
 * The verdicts that decide: the measured views when the run has them (venue verdicts default to the measured
 * model), else the fee-only venue presets; stress-31 and the other views are reported beside them.
 */
export function decidingVerdicts(verdicts: readonly VenueVerdict[]): VenueVerdict[] {
  const measured = verdicts.filter((v) => v.liquidity === 'measured');
  return measured.length > 0 ? measured : verdicts.filter(isVenue);
}

function bestOf(vs: readonly VenueVerdict[]): VenueVerdict | null {
  let best: VenueVerdict | null = null;
  for (const v of vs) if (best === null || (v.netMeanBps ?? -Infinity) > (best.netMeanBps ?? -Infinity)) best = v;
  return best;
}

export interface OverallVerdict {
  verdict: Verdict;
  reason: string;
  /** The venue preset the verdict rests on (highest net edge within the verdict's class). */
  best: VenueVerdict | null;
  keep: string[];
  watch: string[];
  reject: string[];
}

/** Keep if any venue preset keeps, else watch if any watches, else reject (stress-31 reported, not counted). */
export function overallVerdict(verdicts: readonly VenueVerdict[]): OverallVerdict {
  const venues = verdicts.some(isVenue) ? decidingVerdicts(verdicts) : [...verdicts];
  const keep = venues.filter((v) => v.verdict === 'keep');
  const watch = venues.filter((v) => v.verdict === 'watch');
  const reject = venues.filter((v) => v.verdict === 'reject');
  const ids = (vs: VenueVerdict[]): string[] => vs.map((v) => v.presetId);
  const labels = (vs: VenueVerdict[]): string => vs.map((v) => v.label).join(', ');
  const stress = verdicts.find((v) => v.venue === 'stress');
  const stressText = stress && venues !== verdicts ? `; stress 31 bps/side: ${stress.verdict}${stress.netMeanBps !== null ? ` (${fmtBps(stress.netMeanBps, true)} bps)` : ''}` : '';
  if (venues.length === 0) return { verdict: 'reject', reason: 'no cost presets to judge', best: null, keep: [], watch: [], reject: [] };
  let verdict: Verdict;
  let best: VenueVerdict | null;
  let reason: string;
  if (keep.length > 0) {
    verdict = 'keep';
    best = bestOf(keep);
    reason = `keep: ${best!.reason}` + (keep.length > 1 ? `; also keeps on ${labels(keep.filter((v) => v !== best))}` : '');
    if (reject.length) reason += `; rejected on ${labels(reject)}`;
  } else if (watch.length > 0) {
    verdict = 'watch';
    best = bestOf(watch);
    reason = best!.reason;
    if (reject.length) reason += `; rejected on ${labels(reject)}`;
  } else {
    verdict = 'reject';
    best = bestOf(reject);
    reason = `reject on every venue; best: ${best!.reason}`;
  }
  return { verdict, reason: reason + stressText, best, keep: ids(keep), watch: ids(watch), reject: ids(reject) };
}

export interface PromotionDecision {
  from: StrategyStatus;
  to: StrategyStatus;
  changed: boolean;
  reason: string;
  evidence: {
    /** Venue presets where every gate passed. */
    eligible: string[];
    watch: string[];
    reject: string[];
    gatesPassedAll: boolean | null;
    best: { presetId: string; verdict: Verdict; netMeanBps: number | null; ci: VenueVerdict['ci']; dsr: number | null; trades: number } | null;
    verdicts: { presetId: string; verdict: Verdict; netMeanBps: number | null; failed: GateId[]; skipped: GateId[] }[];
  };
}

/**
 * Where a strategy should go given its venue verdicts (rules in the module doc). `gatesPassedAll` is the caller's
 * extra condition (e.g. lookahead guards, reproduction): when false, no promotion to paper. Demotion follows the
 * evidence too (paper → watch when no venue preset keeps any more).
 */
export function decidePromotion(currentStatus: StrategyStatus, verdicts: readonly VenueVerdict[], gatesPassedAll?: boolean): PromotionDecision {
  const venues = decidingVerdicts(verdicts);
  const eligible = venues.filter((v) => v.verdict === 'keep');
  const watch = venues.filter((v) => v.verdict === 'watch');
  const reject = venues.filter((v) => v.verdict === 'reject');
  const bestV = bestOf(eligible.length ? eligible : watch.length ? watch : reject);
  const evidence: PromotionDecision['evidence'] = {
    eligible: eligible.map((v) => v.presetId),
    watch: watch.map((v) => v.presetId),
    reject: reject.map((v) => v.presetId),
    gatesPassedAll: gatesPassedAll ?? null,
    best: bestV ? { presetId: bestV.presetId, verdict: bestV.verdict, netMeanBps: bestV.netMeanBps, ci: bestV.ci, dsr: bestV.dsr, trades: bestV.trades } : null,
    verdicts: verdicts.map((v) => ({ presetId: v.presetId, verdict: v.verdict, netMeanBps: v.netMeanBps, failed: v.failed, skipped: v.skipped })),
  };
  let to: StrategyStatus;
  let reason: string;
  if (venues.length === 0) {
    to = currentStatus;
    reason = 'no venue verdicts: status unchanged';
  } else if (eligible.length > 0 && gatesPassedAll !== false) {
    to = 'paper';
    reason = `every gate passes on ${eligible.map((v) => v.label).join(', ')}: ${bestV!.reason}`;
  } else if (eligible.length > 0) {
    to = 'watch';
    reason = `gates pass on ${eligible.map((v) => v.label).join(', ')} but the caller's checks failed (gatesPassedAll = false)`;
  } else if (watch.length > 0) {
    to = 'watch';
    reason = `no venue passes every gate; ${bestV!.reason}`;
  } else {
    to = 'rejected';
    reason = `rejected on every venue; best: ${bestV!.reason}`;
  }
  const changed = to !== currentStatus;
  if (!changed && venues.length > 0) reason = `stays ${currentStatus}: ${reason}`;
  return { from: currentStatus, to, changed, reason, evidence };
}
