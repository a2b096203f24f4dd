/**
 * Parameter sweeps: generate combos (full grid or seeded random draws over a strategy's `paramSpace`, merged onto
 * its defaults and validated by its `paramsSchema`), split them into chunks (the unit of parallel work on the
 * queue), run a chunk into compact per-combo summaries, and merge chunk outputs into one result that does not
 * depend on how the combos were chunked or in which order the chunks arrived (sorted by combo key, hashed).
 */
import { parseBacktestConfig, parsedWithStrategyRisk, type BacktestConfigInput } from '../backtest/config';
import type { Trade } from '../backtest/types';
import { canonicalJson, hashCanonical } from '../backtest/hash';
import { mulberry32 } from './prng';
import { runSlices, slicesConfigSchema, type SlicesConfigInput } from '../backtest/slices';
import { ENGINE_VERSION_ID } from '../backtest/version';
import type { CandleSeries } from '../candles/candle';
import type { ParamRange, ParamSpace, ParamValue, Params, Strategy } from '../strategies/types';
import { comboBlockStats, pboViewOf, type ChunkBlockStats } from './sweep-pbo';
import { buyAndHoldPeriods, comboPeriods, dailyGrid, type ChunkPeriods } from './sweep-spa';
import { fastSweepOrder } from '../sweep/order';
import { PrepareCache } from '../sweep/prepare-cache';
import { runSweepCombo, SWEEP_SUMMARY_VERSION } from '../sweep/trade-summary';
import { tpeSearch } from './tpe';
import { rangeValues } from './param-range';

export { rangeValues };
import { comboKey, objectiveId, objectiveSchema, objectiveValue, pickBest, summarizeResult, type BestCombo, type ComboSummary, type ObjectiveInput } from './summary';

/** What combo generation needs from a strategy. */
export interface SweepableStrategy<P extends Params = Params> {
  readonly defaults: Readonly<P>;
  readonly paramsSchema: { safeParse(x: unknown): { success: true; data: P } | { success: false; error: { message: string } } };
  readonly paramSpace: ParamSpace<P>;
}

export interface ComboSet<P extends Params = Params> {
  /** Valid, de-duplicated, defaults-filled params in generation order. */
  combos: P[];
  /** Param names swept, sorted (the generation order of axes). */
  names: string[];
  /** Raw combos generated (grid: the cartesian product size; random: draws attempted). */
  generated: number;
  /** Rejected by `paramsSchema` (e.g. fast ≥ slow), with up to 5 examples. */
  invalid: number;
  invalidSamples: { params: Params; error: string }[];
  /** Valid combos equal to one already kept (after defaults and schema normalisation). */
  duplicates: number;
}

function axesOf<P extends Params>(space: ParamSpace<P>): { names: string[]; axes: ParamValue[][] } {
  const names = Object.keys(space)
    .filter((k) => (space as Record<string, ParamRange | undefined>)[k] !== undefined)
    .sort();
  const axes = names.map((k) => rangeValues((space as Record<string, ParamRange>)[k]!));
  for (let j = 0; j < names.length; j++) if (axes[j]!.length === 0) throw new Error(`param ${names[j]} has an empty range`);
  return { names, axes };
}

class Collector<P extends Params> {
  readonly combos: P[] = [];
  readonly seen = new Set<string>();
  invalid = 0;
  duplicates = 0;
  readonly invalidSamples: { params: Params; error: string }[] = [];
  constructor(private readonly strategy: SweepableStrategy<P>) {}
  offer(raw: Params): void {
    const candidate = { ...this.strategy.defaults, ...raw };
    const parsed = this.strategy.paramsSchema.safeParse(candidate);
    if (!parsed.success) {
      this.invalid++;
      if (this.invalidSamples.length < 5) this.invalidSamples.push({ params: candidate, error: parsed.error.message });
      return;
    }
    const key = comboKey(parsed.data);
    if (this.seen.has(key)) {
      this.duplicates++;
      return;
    }
    this.seen.add(key);
    this.combos.push(parsed.data);
  }
}

/**
 * Every combination of the space's values (default: the strategy's `paramSpace`), merged onto the defaults and
 * validated. Axes are the param names sorted; the last name varies fastest. Throws when the cartesian product
 * exceeds `maxCombos` (default 10,000) rather than silently truncating the grid.
 */
