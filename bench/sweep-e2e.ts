/**
 * `npm run bench -- sweep-e2e` (issue 14 item 7): 10,000 combos end to end. The local stack `npm run dev` runs
 * (wrangler dev + embedded PGlite, tools/browser/stack.ts), the real BTC/USDT 1h file 2017-08 → 2022-10 (freqtrade
 * REST capture, 45,024 candles; ../shared/data/PROVENANCE.md §1c) imported with the CLI's `import-freqtrade` path,
 * then a seeded random sweep of 10,000 combos posted exactly as
 * `npm run research -- sweep --api URL --follow --method random --samples 10000 --seed 1 …` does: POST
 * /api/research/sweeps, then GET /api/sweeps/:id?fields=progress every 500 ms (what the CLI's progress bar
 * reads) until done. Prints wall time, chunks, combo-candles/s, the per-chunk wall times, and the merged resultHash
 * side by side with the serial in-process run (`runSweepSerial`, what the CLI does without --api) — they must be
 * equal. Goal: < 60 s wall on 2 cores. Heavy (minutes of CPU): not part of the default `npm run bench`.
 *
 * The strategy is `nexara-baseline-5m` (its space has 12,800 grid points; the budget's workerd measurement in
 * shared/sweep/budget.ts is this sweep): `dsta-sma-crossover`'s space holds only 4 × 4 × 5 = 80 distinct combos, so
 * 10,000 random draws of it dedupe to 80. `SWEEP_E2E_STRATEGY` / `SWEEP_E2E_SAMPLES` override both; `SWEEP_E2E_SERIAL=0` skips the serial reference.
 */
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLabStack } from '../tools/browser/stack';
import { importFreqtradeFile } from '../tools/research/importers';
import { runSweepSerial, SweepRequest } from '../shared/app/sweep';
import { getSweepRow } from '../shared/db/queries/research';
import { rowsOf, type Database } from '../shared/db/database';
import { sql } from 'drizzle-orm';

export const SWEEP_E2E_GOAL_MS = 60_000;
const DATA = process.env.SHARED_DATA_DIR ?? resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'data');
export const SWEEP_E2E_FILE = join(DATA, 'freqtrade-binance-spot', 'djienne-3EMA_SRSI_ATR', 'BTC_USDT-1h.json');

/** The body the CLI posts for `sweep --strategy dsta-sma-crossover --venue binance --symbol BTC/USDT --timeframe 1h …`. */
export function sweepE2eBody(samples = 10_000, strategy = 'nexara-baseline-5m') {
  return { strategy, venue: 'binance', symbol: 'BTC/USDT', timeframe: '1h', from: '2017-08-01', to: '2022-11-01', method: 'random', samples, seed: 1, mode: 'portfolio' };
}

interface SweepDetail {
  sweep: { status: string; resultHash: string | null };
  progress: { chunksDone: number; chunksTotal: number };
  chunks: { chunkIndex: number; cpuMs: number | null; attempts: number }[];
}

