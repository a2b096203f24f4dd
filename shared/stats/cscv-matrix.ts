/**
 * The input of CSCV (./pbo.ts): a combos × S-blocks matrix of per-block sufficient statistics (count, Σx, Σx²),
 * built from per-combo return series (equal-size index blocks), from one performance value per combo and block,
 * or from timed values (per-trade returns at their exit times) bucketed into shared time blocks — the form a
 * chunked sweep can keep (S × 3 numbers per combo). `cscvDigest` names a matrix so that partial PBO results of
 * different inputs refuse to merge. Reference: Bailey, Borwein, López de Prado & Zhu (2017), §2.2 step 1–2.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { InsufficientDataError, StatsInputError, assertFinite, matrixShape } from './errors';

/** Per-block sufficient statistics of a combos × blocks matrix, row-major (index = combo · blocks + block). */
export interface CscvMatrix {
  combos: number;
  blocks: number;
  count: Float64Array;
  sum: Float64Array;
  sumSq: Float64Array;
}

/** The largest block count accepted: C(20, 10) = 184,756 splits. */
export const MAX_CSCV_BLOCKS = 20;

/** Throws unless S is even and in [2, MAX_CSCV_BLOCKS]. */
export function checkBlocks(blocks: number): void {
  if (!Number.isInteger(blocks) || blocks < 2 || blocks % 2 !== 0 || blocks > MAX_CSCV_BLOCKS)
    throw new StatsInputError(`CSCV needs an even number of blocks in [2, ${MAX_CSCV_BLOCKS}], got ${blocks}`);
}

/**
 * CSCV matrix from per-combo return series (combos × T, all the same length): observation t goes to block
 * ⌊t·S/T⌋, i.e. block s holds t ∈ [⌈s·T/S⌉, ⌈(s+1)·T/S⌉) — sizes differ by at most one.
 */
export function cscvFromReturns(returns: ArrayLike<ArrayLike<number>>, blocks: number): CscvMatrix {
  checkBlocks(blocks);
  const { rows: combos, cols: t } = matrixShape(returns, 'returns');
  if (combos < 2) throw new InsufficientDataError('combos', combos, 2);
  if (t < 2 * blocks) throw new InsufficientDataError('observations per combo', t, 2 * blocks);
  const count = new Float64Array(combos * blocks);
  const sum = new Float64Array(combos * blocks);
  const sumSq = new Float64Array(combos * blocks);
  for (let c = 0; c < combos; c++) {
    const row = returns[c]!;
    for (let s = 0; s < blocks; s++) {
      const lo = Math.ceil((s * t) / blocks);
      const hi = Math.ceil(((s + 1) * t) / blocks);
      let a = 0;
      let b = 0;
      for (let i = lo; i < hi; i++) {
        const x = row[i]!;
        a += x;
        b += x * x;
      }
      const j = c * blocks + s;
      count[j] = hi - lo;
      sum[j] = a;
      sumSq[j] = b;
    }
  }
  return { combos, blocks, count, sum, sumSq };
}

/**
 * CSCV matrix from one performance value per combo and block (combos × S), e.g. a sweep's per-block mean bps.
 * Each block counts as one observation, so metric 'mean' ranks by the average of the block values and 'sharpe'
 * by their mean / sd.
 */
export function cscvFromBlockValues(values: ArrayLike<ArrayLike<number>>): CscvMatrix {
  const { rows: combos, cols: blocks } = matrixShape(values, 'block values');
  checkBlocks(blocks);
  if (combos < 2) throw new InsufficientDataError('combos', combos, 2);
  const count = new Float64Array(combos * blocks).fill(1);
  const sum = new Float64Array(combos * blocks);
  const sumSq = new Float64Array(combos * blocks);
  for (let c = 0; c < combos; c++)
    for (let s = 0; s < blocks; s++) {
      const v = values[c]![s]!;
      sum[c * blocks + s] = v;
      sumSq[c * blocks + s] = v * v;
    }
  return { combos, blocks, count, sum, sumSq };
}