export function gridCombos<P extends Params>(strategy: SweepableStrategy<P>, opts: { space?: ParamSpace<P>; maxCombos?: number } = {}): ComboSet<P> {
  const { names, axes } = axesOf(opts.space ?? strategy.paramSpace);
  const maxCombos = opts.maxCombos ?? 10_000;
  const total = axes.reduce((a, x) => a * x.length, 1);
  if (total > maxCombos) throw new Error(`grid has ${total} combos (${names.map((n, j) => `${n}:${axes[j]!.length}`).join(' × ')}) > maxCombos ${maxCombos}`);
  const c = new Collector(strategy);
  const idx = names.map(() => 0);
  for (let q = 0; q < total; q++) {
    const raw: Params = {};
    names.forEach((n, j) => (raw[n] = axes[j]![idx[j]!]!));
    c.offer(raw);
    for (let j = names.length - 1; j >= 0; j--) {
      idx[j]!++;
      if (idx[j]! < axes[j]!.length) break;
      idx[j] = 0;
    }
  }
  return { combos: c.combos, names, generated: total, invalid: c.invalid, invalidSamples: c.invalidSamples, duplicates: c.duplicates };
}

/**
 * `n` distinct valid combos drawn with `mulberry32(seed)`: each param uniformly among its range's grid values
 * (floats snap to the step, so random and grid sweeps share neighbours). Stops after `maxAttempts` draws
 * (default 20·n + 100) when the space has fewer than `n` valid combos. Same seed → same combos, same order.
 */
export function randomCombos<P extends Params>(
  strategy: SweepableStrategy<P>,
  n: number,
  seed: number,
  opts: { space?: ParamSpace<P>; maxAttempts?: number } = {},
): ComboSet<P> {
  const { names, axes } = axesOf(opts.space ?? strategy.paramSpace);
  const rng = mulberry32(seed);
  const maxAttempts = opts.maxAttempts ?? 20 * n + 100;
  const c = new Collector(strategy);
  let attempts = 0;
  while (c.combos.length < n && attempts < maxAttempts) {
    attempts++;
    const raw: Params = {};
    names.forEach((name, j) => (raw[name] = axes[j]![rng.int(0, axes[j]!.length)]!));
    c.offer(raw);
  }
  return { combos: c.combos, names, generated: attempts, invalid: c.invalid, invalidSamples: c.invalidSamples, duplicates: c.duplicates };
}

/** One unit of sweep work: chunk `index` of `of`, with its combos (JSON-safe, for the queue). */
export interface SweepChunkSpec<P extends Params = Params> {
  index: number;
  of: number;
  combos: P[];
}

/** Split combos, in order, into chunks of at most `chunkSize`. */
export function planSweep<P extends Params>(combos: readonly P[], chunkSize: number): SweepChunkSpec<P>[] {
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new Error(`chunkSize must be a positive integer, got ${chunkSize}`);
  const of = Math.ceil(combos.length / chunkSize);
  const out: SweepChunkSpec<P>[] = [];
  for (let k = 0; k < of; k++) out.push({ index: k, of, combos: combos.slice(k * chunkSize, (k + 1) * chunkSize) });
  return out;
}

/** How each combo is run: the single-series engine (default) or the 4h platform's sliding slices. */
export interface SweepRunConfig {
  mode?: 'single' | 'slices';
  backtest?: BacktestConfigInput;
  slices?: SlicesConfigInput;
  /**
   * Keep per-combo block statistics for the sweep's PBO (see ./sweep-pbo.ts): per-trade returns under `view`
   * (default binance-taker, gross when the run has no such cost view) bucketed by exit time into these edges.
   */
  blocks?: { edges: number[]; view?: string };
  /** Also keep per-combo daily returns on the window [from, to) for SPA / Reality Check (see ./sweep-spa.ts). */
  periods?: { from: number; to: number };
  /**
   * Share work across the chunk's combos (default true): `prepare` cached by the params it reads, combos that
   * share it run back to back (../sweep/). Same output either way; false runs each combo from scratch (the
   * reference the fast path is tested against).
   */
  shareWork?: boolean;
  /**
   * The Sentinel's reference series (shared/execution/sentinel.ts) for combos whose risk watches another symbol,
   * and what the context records of it (its series key and data hash): single mode only (slices apply no risk).
   */
  reference?: { series: CandleSeries; provenance: SweepReference };
}

/** The reference series a sweep's combos read (`venue:symbol:timeframe`), its candle count and data hash. */
export interface SweepReference {
  series: string;
  candleCount: number;
  dataHash: string;
}