async function api<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...init?.headers } });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${res.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

/** When each step of the sweep landed, epoch ms, from the rows' own timestamps (the database's clock). */
async function sweepTimeline(db: Database, id: string) {
  const res = await db.execute(sql`
    SELECT (extract(epoch FROM s.created_at) * 1000)::float8 AS created, (extract(epoch FROM s.merge_claimed_at) * 1000)::float8 AS merge_claimed,
      (extract(epoch FROM s.finished_at) * 1000)::float8 AS finished,
      (SELECT (extract(epoch FROM min(updated_at)) * 1000)::float8 FROM sweep_chunks WHERE sweep_id = s.id) AS first_chunk,
      (SELECT (extract(epoch FROM max(updated_at)) * 1000)::float8 FROM sweep_chunks WHERE sweep_id = s.id) AS last_chunk,
      (SELECT count(*)::int FROM sweep_pbo_chunks WHERE sweep_id = s.id) AS pbo_rows,
      (SELECT (extract(epoch FROM max(created_at)) * 1000)::float8 FROM sweep_pbo_chunks WHERE sweep_id = s.id) AS last_pbo
    FROM sweeps s WHERE s.id = ${id}`);
  const r = rowsOf<Record<string, number | string | null>>(res)[0] ?? {};
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return { created: n(r.created) ?? 0, mergeClaimed: n(r.merge_claimed), finished: n(r.finished), firstChunk: n(r.first_chunk), lastChunk: n(r.last_chunk), pboRows: Number(r.pbo_rows ?? 0), lastPbo: n(r.last_pbo) };
}

const la = () => loadavg().map((x) => x.toFixed(2)).join(' ');

export async function runSweepE2eBench(opts: { samples?: number; serial?: boolean; log?: (l: string) => void } = {}): Promise<{ wallMs: number; pass: boolean; equal: boolean | null }> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const body = sweepE2eBody(opts.samples ?? (Number(process.env.SWEEP_E2E_SAMPLES) || undefined), process.env.SWEEP_E2E_STRATEGY || undefined);
  log(`\nSweep end to end: ${body.samples} random draws (seed ${body.seed}) of ${body.strategy} over ${body.venue} ${body.symbol} ${body.timeframe} through the local Queues (goal < ${SWEEP_E2E_GOAL_MS / 1000} s wall)`);
  log(`  load average at start: ${la()}`);
  const stack = await startLabStack({ database: 'embedded' });
  try {
    log(`  stack up: ${Object.entries(stack.timings).map(([k, v]) => `${k} ${v} ms`).join(', ')}`);
    const ti = performance.now();
    const imp = await stack.withDb((db) => importFreqtradeFile(db, SWEEP_E2E_FILE, { venue: 'binance', symbol: 'BTC/USDT', timeframe: '1h' }));
    log(`  import-freqtrade ${imp.file.split('/').slice(-2).join('/')}: ${imp.candles} candles, ${imp.written} written in ${(performance.now() - ti).toFixed(0)} ms`);

    const t0 = performance.now();
    const created = await api<{ sweep: { id: string; combos: number; chunksTotal: number } }>(`${stack.url}/api/research/sweeps`, { method: 'POST', body: JSON.stringify(body) });
    log(`  sweep ${created.sweep.id}: ${created.sweep.combos} combos in ${created.sweep.chunksTotal} chunks queued (${(performance.now() - t0).toFixed(0)} ms)`);
    let d: SweepDetail;
    let shown = -1;
    let polls = 0;
    let pollMs = 0;
    let seenDoneAt = 0;
    for (;;) {
      const tp = performance.now();
      d = await api<SweepDetail>(`${stack.url}/api/sweeps/${encodeURIComponent(created.sweep.id)}?fields=progress`);
      pollMs = Math.max(pollMs, performance.now() - tp);
      polls++;
      const done = d.progress.chunksDone;
      const decile = Math.floor((10 * done) / Math.max(1, d.progress.chunksTotal));
      if (decile !== shown || d.sweep.status === 'done' || d.sweep.status === 'failed') {
        shown = decile;
        log(`  ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s  ${d.sweep.status.padEnd(7)} ${done}/${d.progress.chunksTotal} chunks  load ${la()}`);
      }
      if (d.sweep.status === 'done' || d.sweep.status === 'failed') {
        seenDoneAt = Date.now();
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    const wallMs = performance.now() - t0;
    if (d.sweep.status !== 'done') throw new Error(`sweep ${created.sweep.id} ${d.sweep.status}\n${stack.log().slice(-3000)}`);
    const row = await stack.withDb((db) => getSweepRow(db, created.sweep.id));
    const candles = row?.candleCount ?? 0;
    const tl = await stack.withDb((db) => sweepTimeline(db, created.sweep.id));
    const comboCandles = created.sweep.combos * candles;
    const walls = d.chunks.map((c) => c.cpuMs ?? 0);
    const retried = d.chunks.filter((c) => c.attempts > 1).length;
    log(`  wall ${(wallMs / 1000).toFixed(1)} s for ${created.sweep.combos} combos × ${candles} candles = ${(comboCandles / 1e6).toFixed(0)}M combo-candles: ${(comboCandles / (wallMs / 1000) / 1e6).toFixed(2)}M combo-candles/s`);
    log(`  ${d.chunks.length} chunks: compute wall ms min ${Math.min(...walls)}, max ${Math.max(...walls)}, sum ${walls.reduce((a, b) => a + b, 0)} (${retried} retried); ${polls} progress polls, slowest ${pollMs.toFixed(0)} ms`);
    const at = (t: number | null) => (t === null ? '—' : `${((t - tl.created) / 1000).toFixed(1)} s`);
    log(`  timeline from the rows (since the sweep row): first chunk done ${at(tl.firstChunk)}, last chunk done ${at(tl.lastChunk)}, merge claimed ${at(tl.mergeClaimed)}, sweep done ${at(tl.finished)}; pbo-chunk rows ${tl.pboRows}${tl.pboRows ? `, last ${at(tl.lastPbo)}` : ''}`);
    if (tl.lastChunk !== null) {
      // Chunks run one after another locally: what the chunk phase took beyond the chunks' own compute is per-chunk overhead.
      const overhead = tl.lastChunk - tl.created - walls.reduce((a, b) => a + b, 0);
      log(`  per-chunk overhead (chunk phase − compute) ${(overhead / d.chunks.length).toFixed(0)} ms; merge (claimed → done) ${tl.finished !== null && tl.mergeClaimed !== null ? `${((tl.finished - tl.mergeClaimed) / 1000).toFixed(1)} s` : '—'}`);
      // finished_at is the write's transaction start: what follows it is the result's write, commit and the poll's lag.
      if (tl.finished !== null) log(`  done seen by the progress poll ${((seenDoneAt - tl.finished) / 1000).toFixed(1)} s after finished_at (result write + commit + poll interval)`);
    }
    log(`  goal < ${SWEEP_E2E_GOAL_MS / 1000} s: ${wallMs < SWEEP_E2E_GOAL_MS ? 'met' : 'NOT met'}; load average at end: ${la()}`);

    let equal: boolean | null = null;
    if ((opts.serial ?? process.env.SWEEP_E2E_SERIAL !== '0') !== false) {
      const ts = performance.now();
      const serial = await stack.withDb((db) => runSweepSerial(db, SweepRequest.parse(body), Date.now));
      const serialMs = performance.now() - ts;
      equal = serial.merged.resultHash === d.sweep.resultHash;
      log(`  resultHash  queue (${d.chunks.length} chunks, workerd): ${d.sweep.resultHash}`);
      log(`              serial (${serial.plan.chunks.length} chunks, Node, ${(serialMs / 1000).toFixed(1)} s): ${serial.merged.resultHash}`);
      log(`  data hash ${serial.window.dataHash.slice(0, 16)}…, ${serial.window.windowCount} candles + ${serial.window.warmup} warm-up; merged equals serial: ${equal ? 'yes' : 'NO'}`);
    }
    return { wallMs, pass: wallMs < SWEEP_E2E_GOAL_MS && equal !== false, equal };
  } finally {
    await stack.close();
  }
}
