/**
 * `coverage`: data quality per stored series — coverage of the grid between its first and last candle, gaps
 * (count, missing candles, the longest), quarantined rows by reason (`data_issues`), rows per source — and, with
 * `--against FILE`, the archive-vs-REST cross-check of the series' archive rows against a REST-derived freqtrade
 * file (`crossCheck` from shared/candles/quality.ts).
 */
import { basename } from 'node:path';
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import type { Candle, SeriesKey } from '../../shared/candles/candle';
import { crossCheck } from '../../shared/candles/quality';
import { qualityReport, type QualityReport } from '../../shared/candles/quality';
import type { Timeframe } from '../../shared/candles/timeframe';
import { validateCandles } from '../../shared/candles/validate';
import { rowsOf, type Database } from '../../shared/db/database';
import { listSeries, loadCandles } from '../../shared/db/queries/candles';
import { countDataIssues } from '../../shared/db/queries/data-issues';
import { windowSources } from '../../shared/db/queries/research';
import { parseFreqtradeJson } from './importers';
import { table } from './term';

export interface SeriesCoverage {
  key: SeriesKey;
  count: number;
  first: number;
  last: number;
  quality: QualityReport;
  quarantined: Record<string, number>;
  sources: { prefix: string; count: number }[];
  crossCheck?: { file: string; compared: number; differing: number; fields: number; onlyInArchive: number; onlyInRest: number; examples: string[] };
}

async function archiveRows(db: Database, key: SeriesKey): Promise<Candle[]> {
  const res = await db.execute(sql`
    SELECT open_time, open, high, low, close, volume FROM candles
    WHERE venue = ${key.venue} AND symbol = ${key.symbol} AND timeframe = ${key.timeframe} AND source LIKE 'archive:%' ORDER BY open_time`);
  return rowsOf<Record<string, string | number>>(res).map((r) => ({
    openTime: Number(r.open_time),
    open: Number(r.open),
    high: Number(r.high),
    low: Number(r.low),
    close: Number(r.close),
    volume: Number(r.volume),
  }));
}

export async function coverageReport(db: Database, f: { venue?: string; symbol?: string; timeframe?: Timeframe; against?: string }): Promise<SeriesCoverage[]> {
  const series = (await listSeries(db)).filter((s) => (!f.venue || s.venue === f.venue) && (!f.symbol || s.symbol === f.symbol) && (!f.timeframe || s.timeframe === f.timeframe));
  const issues = await countDataIssues(db);
  const out: SeriesCoverage[] = [];
  for (const s of series) {
    const key = { venue: s.venue, symbol: s.symbol, timeframe: s.timeframe };
    const candles = await loadCandles(db, key, s.first, s.last + 1);
    const quality = qualityReport({ timeframe: s.timeframe, valid: candles });
    const quarantined: Record<string, number> = {};
    for (const i of issues) if (i.venue === s.venue && i.symbol === s.symbol && i.timeframe === s.timeframe) quarantined[i.reason] = i.count;
    const bySource = new Map<string, number>();
    for (const x of await windowSources(db, key, s.first, s.last + 1)) {
      const prefix = x.source.split(':')[0]!;
      bySource.set(prefix, (bySource.get(prefix) ?? 0) + x.count);
    }
    const row: SeriesCoverage = { key, count: s.count, first: s.first, last: s.last, quality, quarantined, sources: [...bySource].map(([prefix, count]) => ({ prefix, count })) };
    if (f.against) {
      const rest = validateCandles(parseFreqtradeJson(readFileSync(f.against, 'utf8')).candles, { timeframe: s.timeframe, now: Date.now() }).valid;
      const arch = await archiveRows(db, key);
      if (arch.length) {
        const cc = crossCheck(arch, rest, { window: { from: arch[0]!.openTime, to: arch[arch.length - 1]!.openTime + 1 } });
        row.crossCheck = {
          file: basename(f.against),
          compared: cc.compared,
          differing: cc.differingOpenTimes.length,
          fields: cc.disagreements.length,
          onlyInArchive: cc.onlyInArchive.length,
          onlyInRest: cc.onlyInRest.length,
          examples: cc.disagreements.filter((d) => d.field !== 'volume').slice(0, 5).map((d) => `${new Date(d.openTime).toISOString()} ${d.field} ${d.archive} vs ${d.rest}`),
        };
      }
    }
    out.push(row);
  }
  return out;
}

/** The coverage report as text: one table row per series, then each archive-vs-REST cross-check. */
export function formatCoverage(rows: readonly SeriesCoverage[]): string {
  const d = (t: number): string => new Date(t).toISOString().slice(0, 16).replace('T', ' ');
  let out =
    table([
      ['series', 'candles', 'first', 'last', 'coverage', 'gaps', 'missing', 'longest gap', 'quarantined', 'sources'],
      ...rows.map((r) => [
        `${r.key.venue}:${r.key.symbol}:${r.key.timeframe}`,
        String(r.count),
        d(r.first),
        d(r.last),
        `${(r.quality.coverage.ratio * 100).toFixed(2)}%`,
        String(r.quality.gaps.length),
        String(r.quality.missingCandles),
        r.quality.longestGap ? `${r.quality.longestGap.missing} from ${d(r.quality.longestGap.from)}` : '—',
        Object.entries(r.quarantined).map(([k, v]) => `${k}:${v}`).join(' ') || '0',
        r.sources.map((s) => `${s.prefix}:${s.count}`).join(' '),
      ]),
    ]);
  for (const r of rows) {
    if (!r.crossCheck) continue;
    const c = r.crossCheck;
    out +=
      `\n${r.key.venue}:${r.key.symbol}:${r.key.timeframe} archive vs ${c.file}: ${c.compared} compared, ${c.differing} candles differ (${c.fields} fields), ${c.onlyInArchive} only in archive, ${c.onlyInRest} only in REST\n` +
      c.examples.map((e) => `  ${e}\n`).join('');
  }
  return out;
}
