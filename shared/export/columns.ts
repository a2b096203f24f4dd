/**
 * What an export is made of: named, typed columns and pages of rows in that column order. The same description
 * drives every format — CSV (RFC 4180, times as ISO-8601 UTC), JSON (an array of objects, times as ms since the
 * epoch) and Parquet (times as TIMESTAMP millis, numbers as DOUBLE/INT64, text as UTF-8) — so the three formats of
 * one export always hold the same rows and values.
 */

/** `time`: ms since the epoch UTC. `int`: a safe integer. `double`: a float64. `string`: text (may be null). */
export type ColumnType = 'time' | 'int' | 'double' | 'string';

export interface ExportColumn {
  name: string;
  type: ColumnType;
}

/** One value per column, in column order; `null` where a value is absent. */
export type ExportRow = (number | string | null)[];

export const EXPORT_FORMATS = ['csv', 'json', 'parquet'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_DATASETS = ['candles', 'trades', 'equity', 'runs'] as const;
export type ExportDataset = (typeof EXPORT_DATASETS)[number];

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  parquet: 'application/vnd.apache.parquet',
};

export const CANDLE_COLUMNS: readonly ExportColumn[] = [
  { name: 'open_time', type: 'time' },
  { name: 'open', type: 'double' },
  { name: 'high', type: 'double' },
  { name: 'low', type: 'double' },
  { name: 'close', type: 'double' },
  { name: 'volume', type: 'double' },
  { name: 'source', type: 'string' },
];

/** The fixed trade columns; one `net_<cost model>` double column per cost model of the run follows them. */
export const TRADE_COLUMNS: readonly ExportColumn[] = [
  { name: 'seq', type: 'int' },
  { name: 'side', type: 'string' },
  { name: 'entry_time', type: 'time' },
  { name: 'entry_price', type: 'double' },
  { name: 'exit_time', type: 'time' },
  { name: 'exit_price', type: 'double' },
  { name: 'entry_reason', type: 'string' },
  { name: 'exit_reason', type: 'string' },
  { name: 'gross_return', type: 'double' },
];

export const EQUITY_COLUMNS: readonly ExportColumn[] = [
  { name: 'seq', type: 'int' },
  { name: 'time', type: 'time' },
  { name: 'equity_gross', type: 'double' },
  { name: 'equity_net', type: 'double' },
  { name: 'drawdown', type: 'double' },
];

export const RUN_COLUMNS: readonly ExportColumn[] = [
  { name: 'id', type: 'string' },
  { name: 'kind', type: 'string' },
  { name: 'strategy_id', type: 'string' },
  { name: 'strategy_version', type: 'string' },
  { name: 'params', type: 'string' },
  { name: 'venue', type: 'string' },
  { name: 'symbol', type: 'string' },
  { name: 'timeframe', type: 'string' },
  { name: 'mode', type: 'string' },
  { name: 'window_from', type: 'time' },
  { name: 'window_to', type: 'time' },
  { name: 'data_source', type: 'string' },
  { name: 'candle_count', type: 'int' },
  { name: 'data_hash', type: 'string' },
  { name: 'code_version', type: 'string' },
  { name: 'status', type: 'string' },
  { name: 'verdict', type: 'string' },
  { name: 'verdict_reason', type: 'string' },
  { name: 'result_hash', type: 'string' },
  { name: 'created_at', type: 'time' },
  { name: 'finished_at', type: 'time' },
  { name: 'gross_trades', type: 'int' },
  { name: 'gross_mean_return', type: 'double' },
  { name: 'gross_total_return', type: 'double' },
  { name: 'gross_max_drawdown', type: 'double' },
  { name: 'gross_sharpe', type: 'double' },
];

/** The column list of a trades export for these cost models (sorted, so every page and format agrees). */
export function tradeColumns(costModels: readonly string[]): ExportColumn[] {
  return [...TRADE_COLUMNS, ...[...costModels].sort().map((m) => ({ name: `net_${m}`, type: 'double' as const }))];
}