/** What every chunk of one sweep must share; merge refuses outputs whose contexts differ. */
export interface SweepContext {
  strategyId: string;
  strategyVersion: string;
  engineVersion: string;
  /**
   * `SWEEP_SUMMARY_VERSION`: how the per-combo summaries and their hashes are computed. Every chunk computed now
   * carries it; it is absent only in sweeps stored before sweep-summary/2.0.0 (whose combo `resultHash` is the full
   * backtest result's hash), which are read back as stored, never rewritten.
   */
  summaryVersion?: string;
  mode: 'single' | 'slices';
  series: { symbol: string; timeframe: string; length: number; firstOpen: number | null; lastOpen: number | null };
  /** sha256 of the canonical JSON of the parsed (defaults-filled) run config. */
  configHash: string;
  /** The Sentinel reference the combos read; absent when none was given (the context, and its hash, as before). */
  reference?: SweepReference;
}

export interface ChunkOutput {
  index: number;
  of: number;
  context: SweepContext;
  combos: ComboSummary[];
  /** Per-combo block statistics for the PBO, when the run config asked for them (not part of the merged hash). */
  blockStats?: ChunkBlockStats;
  /** Per-combo daily returns and buy-and-hold per day, when asked for (not part of the merged hash). */
  periodReturns?: ChunkPeriods;
}

/** The per-chunk machinery: context, shared prepare, and per-combo summaries plus PBO / SPA rows by slot. */
function chunkRunner<P extends Params, S>(series: CandleSeries, strategy: Strategy<P, S>, config: SweepRunConfig) {
  const mode = config.mode ?? 'single';
  const parsedConfig = mode === 'single' ? parseBacktestConfig(config.backtest ?? {}) : slicesConfigSchema.parse(config.slices ?? {});
  const context: SweepContext = {
    strategyId: strategy.id,
    strategyVersion: strategy.version,
    engineVersion: ENGINE_VERSION_ID,
    summaryVersion: SWEEP_SUMMARY_VERSION,
    mode,
    series: {
      symbol: series.symbol,
      timeframe: series.timeframe,
      length: series.length,
      firstOpen: series.length > 0 ? series.openTime[0]! : null,
      lastOpen: series.length > 0 ? series.openTime[series.length - 1]! : null,
    },
    configHash: hashCanonical(parsedConfig),
    ...(config.reference ? { reference: { ...config.reference.provenance } } : {}),
  };
  const backtestInput = config.backtest ?? {};
  const reference = config.reference ? { reference: config.reference.series } : {};
  const rows: ChunkBlockStats['rows'] = [];
  const grid = config.periods ? dailyGrid(config.periods.from, config.periods.to) : null;
  const periodRows: ChunkPeriods['rows'] = [];
  const combos: ComboSummary[] = [];
  let view: string | null = null;
  // Shared work (../sweep/): one prepare per distinct indicator input, reused by every combo that needs it.
  const shared = config.shareWork !== false;
  const runner = shared ? new PrepareCache(strategy).strategyView() : strategy;
  return {
    shared,
    /** Run one combo into `slot` of the chunk's output. */
    run(p: P, slot: number): ComboSummary {
      // Single mode: sweep mode (../sweep/trade-summary.ts), summaries from the trades without the full result.
      let summary: ComboSummary;
      let trades: () => readonly Trade[];
      let views: readonly string[];
      if (mode === 'single') {
        // The combo's own declared risk rules (e.g. `sentinelDropPct`) on the chunk's config, as a single run applies them.
        const comboConfig = parsedWithStrategyRisk(strategy, p, backtestInput, parsedConfig as ReturnType<typeof parseBacktestConfig>);
        const r = runSweepCombo(series, runner, p, comboConfig, { parsed: true, ...reference });
        summary = r.summary;
        trades = r.priced;
        views = r.views;
      } else {
        const result = runSlices(series, runner, p, parsedConfig);
        summary = summarizeResult(result, p);
        trades = () => result.trades;
        views = Object.keys(result.net);
      }
      if (config.blocks) {
        view ??= pboViewOf(trades(), config.blocks.view, views);
        rows[slot] = comboBlockStats(summary.key, trades(), view, config.blocks.edges);
      }
      if (grid) periodRows[slot] = comboPeriods(summary.key, trades(), view ?? pboViewOf(trades(), config.blocks?.view, views), grid);
      combos[slot] = summary;
      return summary;
    },
    output(index: number, of: number): ChunkOutput {
      const out: ChunkOutput = { index, of, context, combos };
      if (config.blocks) out.blockStats = { view: view ?? config.blocks.view ?? 'binance-taker', edges: [...config.blocks.edges], rows };
      if (grid && config.periods) {
        const pv = view ?? config.blocks?.view ?? 'binance-taker';
        out.periodReturns = { view: pv, grid, benchmark: buyAndHoldPeriods(series, grid, config.periods.to), rows: periodRows };
      }
      return out;
    },
  };
}

