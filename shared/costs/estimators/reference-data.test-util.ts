/**
 * Test-only reader of the `bidask` reference CSVs in `../shared/data/estimator-reference` (PROVENANCE.md §8):
 * blank or NA = missing value, kept as NaN.
 */
import { readDataText } from '../../testing/data';

export interface OhlcColumns {
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  /** First column as text when the file has a leading timestamp column (MSFT). */
  time?: string[];
}

const num = (s: string): number => {
  const t = s.trim();
  return t === '' || t === 'NA' ? NaN : Number(t);
};

/** An `estimator-reference/` CSV: header, then `[time,]open,high,low,close[,volume]`. */
export function readEstimatorReference(file: string): OhlcColumns {
  const lines = readDataText('estimator-reference', file).trim().split(/\r?\n/).slice(1);
  const withTime = file.startsWith('msft');
  const n = lines.length;
  const out: OhlcColumns = {
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
  };
  if (withTime) out.time = [];
  lines.forEach((line, i) => {
    const f = line.split(',');
    const k = withTime ? 1 : 0;
    if (withTime) out.time!.push(f[0]!.replaceAll('"', ''));
    out.open[i] = num(f[k]!);
    out.high[i] = num(f[k + 1]!);
    out.low[i] = num(f[k + 2]!);
    out.close[i] = num(f[k + 3]!);
  });
  return out;
}
