/**
 * The registry of bundled strategies: one place that lists every strategy the lab ships, looks one up by its
 * stable id, and summarises them (origin, family, timeframes) for the CLI, the API and the site.
 */
import { dstaBbBreakout } from './dsta-bb-breakout';
import { dstaRsiMeanReversion } from './dsta-rsi-mean-reversion';
import { dstaSmaCrossover } from './dsta-sma-crossover';
import { nexaraBaseline5m } from './nexara-baseline-5m';
import { nexaraDiv006 } from './nexara-div006';
import { nexusBbMeanReversion } from './nexus-bb-mean-reversion';
import { nexusEmaAdxTrend } from './nexus-ema-adx-trend';
import { nexusGridEma200 } from './nexus-grid-ema200';
import { nexusRsiScalp } from './nexus-rsi-scalp';
import { platform4hMacdRsi } from './platform4h-macd-rsi';
import { platform4hMomentumRank } from './platform4h-momentum-rank';
import type { AnyStrategy, Params, Strategy } from './types';

/** Every bundled strategy, grouped by origin (Nexara, 4h platform, Nexus, DSTA). */
export const STRATEGIES: readonly AnyStrategy[] = Object.freeze([
  nexaraBaseline5m,
  nexaraDiv006,
  platform4hMacdRsi,
  platform4hMomentumRank,
  nexusEmaAdxTrend,
  nexusRsiScalp,
  nexusBbMeanReversion,
  nexusGridEma200,
  dstaSmaCrossover,
  dstaRsiMeanReversion,
  dstaBbBreakout,
]);

const BY_ID: ReadonlyMap<string, AnyStrategy> = new Map(STRATEGIES.map((s) => [s.id, s]));

/** The strategy with this id, or undefined. */
export function getStrategy(id: string): AnyStrategy | undefined {
  return BY_ID.get(id);
}

/** A failure that retrying cannot fix (bad input, no data): a run ends `failed` with it, its message is acked. */
export class RunInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunInputError';
  }
}

/** The single-series strategy with this id; a RunInputError when it is unknown or a ranking strategy. */
export function singleStrategy(id: string): Strategy<Params, unknown> {
  const s = getStrategy(id);
  if (!s) throw new RunInputError(`unknown strategy ${id}`);
  if (s.kind !== 'single') throw new RunInputError(`${id} is a ranking strategy`);
  return s as Strategy<Params, unknown>;
}

/** The strategy's defaults overlaid with `params`, validated by its schema; a RunInputError naming every issue. */
export function resolveParams(strategy: Strategy<Params, unknown>, params: unknown): Params {
  const parsed = strategy.paramsSchema.safeParse({ ...(strategy.defaults as Params), ...((params ?? {}) as Params) });
  if (!parsed.success) throw new RunInputError(`invalid params: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** Ids of every bundled strategy in the same family (the DSR trial count spans the family). */
export function familyOf(strategyIdValue: string): { family: string; ids: string[] } {
  const s = getStrategy(strategyIdValue);
  const family = s?.family ?? strategyIdValue;
  return { family, ids: STRATEGIES.filter((x) => x.family === family).map((x) => x.id) };
}

/** All strategy ids, in registry order. */
export function strategyIds(): string[] {
  return STRATEGIES.map((s) => s.id);
}

/** One line of the catalogue: what a list view or a provenance record needs without the functions. */
export interface StrategySummary {
  id: string;
  version: string;
  kind: AnyStrategy['kind'];
  origin: AnyStrategy['origin'];
  family: string;
  title: string;
  description: string;
  timeframes: readonly string[];
  allowShort: boolean;
  startupCandles: number;
  defaults: Readonly<Record<string, unknown>>;
}

/** The catalogue, optionally filtered by origin or family, in registry order. */
export function listStrategies(filter: { origin?: AnyStrategy['origin']; family?: string } = {}): StrategySummary[] {
  return STRATEGIES.filter((s) => (filter.origin === undefined || s.origin === filter.origin) && (filter.family === undefined || s.family === filter.family)).map(
    (s) => ({
      id: s.id,
      version: s.version,
      kind: s.kind,
      origin: s.origin,
      family: s.family,
      title: s.title,
      description: s.description,
      timeframes: s.timeframes,
      allowShort: s.kind === 'single' ? s.allowShort : false,
      startupCandles: s.startupCandles(s.defaults),
      defaults: s.defaults,
    }),
  );
}
