/**
 * One export, any format: turns the columns and an async sequence of row pages into a byte stream — CSV (header,
 * then rows), JSON (an array of objects keyed by column name) or Parquet (one row group per page). Each page is
 * encoded and handed on before the next is read, so memory stays at one page whatever the export's size.
 */
import { csvHeader, csvRows } from './csv';
import { ParquetStream } from './parquet';
import type { ExportColumn, ExportFormat, ExportRow } from './columns';

export interface ExportSource {
  columns: readonly ExportColumn[];
  pages: AsyncIterable<readonly ExportRow[]>;
}

function jsonRows(columns: readonly ExportColumn[], rows: readonly ExportRow[], first: boolean): string {
  let out = '';
  rows.forEach((r, k) => {
    const o: Record<string, number | string | null> = {};
    columns.forEach((c, i) => (o[c.name] = r[i] ?? null));
    out += (first && k === 0 ? '' : ',') + JSON.stringify(o);
  });
  return out;
}

/** The encoded export, chunk by chunk (the concatenation is the whole file). */
export async function* encodeExport(format: ExportFormat, src: ExportSource, meta: { createdBy: string; kv?: Record<string, string> }): AsyncGenerator<Uint8Array> {
  const enc = new TextEncoder();
  if (format === 'parquet') {
    const pq = new ParquetStream(src.columns, meta);
    for await (const rows of src.pages) yield* pq.page(rows);
    yield* pq.finish();
    return;
  }
  if (format === 'csv') {
    yield enc.encode(csvHeader(src.columns));
    for await (const rows of src.pages) if (rows.length) yield enc.encode(csvRows(src.columns, rows));
    return;
  }
  yield enc.encode('[');
  let first = true;
  for await (const rows of src.pages) {
    if (!rows.length) continue;
    yield enc.encode(jsonRows(src.columns, rows, first));
    first = false;
  }
  yield enc.encode(']\n');
}

/**
 * `encodeExport` as a web ReadableStream (pull-based: the next page is read only when the client takes more).
 * `onEnd` runs once when the stream finishes, fails or is cancelled — e.g. to close the database handle the pages
 * are read through, which must outlive the request handler that returned the stream.
 */
export function exportStream(
  format: ExportFormat,
  src: ExportSource,
  meta: { createdBy: string; kv?: Record<string, string> },
  onEnd?: () => Promise<void> | void,
): ReadableStream<Uint8Array> {
  const it = encodeExport(format, src, meta);
  let ended = false;
  const end = async (): Promise<void> => {
    if (ended) return;
    ended = true;
    await onEnd?.();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await it.next();
        if (done) {
          controller.close();
          await end();
        } else controller.enqueue(value);
      } catch (err) {
        controller.error(err);
        await end();
      }
    },
    async cancel() {
      await it.return(undefined);
      await end();
    },
  });
}
