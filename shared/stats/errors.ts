/**
 * Typed errors of the statistics library. Bad input never yields a silent wrong number: too few points is an
 * `InsufficientDataError` carrying the count it got and the count it needs; malformed input (ragged matrices,
 * non-finite values, out-of-range options, partial results that do not belong together) is a `StatsInputError`
 * with the reason.
 */

export class StatsInputError extends Error {
  readonly code = 'invalid-input' as const;
  constructor(message: string) {
    super(message);
    this.name = 'StatsInputError';
  }
}

export class InsufficientDataError extends Error {
  readonly code = 'insufficient-data' as const;
  constructor(
    /** What was counted ("observations", "blocks", "trades", …). */
    readonly what: string,
    readonly count: number,
    readonly required: number,
  ) {
    super(`insufficient data: ${count} ${what}, at least ${required} required`);
    this.name = 'InsufficientDataError';
  }
}

/** Throws unless every value is a finite number; `label` names the input in the message. */
export function assertFinite(xs: ArrayLike<number>, label: string): void {
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i]!;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new StatsInputError(`${label}[${i}] is not a finite number (${String(v)})`);
  }
}

/** Validates a rows × columns matrix (rectangular, finite) and returns its shape. */
export function matrixShape(rows: ArrayLike<ArrayLike<number>>, label: string): { rows: number; cols: number } {
  const r = rows.length;
  if (r === 0) throw new InsufficientDataError(`${label} rows`, 0, 1);
  const c = rows[0]!.length;
  for (let i = 0; i < r; i++) {
    const row = rows[i]!;
    if (row.length !== c) throw new StatsInputError(`${label} is ragged: row 0 has ${c} columns, row ${i} has ${row.length}`);
    assertFinite(row, `${label}[${i}]`);
  }
  return { rows: r, cols: c };
}
