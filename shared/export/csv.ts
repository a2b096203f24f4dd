/**
 * CSV for exports, per RFC 4180: comma-separated, CRLF-free (`\n` line ends, as every CSV reader accepts), a
 * field holding a comma, quote or line break is quoted with inner quotes doubled. Times are ISO-8601 UTC with
 * milliseconds; numbers are JavaScript's shortest round-trip form; null is an empty field.
 */
import type { ExportColumn, ExportRow } from './columns';

export function csvCell(v: string | number | null, type: ExportColumn['type']): string {
  if (v === null) return '';
  if (type === 'time') return new Date(Number(v)).toISOString();
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvHeader(columns: readonly ExportColumn[]): string {
  return columns.map((c) => csvCell(c.name, 'string')).join(',') + '\n';
}

export function csvRows(columns: readonly ExportColumn[], rows: readonly ExportRow[]): string {
  let out = '';
  for (const r of rows) {
    for (let i = 0; i < columns.length; i++) out += (i ? ',' : '') + csvCell(r[i] ?? null, columns[i]!.type);
    out += '\n';
  }
  return out;
}
