/**
 * What a sweep stores, and reading it back: ONE zod schema per column — `sweep_chunks.result` (a chunk's
 * `ChunkOutput` plus the data provenance the chunk job adds) and `sweeps.result` (the merged `SweepResult` plus
 * what is merged onto it later: `pbo` (in-process, skipped, deferred to pbo-chunk jobs, or merged from them),
 * `spa`, `timing`, and the best combo's `judgement`). Writers are typed by `StoredChunkResult` /
 * `StoredSweepResult` (the columns' `$type`); readers go through `readSweepResult` / `readChunkResult`, which
 * return the value or the reason it does not parse — no reader guesses a layout.
 *
 * Like the run results (./stored-run-result.ts) there is no version tag: every layout a writer ever stored parses.
 * Earlier rows differ only by absent fields (no `pbo` / `spa` before issue 13, no `timing` wall times or chunk
 * `blockStats` / `periodReturns` before those were kept, no PBO `wallMs`), so those fields are optional. Objects are
 * loose (a field added later, e.g. a per-combo hash, is kept, not stripped); known fields must have their shape.
 * The layout the Lab fixtures used to invent (`combos[].metrics`, `best` as one combo) was never written by the
 * real code and is rejected, naming the field.
 *
 * Each parsed value is assigned to its TypeScript type (`ComboSummary`, `SweepResult`, `SweepPbo`, …) below, so a
 * field that the writer's type gains or changes fails the typecheck here: the schema cannot drift from the writer.
 */
import { z } from 'zod';
import type { ChunkOutput, SweepResult } from './sweep';
import { chunkBlockStatsSchema, type SweepPbo, type SweepPboSkipped } from './sweep-pbo';
import { chunkPeriodsSchema, type SweepSpa } from './sweep-spa';

const num = z.number();
const nnum = z.number().nullable();
const numRecord = z.record(z.string(), z.number().nullable());

/** One cost view's statistics (`ViewSummary`); a net view also has `roundTripBps`. */
const viewSummarySchema = z.looseObject({
  meanBps: nnum,
  medianBps: nnum,
  sdBps: nnum,
  winRate: nnum,
  tradeSharpe: nnum,
  sharpe: nnum,
  sortino: nnum,
  maxDrawdown: num,
  profitFactor: nnum,
  totalReturn: num,
  cagr: nnum,
});
const netViewSummarySchema = viewSummarySchema.extend({ roundTripBps: nnum });
const paramsSchema = z.record(z.string(), z.union([z.number(), z.string(), z.boolean()]));

/** One sweep member as `summarizeResult` writes it (`ComboSummary`). */
export const storedComboSchema = z.looseObject({
  key: z.string(),
  params: paramsSchema,
  trades: z.number().int().nonnegative(),
  exposure: num,
  gross: viewSummarySchema,
  net: z.record(z.string(), netViewSummarySchema),
  breakEvenRoundTripBps: nnum,
  resultHash: z.string(),
});

const contextSchema = z.looseObject({
  strategyId: z.string(),
  strategyVersion: z.string(),
  engineVersion: z.string(),
  // Absent in sweeps stored before sweep-summary/2.0.0 (combo hashes = full result hashes); kept absent on read.
  summaryVersion: z.string().optional(),
  mode: z.enum(['single', 'slices']),
  series: z.looseObject({ symbol: z.string(), timeframe: z.string(), length: num, firstOpen: nnum, lastOpen: nnum }),
  configHash: z.string(),
  // The Sentinel reference the combos read (series key, candle count, data hash); absent when none was (and on older sweeps).
  reference: z.looseObject({ series: z.string(), candleCount: z.number().int().nonnegative(), dataHash: z.string() }).optional(),
});

/** `sweep_chunks.result`: the chunk's output and the data it ran on (added by the chunk job). */
export const storedChunkResultSchema = z.looseObject({
  index: z.number().int().nonnegative(),
  of: z.number().int().positive(),
  context: contextSchema,
  combos: z.array(storedComboSchema),
  /** Absent on chunks computed before PBO block statistics were kept. */
  blockStats: chunkBlockStatsSchema.optional(),
  /** Absent on chunks computed before daily returns were kept for SPA. */
  periodReturns: chunkPeriodsSchema.optional(),
  dataHash: z.string().optional(),
  candleCount: z.number().int().nonnegative().optional(),
});

