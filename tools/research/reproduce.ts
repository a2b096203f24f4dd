/**
 * `reproduce`: Nexara's founding research, re-run on the real data bundled in ../shared/data (PROVENANCE.md):
 *  1. import the Binance archive CSVs (BTCUSDT 1h) and the freqtrade REST files (BTC/USDT, ETH/USDT 4h and 1h from
 *     djienne-3EMA_SRSI_ATR; 5m 2022 from SauloHenriqueAguiar-freqtrades) — validated, issues quarantined, the REST
 *     rows cross-checked against archive rows where both exist (archive rows kept);
 *  2. derive the BTC/ETH 4h ratio (venue `derived`);
 *  3. run `nexara-div006` for each calendar year 2018–2021 and the partial year 2022-01-01 → 2022-10-11 separately
 *     (date-bounded windows, never mixed), and `nexara-baseline-5m` on the 2022 5m data — every venue preset and
 *     the 31 bps/side stress, judged with the family's lab-wide trial count;
 *  4. regenerate the research log.
 * Run ids are deterministic (`repro:…`): a second `reproduce` does not record new trials, it re-computes each
 * recorded run and checks its result hash.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '../../shared/db/database';
import { getRunRow } from '../../shared/db/queries/research';
import { BacktestRequest, createBacktestRun, reproduceRun } from '../../shared/app/run-backtest';
import { backtestThenPromote } from '../../shared/app/promote-after';
import { importArchiveFile, importFreqtradeFile, listArchiveDir } from './importers';
import { deriveSpread } from './spread';
import { generateLog } from './log';
import { bar, table } from './term';

export interface ReproduceOptions {
  dataDir: string;
  codeVersion: string;
  logDir: string;
  log?: (s: string) => void;
}

export const REPRO_WINDOWS: { label: string; from: string; to: string }[] = [
  { label: '2018', from: '2018-01-01', to: '2019-01-01' },
  { label: '2019', from: '2019-01-01', to: '2020-01-01' },
  { label: '2020', from: '2020-01-01', to: '2021-01-01' },
  { label: '2021', from: '2021-01-01', to: '2022-01-01' },
  { label: '2022-partial', from: '2022-01-01', to: '2022-10-11' },
];

/**
 * The 5m file covers 2022-01-06 → 2022-04-16 13:45; its first 7 days (≥ the baseline's 2,001-candle warm-up:
 * EMA200 seeded over 10 × 200 candles) are warm-up only, so the traded window starts on 2022-01-13.
 */
export const BASELINE_WINDOW = { from: '2022-01-13', to: '2022-04-16' };

export interface ReproRow {
  id: string;
  strategy: string;
  series: string;
  window: string;
  candles: number;
  trades: number;
  verdict: string;
  reason: string;
  resultHash: string;
  recorded: 'new' | 'reproduced' | 'DIFFERS';
}

