/**
 * Rejected and quarantined rows: recorded with their reason and raw input, one row per fingerprint (source,
 * series, reason, raw), so a redelivered batch never duplicates an issue.
 */
import { sql } from 'drizzle-orm';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { SeriesKey } from '../../candles/candle';
import type { DataIssue } from '../../candles/issue';
import { rowsOf, type Database } from '../database';

export function issueFingerprint(key: SeriesKey, source: string, issue: DataIssue): string {
  return bytesToHex(
    sha256(utf8ToBytes(JSON.stringify([source, key.venue, key.symbol, key.timeframe, issue.reason, issue.openTime, issue.raw]))),
  );
}

export async function recordDataIssues(
  db: Database,
  key: SeriesKey,
  source: string,
  issues: readonly DataIssue[],
): Promise<number> {
  let written = 0;
  for (let i = 0; i < issues.length; i += 2000) {
    const batch = issues.slice(i, i + 2000).map((x) => ({
      open_time: x.openTime,
      reason: x.reason,
      detail: x.detail,
      raw: x.raw ?? null,
      fingerprint: issueFingerprint(key, source, x),
    }));
    const res = await db.execute(sql`
      INSERT INTO data_issues (venue, symbol, timeframe, open_time, reason, detail, raw, source, fingerprint)
      SELECT ${key.venue}, ${key.symbol}, ${key.timeframe}, r.open_time, r.reason, r.detail, r.raw, ${source}, r.fingerprint
      FROM json_to_recordset(${JSON.stringify(batch)}::json)
        AS r(open_time bigint, reason text, detail text, raw jsonb, fingerprint text)
      ON CONFLICT (fingerprint) DO NOTHING`);
    written += (res as { rowCount?: number | null }).rowCount ?? 0;
  }
  return written;
}

export interface IssueCount {
  venue: string;
  symbol: string;
  timeframe: string;
  reason: string;
  count: number;
}

export async function countDataIssues(db: Database, key?: Partial<SeriesKey>): Promise<IssueCount[]> {
  const res = await db.execute(sql`
    SELECT venue, symbol, timeframe, reason, count(*)::int AS n FROM data_issues
    WHERE (${key?.venue ?? null}::text IS NULL OR venue = ${key?.venue ?? null})
      AND (${key?.symbol ?? null}::text IS NULL OR symbol = ${key?.symbol ?? null})
      AND (${key?.timeframe ?? null}::text IS NULL OR timeframe = ${key?.timeframe ?? null})
    GROUP BY venue, symbol, timeframe, reason ORDER BY venue, symbol, timeframe, reason`);
  return rowsOf<Record<string, string | number>>(res).map((r) => ({
    venue: String(r.venue),
    symbol: String(r.symbol),
    timeframe: String(r.timeframe),
    reason: String(r.reason),
    count: Number(r.n),
  }));
}
