/**
 * Turning an archive import request (symbol, interval, month range) into a job row, one file row per archive file
 * (monthly for ended months, daily for the month still running: `planArchiveFiles`), and one queue message per
 * file that still needs importing. A re-POSTed request resumes: a file (same URL) already `done` in an earlier job,
 * whose candles are still stored, is marked `done` in the new job at once and not downloaded again.
 */
import { z } from 'zod';
import { archiveUrl, checksumUrl, planArchiveFiles } from '../archive/layout';
import { canonicalSymbol } from '../archive/process';
import { createImportJob, resumeDoneFiles } from '../db/queries/imports';
import { TIMEFRAMES } from '../candles/timeframe';
import type { Database } from '../db/database';
import type { Timeframe } from '../candles/timeframe';
import type { Enqueue } from './ports';

export const ArchiveImportRequest = z
  .object({
    symbol: z.string().regex(/^[A-Z0-9]{5,20}$/, 'Binance symbol like BTCUSDT'),
    interval: z.enum(TIMEFRAMES),
    from: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM'),
    to: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM'),
  })
  .refine((r) => r.from <= r.to, { message: 'from must not be after to', path: ['to'] })
  .refine((r) => monthsBetween(r.from, r.to) <= 120, { message: 'at most 120 months per request', path: ['to'] });

function monthsBetween(a: string, b: string): number {
  const [ya, ma] = a.split('-').map(Number) as [number, number];
  const [yb, mb] = b.split('-').map(Number) as [number, number];
  return (yb - ya) * 12 + (mb - ma) + 1;
}

/** One archive file (monthly or daily) to import: the body of an `import-file` job (validated by the job's zod schema). */
export interface ImportFileJob {
  kind: 'import-file';
  key: string;
  jobId: string;
  fileName: string;
  url: string;
  checksumUrl: string;
  venue: string;
  symbol: string;
  timeframe: Timeframe;
}

export async function startArchiveImport(
  db: Database,
  enqueue: Enqueue<ImportFileJob>,
  baseUrl: string,
  input: z.infer<typeof ArchiveImportRequest>,
  opts: { jobId?: string; now: number },
) {
  const jobId = opts.jobId ?? crypto.randomUUID();
  const symbol = canonicalSymbol(input.symbol);
  const refs = planArchiveFiles(input.symbol, input.interval, input.from, input.to, opts.now);
  const files = refs.map((f) => ({
    fileName: f.fileName,
    from: f.from,
    to: f.to,
    url: archiveUrl(baseUrl, 'spot', f.cadence, input.symbol, input.interval, f.period),
    checksumUrl: checksumUrl(baseUrl, 'spot', f.cadence, input.symbol, input.interval, f.period),
  }));
  await createImportJob(db, {
    id: jobId,
    symbol: input.symbol,
    interval: input.interval,
    fromPeriod: input.from,
    toPeriod: input.to,
    request: { ...input, baseUrl },
    files: files.map(({ fileName, url }) => ({ fileName, url })),
  });
  const created = await resumeDoneFiles(db, jobId, { venue: 'binance', symbol, timeframe: input.interval }, files);
  const pending = new Set(created.files.filter((f) => f.status !== 'done').map((f) => f.fileName));
  const messages: ImportFileJob[] = files
    .filter((f) => pending.has(f.fileName))
    .map((f) => ({
      kind: 'import-file',
      key: `import:${jobId}:${f.fileName}`,
      jobId,
      fileName: f.fileName,
      url: f.url,
      checksumUrl: f.checksumUrl,
      venue: 'binance',
      symbol,
      timeframe: input.interval,
    }));
  await enqueue(messages);
  return created;
}