export async function reproduce(db: Database, opts: ReproduceOptions): Promise<ReproRow[]> {
  const log = opts.log ?? ((s: string) => process.stdout.write(`${s}\n`));
  const ft = join(opts.dataDir, 'freqtrade-binance-spot');
  const need = (p: string): string => {
    if (!existsSync(p)) throw new Error(`missing ${p} (see ../shared/data/PROVENANCE.md)`);
    return p;
  };

  log('1/4 importing data');
  const files = listArchiveDir(need(join(opts.dataDir, 'binance-spot-klines', 'BTCUSDT', '1h')));
  let rows = 0;
  let quarantined = 0;
  for (let i = 0; i < files.length; i++) {
    const r = await importArchiveFile(db, files[i]!);
    rows += r.candles;
    quarantined += r.issues;
    bar(i + 1, files.length, `archive ${r.file.split('/').pop()}`);
  }
  log(`  archive BTCUSDT 1h: ${files.length} files, ${rows} candles, ${quarantined} rows quarantined`);
  const freq: [string, string, string, '4h' | '1h' | '5m'][] = [
    ['djienne-3EMA_SRSI_ATR', 'BTC_USDT-4h.json', 'BTC/USDT', '4h'],
    ['djienne-3EMA_SRSI_ATR', 'ETH_USDT-4h.json', 'ETH/USDT', '4h'],
    ['djienne-3EMA_SRSI_ATR', 'BTC_USDT-1h.json', 'BTC/USDT', '1h'],
    ['djienne-3EMA_SRSI_ATR', 'ETH_USDT-1h.json', 'ETH/USDT', '1h'],
    ['SauloHenriqueAguiar-freqtrades', 'BTC_USDT-5m.json', 'BTC/USDT', '5m'],
    ['SauloHenriqueAguiar-freqtrades', 'ETH_USDT-5m.json', 'ETH/USDT', '5m'],
  ];
  for (const [dir, file, symbol, timeframe] of freq) {
    const r = await importFreqtradeFile(db, need(join(ft, dir, file)), { venue: 'binance', symbol, timeframe });
    log(
      `  freqtrade ${dir}/${file}: ${r.candles} candles, ${r.written} written, ${r.issues} quarantined` +
        (r.crossCheck.compared ? `; vs archive: ${r.crossCheck.compared} compared, ${r.crossCheck.differingOpenTimes.length} differ, ${r.keptArchiveRows} archive rows kept` : ''),
    );
  }

  log('2/4 deriving BTC/ETH 4h');
  const sp = await deriveSpread(db, { pair: 'BTC/ETH', timeframe: '4h', from: Date.UTC(2017, 7, 17, 4), to: Date.UTC(2022, 9, 12), venue: 'binance' });
  log(`  ${sp.key}: ${sp.count} candles, hash ${sp.dataHash.slice(0, 16)}…`);

  log('3/4 backtests');
  const plan = [
    ...REPRO_WINDOWS.map((w) => ({ id: `repro:nexara-div006:derived-BTC-ETH-4h:${w.label}`, req: { strategy: 'nexara-div006', venue: 'derived:binance', symbol: 'BTC/ETH', timeframe: '4h', from: w.from, to: w.to, kind: 'reproduction' } })),
    { id: 'repro:nexara-baseline-5m:binance-BTC-USDT-5m:2022', req: { strategy: 'nexara-baseline-5m', venue: 'binance', symbol: 'BTC/USDT', timeframe: '5m', from: BASELINE_WINDOW.from, to: BASELINE_WINDOW.to, kind: 'reproduction' } },
  ];
  const out: ReproRow[] = [];
  for (const p of plan) {
    const req = BacktestRequest.parse(p.req);
    const existing = await getRunRow(db, p.id);
    let recorded: ReproRow['recorded'] = 'new';
    if (existing && existing.status === 'done') {
      const again = await reproduceRun(db, p.id);
      recorded = again.same && again.sameMeasured !== false ? 'reproduced' : 'DIFFERS';
    } else {
      if (!existing) await createBacktestRun(db, req, { id: p.id, codeVersion: opts.codeVersion });
      const r = await backtestThenPromote(db, p.id, { codeVersion: opts.codeVersion, now: Date.now, onProgress: (f, phase) => bar(f, 1, `${p.id} ${phase}`) });
      if (r.status === 'failed') log(`  ${p.id}: FAILED ${r.error}`);
    }
    const row = (await getRunRow(db, p.id))!;
    const res = (row.result ?? {}) as { tradeCount?: number };
    out.push({
      id: p.id,
      strategy: row.strategyId,
      series: `${row.venue}:${row.symbol}:${row.timeframe}`,
      window: `${new Date(row.windowFrom).toISOString().slice(0, 10)} → ${new Date(row.windowTo).toISOString().slice(0, 10)}`,
      candles: row.candleCount,
      trades: res.tradeCount ?? 0,
      verdict: row.status === 'done' ? String(row.verdict) : 'failed',
      reason: row.verdictReason ?? row.error ?? '',
      resultHash: row.resultHash ?? '',
      recorded,
    });
  }
  log('');
  log(table([['strategy', 'series', 'window', 'candles', 'trades', 'verdict', 'run'], ...out.map((r) => [r.strategy, r.series, r.window, String(r.candles), String(r.trades), r.verdict.toUpperCase(), r.recorded])]).trimEnd());
  for (const r of out) log(`  ${r.window} ${r.strategy}: ${r.reason}`);

  log('4/4 research log');
  const g = await generateLog(db, opts.logDir);
  log(`  wrote ${g.written.length} files to ${opts.logDir}`);
  return out;
}
