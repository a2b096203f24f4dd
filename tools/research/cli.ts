/**
 * The research CLI: `npm run research -- <command> [options]`. Runs the lab's shared code in-process against the
 * database (DATABASE_URL, else the running dev server's database, else the embedded `.data/pglite`), or talks to a
 * running Worker (`--api`). `npm run research -- help` lists the commands.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { dateInput, BacktestRequest, createBacktestRun, executeBacktestRun, reproduceRun, primaryCostModel } from '../../workers/research/run-backtest';
import { createSweepRows, executeSweepChunk, SweepRequest, planSweepCombos, defaultChunkSize } from '../../workers/research/sweep';
import { getRunRow, getSweepRow, listRunRows } from '../../shared/db/queries/research';
import { openResearchDb, codeVersion, type ResearchDb } from './db';
import { importArchiveFile, importFreqtradeFile, listArchiveDir } from './importers';
import { describeImport, importRest, importRestInput } from './import-rest';
import { describeImpactFit, impactFit } from './impact-fit';
import { generateLog } from './log';
import { coverageReport, printCoverage } from './coverage';
import { deriveSpread } from './spread';
import { reproduce } from './reproduce';
import { compareCommand } from './compare';
import { formatPortfolio, parseSizing, parseSymbols, runPortfolioWindow } from './portfolio';
import { createWalkForwardRun, executeWalkForwardRun, reproduceWalkForward, WalkForwardRequest } from '../../workers/research/walk-forward';
import { bar, table } from './term';
import type { CoreResult } from '../../workers/research/run-backtest';
import type { RunJudgement } from '../../workers/research/core';
import { TIMEFRAMES, isTimeframe, type Timeframe } from '../../shared/candles/timeframe';
import { manualPromotion, STATUSES } from '../../workers/research/promotion';
import type { StrategyStatus } from '../../shared/strategies/types';

const HELP = `npm run research -- <command>

  import-archive --symbol BTCUSDT --interval 5m --from 2025-01 --to 2025-12 [--api http://127.0.0.1:8787]
  import-archive --from-dir DIR [--symbol BTCUSDT] [--interval 1h] [--venue binance]
  import-rest --venue kraken --symbol BTC/USDT --timeframe 1h --from D --to D [--clip] [--base-url URL] [--now D]
                                 page a venue's REST candles into the database (resumable, idempotent; Kraken
                                 serves only its latest 720 candles: an older --from is refused unless --clip)
  impact-fit --venue V [--symbol S] [--timeframe 5m] [--from D] [--to D] [--horizon 12] [--lookback 288]
                                 k of the square-root impact law from the venue's stored book snapshots
  import-freqtrade --file PATH --venue binance --symbol BTC/USDT --timeframe 4h [--overwrite]
  backtest --strategy ID --venue V --symbol BTC/USDT --timeframe 4h --from 2021-01-01 --to 2022-01-01 [--params JSON] [--mode slices]
                 [--gates default|strict|FILE.json] [--mc-seed N] [--mc-paths N] [--ruin-drawdown 0.3]
  backtest --strategy ID --symbols BTC/USDT,ETH/USDT --timeframe 4h --from D --to D [--venue binance] [--max-positions 3] [--sizing equal|fraction:F] [--max-atr-pct 0.05] [--min-volume V] [--params JSON]
           (portfolio with shared capital; a ranking strategy selects the symbols; printed, not stored)
  sweep --strategy ID --venue V --symbol S --timeframe TF --from D --to D [--method grid|random|tpe] [--samples N] [--seed N] [--chunk-size N] [--api URL [--follow]] [--gates NAME|FILE.json]
  walk-forward --strategy ID --venue V --symbol S --timeframe TF --from D --to D [--method grid|random] [--samples N] [--folds 5] [--scheme rolling|anchored] [--is-to-oos 3] [--gap CANDLES] [--gates NAME|FILE.json]
  rerun --run ID                 recompute a recorded run and compare its result hash
  runs [--strategy ID] [--limit N]
  compare --runs A,B[,C…] [--json] [--api URL]   2–6 runs side by side (the Lab's compare table)
  coverage [--venue V] [--symbol S] [--timeframe TF] [--against FREQTRADE.json]
  spread --pair BTC/ETH --timeframe 4h --from D --to D [--venue binance]
  log [--dir research-log/experiments]
  reproduce [--data ../shared/data]  Nexara's founding research on the bundled real data, then the log
  promote --strategy ID --to watch|rejected|research|paper --reason "…"   a manual status decision (recorded as
                                 manual; paper only when the latest evidence passes every gate)
`;

/** `--gates NAME` (a registered gate set) or `--gates FILE.json` (a whole set, validated by the request schema). */
function gatesFlag(v: string | undefined): unknown {
  if (v === undefined) return undefined;
  if (v.endsWith('.json')) return JSON.parse(readFileSync(v, 'utf8')) as unknown;
  return v;
}

