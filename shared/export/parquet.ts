/**
 * Parquet for exports, streamed: one row group per page of rows, each flushed as soon as it is encoded, so an
 * export of a million candles never holds more than one page in memory (a Worker has 128 MB).
 *
 * Library: hyparquet-writer (Hyperparam, MIT, one dependency — hyparquet, its reader — pure JavaScript, no wasm or
 * native code, so the same module runs in workerd, Node and the browser). The alternatives were parquet-wasm (a
 * ~5 MB Rust/wasm bundle that needs Arrow tables) and parquetjs (unmaintained, Node streams). Its `ParquetWriter`
 * writes row groups incrementally and calls the writer's `flush()` after each; the writer below hands the bytes on
 * and starts over. Times are INT64 TIMESTAMP_MILLIS (DuckDB, pandas and Spark read them as timestamps), integers
 * INT32, floats DOUBLE, text UTF-8, every column OPTIONAL (null where absent). Compression: the library's default
 * Snappy.
 */
import { ByteWriter, ParquetWriter, type SchemaElement } from 'hyparquet-writer';
import type { ExportColumn, ExportRow } from './columns';

function element(c: ExportColumn): SchemaElement {
  const base = { name: c.name, repetition_type: 'OPTIONAL' as const };
  switch (c.type) {
    case 'time':
      return { ...base, type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' };
    case 'int':
      return { ...base, type: 'INT32' };
    case 'double':
      return { ...base, type: 'DOUBLE' };
    case 'string':
      return { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8' };
  }
}

/** The Parquet schema (root + one leaf per column) of an export. */
export function parquetSchema(columns: readonly ExportColumn[]): SchemaElement[] {
  return [{ name: 'root', num_children: columns.length }, ...columns.map(element)];
}

/**
 * An incremental Parquet encoder: `page(rows)` encodes one row group and returns its bytes; `finish()` returns the
 * footer. The concatenation of everything returned is one valid Parquet file (the header comes with the first call).
 */
export class ParquetStream {
  private readonly out: Uint8Array[] = [];
  private readonly writer: ByteWriter & { flush: () => void };
  private readonly pq: ParquetWriter;

  constructor(
    private readonly columns: readonly ExportColumn[],
    meta: { createdBy: string; kv?: Record<string, string> },
  ) {
    const writer = Object.assign(new ByteWriter(), {
      flush: () => {
        this.out.push(writer.getBytes().slice());
        writer.index = 0;
      },
    });
    this.writer = writer;
    this.pq = new ParquetWriter({
      writer,
      schema: parquetSchema(columns),
      createdBy: meta.createdBy,
      kvMetadata: Object.entries(meta.kv ?? {}).map(([key, value]) => ({ key, value })),
    });
  }

  private take(): Uint8Array[] {
    if (this.writer.index > 0) this.writer.flush();
    return this.out.splice(0);
  }

  /** Encode `rows` as one row group; returns the bytes written so far (the file header on the first call). */
  page(rows: readonly ExportRow[]): Uint8Array[] {
    if (rows.length > 0) {
      const columnData = this.columns.map((c, i) => {
        const data = rows.map((r) => r[i] ?? null);
        return { name: c.name, data };
      });
      void this.pq.write({ columnData, rowGroupSize: rows.length });
    }
    return this.take();
  }

  /** The footer (schema, row groups, key-value metadata): the last bytes of the file. */
  finish(): Uint8Array[] {
    void this.pq.finish();
    return this.take();
  }
}
