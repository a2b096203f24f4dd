/**
 * Trials that stay honest (issue 13 item 4): a run's deflated Sharpe ratio "at judgement" (as stored, with the
 * family's lab-wide trial count of that moment) beside the DSR "now" — recomputed from the run's per-trade net
 * returns with today's family trial count and trial-Sharpe variance — so a run judged with 1 trial is re-deflated
 * when later trials arrive. The minimum backtest length for each trial count (Bailey, Borwein, López de Prado &
 * Zhu 2014, see shared/stats/min-btl.ts) is shown beside the run's own length.
 *
 * DSR: Bailey & López de Prado (2014), "The Deflated Sharpe Ratio", eq. 2 via `deflatedSharpe` (PSR against
 * SR₀ = expected maximum Sharpe of N trials). For a fixed trial-Sharpe variance the DSR falls as N grows.
 */
import { minimumBacktestLength } from '../stats/min-btl';
import { deflatedSharpe, sharpeInput } from './stats';

const YEAR_MS = 365.25 * 24 * 3600 * 1000;
/** Annualised Sharpe target of the MinBTL shown (the paper's example uses 1). */
export const MIN_BTL_TARGET_SHARPE = 1;

export interface DsrAt {
  trials: number;
  dsr: number | null;
  benchmarkSr: number | null;
  varianceSource: 'trials' | 'null-fallback' | 'stored' | null;
}

export interface PresetDeflation {
  presetId: string;
  trades: number;
  /** Per-trade Sharpe (mean / sd, not annualised); null with < 2 trades or zero variance. */
  tradeSharpe: number | null;
  atJudgement: DsrAt;
  now: DsrAt;
}

export interface RunTrials {
  family: string;
  trialsAtJudgement: number;
  trialsNow: number;
  /** The run's window in years (365.25-day years). */
  backtestYears: number;
  minBtl: { targetSharpe: number; atJudgementYears: number; nowYears: number; /** The window is at least MinBTL(now). */ sufficientNow: boolean };
  presets: PresetDeflation[];
}

export interface RedeflateInput {
  family: string;
  /** Per-trade net returns per cost preset. */
  netByPreset: Readonly<Record<string, readonly number[]>>;
  trialsAtJudgement: number;
  trialsNow: number;
  /** DSRs stored with the judgement per preset (taken as recorded); recomputed from trialsAtJudgement when absent. */
  storedDsr?: Readonly<Record<string, number | null>>;
  varianceAtJudgement?: Readonly<Record<string, number | null>> | null;
  varianceNow?: Readonly<Record<string, number | null>> | null;
  window: { from: number; to: number };
}

function dsrAt(net: readonly number[], trials: number, variance: number | null | undefined): DsrAt {
  const si = sharpeInput(net);
  const d = si ? deflatedSharpe(si, trials, variance ?? null) : null;
  return { trials, dsr: d?.dsr ?? null, benchmarkSr: d?.benchmarkSr ?? null, varianceSource: d?.varianceSource ?? null };
}

/** DSR at judgement and now, per preset, and MinBTL for both trial counts. Pure; presets in sorted order. */
export function redeflateRun(input: RedeflateInput): RunTrials {
  for (const [k, v] of [['trialsAtJudgement', input.trialsAtJudgement], ['trialsNow', input.trialsNow]] as const)
    if (!Number.isInteger(v) || v < 1) throw new Error(`${k} must be a positive integer, got ${v}`);
  if (!(input.window.to > input.window.from)) throw new Error(`window [${input.window.from}, ${input.window.to}) is empty`);
  const presets = Object.keys(input.netByPreset)
    .sort()
    .map((presetId): PresetDeflation => {
      const net = input.netByPreset[presetId]!;
      const si = sharpeInput(net);
      const stored = input.storedDsr?.[presetId];
      const at =
        stored !== undefined
          ? { trials: input.trialsAtJudgement, dsr: stored, benchmarkSr: null, varianceSource: 'stored' as const }
          : dsrAt(net, input.trialsAtJudgement, input.varianceAtJudgement?.[presetId]);
      return { presetId, trades: net.length, tradeSharpe: si?.sr ?? null, atJudgement: at, now: dsrAt(net, input.trialsNow, input.varianceNow?.[presetId]) };
    });
  const backtestYears = (input.window.to - input.window.from) / YEAR_MS;
  const nowYears = minimumBacktestLength(input.trialsNow, MIN_BTL_TARGET_SHARPE);
  return {
    family: input.family,
    trialsAtJudgement: input.trialsAtJudgement,
    trialsNow: input.trialsNow,
    backtestYears,
    minBtl: { targetSharpe: MIN_BTL_TARGET_SHARPE, atJudgementYears: minimumBacktestLength(input.trialsAtJudgement, MIN_BTL_TARGET_SHARPE), nowYears, sufficientNow: backtestYears >= nowYears },
    presets,
  };
}