function need(v: string | undefined, name: string): string {
  if (v === undefined || v === '') throw new Error(`--${name} is required`);
  return v;
}

function tf(v: string | undefined): Timeframe {
  const x = need(v, 'timeframe');
  if (!isTimeframe(x)) throw new Error(`--timeframe must be one of ${TIMEFRAMES.join(', ')}`);
  return x;
}

async function withDb<T>(fn: (h: ResearchDb) => Promise<T>): Promise<T> {
  const h = await openResearchDb();
  try {
    return await fn(h);
  } finally {
    await h.close();
  }
}

async function api(base: string, path: string, init?: RequestInit): Promise<unknown> {
  const res = await fetch(`${base.replace(/\/$/, '')}${path}`, { ...init, headers: { 'content-type': 'application/json', ...(init?.headers ?? {}) } });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${path} → HTTP ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as unknown;
}

export function printRun(result: CoreResult, judgement: RunJudgement, meta: { id: string; venue: string; candles: number; dataHash: string; resultHash: string }): void {
  const out = process.stdout;
  out.write(`\nrun ${meta.id}: ${meta.candles} candles, data ${meta.dataHash.slice(0, 16)}…, result ${meta.resultHash.slice(0, 16)}…\n`);
  const g = result.gross;
  const rows: string[][] = [['view', 'trades', 'mean bps', 'total return', 'max DD', 'Sharpe', 'verdict', 'reason']];
  const b = (x: number | null): string => (x === null ? '—' : (x * 1e4).toFixed(1));
  const p = (x: number | null): string => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
  rows.push(['gross', String(g.trades), b(g.meanReturn), p(g.totalReturn), p(g.maxDrawdownEquity), g.sharpe === null ? '—' : g.sharpe.toFixed(2), '', '']);
  for (const v of judgement.venues) {
    const m = result.net[v.key]!;
    rows.push([v.key + (v.key === primaryCostModel(meta.venue) ? ' *' : ''), String(m.trades), b(m.meanReturn), p(m.totalReturn), p(m.maxDrawdownEquity), m.sharpe === null ? '—' : m.sharpe.toFixed(2), v.verdict, v.reason.slice(0, 110)]);
  }
  out.write(table(rows));
  out.write(`\nverdict: ${judgement.verdict.toUpperCase()} — ${judgement.reason}\n(trials in the family, this run included: ${judgement.trials}; * = the series venue's taker preset)\n`);
}

type Opts = Record<string, string | boolean | undefined>;

/** The research target every run names: strategy, series and a date-bounded window. */
function target(o: Opts) {
  return {
    strategy: need(o.strategy as string | undefined, 'strategy'),
    venue: need(o.venue as string | undefined, 'venue'),
    symbol: need(o.symbol as string | undefined, 'symbol'),
    timeframe: tf(o.timeframe as string | undefined),
    from: need(o.from as string | undefined, 'from'),
    to: need(o.to as string | undefined, 'to'),
  };
}

