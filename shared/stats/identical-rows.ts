/**
 * Bit-identical rows of a row-major matrix: for each row the index of the first row with exactly the same bits
 * (itself when none before it). A sweep holds many combos whose params do not change a single trade (a third of
 * 10,000 distinct); a deterministic per-row computation (block length, ω̂, a bootstrap statistic) is then computed
 * once per distinct row and copied, giving the same numbers as computing it for every row.
 */

/** `first[j]` = the smallest i ≤ j whose row i has the same bit pattern as row j (−0 and +0 differ, as NaNs do). */
export function firstIdenticalRow(m: Float64Array, rows: number, cols: number): Int32Array {
  const bits = new Uint32Array(m.buffer, m.byteOffset, rows * cols * 2);
  const first = new Int32Array(rows);
  const byHash = new Map<number, number[]>();
  const w = cols * 2;
  for (let j = 0; j < rows; j++) {
    let h = 0x811c9dc5;
    for (let t = j * w; t < (j + 1) * w; t++) h = Math.imul(h ^ bits[t]!, 0x01000193);
    const bucket = byHash.get(h);
    first[j] = j;
    if (!bucket) {
      byHash.set(h, [j]);
      continue;
    }
    for (const i of bucket) {
      let same = true;
      for (let t = 0; t < w && same; t++) same = bits[i * w + t] === bits[j * w + t];
      if (same) {
        first[j] = i;
        break;
      }
    }
    if (first[j] === j) bucket.push(j);
  }
  return first;
}
