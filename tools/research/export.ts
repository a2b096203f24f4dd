/**
 * `npm run research -- export --dataset candles|trades|equity|runs --format csv|json|parquet …`: the same exports as
 * `GET /api/export/*` (the same columns, encoders and pages — `shared/export`), written from the database to a file
 * (`--out`, default `<name>.<format>` in the current directory; `--out -` for stdout). Prints the file, its row
 * count, size and SHA-256, and the cursor to continue from when `--limit` cut it short.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Database } from '../../shared/db/database';
import { EXPORT_DATASETS, EXPORT_FORMATS, type ExportDataset, type ExportFormat, type ExportRow } from '../../shared/export/columns';
import { openExport, type ExportSpec } from '../../shared/export/datasets';
import { encodeExport } from '../../shared/export/encode';
import { isTimeframe, TIMEFRAMES } from '../../shared/candles/timeframe';

export interface ExportOptions {
  dataset?: string;
  format?: string;
  run?: string;
  venue?: string;
  symbol?: string;
  timeframe?: string;
  strategy?: string;
  from?: string;
  to?: string;
  limit?: string;
  cursor?: string;
  out?: string;
}

export interface ExportSummary {
  dataset: ExportDataset;
  format: ExportFormat;
  file: string;
  rows: number;
  bytes: number;
  sha256: string;
  nextCursor: string | null;
}

const time = (v: string, name: string): number => {
  const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(t)) throw new Error(`--${name} must be a date (YYYY-MM-DD, ISO-8601) or ms since the epoch, got ${v}`);
  return t;
};

function need(v: string | undefined, name: string, dataset: string): string {
  if (v === undefined || v === '') throw new Error(`export --dataset ${dataset} needs --${name}`);
  return v;
}

/** The export spec the options name (validated; errors say which flag is wrong). */
export function exportSpec(o: ExportOptions): { spec: ExportSpec; format: ExportFormat; limit: number } {
  const dataset = o.dataset ?? '';
  if (!(EXPORT_DATASETS as readonly string[]).includes(dataset)) throw new Error(`--dataset must be one of ${EXPORT_DATASETS.join(', ')}`);
  const format = (o.format ?? 'csv') as ExportFormat;
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new Error(`--format must be one of ${EXPORT_FORMATS.join(', ')}`);
  const limit = o.limit === undefined ? Number.MAX_SAFE_INTEGER : Number(o.limit);
  if (!Number.isSafeInteger(limit) || limit < 1) throw new Error(`--limit must be a positive integer, got ${o.limit}`);
  let spec: ExportSpec;
  if (dataset === 'candles') {
    const tf = need(o.timeframe, 'timeframe', dataset);
    if (!isTimeframe(tf)) throw new Error(`--timeframe must be one of ${TIMEFRAMES.join(', ')}`);
    spec = {
      dataset,
      venue: need(o.venue, 'venue', dataset),
      symbol: need(o.symbol, 'symbol', dataset),
      timeframe: tf,
      from: o.from === undefined ? 0 : time(o.from, 'from'),
      to: o.to === undefined ? Number.MAX_SAFE_INTEGER : time(o.to, 'to'),
    };
  } else if (dataset === 'runs') {
    spec = { dataset, filter: { strategy: o.strategy, venue: o.venue, symbol: o.symbol, timeframe: o.timeframe } };
  } else {
    spec = { dataset: dataset as 'trades' | 'equity', runId: need(o.run, 'run', dataset) };
  }
  return { spec, format, limit };
}

export async function exportCommand(db: Database, o: ExportOptions, deps: { codeVersion: string; stdout?: NodeJS.WritableStream }): Promise<ExportSummary> {
  const { spec, format, limit } = exportSpec(o);
  const opened = await openExport(db, spec, { cursor: o.cursor, limit });
  const file = o.out ?? `${opened.name}.${format}`;
  let rows = 0;
  const counted = {
    columns: opened.columns,
    pages: (async function* () {
      for await (const p of opened.pages) {
        rows += p.length;
        yield p as readonly ExportRow[];
      }
    })(),
  };
  const sink = file === '-' ? (deps.stdout ?? process.stdout) : createWriteStream(file);
  const hash = createHash('sha256');
  let bytes = 0;
  const kv = { dataset: spec.dataset, spec: JSON.stringify(spec), ...(o.cursor ? { cursor: o.cursor } : {}) };
  for await (const chunk of encodeExport(format, counted, { createdBy: `nexara-platform ${deps.codeVersion}`, kv })) {
    hash.update(chunk);
    bytes += chunk.length;
    if (!sink.write(chunk)) await once(sink, 'drain');
  }
  if (file !== '-') {
    (sink as ReturnType<typeof createWriteStream>).end();
    await once(sink, 'finish');
  }
  return { dataset: spec.dataset, format, file, rows, bytes, sha256: hash.digest('hex'), nextCursor: opened.nextCursor };
}

export function describeExport(s: ExportSummary): string {
  return `${s.dataset} → ${s.file}: ${s.rows} rows, ${s.bytes} bytes ${s.format}, sha256 ${s.sha256}${s.nextCursor ? `\nmore rows follow: add --cursor ${s.nextCursor}` : ''}`;
}