/** How a sweep (or a walk-forward's in-sample search) draws its parameter sets. */
function search(o: Opts) {
  return {
    method: (o.method as string | undefined) ?? 'grid',
    samples: o.samples ? Number(o.samples) : undefined,
    seed: o.seed ? Number(o.seed) : undefined,
  };
}

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  const { values: o } = parseArgs({
    args: rest,
    allowPositionals: false,
    strict: true,
    options: {
      symbol: { type: 'string' },
      gates: { type: 'string' },
      'mc-seed': { type: 'string' },
      'mc-paths': { type: 'string' },
      'ruin-drawdown': { type: 'string' },
      interval: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      api: { type: 'string' },
      'from-dir': { type: 'string' },
      venue: { type: 'string' },
      file: { type: 'string' },
      timeframe: { type: 'string' },
      overwrite: { type: 'boolean' },
      follow: { type: 'boolean' },
      strategy: { type: 'string' },
      params: { type: 'string' },
      mode: { type: 'string' },
      method: { type: 'string' },
      samples: { type: 'string' },
      seed: { type: 'string' },
      'chunk-size': { type: 'string' },
      run: { type: 'string' },
      limit: { type: 'string' },
      against: { type: 'string' },
      pair: { type: 'string' },
      dir: { type: 'string' },
      data: { type: 'string' },
      folds: { type: 'string' },
      scheme: { type: 'string' },
      'is-to-oos': { type: 'string' },
      gap: { type: 'string' },
      reason: { type: 'string' },
      runs: { type: 'string' },
      json: { type: 'boolean' },
      clip: { type: 'boolean' },
      'base-url': { type: 'string' },
      now: { type: 'string' },
      horizon: { type: 'string' },
      lookback: { type: 'string' },
      symbols: { type: 'string' },
      'max-positions': { type: 'string' },
      sizing: { type: 'string' },
      'max-atr-pct': { type: 'string' },
      'min-volume': { type: 'string' },
    },
  });

  switch (cmd) {
    case 'import-archive': {
      if (o['from-dir']) {
        const files = listArchiveDir(o['from-dir'], { symbol: o.symbol, interval: o.interval });
        if (!files.length) throw new Error(`no archive files under ${o['from-dir']}`);
        await withDb(async ({ db }) => {
          let rows = 0;
          let issues = 0;
          for (let i = 0; i < files.length; i++) {
            const r = await importArchiveFile(db, files[i]!, { venue: o.venue });
            rows += r.candles;
            issues += r.issues;
            bar(i + 1, files.length, `${r.file.split('/').pop()} ${r.candles} rows, ${r.issues} rejected, checksum ${r.checksum}`);
          }
          process.stdout.write(`\nimported ${files.length} files: ${rows} candles, ${issues} rows quarantined (data_issues)\n`);
        });
        return;
      }
      const base = o.api ?? 'http://127.0.0.1:8787';
      const body = { symbol: need(o.symbol, 'symbol'), interval: need(o.interval, 'interval'), from: need(o.from, 'from'), to: need(o.to, 'to') };
      const created = (await api(base, '/api/research/imports', { method: 'POST', body: JSON.stringify(body) })) as { job: { id: string } };
      const id = created.job.id;
      for (;;) {
        const d = (await api(base, `/api/research/imports/${id}`)) as { job: { status: string; filesDone: number; filesFailed: number; filesTotal: number; rowsImported: number } };
        bar(d.job.filesDone + d.job.filesFailed, d.job.filesTotal, `${d.job.status}, ${d.job.rowsImported} rows`);
        if (!['queued', 'running'].includes(d.job.status)) {
          process.stdout.write(`\nimport ${id}: ${d.job.status}\n`);
          if (d.job.status !== 'done') process.exitCode = 1;
          return;
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    case 'import-rest': {
      await withDb(async ({ db }) => {
        const r = await importRest(importRestInput(o), { db, progress: bar });
        process.stdout.write(`\n${describeImport(r)}\n`);
      });
      return;
    }
    case 'impact-fit': {
      await withDb(async ({ db }) => {
        const fits = await impactFit(db, {
          venue: need(o.venue as string | undefined, 'venue'),
          ...(o.symbol !== undefined && { symbol: o.symbol as string }),
          ...(o.timeframe !== undefined && { timeframe: o.timeframe as string }),
          ...(o.from !== undefined && { from: o.from as string }),
          ...(o.to !== undefined && { to: o.to as string }),
          ...(o.horizon !== undefined && { horizon: o.horizon as string }),
          ...(o.lookback !== undefined && { lookback: o.lookback as string }),
        });
        for (const f of fits) process.stdout.write(`${describeImpactFit(f)}\n`);
      });
      return;
    }
    case 'import-freqtrade': {
      const key = { venue: need(o.venue, 'venue'), symbol: need(o.symbol, 'symbol'), timeframe: tf(o.timeframe) };
      await withDb(async ({ db }) => {
        const r = await importFreqtradeFile(db, need(o.file, 'file'), key, { overwrite: o.overwrite });
        process.stdout.write(
          `${r.file}: ${r.candles} valid candles, ${r.written} written, ${r.issues} quarantined; vs stored archive rows: ${r.crossCheck.compared} compared, ` +
            `${r.crossCheck.differingOpenTimes.length} differ (${r.crossCheck.disagreements} fields)${r.keptArchiveRows ? `, ${r.keptArchiveRows} archive rows kept` : ''}\n`,
        );
      });
      return;
    }
    case 'backtest': {
      if (o.symbols !== undefined) {
        const venue = o.venue ?? 'binance';
        const maxPositions = o['max-positions'] !== undefined ? Number(o['max-positions']) : 3;
        if (!Number.isInteger(maxPositions) || maxPositions < 1) throw new Error(`--max-positions must be a positive integer, got ${o['max-positions']}`);
        const req = {
          strategy: need(o.strategy, 'strategy'),
          venue,
          symbols: parseSymbols(o.symbols),
          timeframe: tf(o.timeframe),
          from: dateInput.parse(need(o.from, 'from')),
          to: dateInput.parse(need(o.to, 'to')),
          maxPositions,
          sizing: parseSizing(o.sizing),
          params: o.params ? (JSON.parse(o.params) as Record<string, number>) : undefined,
          maxAtrPct: o['max-atr-pct'] !== undefined ? Number(o['max-atr-pct']) : undefined,
          minVolume: o['min-volume'] !== undefined ? Number(o['min-volume']) : undefined,
        };
        await withDb(async ({ db }) => {
          const { result, windows } = await runPortfolioWindow(db, req);
          for (const w of windows) process.stdout.write(`${w.dataSource}: ${w.windowCount} candles (+${w.warmup} warm-up), data ${w.dataHash.slice(0, 16)}…\n`);
          const views = [primaryCostModel(venue), `${venue}-maker`, 'stress-31'].filter((v, k, a) => result.net[v] !== undefined && a.indexOf(v) === k);
          process.stdout.write(`\n${formatPortfolio(result, views)}`);
        });
        return;
      }
      const req = BacktestRequest.parse({
        ...target(o),
        params: o.params ? (JSON.parse(o.params) as Record<string, number>) : undefined,
        mode: o.mode ?? 'portfolio',
        gates: gatesFlag(o.gates),
        monteCarlo:
          o['mc-seed'] || o['mc-paths'] || o['ruin-drawdown']
            ? {
                ...(o['mc-seed'] ? { seed: Number(o['mc-seed']) } : {}),
                ...(o['mc-paths'] ? { paths: Number(o['mc-paths']) } : {}),
                ...(o['ruin-drawdown'] ? { ruinDrawdown: Number(o['ruin-drawdown']) } : {}),
              }
            : undefined,
      });
      await withDb(async ({ db }) => {
        const cv = codeVersion();
        const run = await createBacktestRun(db, req, { codeVersion: cv });
        const out = await executeBacktestRun(db, run.id, { codeVersion: cv, onProgress: (f, phase) => bar(f, 1, phase) });
        process.stdout.write('\n');
        if (out.status !== 'done') throw new Error(`run ${run.id} ${out.status}: ${out.status === 'failed' ? out.error : out.reason}`);
        printRun(out.result, out.judgement, { id: run.id, venue: req.venue, candles: out.run.candleCount, dataHash: out.run.dataHash!, resultHash: out.run.resultHash! });
      });
      return;
    }
    case 'sweep': {
      const input = {
        ...target(o),
        ...search(o),
        chunkSize: o['chunk-size'] ? Number(o['chunk-size']) : undefined,
        mode: o.mode ?? 'portfolio',
        gates: gatesFlag(o.gates),
      };
      if (o.api) {
        const created = (await api(o.api, '/api/research/sweeps', { method: 'POST', body: JSON.stringify(input) })) as { sweep: { id: string; combos: number; chunksTotal: number } };
        process.stdout.write(`sweep ${created.sweep.id}: ${created.sweep.combos} combos in ${created.sweep.chunksTotal} chunks queued\n`);
        if (!o.follow) return;
        // --follow: a progress bar from the sweep's chunk counts until it is done or failed, then the wall time.
        const t0 = Date.now();
        for (;;) {
          const d = (await api(o.api, `/api/sweeps/${encodeURIComponent(created.sweep.id)}`)) as { sweep: { status: string; resultHash?: string | null }; progress: { chunksDone: number; chunksTotal: number } };
          bar(d.progress.chunksDone, d.progress.chunksTotal, `${d.sweep.status}, ${d.progress.chunksDone}/${d.progress.chunksTotal} chunks, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
          if (d.sweep.status === 'done' || d.sweep.status === 'failed') {
            process.stdout.write(`\nsweep ${created.sweep.id}: ${d.sweep.status} after ${((Date.now() - t0) / 1000).toFixed(1)} s wall, result ${d.sweep.resultHash?.slice(0, 16) ?? '—'}\n`);
            if (d.sweep.status === 'failed') process.exitCode = 1;
            return;
          }
          await new Promise((r) => setTimeout(r, 500));
        }
      }
      const req = SweepRequest.parse(input);
      await withDb(async ({ db }) => {
        const created = await createSweepRows(db, req, { codeVersion: codeVersion() });
        const n = created.messages.length;
        const walls: number[] = [];
        for (let k = 0; k < n; k++) {
          const r = await executeSweepChunk(db, created.sweep.id, k);
          if (r.status === 'done') walls.push(r.wallMs);
          bar(k + 1, n, `chunk ${k + 1}/${n}`);
        }
        const s = (await getSweepRow(db, created.sweep.id))!;
        const res = s.result as { best: Record<string, { params: unknown; value: number } | null>; trials: { count: number } } | null;
        process.stdout.write(`\nsweep ${s.id}: ${s.status}, ${s.combos} combos, result ${s.resultHash?.slice(0, 16)}…; chunk wall ms max ${Math.max(...walls)}, total ${walls.reduce((a, b) => a + b, 0)}\n`);
        for (const [obj, best] of Object.entries(res?.best ?? {})) process.stdout.write(`  best ${obj}: ${best ? `${best.value.toFixed(2)} at ${JSON.stringify(best.params)}` : '—'}\n`);
      });
      return;
    }
    case 'walk-forward': {
      const req = WalkForwardRequest.parse({
        ...target(o),
        ...search(o),
        params: o.params ? (JSON.parse(o.params) as Record<string, number>) : undefined,
        folds: o.folds ? Number(o.folds) : undefined,
        scheme: o.scheme,
        isToOos: o['is-to-oos'] ? Number(o['is-to-oos']) : undefined,
        gap: o.gap ? Number(o.gap) : undefined,
        gates: gatesFlag(o.gates),
      });
      await withDb(async ({ db }) => {
        const cv = codeVersion();
        const run = await createWalkForwardRun(db, req, { codeVersion: cv });
        const out = await executeWalkForwardRun(db, run.id, { codeVersion: cv });
        if ('error' in out) throw new Error(`walk-forward ${run.id} failed: ${out.error}`);
        process.stdout.write(`walk-forward ${run.id}: ${out.result.folds.length} folds, ${out.result.combos} combos, WFE ${out.result.wfe?.toFixed(2) ?? '—'}, OOS positive folds ${out.result.oosPositiveFoldShare === null ? '—' : (out.result.oosPositiveFoldShare * 100).toFixed(0) + '%'}\n`);
        printRun(out.result.oos, out.judgement, { id: run.id, venue: req.venue, candles: out.run.candleCount, dataHash: out.run.dataHash!, resultHash: out.run.resultHash! });
      });
      return;
    }
    case 'rerun': {
      await withDb(async ({ db }) => {
        const row = await getRunRow(db, need(o.run, 'run'));
        if (row?.kind === 'walk-forward') {
          const w = await reproduceWalkForward(db, row.id);
          process.stdout.write(`walk-forward ${row.id}: data ${w.dataHash === row.dataHash ? 'identical' : 'CHANGED'}; result ${w.same ? 'REPRODUCED' : 'DIFFERS'} (${row.resultHash} vs ${w.resultHash})\n`);
          if (!w.same) process.exitCode = 1;
          return;
        }
        const r = await reproduceRun(db, need(o.run, 'run'));
        process.stdout.write(`run ${r.run.id}: data ${r.sameData ? 'identical' : `CHANGED (${r.run.dataHash} → ${r.dataHash})`}; result ${r.same ? 'REPRODUCED' : 'DIFFERS'} (${r.run.resultHash} vs ${r.resultHash})\n`);
        if (!r.same) process.exitCode = 1;
      });
      return;
    }
    case 'runs': {
      await withDb(async ({ db }) => {
        const rows = await listRunRows(db, { strategyId: o.strategy, limit: o.limit ? Number(o.limit) : 50 });
        const d = (t: number): string => new Date(t).toISOString().slice(0, 10);
        process.stdout.write(
          table([
            ['id', 'strategy', 'series', 'window', 'mode', 'status', 'verdict', 'candles', 'result'],
            ...rows.map((r) => [r.id.slice(0, 8), r.strategyId, `${r.venue}:${r.symbol}:${r.timeframe}`, `${d(r.windowFrom)}→${d(r.windowTo)}`, r.mode, r.status, r.verdict ?? '', String(r.candleCount), (r.resultHash ?? r.error ?? '').slice(0, 16)]),
          ]),
        );
      });
      return;
    }
    case 'compare': {
      await compareCommand({ runs: need(o.runs, 'runs'), json: o.json, api: o.api });
      return;
    }
    case 'coverage': {
      await withDb(async ({ db }) => {
        const rep = await coverageReport(db, { venue: o.venue, symbol: o.symbol, timeframe: o.timeframe as Timeframe | undefined, against: o.against });
        printCoverage(rep);
      });
      return;
    }
    case 'spread': {
      const pair = need(o.pair, 'pair');
      const from = dateInput.parse(need(o.from, 'from'));
      const to = dateInput.parse(need(o.to, 'to'));
      await withDb(async ({ db }) => {
        const r = await deriveSpread(db, { pair, timeframe: tf(o.timeframe), from, to, venue: o.venue ?? 'binance' });
        process.stdout.write(`${r.key}: ${r.count} candles (derived:${pair}:${o.timeframe}), hash ${r.dataHash.slice(0, 16)}…\n`);
      });
      return;
    }
    case 'log': {
      await withDb(async ({ db }) => {
        const r = await generateLog(db, o.dir ?? join('research-log', 'experiments'));
        process.stdout.write(`wrote ${r.written.length} files${r.removed.length ? `, removed ${r.removed.join(', ')}` : ''}\n`);
      });
      return;
    }
    case 'reproduce': {
      await withDb(async ({ db }) => {
        await reproduce(db, { dataDir: o.data ?? join('..', 'shared', 'data'), codeVersion: codeVersion(), logDir: o.dir ?? join('research-log', 'experiments') });
      });
      return;
    }
    case 'promote': {
      const to = need(o.to, 'to');
      if (!(STATUSES as readonly string[]).includes(to)) throw new Error(`--to must be one of ${STATUSES.join(', ')}`);
      await withDb(async ({ db }) => {
        const out = await manualPromotion(db, { strategyId: need(o.strategy, 'strategy'), to: to as StrategyStatus, reason: need(o.reason, 'reason'), by: process.env.USER });
        process.stdout.write(out.status === 'changed' ? `${o.strategy}: ${out.from} → ${out.to} (manual; change #${out.statusChangeId})\n` : `${o.strategy}: stays ${out.to} (manual decision recorded)\n`);
      });
      return;
    }
    case 'plan-sweep': {
      const p = planSweepCombos({ strategyId: need(o.strategy, 'strategy'), baseParams: {}, method: o.method ?? 'grid', samples: o.samples ? Number(o.samples) : null, seed: 1, chunkSize: o['chunk-size'] ? Number(o['chunk-size']) : defaultChunkSize(tf(o.timeframe), dateInput.parse(need(o.from, 'from')), dateInput.parse(need(o.to, 'to'))) });
      process.stdout.write(`${p.combos.length} combos in ${p.chunks.length} chunks of ≤ ${p.chunkSize} (${p.invalid} invalid, ${p.duplicates} duplicates)\n`);
      return;
    }
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(HELP);
      return;
    default:
      throw new Error(`unknown command ${cmd}\n\n${HELP}`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`\nerror: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
