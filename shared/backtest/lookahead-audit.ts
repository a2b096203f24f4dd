/**
 * The lookahead audit every backtest and every sweep's best combo runs (not only CI): two checks whose reports are
 * part of the run's provenance, and a run that fails either cannot pass the gates.
 *
 * (1) Truncation, dense. A causal strategy gives at candle i the same signal whatever comes after i. For each cut c
 *     the strategy is prepared on the history ending at c and EVERY candle of the cut's tail (c − tail, c] is
 *     compared with the full run — not only c itself. Cuts: every candle where the full run acts (so a peek of any
 *     distance at an acting candle shows), a regular stride of `stride` candles with `tail ≥ stride` (so every
 *     candle of the window is compared against a prefix ending fewer than `stride` candles after it: a bias that
 *     looks `stride` or more candles ahead is caught at every candle where it changes the action, including a
 *     sparse veto that turns a prefix's BUY into the full run's HOLD — the case sampling only acting candles can
 *     miss), and `randomCuts` seeded cuts. Long series use windowed prefixes [c − startup − tail, c] (the declared
 *     startup; numeric fields then compare with `tolerance`), short ones the whole prefix (exact, reasons too).
 * (2) Recursive analysis (after freqtrade's `recursive-analysis`): the strategy is prepared with 1×, 2× and 4× its
 *     declared startup of history before sampled candles and the signals compared with the full-history run: action
 *     changes per multiple and the largest relative move of the numeric fields (stop, take-profit, trailing, limit).
 *     Action changes or moves above `tolerance` at 1× fail (the strategy needs more history than it declares).
 *
 * Pure and deterministic (seeded); reports are capped JSON, typed with `$type: 'lookahead-audit'`.
 */
import { z } from 'zod';
import { sliceSeries, type CandleSeries } from '../candles/candle';
import type { Params, Signal, Strategy } from '../strategies/types';
import { sameSignal } from './lookahead';
import { mulberry32 } from './prng';

export const lookaheadAuditOptionsSchema = z.object({
  seed: z.number().int().default(20240601),
  /** Regular cut spacing, candles. */
  stride: z.number().int().min(1).default(16),
  /** Candles compared before each cut (≥ stride). Default: stride. */
  tail: z.number().int().min(1).optional(),
  randomCuts: z.number().int().min(0).default(64),
  /** Cap on cuts (acting candles first, then stride, then random), to bound CPU on long series. */
  maxCuts: z.number().int().min(1).default(20_000),
  /** Whole prefixes up to this many candles; windowed prefixes beyond. */
  wholePrefixUpTo: z.number().int().min(0).default(3000),
  /** Relative tolerance for numeric fields of windowed/recursive comparisons. */
  tolerance: z.number().min(0).default(1e-6),
  /** Candles sampled for the recursive analysis. */
  recursiveSamples: z.number().int().min(1).default(200),
  /** First index audited (default: the declared startup). */
  fromIndex: z.number().int().min(0).optional(),
});
export type LookaheadAuditOptions = z.input<typeof lookaheadAuditOptionsSchema>;

const mismatchSchema = z.object({ index: z.number(), openTime: z.number(), full: z.string(), other: z.string(), cut: z.number() });

export const lookaheadAuditSchema = z.object({
  $type: z.literal('lookahead-audit'),
  ok: z.boolean(),
  truncation: z.object({
    ok: z.boolean(),
    mode: z.enum(['whole-prefix', 'windowed']),
    cuts: z.number(),
    compared: z.number(),
    mismatchCount: z.number(),
    /** The first mismatches (at most 10): signal at i in the full run vs in the prefix ending at `cut`. */
    mismatches: z.array(mismatchSchema),
    stride: z.number(),
    tail: z.number(),
    capped: z.boolean(),
  }),
  recursive: z.object({
    ok: z.boolean(),
    startup: z.number(),
    samples: z.number(),
    /** Per history multiple: action changes vs full history and the largest relative move of a numeric field. */
    byMultiple: z.array(z.object({ multiple: z.number(), history: z.number(), compared: z.number(), actionChanges: z.number(), maxRelMove: z.number() })),
  }),
});
export type LookaheadAudit = z.infer<typeof lookaheadAuditSchema>;

function describeSignal(s: Signal): string {
  const nums = [s.stopLoss, s.takeProfit, s.trailingStop, s.limitPrice].map((x) => (x === undefined ? '-' : String(x))).join('/');
  return `${s.action}${s.reason ? ` (${s.reason})` : ''} ${nums}`;
}

