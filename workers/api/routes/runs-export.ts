/**
 * The run exports: every trade streamed in pages as CSV or a JSON array (`export.csv|json`), and the whole equity
 * curve, every stored point (`equity.csv|json`, REQ-BT-008).
 */
import type { Context } from 'hono';
import { getRunStamp, listRunTrades } from '../../../shared/db/queries/lab-runs';
import type { Database } from '../../../shared/db/database';
import { openDb } from '../../db';
import type { AppEnv } from '../app';
import { notFound } from './common';

const CSV_HEAD = ['seq', 'side', 'entry_time', 'entry_price', 'exit_time', 'exit_price', 'entry_reason', 'exit_reason', 'gross_return'];
const csvCell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Every trade of a run, in pages, as a text stream (CSV or a JSON array). */
export function tradeStream(db: Database, runId: string, format: 'csv' | 'json', onEnd: () => void = () => {}): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  let after: number | null = null;
  let first = true;
  let models: string[] = [];
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const page = await listRunTrades(db, runId, after, 2000);
        let out = '';
        if (first) {
          models = page[0] ? Object.keys(page[0].netReturns).sort() : [];
          out += format === 'csv' ? [...CSV_HEAD, ...models.map((m) => `net_${m}`)].join(',') + '\n' : '[';
        }
        for (const t of page) {
          if (format === 'csv') {
            out +=
              [t.seq, t.side, new Date(t.entryTime).toISOString(), t.entryPrice, new Date(t.exitTime).toISOString(), t.exitPrice, t.entryReason, t.exitReason, t.grossReturn, ...models.map((m) => t.netReturns[m])]
                .map(csvCell)
                .join(',') + '\n';
          } else {
            out += (first ? '' : ',') + JSON.stringify(t);
            first = false;
          }
        }
        first = false;
        if (page.length < 2000) {
          if (format === 'json') out += ']';
          controller.enqueue(enc.encode(out));
          controller.close();
          onEnd();
          return;
        }
        after = page[page.length - 1]!.seq;
        controller.enqueue(enc.encode(out));
      } catch (err) {
        controller.error(err);
        onEnd();
      }
    },
    cancel() {
      onEnd();
    },
  });
}

/**
 * A trade export response. The stream pulls its pages after the handler has returned, when the request's pool is
 * already closing, so it reads through a pool of its own, closed when the stream ends (kept alive by waitUntil).
 */
export async function tradeExport(c: Context<AppEnv>, id: string, format: 'csv' | 'json'): Promise<Response> {
  if (!(await getRunStamp(c.var.getDb(), id))) notFound('Run', id);
  const h = openDb(c.get('config'));
  let end!: () => void;
  const closing = new Promise<void>((r) => (end = r)).then(() => h.close());
  try {
    c.executionCtx.waitUntil(closing);
  } catch {
    /* outside a Worker: the pool still closes when the stream ends */
  }
  return c.body(tradeStream(h.db, id, format, end), 200, {
    'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
    'content-disposition': `attachment; filename="run-${id}-trades.${format}"`,
  });
}

