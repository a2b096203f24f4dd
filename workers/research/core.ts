/**
 * The lab's bridge to the pure research layer's verdicts (`shared/research/verdict.ts`): every cost preset of a
 * result judged against the gates with the lab-wide trial count of the strategy's family (DSR), the overall
 * verdict (venue presets decide; stress-31 reported beside them), shaped for storage — the run's `verdict`,
 * `verdict_reason`, and `result.venues` rows (`key`, `venue`, `costModel`, `label`, `verdict`, `reason`, `metrics`)
 * that the Lab's run page reads.
 */
import type { Timeframe } from '../../shared/candles/timeframe';
import type { BacktestResult } from '../../shared/backtest/types';
import type { SlicesResult } from '../../shared/backtest/slices';
import { judgeVenues, overallVerdict, type LookaheadEvidence, type Verdict, type VenueVerdict, type WalkForwardEvidence } from '../../shared/research/verdict';
import type { GatesInput } from '../../shared/research/gates';
import type { ComboSummary } from '../../shared/research/summary';

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
}

export function judgeRun(result: BacktestResult | SlicesResult, ctx: JudgeContext): RunJudgement {
  const verdicts: VenueVerdict[] = judgeVenues({
    result,
    trialsForFamily: Math.max(1, ctx.trials),
    trialSharpeVariance: ctx.trialSharpeVariance ?? null,
    gates: ctx.gates,
    walkForward: ctx.walkForward,
    sweepNeighbours: ctx.sweepNeighbours,
    sweepCentre: ctx.sweepCentre,
    lookahead: ctx.lookahead,
  });
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
