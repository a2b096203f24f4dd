/**
 * The research CLI: `npm run research -- <command> [options]`. Runs the lab's shared code in-process against the
 * database (DATABASE_URL, else the running dev server's database, else the embedded `.data/pglite`), or talks to a
 * running Worker (`--api`). `npm run research -- help` lists the commands.
 *
 * Every command takes `--json`: its one result as a JSON document on stdout instead of the table (see `output.ts`).
 * Errors go to stderr with exit code 1; progress bars stay on stderr.
 */
import { sweepResultOrThrow } from '../../shared/research/stored-sweep-result';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { dateInput, BacktestRequest, createBacktestRun, reproduceRun, primaryCostModel, singleStrategy, resolveParams, loadRunWindow } from '../../shared/app/run-backtest';
import { makerFillReport } from '../../shared/research/maker-fills';
import { toSeries } from '../../shared/candles/candle';
import { createSweepRows, SweepRequest, planSweepCombos, defaultChunkSize } from '../../shared/app/sweep';
import { getRunRow, getSweepRow, listRunRows } from '../../shared/db/queries/research';
import { openResearchDb, codeVersion, type ResearchDb } from './db';
import { importArchiveFile, importFreqtradeFile, listArchiveDir } from './importers';
import { describeImport, importRest, importRestInput } from './import-rest';
import { describeImpactFit, impactFit } from './impact-fit';
import { generateLog } from './log';
import { coverageReport, formatCoverage } from './coverage';
import { deriveSpread } from './spread';
import { reproduce } from './reproduce';
import { compareCommand } from './compare';
import { formatPortfolio, parseSizing, parseSymbols } from './portfolio';
import { createPortfolioRun, executePortfolioRun, PortfolioBacktestRequest } from '../../workers/jobs/backtest-portfolio';
import { createWalkForwardRun, reproduceWalkForward, WalkForwardRequest } from '../../shared/app/walk-forward';
import { bar, table } from './term';
import { CliOutput, processIo, type CliIo } from './output';
import { describeExport, exportCommand } from './export';
import type { CoreResult } from '../../shared/app/run-backtest';
import type { RunJudgement } from '../../shared/app/core';
import { TIMEFRAMES, isTimeframe, type Timeframe } from '../../shared/candles/timeframe';
import { manualPromotion, STATUSES } from '../../shared/app/promotion';
import { backtestThenPromote, sweepChunkThenPromote, walkForwardThenPromote } from '../../shared/app/promote-after';
import type { StrategyStatus } from '../../shared/strategies/types';
import { describeAccessToken, mintLocalAccessToken } from '../dev/access-token';

const HELP = `npm run research -- <command> [--json]

  Every command takes --json (one JSON document on stdout instead of the table); errors go to stderr, exit code 1.

  access-token [--email E] [--hours 12] [--raw]   a token for the local Access mode (npm run dev -- --access)
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
                 [--order-notional 10000] [--fee-tier binance=VIP1,kraken=Pro $10K-50K] [--max-participation 0.1]
                 (measured costs per venue: fee tier + half-spread + impact for that order size; they decide the verdict)
  backtest --strategy ID --symbols BTC/USDT,ETH/USDT --timeframe 4h --from D --to D [--venue binance] [--max-positions 3] [--sizing equal|fraction:F] [--max-atr-pct 0.05] [--min-volume V] [--params JSON]
           (portfolio with shared capital; a ranking strategy selects the symbols; stored as a run, its id printed)
  sweep --strategy ID --venue V --symbol S --timeframe TF --from D --to D [--method grid|random|tpe] [--samples N] [--seed N] [--chunk-size N] [--api URL [--follow]] [--gates NAME|FILE.json]
  walk-forward --strategy ID --venue V --symbol S --timeframe TF --from D --to D [--method grid|random] [--samples N] [--folds 5] [--scheme rolling|anchored] [--is-to-oos 3] [--gap CANDLES] [--gates NAME|FILE.json]
  maker --strategy ID --venue V --symbol S --timeframe TF --from D --to D --tick 0.01 [--max-candles 3] [--offset-bps 0] [--fee-venue binance]
                                 honest maker entries: fill rate and adverse selection (filled vs missed signals)
  rerun --run ID                 recompute a recorded run and compare its result hash
  runs [--strategy ID] [--limit N]
  compare --runs A,B[,C…] [--json] [--api URL]   2–6 runs side by side (the Lab's compare table)
  coverage [--venue V] [--symbol S] [--timeframe TF] [--against FREQTRADE.json]
  spread --pair BTC/ETH --timeframe 4h --from D --to D [--venue binance]
  log [--dir research-log/experiments]
  reproduce [--data ../shared/data]  Nexara's founding research on the bundled real data, then the log
  promote --strategy ID --to watch|rejected|research|paper --reason "…"   a manual status decision (recorded as
                                 manual; paper only when the latest evidence passes every gate)
  export --dataset candles --venue V --symbol S --timeframe TF [--from D] [--to D] --format csv|json|parquet [--out FILE|-] [--limit N] [--cursor C]
  export --dataset trades|equity --run ID --format csv|json|parquet [--out FILE|-]
  export --dataset runs [--strategy ID] [--venue V] [--symbol S] [--timeframe TF] --format csv|json|parquet [--out FILE|-]
                                 the same files as GET /api/export/* (Parquet via hyparquet-writer)
`;