/** One combo's per-block sufficient statistics (each array has one entry per block). */
export interface BlockStats {
  count: number[];
  sum: number[];
  sumSq: number[];
}

/**
 * Per-block statistics of one combo's timed values (e.g. per-trade net returns at their exit times) for shared
 * time blocks: value i goes to block s with edges[s] ≤ times[i] < edges[s+1]. `edges` (S + 1, increasing) must
 * cover every time — a value outside is refused, never dropped. Lets a chunked sweep keep only S × 3 numbers per
 * combo for the PBO.
 */
export function blockStatsByTime(values: ArrayLike<number>, times: ArrayLike<number>, edges: ArrayLike<number>): BlockStats {
  const S = edges.length - 1;
  checkBlocks(S);
  assertFinite(edges, 'edges');
  for (let s = 0; s < S; s++) if (!(edges[s]! < edges[s + 1]!)) throw new StatsInputError(`block edges must increase: edges[${s}] = ${edges[s]}, edges[${s + 1}] = ${edges[s + 1]}`);
  if (values.length !== times.length) throw new StatsInputError(`${values.length} values but ${times.length} times`);
  assertFinite(values, 'values');
  assertFinite(times, 'times');
  const out: BlockStats = { count: new Array<number>(S).fill(0), sum: new Array<number>(S).fill(0), sumSq: new Array<number>(S).fill(0) };
  for (let i = 0; i < values.length; i++) {
    const t = times[i]!;
    if (t < edges[0]! || t >= edges[S]!) throw new StatsInputError(`times[${i}] = ${t} lies outside the blocks [${edges[0]}, ${edges[S]})`);
    let lo = 0;
    let hi = S;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (t >= edges[mid]!) lo = mid;
      else hi = mid;
    }
    const v = values[i]!;
    out.count[lo]!++;
    out.sum[lo]! += v;
    out.sumSq[lo]! += v * v;
  }
  return out;
}

/** CSCV matrix from per-combo block statistics (all with the same number of blocks), e.g. from sweep chunks. */
export function cscvFromBlockStats(rows: ArrayLike<BlockStats>): CscvMatrix {
  const combos = rows.length;
  if (combos < 2) throw new InsufficientDataError('combos', combos, 2);
  const blocks = rows[0]!.count.length;
  checkBlocks(blocks);
  const count = new Float64Array(combos * blocks);
  const sum = new Float64Array(combos * blocks);
  const sumSq = new Float64Array(combos * blocks);
  for (let c = 0; c < combos; c++) {
    const r = rows[c]!;
    if (r.count.length !== blocks || r.sum.length !== blocks || r.sumSq.length !== blocks)
      throw new StatsInputError(`combo ${c} has ${r.count.length}/${r.sum.length}/${r.sumSq.length} block entries, expected ${blocks}`);
    for (let s = 0; s < blocks; s++) {
      const n = r.count[s]!;
      if (!Number.isInteger(n) || n < 0) throw new StatsInputError(`combo ${c} block ${s}: count must be a non-negative integer, got ${n}`);
      count[c * blocks + s] = n;
      sum[c * blocks + s] = r.sum[s]!;
      sumSq[c * blocks + s] = r.sumSq[s]!;
    }
  }
  assertFinite(sum, 'sum');
  assertFinite(sumSq, 'sumSq');
  return { combos, blocks, count, sum, sumSq };
}

/** sha256 of the matrix's shape and bytes: partial results of different inputs refuse to merge. */
export function cscvDigest(m: CscvMatrix): string {
  const n = m.combos * m.blocks;
  const buf = new Float64Array(2 + 3 * n);
  buf[0] = m.combos;
  buf[1] = m.blocks;
  buf.set(m.count, 2);
  buf.set(m.sum, 2 + n);
  buf.set(m.sumSq, 2 + 2 * n);
  return bytesToHex(sha256(new Uint8Array(buf.buffer)));
}
