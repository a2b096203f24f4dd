/**
 * SPA / Reality Check across every trial the family recorded on a sweep's series and window (issue 13 item 2):
 * the sweep's own combos, every other done sweep of the family on the same window, and the family's done backtest
 * runs there — computed on request (read-only), so it always counts every trial recorded so far.
 */
import type { Database } from '../db/database';
import { familyTrialsOnWindow, getSweepRow } from '../db/queries/research';
import { familySpa, type ChunkPeriods } from '../research/sweep-spa';
import { familyOf, RunInputError } from '../strategies/registry';

export async function sweepFamilySpa(db: Database, sweepId: string, opts: { reps?: number } = {}): Promise<ReturnType<typeof familySpa> & { sweepId: string; family: string }> {
  const sweep = await getSweepRow(db, sweepId);
  if (!sweep) throw new RunInputError(`no sweep ${sweepId}`);
  if (sweep.status !== 'done') throw new RunInputError(`sweep ${sweepId} is ${sweep.status}`);
  const fam = familyOf(sweep.strategyId);
  const trials = await familyTrialsOnWindow(db, fam.ids, { venue: sweep.venue, symbol: sweep.symbol, timeframe: sweep.timeframe, from: sweep.windowFrom, to: sweep.windowTo });
  const reference = trials.sweepChunks.find((c) => c.sweepId === sweepId)?.periods as ChunkPeriods | undefined;
  if (!reference) throw new RunInputError(`sweep ${sweepId} kept no daily returns (merged before SPA was kept)`);
  const out = familySpa({ reference, sweepChunks: trials.sweepChunks as { sweepId: string; strategyId: string; periods: ChunkPeriods }[], runs: trials.runs }, { seed: sweep.seed ?? 1, reps: opts.reps });
  return { sweepId, family: fam.family, ...out };
}