/** The TypeScript type of `sweep_chunks.result` (the column's `$type`). */
export type StoredChunkResult = ChunkOutput & { dataHash?: string; candleCount?: number };

const bestComboSchema = z.looseObject({ key: z.string(), params: paramsSchema, value: num });

const range = z.looseObject({ from: z.number().int(), to: z.number().int() });
/** `sweeps.result.pbo.ranges` of a deferred PBO (read on its own by the cron re-send). */
export const storedPboRangesSchema = z.array(range);
/** `sweeps.result.trials.tradeSharpeVariance` (read on its own for the family's DSR). */
export const storedSharpeVarianceSchema = numRecord;
const pboDoneSchema = z.looseObject({
  status: z.literal('done'),
  view: z.string(),
  metric: z.literal('sharpe'),
  sparse: z.literal('zero'),
  blocks: z.number().int(),
  edges: z.array(num),
  combos: z.number().int(),
  splits: z.number().int(),
  pbo: num,
  probabilityOfLoss: num,
  lossThreshold: num,
  degradation: z.looseObject({ slope: nnum, intercept: nnum, rSquared: nnum, meanIs: num, meanOos: num }),
  histogram: z.looseObject({ binWidth: num, edges: z.array(num), counts: z.array(num) }),
  lambda: z.looseObject({ p5: num, p50: num, p95: num }),
  scatter: z.looseObject({ stride: num, points: z.array(z.looseObject({ is: num, oos: num, best: num, lambda: num })) }),
  winners: z.array(z.looseObject({ key: z.string(), splits: num })),
  pboChunks: z.number().int(),
  digest: z.string(),
  /** In-process PBO: its wall time (absent on rows merged before it was recorded). */
  wallMs: num.optional(),
  /** Merged from pbo-chunk jobs: each range's wall time. */
  chunkWallMs: z.array(num).optional(),
  maxChunkWallMs: num.optional(),
});
const pboSkippedSchema = z.looseObject({ status: z.enum(['insufficient-data', 'failed']), reason: z.string() });
const pboDeferredSchema = z.looseObject({
  status: z.literal('deferred'),
  reason: z.string(),
  ranges: storedPboRangesSchema,
  /** When the pbo-chunk messages were last sent (database clock, ms); absent = never sent successfully. */
  enqueuedAt: num.optional(),
});
/** `sweeps.result.pbo`, told apart by `status`. */
export const storedPboSchema = z.discriminatedUnion('status', [pboDoneSchema, pboSkippedSchema, pboDeferredSchema]);

const spaSideSchema = z.discriminatedUnion('status', [
  z.looseObject({
    benchmark: z.enum(['flat', 'buy-and-hold']),
    status: z.literal('done'),
    spa: z.looseObject({ lower: num, consistent: num, upper: num, statistic: num }),
    realityCheck: z.looseObject({ pValue: num, statistic: num }),
    best: z.string(),
    blockLength: num,
    blockLengthSource: z.enum(['given', 'politis-white']),
  }),
  z.looseObject({ benchmark: z.enum(['flat', 'buy-and-hold']), status: z.enum(['insufficient-data', 'failed']), reason: z.string() }),
]);
const spaDoneSchema = z.looseObject({
  view: z.string(),
  strategies: z.number().int(),
  observations: z.number().int(),
  period: z.literal('day'),
  reps: z.number().int(),
  seed: z.number().int(),
  vsFlat: spaSideSchema,
  vsBuyAndHold: spaSideSchema,
  scope: z.enum(['this-sweep', 'family']),
});
/** `sweeps.result.spa`: the SPA of the sweep's combos, or why there is none (then `status` says so). */
export const storedSpaSchema = z.union([spaDoneSchema, pboSkippedSchema]);

/** The best combo's judgement (shared/app/promotion.ts `promoteFromSweep`): `best: null` with a reason, or the verdict. */
const judgementSchema = z.looseObject({ best: z.looseObject({ objective: z.string(), key: z.string(), value: num }).nullable(), reason: z.string().optional(), verdict: z.string().optional() });