/**
 * Run every combo of a chunk (single mode: sweep mode, ../sweep/trade-summary.ts — the engine's loop and kernel,
 * summarised from the trades; slices: a full slices run each) and keep only compact summaries, in chunk order.
 */
export function runSweepChunk<P extends Params, S>(
  series: CandleSeries,
  strategy: Strategy<P, S>,
  chunk: SweepChunkSpec<Params>,
  config: SweepRunConfig = {},
): ChunkOutput {
  const params = chunk.combos.map((raw) => {
    const parsed = strategy.paramsSchema.safeParse({ ...strategy.defaults, ...raw });
    if (!parsed.success) throw new Error(`chunk ${chunk.index}: invalid params ${canonicalJson(raw)}: ${parsed.error.message}`);
    return parsed.data;
  });
  const r = chunkRunner(series, strategy, config);
  // Combos that share a prepare run back to back; outputs stay in chunk order.
  for (const k of r.shared ? fastSweepOrder(params) : params.map((_, j) => j)) r.run(params[k]!, k);
  return r.output(chunk.index, chunk.of);
}

/**
 * A TPE search as one sweep chunk (./tpe.ts): `samples` trials proposed one after another from the results so
 * far, each run and summarised like any sweep combo and scored by `objective` (default binance-taker
 * mean bps with ≥ 10 trades). Seeded and deterministic; the output holds every trial in trial order, so every
 * trial counts (the lab-wide trial registry sums the sweep's combos).
 */
export function runTpeChunk<P extends Params, S>(
  series: CandleSeries,
  strategy: Strategy<P, S>,
  spec: { index: number; of: number; samples: number; seed: number; objective?: ObjectiveInput; base?: Readonly<P> },
  config: SweepRunConfig = {},
): ChunkOutput {
  const objective = objectiveSchema.parse(spec.objective ?? {});
  const r = chunkRunner(series, strategy, config);
  const sweepable = { defaults: spec.base ?? strategy.defaults, paramsSchema: strategy.paramsSchema, paramSpace: strategy.paramSpace };
  let slot = 0;
  tpeSearch(sweepable as SweepableStrategy<P>, (p) => objectiveValue(r.run(p, slot++), objective), { seed: spec.seed, nTrials: spec.samples });
  return r.output(spec.index, spec.of);
}

export interface SweepResult {
  context: SweepContext;
  /** True when every chunk 0..of−1 was merged. */
  complete: boolean;
  /** Summaries sorted by combo key. */
  combos: ComboSummary[];
  /** Best combo per objective id (see `objectiveId`), null when no combo qualifies. */
  best: Record<string, BestCombo | null>;
  /** For the deflated Sharpe ratio: trial count and variance of per-trade Sharpes across combos, per view. */
  trials: { count: number; tradeSharpeVariance: Record<string, number | null> };
  /** sha256 of the canonical JSON of everything above. */
  resultHash: string;
}

/** Default objectives: net mean bps at binance-taker, binance-maker and stress-31, binance-taker and gross Sharpe. */
export const DEFAULT_SWEEP_OBJECTIVES: readonly ObjectiveInput[] = Object.freeze([
  { view: 'binance-taker', metric: 'meanBps' },
  { view: 'binance-maker', metric: 'meanBps' },
  { view: 'stress-31', metric: 'meanBps' },
  { view: 'binance-taker', metric: 'sharpe' },
  { view: 'gross', metric: 'sharpe' },
] as const);

function sampleVariance(xs: readonly number[]): number | null {
  if (xs.length < 2) return null;
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
}

/**
 * Merge chunk outputs into the sweep result. Order-independent: combos are sorted by key and the result carries
 * no trace of the chunking, so N chunks in any order hash the same as one serial chunk of all combos. A chunk
 * delivered twice must be identical (queue redelivery); contexts must match. Missing chunks throw unless
 * `allowPartial` (then `complete` is false). Objectives whose view is absent from the results are skipped.
 */
