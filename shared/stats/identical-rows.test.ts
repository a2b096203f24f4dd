import { describe, expect, it } from 'vitest';
import { firstIdenticalRow } from './identical-rows';

describe('firstIdenticalRow', () => {
  it('maps each row to the first row with the same bits', () => {
    const rows = [
      [1, 2, 3],
      [1, 2, 4],
      [1, 2, 3],
      [0, 0, 0],
      [-0, 0, 0], // −0 differs from +0 in bits: not the same row
      [1, 2, 4],
      [0, 0, 0],
    ];
    const m = Float64Array.from(rows.flat());
    expect(Array.from(firstIdenticalRow(m, rows.length, 3))).toEqual([0, 1, 0, 3, 4, 1, 3]);
  });

  it('a subarray view reads its own rows', () => {
    const buf = Float64Array.from([9, 9, 5, 6, 5, 6]);
    expect(Array.from(firstIdenticalRow(buf.subarray(2), 2, 2))).toEqual([0, 0]);
  });
});
