/**
 * The lab's bridge to the pure research layer's verdicts (`shared/research/verdict.ts`): every cost preset of a
 * result judged against the gates with the lab-wide trial count of the strategy's family (DSR), the overall
 * verdict (venue presets decide; stress-31 reported beside them), shaped for storage — the run's `verdict`,
 * `verdict_reason`, and `result.venues` rows (`key`, `venue`, `costModel`, `label`, `verdict`, `reason`, `metrics`)
 * that the Lab's run page reads. With the run's measured cost views (shared/costs/measured-run.ts) each venue is
 * also judged as `<venue>-measured` — fee + half-spread + impact, with its edge margin — and those views decide
 * the verdict; the fee-only presets and stress-31 stay beside them. A venue preset or measured view priced on
 * another venue's candles is marked as a proxy and capped at watch (`proxyPriceVerdict`).
 */
import type { Timeframe } from '../candles/timeframe';
import type { BacktestResult } from '../backtest/types';
import type { SlicesResult } from '../backtest/slices';
import { judgeVenues, overallVerdict, type LookaheadEvidence, type Verdict, type VenueVerdict, type WalkForwardEvidence } from '../research/verdict';
import type { GatesInput } from '../research/gates';
import type { ComboSummary } from '../research/summary';
import { withMeasuredViews, type MeasuredCosts } from '../costs/measured-run';
import { legVenueOf } from '../candles/spread';

export type { Verdict };

export interface VenueVerdictRow {
  /** Cost model id (the key of `net`). */
  key: string;
  venue: string | null;
  costModel: string;
  label: string | null;
  verdict: Verdict;
  reason: string;
  metrics: Record<string, unknown> | null;
}

export interface RunJudgement {
  verdict: Verdict;
  reason: string;
  trials: number;
  verdicts: Record<string, Verdict>;
  venues: VenueVerdictRow[];
  detail?: unknown;
  /** The per-preset verdicts as judged (what promotion decides on; not stored as such). */
  venueVerdicts?: VenueVerdict[];
}

export interface JudgeContext {
  /** Lab-wide trials of the family, this run included. */
  trials: number;
  venue: string;
  family: string;
  timeframe: Timeframe;
  trialSharpeVariance?: number | Readonly<Record<string, number | null>> | null;
  gates?: GatesInput;
  walkForward?: WalkForwardEvidence;
  /** A sweep's best combo: its grid neighbours and its own summary (the parameter-stability gate). */
  sweepNeighbours?: readonly ComboSummary[];
  sweepCentre?: ComboSummary;
  /** The run's lookahead audit (noLookahead gate); absent → the gate is skipped. */
  lookahead?: LookaheadEvidence;
  /** The run's measured cost views; absent → the fee-only presets decide (runs recorded before the measured model). */
  measured?: MeasuredCosts | null;
}

const VENUE_PRESET = /^(binance|kraken|coinbase|okx|bybit)-(taker|maker|measured)$/;

/**
 * A venue preset judged on another venue's candles (the run's series venue) is a proxy: its reason starts with
 * "proxy prices from <series venue>" and it cannot be `keep` (a keep becomes watch); reject and watch stay as
 * they are. The series venue's own presets, stress-31 and custom models are unchanged. Import the venue's own
 * candles (`npm run research -- import-rest --venue …`) and run on that venue to judge it on its own prices.
 */
export function proxyPriceVerdict(v: VenueVerdict, seriesVenue: string): VenueVerdict {
  const m = VENUE_PRESET.exec(v.presetId);
  if (!m || m[1] === seriesVenue) return v;
  const venue = m[1]!;
  const verdict = v.verdict === 'keep' ? 'watch' : v.verdict;
  const cap = v.verdict === 'keep' ? ' (would keep on its own prices; capped at watch)' : '';
  const reason = `proxy prices from ${seriesVenue}: ${venue}'s own candles are not in this run${cap}; ${verdict === v.verdict ? v.reason : v.reason.replace(/^keep on /, 'watch on ')}`;
  return { ...v, verdict, reason };
}

export function judgeRun(core: BacktestResult | SlicesResult, ctx: JudgeContext): RunJudgement {
  const result = withMeasuredViews(core, ctx.measured);
  const judged: VenueVerdict[] = judgeVenues({
    result,
    trialsForFamily: Math.max(1, ctx.trials),
    trialSharpeVariance: ctx.trialSharpeVariance ?? null,
    gates: ctx.gates,
    walkForward: ctx.walkForward,
    sweepNeighbours: ctx.sweepNeighbours,
    sweepCentre: ctx.sweepCentre,
    lookahead: ctx.lookahead,
  });
  // Whose prices the run trades: the series venue, or for a derived pair the venue its legs come from.
  const priceVenue = ctx.measured?.venues[0]?.legs[0]?.candlesVenue ?? legVenueOf(ctx.venue) ?? ctx.venue;
  const verdicts = judged.map((v) => proxyPriceVerdict(v, priceVenue));
  const overall = overallVerdict(verdicts);
  const venues: VenueVerdictRow[] = verdicts.map((v) => {
    const { presetId, venue, label, verdict, reason, ...metrics } = v;
    return { key: presetId, venue, costModel: presetId, label, verdict, reason, metrics: { ...metrics, net: result.net[presetId] ?? null } };
  });
  return {
    verdict: overall.verdict,
    reason: overall.reason,
    trials: ctx.trials,
    verdicts: Object.fromEntries(verdicts.map((v) => [v.presetId, v.verdict])) as Record<string, Verdict>,
    venues,
    detail: { keep: overall.keep, watch: overall.watch, reject: overall.reject, best: overall.best?.presetId ?? null },
    venueVerdicts: verdicts,
  };
}