/** `--gates NAME` (a registered gate set) or `--gates FILE.json` (a whole set, validated by the request schema). */
function gatesFlag(v: string | undefined): unknown {
  if (v === undefined) return undefined;
  if (v.endsWith('.json')) return JSON.parse(readFileSync(v, 'utf8')) as unknown;
  return v;
}

/** `--order-notional N`, `--fee-tier binance=VIP1,kraken=Pro $10K-50K`, `--max-participation 0.05`: the measured cost model's knobs. */
function measuredFlags(o: Opts): Record<string, unknown> | undefined {
  const str = (x: string | boolean | undefined): string | undefined => (typeof x === 'string' ? x : undefined);
  const notional = str(o['order-notional']);
  const tiers = str(o['fee-tier']);
  const share = str(o['max-participation']);
  if (notional === undefined && tiers === undefined && share === undefined) return undefined;
  return {
    ...(notional !== undefined ? { orderNotional: Number(notional) } : {}),
    ...(tiers !== undefined ? { tiers: Object.fromEntries(tiers.split(',').map((kv) => [kv.slice(0, kv.indexOf('=')).trim(), kv.slice(kv.indexOf('=') + 1).trim()])) } : {}),
    ...(share !== undefined ? { impact: { maxParticipation: Number(share) } } : {}),
  };
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

interface RunMeta {
  id: string;
  venue: string;
  candles: number;
  dataHash: string;
  resultHash: string;
}

/** A finished run as a table: gross, then each venue's net view with its verdict. */
export function runReport(result: CoreResult, judgement: RunJudgement, meta: RunMeta): string {
  let text = `\nrun ${meta.id}: ${meta.candles} candles, data ${meta.dataHash.slice(0, 16)}…, result ${meta.resultHash.slice(0, 16)}…\n`;
  const g = result.gross;
  const rows: string[][] = [['view', 'trades', 'mean bps', 'total return', 'max DD', 'Sharpe', 'verdict', 'reason']];
  const b = (x: number | null): string => (x === null ? '—' : (x * 1e4).toFixed(1));
  const p = (x: number | null): string => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
  rows.push(['gross', String(g.trades), b(g.meanReturn), p(g.totalReturn), p(g.maxDrawdownEquity), g.sharpe === null ? '—' : g.sharpe.toFixed(2), '', '']);
  for (const v of judgement.venues) {
    // Measured views carry per-trade statistics only (no equity curve): total return, drawdown and Sharpe are —.
    const m = (result.net[v.key] ?? (v.metrics?.net as Partial<typeof g> | null) ?? {}) as Partial<typeof g>;
    const sharpe = m.sharpe ?? null;
    rows.push([v.key + (v.key === primaryCostModel(meta.venue) ? ' *' : ''), String(m.trades ?? 0), b(m.meanReturn ?? null), p(m.totalReturn ?? null), p(m.maxDrawdownEquity ?? null), sharpe === null ? '—' : sharpe.toFixed(2), v.verdict, v.reason.slice(0, 110)]);
  }
  text += table(rows);
  text += `\nverdict: ${judgement.verdict.toUpperCase()} — ${judgement.reason}\n(trials in the family, this run included: ${judgement.trials}; * = the series venue's taker preset)\n`;
  return text;
}

/** A finished run for `--json`: provenance hashes, gross and per-view net metrics, the judgement (no trade list). */
export function runJson(result: CoreResult, judgement: RunJudgement, meta: RunMeta) {
  return { run: { ...meta, primaryView: primaryCostModel(meta.venue) }, gross: result.gross, net: result.net, judgement };
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

/** Parse `argv` (everything after `npm run research --`). Throws on an unknown option. */
function parse(argv: string[]) {
  const [cmd, ...rest] = argv;
  const { values: o } = parseArgs({
    args: rest,
    allowPositionals: false,
    strict: true,
    options: {
      symbol: { type: 'string' },
      gates: { type: 'string' },
      'mc-seed': { type: 'string' },
      'order-notional': { type: 'string' },
      tick: { type: 'string' },
      'max-candles': { type: 'string' },
      'offset-bps': { type: 'string' },
      'fee-venue': { type: 'string' },
      'fee-tier': { type: 'string' },
      'max-participation': { type: 'string' },
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
      dataset: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      cursor: { type: 'string' },
    },
  });
  return { cmd, o };
}

/**
 * Run one CLI command. Its result goes through `out` (a table, or JSON with `--json`); a thrown error is the
 * caller's to report (see the entry point below). Exported for the tests, which run commands in-process.
 */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<CliOutput> {
  const json = argv.includes('--json');
  const out = new CliOutput(json, io);
  if (argv[0] === 'access-token') {
    // Its own flags (tools/dev/access-token.ts); `--raw` prints the bare token for scripts.
    const { raw, ...t } = await mintLocalAccessToken(argv.slice(1).filter((a) => a !== '--json'));
    out.result(t, (v) => (raw ? v.token : describeAccessToken(v)));
    return out;
  }
  const { cmd, o } = parse(argv);
  await command(cmd, o, out);
  return out;
}

type Parsed = ReturnType<typeof parse>['o'];

async function command(cmd: string | undefined, o: Parsed, out: CliOutput): Promise<void> {
  switch (cmd) {
    case 'import-archive': {
      if (o['from-dir']) {
        const files = listArchiveDir(o['from-dir'], { symbol: o.symbol, interval: o.interval });
        if (!files.length) throw new Error(`no archive files under ${o['from-dir']}`);
        await withDb(async ({ db }) => {
          const done: Awaited<ReturnType<typeof importArchiveFile>>[] = [];
          for (let i = 0; i < files.length; i++) {
            const r = await importArchiveFile(db, files[i]!, { venue: o.venue });
            done.push(r);
            bar(i + 1, files.length, `${r.file.split('/').pop()} ${r.candles} rows, ${r.issues} rejected, checksum ${r.checksum}`);
          }
          const summary = { files: done, candles: done.reduce((a, r) => a + r.candles, 0), quarantined: done.reduce((a, r) => a + r.issues, 0) };
          out.result(summary, (v) => `\nimported ${v.files.length} files: ${v.candles} candles, ${v.quarantined} rows quarantined (data_issues)`);
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
          out.result(d.job, (j) => `\nimport ${id}: ${j.status}`);
          if (d.job.status !== 'done') out.failed = true;
          return;
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    case 'import-rest': {
      await withDb(async ({ db }) => {
        const r = await importRest(importRestInput(o), { db, progress: bar });
        out.result(r, (v) => `\n${describeImport(v)}`);
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
        out.result(fits, (v) => v.map(describeImpactFit).join('\n'));
      });
      return;
    }
    case 'import-freqtrade': {
      const key = { venue: need(o.venue, 'venue'), symbol: need(o.symbol, 'symbol'), timeframe: tf(o.timeframe) };
      await withDb(async ({ db }) => {
        const r = await importFreqtradeFile(db, need(o.file, 'file'), key, { overwrite: o.overwrite });
        out.result(
          r,
          (v) =>
            `${v.file}: ${v.candles} valid candles, ${v.written} written, ${v.issues} quarantined; vs stored archive rows: ${v.crossCheck.compared} compared, ` +
            `${v.crossCheck.differingOpenTimes.length} differ (${v.crossCheck.disagreements} fields)${v.keptArchiveRows ? `, ${v.keptArchiveRows} archive rows kept` : ''}`,
        );
      });
      return;
    }
    case 'backtest': {
      if (o.symbols !== undefined) {
        const venue = o.venue ?? 'binance';
        const maxPositions = o['max-positions'] !== undefined ? Number(o['max-positions']) : 3;
        if (!Number.isInteger(maxPositions) || maxPositions < 1) throw new Error(`--max-positions must be a positive integer, got ${o['max-positions']}`);
        const req = PortfolioBacktestRequest.parse({
          strategy: need(o.strategy, 'strategy'),
          venue,
          symbols: parseSymbols(o.symbols),
          timeframe: tf(o.timeframe),
          from: need(o.from, 'from'),
          to: need(o.to, 'to'),
          maxPositions,
          sizing: parseSizing(o.sizing),
          params: o.params ? (JSON.parse(o.params) as Record<string, number>) : undefined,
          maxAtrPct: o['max-atr-pct'] !== undefined ? Number(o['max-atr-pct']) : undefined,
          minVolume: o['min-volume'] !== undefined ? Number(o['min-volume']) : undefined,
          gates: gatesFlag(o.gates),
        });
        await withDb(async ({ db }) => {
          const cv = codeVersion();
          const run = await createPortfolioRun(db, req, { codeVersion: cv });
          const done = await executePortfolioRun(db, run.id, { codeVersion: cv, now: Date.now, onProgress: (f, phase) => bar(f, 1, phase) });
          if (done.status !== 'done') throw new Error(`run ${run.id} ${done.status}: ${done.status === 'failed' ? done.error : done.reason}`);
          const { result, windows } = done;
          const views = [primaryCostModel(venue), `${venue}-maker`, 'stress-31'].filter((v, k, a) => result.net[v] !== undefined && a.indexOf(v) === k);
          out.result(
            { run: { id: run.id, verdict: done.run.verdict, verdictReason: done.run.verdictReason, dataHash: done.run.dataHash, resultHash: done.run.resultHash }, windows, result },
            (v) =>
              `\n${v.windows.map((w) => `${w.dataSource}: ${w.windowCount} candles (+${w.warmup} warm-up), data ${w.dataHash.slice(0, 16)}…\n`).join('')}` +
              `\n${formatPortfolio(v.result, views)}run ${run.id}: verdict ${v.run.verdict} — ${v.run.verdictReason ?? ''}`,
          );
        });
        return;
      }
      const req = BacktestRequest.parse({
        ...target(o),
        params: o.params ? (JSON.parse(o.params) as Record<string, number>) : undefined,
        mode: o.mode ?? 'portfolio',
        gates: gatesFlag(o.gates),
        measuredCosts: measuredFlags(o),
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
        const done = await backtestThenPromote(db, run.id, { codeVersion: cv, now: Date.now, onProgress: (f, phase) => bar(f, 1, phase) });
        if (done.status !== 'done') throw new Error(`run ${run.id} ${done.status}: ${done.status === 'failed' ? done.error : done.reason}`);
        const meta = { id: run.id, venue: req.venue, candles: done.run.candleCount, dataHash: done.run.dataHash!, resultHash: done.run.resultHash! };
        out.result(runJson(done.result, done.judgement, meta), () => runReport(done.result, done.judgement, meta));
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
        if (!o.follow) {
          out.result(created, (v) => `sweep ${v.sweep.id}: ${v.sweep.combos} combos in ${v.sweep.chunksTotal} chunks queued`);
          return;
        }
        out.say(`sweep ${created.sweep.id}: ${created.sweep.combos} combos in ${created.sweep.chunksTotal} chunks queued`);
        // --follow: a progress bar from the sweep's chunk counts until it is done or failed, then the wall time.
        const t0 = Date.now();
        for (;;) {
          const d = (await api(o.api, `/api/sweeps/${encodeURIComponent(created.sweep.id)}?fields=progress`)) as { sweep: { status: string; resultHash?: string | null }; progress: { chunksDone: number; chunksTotal: number } };
          bar(d.progress.chunksDone, d.progress.chunksTotal, `${d.sweep.status}, ${d.progress.chunksDone}/${d.progress.chunksTotal} chunks, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
          if (d.sweep.status === 'done' || d.sweep.status === 'failed') {
            const v = { sweep: { ...created.sweep, status: d.sweep.status, resultHash: d.sweep.resultHash ?? null }, wallMs: Date.now() - t0 };
            out.result(v, (x) => `\nsweep ${x.sweep.id}: ${x.sweep.status} after ${(x.wallMs / 1000).toFixed(1)} s wall, result ${x.sweep.resultHash?.slice(0, 16) ?? '—'}`);
            if (d.sweep.status === 'failed') out.failed = true;
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
          const r = await sweepChunkThenPromote(db, created.sweep.id, k, { now: Date.now });
          if (r.status === 'done') walls.push(r.wallMs);
          bar(k + 1, n, `chunk ${k + 1}/${n}`);
        }
        const s = (await getSweepRow(db, created.sweep.id))!;
        const res = sweepResultOrThrow(s.result, s.id);
        const summary = { sweep: { id: s.id, status: s.status, combos: s.combos, resultHash: s.resultHash }, best: res?.best ?? {}, chunkWallMs: { max: walls.length ? Math.max(...walls) : null, total: walls.reduce((a, b) => a + b, 0) } };
        out.result(
          summary,
          (v) =>
            `\nsweep ${v.sweep.id}: ${v.sweep.status}, ${v.sweep.combos} combos, result ${v.sweep.resultHash?.slice(0, 16)}…; chunk wall ms max ${v.chunkWallMs.max}, total ${v.chunkWallMs.total}\n` +
            Object.entries(v.best)
              .map(([obj, best]) => `  best ${obj}: ${best ? `${best.value.toFixed(2)} at ${JSON.stringify(best.params)}` : '—'}\n`)
              .join(''),
        );
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
        const done = await walkForwardThenPromote(db, run.id, { codeVersion: cv, now: Date.now });
        if ('error' in done) throw new Error(`walk-forward ${run.id} failed: ${done.error}`);
        const w = done.result;
        const meta = { id: run.id, venue: req.venue, candles: done.run.candleCount, dataHash: done.run.dataHash!, resultHash: done.run.resultHash! };
        out.result(
          { folds: w.folds, combos: w.combos, wfe: w.wfe, oosPositiveFoldShare: w.oosPositiveFoldShare, oos: runJson(w.oos, done.judgement, meta) },
          () =>
            `walk-forward ${run.id}: ${w.folds.length} folds, ${w.combos} combos, WFE ${w.wfe?.toFixed(2) ?? '—'}, OOS positive folds ${w.oosPositiveFoldShare === null ? '—' : (w.oosPositiveFoldShare * 100).toFixed(0) + '%'}\n` +
            runReport(w.oos, done.judgement, meta),
        );
      });
      return;
    }
    case 'maker': {
      // Honest maker fills: the strategy's entries as posted limits (shared/research/maker-fills.ts), printed.
      const req = BacktestRequest.parse({ ...target(o), params: o.params ? (JSON.parse(o.params as string) as Record<string, number>) : undefined });
      await withDb(async ({ db }) => {
        const strategy = singleStrategy(req.strategy);
        const params = resolveParams(strategy, req.params);
        const win = await loadRunWindow(db, strategy, params, { venue: req.venue, symbol: req.symbol, timeframe: req.timeframe, windowFrom: req.from, windowTo: req.to });
        const series = toSeries(win.candles, win.key.timeframe, win.key.symbol);
        const r = makerFillReport(series, strategy, params, { from: req.from, to: req.to }, {
          tick: Number(need(o.tick as string | undefined, 'tick')),
          ...(o['max-candles'] ? { maxCandles: Number(o['max-candles']) } : {}),
          ...(o['offset-bps'] ? { offsetBps: Number(o['offset-bps']) } : {}),
          ...(o['fee-venue'] ? { venue: String(o['fee-venue']) } : {}),
        });
        const b = (x: number | null): string => (x === null ? '—' : x.toFixed(1));
        out.result(
          { dataSource: win.dataSource, candles: win.windowCount, ...r },
          () =>
            `${win.dataSource}: ${win.windowCount} candles\n` +
            `maker entries at the signal close ${r.options.offsetBps ? `∓ ${r.options.offsetBps} bps ` : ''}filling only when traded through by ${r.options.tick} within ${r.options.maxCandles} candles (${r.costModel}):\n` +
            `  posted ${r.posted}: filled as maker ${r.filledMaker}, marketable on arrival (taker) ${r.filledTakerOnArrival}, expired ${r.expired}, cancelled ${r.cancelled}; fill rate ${r.fillRate === null ? '—' : `${(r.fillRate * 100).toFixed(1)} %`}\n` +
            `  net mean bps per trade: filled ${b(r.filledNetMeanBps)}, missed ${b(r.missedNetMeanBps)} → adverse selection ${b(r.adverseSelectionBps)}; taker baseline ${b(r.takerNetMeanBps)}`,
        );
      });
      return;
    }
    case 'rerun': {
      await withDb(async ({ db }) => {
        const row = await getRunRow(db, need(o.run, 'run'));
        if (row?.kind === 'walk-forward') {
          const w = await reproduceWalkForward(db, row.id);
          const v = { run: row.id, kind: row.kind, sameData: w.dataHash === row.dataHash, same: w.same, recordedResultHash: row.resultHash, resultHash: w.resultHash };
          out.result(v, () => `walk-forward ${row.id}: data ${v.sameData ? 'identical' : 'CHANGED'}; result ${w.same ? 'REPRODUCED' : 'DIFFERS'} (${row.resultHash} vs ${w.resultHash})`);
          if (!w.same) out.failed = true;
          return;
        }
        const r = await reproduceRun(db, need(o.run, 'run'));
        const v = { run: r.run.id, kind: r.run.kind, sameData: r.sameData, recordedDataHash: r.run.dataHash, dataHash: r.dataHash, same: r.same, recordedResultHash: r.run.resultHash, resultHash: r.resultHash, sameMeasured: r.sameMeasured };
        const measured = r.sameMeasured === null ? 'no measured cost views recorded' : `measured cost views ${r.sameMeasured ? 'REPRODUCED' : 'DIFFER'}`;
        out.result(v, () => `run ${r.run.id}: data ${r.sameData ? 'identical' : `CHANGED (${r.run.dataHash} → ${r.dataHash})`}; result ${r.same ? 'REPRODUCED' : 'DIFFERS'} (${r.run.resultHash} vs ${r.resultHash}); ${measured}`);
        if (!r.same || r.sameMeasured === false) out.failed = true;
      });
      return;
    }
    case 'runs': {
      await withDb(async ({ db }) => {
        const rows = await listRunRows(db, { strategyId: o.strategy, limit: o.limit ? Number(o.limit) : 50 });
        const d = (t: number): string => new Date(t).toISOString().slice(0, 10);
        out.result(
          rows.map((r) => ({ id: r.id, kind: r.kind, strategy: r.strategyId, venue: r.venue, symbol: r.symbol, timeframe: r.timeframe, windowFrom: r.windowFrom, windowTo: r.windowTo, mode: r.mode, status: r.status, verdict: r.verdict, candles: r.candleCount, dataHash: r.dataHash, resultHash: r.resultHash, error: r.error })),
          (v) =>
            table([
              ['id', 'strategy', 'series', 'window', 'mode', 'status', 'verdict', 'candles', 'result'],
              ...v.map((r) => [r.id.slice(0, 8), r.strategy, `${r.venue}:${r.symbol}:${r.timeframe}`, `${d(r.windowFrom)}→${d(r.windowTo)}`, r.mode, r.status, r.verdict ?? '', String(r.candles), (r.resultHash ?? r.error ?? '').slice(0, 16)]),
            ]),
        );
      });
      return;
    }
    case 'compare': {
      let text = '';
      const c = await compareCommand({ runs: need(o.runs, 'runs'), json: false, api: o.api }, { out: (s) => (text += s) });
      out.result(c, () => text);
      return;
    }
    case 'coverage': {
      await withDb(async ({ db }) => {
        const rep = await coverageReport(db, { venue: o.venue, symbol: o.symbol, timeframe: o.timeframe as Timeframe | undefined, against: o.against });
        out.result(rep, formatCoverage);
      });
      return;
    }
    case 'spread': {
      const pair = need(o.pair, 'pair');
      const from = dateInput.parse(need(o.from, 'from'));
      const to = dateInput.parse(need(o.to, 'to'));
      await withDb(async ({ db }) => {
        const r = await deriveSpread(db, { pair, timeframe: tf(o.timeframe), from, to, venue: o.venue ?? 'binance' });
        out.result(r, (v) => `${v.key}: ${v.count} candles (derived:${pair}:${o.timeframe}), hash ${v.dataHash.slice(0, 16)}…`);
      });
      return;
    }
    case 'log': {
      await withDb(async ({ db }) => {
        const r = await generateLog(db, o.dir ?? join('research-log', 'experiments'));
        out.result(r, (v) => `wrote ${v.written.length} files${v.removed.length ? `, removed ${v.removed.join(', ')}` : ''}`);
      });
      return;
    }
    case 'reproduce': {
      await withDb(async ({ db }) => {
        const rows = await reproduce(db, { dataDir: o.data ?? join('..', 'shared', 'data'), codeVersion: codeVersion(), logDir: o.dir ?? join('research-log', 'experiments'), log: (s) => out.say(s) });
        out.result(rows, () => '');
        if (rows.some((r) => r.recorded === 'DIFFERS' || r.verdict === 'failed')) out.failed = true;
      });
      return;
    }
    case 'promote': {
      const to = need(o.to, 'to');
      if (!(STATUSES as readonly string[]).includes(to)) throw new Error(`--to must be one of ${STATUSES.join(', ')}`);
      await withDb(async ({ db }) => {
        const r = await manualPromotion(db, { strategyId: need(o.strategy, 'strategy'), to: to as StrategyStatus, reason: need(o.reason, 'reason'), by: process.env.USER });
        out.result(r, (v) => (v.status === 'changed' ? `${o.strategy}: ${v.from} → ${v.to} (manual; change #${v.statusChangeId})` : `${o.strategy}: stays ${v.to} (manual decision recorded)`));
      });
      return;
    }
    case 'plan-sweep': {
      const p = planSweepCombos({ strategyId: need(o.strategy, 'strategy'), baseParams: {}, method: o.method ?? 'grid', samples: o.samples ? Number(o.samples) : null, seed: 1, chunkSize: o['chunk-size'] ? Number(o['chunk-size']) : defaultChunkSize(tf(o.timeframe), dateInput.parse(need(o.from, 'from')), dateInput.parse(need(o.to, 'to'))) });
      out.result(
        { combos: p.combos.length, chunks: p.chunks.length, chunkSize: p.chunkSize, invalid: p.invalid, duplicates: p.duplicates },
        (v) => `${v.combos} combos in ${v.chunks} chunks of ≤ ${v.chunkSize} (${v.invalid} invalid, ${v.duplicates} duplicates)`,
      );
      return;
    }
    case 'export': {
      if (o.out === '-' && out.json) throw new Error('--out - writes the export to stdout, which --json keeps for its result: name a file');
      await withDb(async ({ db }) => {
        const r = await exportCommand(db, o, { codeVersion: codeVersion() });
        out.result(r, describeExport);
      });
      return;
    }
    case undefined:
    case 'help':
    case '--help':
      out.result({ help: HELP }, (v) => v.help);
      return;
    default:
      throw new Error(`unknown command ${cmd}\n\n${HELP}`);
  }
}

/** Entry point: `npm run research -- …` (not when imported by a test). */
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const json = process.argv.includes('--json');
  runCli(process.argv.slice(2)).then(
    (out) => {
      if (out.failed) process.exitCode = 1;
    },
    (err: unknown) => {
      new CliOutput(json).error(err);
      process.exitCode = 1;
    },
  );
}