/** `sweeps.result`. */
export const storedSweepResultSchema = z.looseObject({
  context: contextSchema,
  complete: z.boolean(),
  combos: z.array(storedComboSchema),
  best: z.record(z.string(), bestComboSchema.nullable()),
  trials: z.looseObject({ count: z.number().int().nonnegative(), tradeSharpeVariance: storedSharpeVarianceSchema }),
  resultHash: z.string(),
  pbo: storedPboSchema.optional(),
  spa: storedSpaSchema.optional(),
  timing: z.looseObject({ chunkWallMs: z.array(num), maxChunkWallMs: num, totalWallMs: num }).optional(),
  judgement: judgementSchema.optional(),
});

export type StoredPbo = (SweepPbo & { wallMs?: number; chunkWallMs?: number[]; maxChunkWallMs?: number }) | SweepPboSkipped | StoredPboDeferred;
export interface StoredPboDeferred {
  status: 'deferred';
  reason: string;
  ranges: { from: number; to: number }[];
  enqueuedAt?: number;
}
export type StoredSpa = SweepSpa | { status: 'insufficient-data' | 'failed'; reason: string };
export interface StoredSweepJudgement {
  best: { objective: string; key: string; value: number; [k: string]: unknown } | null;
  reason?: string;
  verdict?: string;
  [k: string]: unknown;
}

/** The TypeScript type of `sweeps.result` (the column's `$type`): the merge's output and what is merged onto it. */
export type StoredSweepResult = SweepResult & {
  pbo?: StoredPbo;
  spa?: StoredSpa;
  timing?: { chunkWallMs: number[]; maxChunkWallMs: number; totalWallMs: number };
  judgement?: StoredSweepJudgement;
};

export type Read<T> = { ok: true; result: T } | { ok: false; reason: string };

function reasonOf(what: string, e: z.ZodError): string {
  const issues = e.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  return `${what}: ${issues.join('; ')}${e.issues.length > 5 ? `; and ${e.issues.length - 5} more` : ''}`;
}

/** A reader for one column's schema: null (nothing stored yet) reads as `{ ok: true, result: null }`. */
function reader<S extends z.ZodType>(schema: S, what: string): (json: unknown) => Read<z.output<S> | null> {
  return (json) => {
    if (json === null || json === undefined) return { ok: true, result: null };
    const parsed = schema.safeParse(json);
    return parsed.success ? { ok: true, result: parsed.data } : { ok: false, reason: reasonOf(what, parsed.error) };
  };
}
const readSweep = reader(storedSweepResultSchema, 'stored sweep result');
const readChunk = reader(storedChunkResultSchema, 'stored sweep chunk result');

const readPbo = reader(storedPboSchema, 'stored sweep PBO');

/** Parse a stored `sweeps.result.pbo` read on its own (a jsonb path select; null when absent). */
export function readStoredPbo(json: unknown): Read<StoredPbo | null> {
  return readPbo(json);
}

/** Parse a stored `sweeps.result` (null for a sweep not merged yet). */
export function readSweepResult(json: unknown): Read<StoredSweepResult | null> {
  // Returning the parsed type as the writer's is the compile-time check that the schema matches the writer's types.
  return readSweep(json);
}

/** Parse a stored `sweep_chunks.result` (null for a chunk not done yet). */
export function readChunkResult(json: unknown): Read<StoredChunkResult | null> {
  return readChunk(json);
}

/** The stored sweep result, or throw with the reason (a merge / job that cannot go on without it). */
export function sweepResultOrThrow(json: unknown, sweepId: string): StoredSweepResult | null {
  const r = readSweepResult(json);
  if (!r.ok) throw new Error(`sweep ${sweepId}: ${r.reason}`);
  return r.result;
}

/** A done chunk's stored result, or throw with the reason (the merge must not guess a chunk's layout). */
export function chunkResultOrThrow(json: unknown, where: string): StoredChunkResult {
  const r = readChunkResult(json);
  if (!r.ok) throw new Error(`${where}: ${r.reason}`);
  if (r.result === null) throw new Error(`${where}: no stored result`);
  return r.result;
}