function relMove(a: number | undefined, b: number | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : Infinity;
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (a === b) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

function maxMove(a: Signal, b: Signal): number {
  return Math.max(relMove(a.stopLoss, b.stopLoss), relMove(a.takeProfit, b.takeProfit), relMove(a.trailingStop, b.trailingStop), relMove(a.limitPrice, b.limitPrice));
}

/** Audit `strategy` with `params` over `series` for lookahead (dense truncation) and history dependence (recursive). */
export function auditLookahead<P extends Params, S>(strategy: Strategy<P, S>, series: CandleSeries, params: P, options: LookaheadAuditOptions = {}): LookaheadAudit {
  const o = lookaheadAuditOptionsSchema.parse(options);
  const tail = Math.max(o.stride, o.tail ?? o.stride);
  const startup = strategy.startupCandles(params);
  const n = series.length;
  const full = strategy.prepare(series, params);
  const fullSig: Signal[] = new Array<Signal>(n);
  for (let i = 0; i < n; i++) fullSig[i] = strategy.evaluate(full, i, params);
  const lo = Math.max(0, o.fromIndex ?? startup);

  // --- (1) dense truncation
  const windowed = n > o.wholePrefixUpTo;
  const acting: number[] = [];
  for (let i = lo; i < n; i++) if (fullSig[i]!.action !== 'HOLD') acting.push(i);
  const cutSet = new Set<number>();
  let capped = false;
  const add = (c: number): void => {
    if (c < lo || c >= n) return;
    if (cutSet.size >= o.maxCuts) capped = true;
    else cutSet.add(c);
  };
  // Priority under the cap: decision points (the action changes from the previous candle's), the stride, the
  // last candle, the random cuts, then the remaining acting candles (steady runs of the same action).
  for (const c of acting) if (c === lo || fullSig[c - 1]!.action !== fullSig[c]!.action) add(c);
  for (let c = lo + o.stride - 1; c < n; c += o.stride) add(c);
  add(n - 1);
  const rng = mulberry32(o.seed);
  for (let k = 0; k < o.randomCuts && n > lo; k++) add(rng.int(lo, n));
  for (const c of acting) add(c);
  const cuts = [...cutSet].sort((a, b) => a - b);
  const mismatches: z.infer<typeof mismatchSchema>[] = [];
  let mismatchCount = 0;
  let compared = 0;
  const flagged = new Set<number>();
  for (const c of cuts) {
    const start = windowed ? Math.max(0, c - startup - tail) : 0;
    const prefix = strategy.prepare(sliceSeries(series, start, c + 1), params);
    for (let i = Math.max(lo, c - tail + 1); i <= c; i++) {
      compared++;
      const other = strategy.evaluate(prefix, i - start, params);
      const f = fullSig[i]!;
      if (sameSignal(f, other, windowed ? o.tolerance : 0, !windowed)) continue;
      if (flagged.has(i)) continue;
      flagged.add(i);
      mismatchCount++;
      if (mismatches.length < 10) mismatches.push({ index: i, openTime: series.openTime[i]!, full: describeSignal(f), other: describeSignal(other), cut: c });
    }
  }
  const truncation = { ok: mismatchCount === 0, mode: windowed ? ('windowed' as const) : ('whole-prefix' as const), cuts: cuts.length, compared, mismatchCount, mismatches, stride: o.stride, tail, capped };

  // --- (2) recursive analysis: 1×, 2×, 4× the declared startup before sampled candles vs full history
  const byMultiple: LookaheadAudit['recursive']['byMultiple'] = [];
  const samplePoints: number[] = [];
  {
    const r = mulberry32(o.seed ^ 0x5bd1e995);
    const pts = new Set<number>();
    const first = Math.max(lo, 4 * startup);
    for (const c of acting) if (c >= first && pts.size < Math.floor(o.recursiveSamples / 2)) pts.add(c);
    let guard = 0;
    while (pts.size < o.recursiveSamples && first < n && guard++ < o.recursiveSamples * 20) pts.add(r.int(first, n));
    samplePoints.push(...[...pts].sort((a, b) => a - b));
  }
  for (const multiple of [1, 2, 4]) {
    const history = Math.max(1, multiple * startup);
    let actionChanges = 0;
    let maxRel = 0;
    let cmp = 0;
    for (const c of samplePoints) {
      const start = c - history;
      if (start < 0) continue;
      const p = strategy.prepare(sliceSeries(series, start, c + 1), params);
      const other = strategy.evaluate(p, c - start, params);
      const f = fullSig[c]!;
      cmp++;
      const move = other.action === f.action ? maxMove(f, other) : Infinity;
      // A field present in one run and absent in the other counts as a change of the signal, like the action.
      if (move === Infinity) actionChanges++;
      else maxRel = Math.max(maxRel, move);
    }
    byMultiple.push({ multiple, history, compared: cmp, actionChanges, maxRelMove: maxRel });
  }
  const one = byMultiple[0]!;
  const recursive = { ok: one.actionChanges === 0 && one.maxRelMove <= o.tolerance, startup, samples: samplePoints.length, byMultiple };

  return { $type: 'lookahead-audit', ok: truncation.ok && recursive.ok, truncation, recursive };
}

/** The noLookahead gate's reading of an audit (shared/research/verdict.ts `LookaheadEvidence`). */
export function lookaheadEvidence(a: LookaheadAudit): { ok: boolean; mismatches: number; detail: string } {
  const t = a.truncation;
  const r1 = a.recursive.byMultiple[0];
  const rec = r1 ? `recursive 1× startup: ${r1.actionChanges} signal changes, max move ${r1.maxRelMove.toExponential(1)} over ${r1.compared}` : 'recursive: none';
  const head = a.ok ? 'lookahead audit passed' : 'lookahead audit FAILED';
  const first = t.mismatches[0];
  const where = first ? `; first at candle ${first.index}: full ${first.full} vs prefix ${first.other}` : '';
  return {
    ok: a.ok,
    mismatches: t.mismatchCount + (r1?.actionChanges ?? 0),
    detail: `${head}: truncation ${t.mismatchCount} mismatches in ${t.compared} candles over ${t.cuts} cuts (stride ${t.stride}${t.capped ? ', capped' : ''}); ${rec}${where}`,
  };
}
