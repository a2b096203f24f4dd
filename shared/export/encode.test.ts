import { describe, expect, it } from 'vitest';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { encodeExport } from './encode';
import { csvCell } from './csv';
import type { ExportColumn, ExportFormat, ExportRow } from './columns';

const columns: ExportColumn[] = [
  { name: 'open_time', type: 'time' },
  { name: 'close', type: 'double' },
  { name: 'n', type: 'int' },
  { name: 'reason', type: 'string' },
];
const pages: ExportRow[][] = [
  [
    [1_640_995_200_000, 46_216.93, 1, 'SMA 20 above SMA 50 at 46,216.93'],
    [1_640_998_800_000, 0.1 + 0.2, 2, 'quote " and\nnewline'],
  ],
  [[1_641_002_400_000, null, 3, null]],
];

async function bytesOf(format: ExportFormat): Promise<{ bytes: Uint8Array<ArrayBuffer>; chunks: number }> {
  const parts: Uint8Array[] = [];
  async function* src() {
    for (const p of pages) yield p;
  }
  for await (const b of encodeExport(format, { columns, pages: src() }, { createdBy: 'nexara test', kv: { dataset: 'candles' } })) parts.push(b);
  const bytes = new Uint8Array(parts.reduce((a, b) => a + b.length, 0));
  let o = 0;
  for (const p of parts) {
    bytes.set(p, o);
    o += p.length;
  }
  return { bytes, chunks: parts.length };
}

describe('export encoding', () => {
  it('CSV per RFC 4180: quoted fields with doubled quotes, ISO-8601 UTC times, empty for null', async () => {
    const text = new TextDecoder().decode((await bytesOf('csv')).bytes);
    expect(text).toBe(
      'open_time,close,n,reason\n' +
        '2022-01-01T00:00:00.000Z,46216.93,1,"SMA 20 above SMA 50 at 46,216.93"\n' +
        '2022-01-01T01:00:00.000Z,0.30000000000000004,2,"quote "" and\nnewline"\n' +
        '2022-01-01T02:00:00.000Z,,3,\n',
    );
    expect(csvCell('a\rb', 'string')).toBe('"a\rb"');
  });

  it('JSON is an array of objects keyed by column, times in ms, nulls kept', async () => {
    const rows = JSON.parse(new TextDecoder().decode((await bytesOf('json')).bytes)) as Record<string, unknown>[];
    expect(rows).toHaveLength(3);
    expect(rows[1]).toEqual({ open_time: 1_640_998_800_000, close: 0.30000000000000004, n: 2, reason: 'quote " and\nnewline' });
    expect(rows[2]).toEqual({ open_time: 1_641_002_400_000, close: null, n: 3, reason: null });
  });

  it('Parquet reads back with hyparquet to the same values, one row group per page, metadata kept', async () => {
    const { bytes, chunks } = await bytesOf('parquet');
    expect(chunks).toBeGreaterThanOrEqual(3); // header + row groups are handed on as they are encoded, then the footer
    const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const meta = parquetMetadata(buf);
    expect(meta.row_groups).toHaveLength(2);
    expect(Number(meta.num_rows)).toBe(3);
    expect(meta.created_by).toBe('nexara test');
    expect(meta.key_value_metadata).toContainEqual({ key: 'dataset', value: 'candles' });
    expect(meta.schema.slice(1).map((s) => [s.name, s.type, s.converted_type ?? null])).toEqual([
      ['open_time', 'INT64', 'TIMESTAMP_MILLIS'],
      ['close', 'DOUBLE', null],
      ['n', 'INT32', null],
      ['reason', 'BYTE_ARRAY', 'UTF8'],
    ]);
    const rows = await parquetReadObjects({ file: buf });
    expect(rows.map((r) => [(r.open_time as Date).getTime(), r.close, r.n, r.reason])).toEqual(pages.flat());
  });

  it('an empty export is still a valid file in every format', async () => {
    const empty = async function* () {};
    for (const format of ['csv', 'json', 'parquet'] as const) {
      const parts: Uint8Array[] = [];
      for await (const b of encodeExport(format, { columns, pages: empty() }, { createdBy: 't' })) parts.push(b);
      const bytes = new Uint8Array(parts.reduce((a, b) => a + b.length, 0));
      let o = 0;
      for (const p of parts) {
        bytes.set(p, o);
        o += p.length;
      }
      if (format === 'csv') expect(new TextDecoder().decode(bytes)).toBe('open_time,close,n,reason\n');
      if (format === 'json') expect(JSON.parse(new TextDecoder().decode(bytes))).toEqual([]);
      if (format === 'parquet') expect(await parquetReadObjects({ file: bytes.buffer })).toEqual([]);
    }
  });
});