export function mergeSweep(outputs: readonly ChunkOutput[], opts: { objectives?: readonly ObjectiveInput[]; allowPartial?: boolean } = {}): SweepResult {
  if (outputs.length === 0) throw new Error('mergeSweep: no chunk outputs');
  const context = outputs[0]!.context;
  const ctxJson = canonicalJson(context);
  const of = outputs[0]!.of;
  // Chunks by index; a redelivered index must carry identical combos (compared only then: serializing every
  // chunk's combos to compare them with nothing cost a second full pass over a 10,000-combo sweep).
  const byIndex = new Map<number, ChunkOutput>();
  const distinct: ChunkOutput[] = [];
  for (const o of outputs) {
    if (canonicalJson(o.context) !== ctxJson) throw new Error(`mergeSweep: chunk ${o.index} has a different context`);
    if (o.of !== of) throw new Error(`mergeSweep: chunk ${o.index} says of=${o.of}, expected ${of}`);
    const prev = byIndex.get(o.index);
    if (prev === undefined) {
      byIndex.set(o.index, o);
      distinct.push(o);
    } else if (prev !== o && canonicalJson(prev.combos) !== canonicalJson(o.combos)) throw new Error(`mergeSweep: chunk ${o.index} delivered twice with different results`);
  }
  let complete = true;
  for (let k = 0; k < of; k++) if (!byIndex.has(k)) complete = false;
  if (!complete && !opts.allowPartial) throw new Error(`mergeSweep: ${of - byIndex.size} of ${of} chunks missing`);

  // A combo in two chunks (the same params drawn into both) must have one result; an identical redelivered chunk
  // was checked whole above and is not walked again.
  const byKey = new Map<string, ComboSummary>();
  for (const o of distinct) {
    for (const c of o.combos) {
      const prev = byKey.get(c.key);
      if (prev && canonicalJson(prev) !== canonicalJson(c)) throw new Error(`mergeSweep: combo ${c.key} has two different results`);
      byKey.set(c.key, c);
    }
  }
  const combos = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

  const views = new Set<string>(['gross']);
  for (const c of combos) for (const id of Object.keys(c.net)) views.add(id);
  const best: Record<string, BestCombo | null> = {};
  for (const input of opts.objectives ?? DEFAULT_SWEEP_OBJECTIVES) {
    const o = objectiveSchema.parse(input);
    if (!views.has(o.view)) continue;
    best[objectiveId(o)] = pickBest(combos, o);
  }
  const tradeSharpeVariance: Record<string, number | null> = {};
  for (const v of [...views].sort()) {
    const xs: number[] = [];
    for (const c of combos) {
      const s = v === 'gross' ? c.gross : c.net[v];
      if (s && s.tradeSharpe !== null) xs.push(s.tradeSharpe);
    }
    tradeSharpeVariance[v] = sampleVariance(xs);
  }
  const body = { context, complete, combos, best, trials: { count: combos.length, tradeSharpeVariance } };
  return { ...body, resultHash: hashCanonical(body) };
}

function compareValues(a: ParamValue, b: ParamValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Grid neighbours of the combo `key` within `combos`: combos equal to it except for one swept param, moved one
 * step up or down among the distinct values that param takes in `combos` (numbers in numeric order, other values
 * in string order). Params that never vary are not axes. Returned sorted by key; missing neighbours (invalid or
 * not swept) are simply absent.
 */
export function sweepNeighbours(combos: readonly ComboSummary[], key: string): ComboSummary[] {
  const byKey = new Map(combos.map((c) => [c.key, c]));
  const centre = byKey.get(key);
  if (!centre) throw new Error(`sweepNeighbours: combo ${key} not in the sweep`);
  const out = new Map<string, ComboSummary>();
  for (const name of Object.keys(centre.params).sort()) {
    const distinct = new Map<string, ParamValue>();
    for (const c of combos) {
      const v = c.params[name];
      if (v !== undefined) distinct.set(canonicalJson(v), v);
    }
    if (distinct.size < 2) continue;
    const values = [...distinct.values()].sort(compareValues);
    const at = values.findIndex((v) => canonicalJson(v) === canonicalJson(centre.params[name]!));
    for (const j of [at - 1, at + 1]) {
      if (j < 0 || j >= values.length) continue;
      const k = comboKey({ ...centre.params, [name]: values[j]! });
      const hit = byKey.get(k);
      if (hit) out.set(k, hit);
    }
  }
  return [...out.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
