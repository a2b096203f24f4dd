/**
 * `npm run dev`: the whole platform on one machine with only Node.js — embedded Postgres (PGlite, persisted in
 * .data/pglite) or DATABASE_URL, migrations, the strategy registry seeded, the Strategy Lab built, the local Neon
 * wsproxy, the offline fake exchange and fake Telegram, and `wrangler dev` (workerd) with the scheduled-test
 * endpoint and a local 5-minute cron ticker. Prints the URL and next commands; Ctrl-C stops every child.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openLocalDatabase } from '../db/local-db';
import { migrateDatabase, MIGRATIONS_DIR } from '../db/migrate';
import { seedDatabase } from '../db/seed';
import { startWsProxy } from '../db/ws-proxy';
import { startDevFakes } from './fakes';
import { labAccessUrl, loadOrCreateAccess, mintAccessToken, startLocalJwks } from './local-access';
import { cronTraceId, toolLogger, withTrace } from '../../workers/observability/logger';

const log = toolLogger('dev');

const ROOT = join(MIGRATIONS_DIR, '..');
const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '8787' },
    'db-port': { type: 'string', default: process.env.NX_DB_PORT ?? '54329' },
    'proxy-port': { type: 'string', default: process.env.NX_PROXY_PORT ?? '8788' },
    'live-venues': { type: 'boolean', default: false },
    'no-cron': { type: 'boolean', default: false },
    'tick-seconds': { type: 'string', default: '' },
    'skip-site': { type: 'boolean', default: false },
    // The Access guard on, against a local JWKS served here (tokens: npm run research -- access-token).
    access: { type: 'boolean', default: false },
    'jwks-port': { type: 'string', default: process.env.NX_JWKS_PORT ?? '8793' },
  },
});

const t0 = performance.now();
const timings: [string, number][] = [];
let last = t0;
function mark(step: string): void {
  const now = performance.now();
  timings.push([step, Math.round(now - last)]);
  last = now;
  console.log(`[dev] ${step} (${Math.round(now - last + (timings.at(-1)![1]))} ms)`);
}

const [major] = process.versions.node.split('.').map(Number);
if ((major ?? 0) < 22) {
  console.error(`[dev] Node ${process.versions.node} is too old: run through npm (npm run dev) so the bundled Node 24 is used.`);
  process.exit(1);
}

const children: ChildProcess[] = [];
const closers: (() => Promise<void>)[] = [];
let stopping = false;
async function stop(code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('\n[dev] stopping…');
  // Each child leads its own process group: signal the whole group so wrangler's workerd children go too.
  for (const c of children) {
    if (c.exitCode !== null || !c.pid) continue;
    try {
      process.kill(-c.pid, 'SIGTERM');
    } catch {
      c.kill('SIGTERM');
    }
  }
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
  for (const close of closers.reverse()) await close().catch(() => {});
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
process.on('SIGHUP', () => void stop(0));
// Ctrl-C reaches npm and tsx first; if our parent goes away without signalling us, stop too.
const parentPid = process.ppid;
const parentWatch = setInterval(() => {
  try {
    process.kill(parentPid, 0);
  } catch {
    void stop(0);
  }
}, 1000);
parentWatch.unref();

function run(cmd: string, argv: string[], opts: { env?: NodeJS.ProcessEnv } = {}): ChildProcess {
  const child = spawn(cmd, argv, {
    cwd: ROOT,
    stdio: 'inherit',
    detached: true,
    // Offline machine: no metrics or update checks to Cloudflare.
    env: { WRANGLER_SEND_METRICS: 'false', ...process.env, ...opts.env },
  });
  children.push(child);
  return child;
}

async function runToEnd(cmd: string, argv: string[]): Promise<void> {
  const child = run(cmd, argv);
  const code: number = await new Promise((r) => child.once('exit', (c) => r(c ?? 1)));
  children.splice(children.indexOf(child), 1);
  if (code !== 0) throw new Error(`${cmd} ${argv.join(' ')} exited ${code}`);
}

const dataDir = join(ROOT, '.data');
mkdirSync(dataDir, { recursive: true });

const db = await openLocalDatabase({ dataDir: join(dataDir, 'pglite'), port: Number(args['db-port']) });
closers.push(db.close);
mark(`database ready (${db.kind === 'embedded' ? 'embedded PGlite in .data/pglite' : 'DATABASE_URL'})`);

await migrateDatabase(db.url);
mark('migrations applied');

const seeded = await seedDatabase(db.url);
mark(`strategy registry seeded (${seeded.strategies} strategies)`);

const proxy = await startWsProxy({ port: Number(args['proxy-port']) });
closers.push(proxy.close);
mark(`Neon wsproxy on ${proxy.endpoint}`);

const fakes = await startDevFakes({
  liveVenues: args['live-venues'],
  exchangePort: Number(process.env.NX_EXCHANGE_PORT ?? 8790),
  telegramPort: Number(process.env.NX_TELEGRAM_PORT ?? 8791),
  archivePort: Number(process.env.NX_ARCHIVE_PORT ?? 8792),
});
closers.push(fakes.close);
mark(fakes.summary);

if (!args['skip-site'] || !existsSync(join(ROOT, 'site', 'dist', 'index.html'))) {
  await runToEnd(join(ROOT, 'node_modules', '.bin', 'astro'), ['build', '--root', 'site', '--silent']);
  mark('Strategy Lab built into site/dist');
}

let accessVars: Record<string, string> = { ACCESS_DEV_BYPASS: 'true' };
/** In --access mode: a 12 h token for the Lab link printed below. */
let labToken: string | null = null;
if (args.access) {
  const jwksPort = Number(args['jwks-port']);
  const access = await loadOrCreateAccess(dataDir, jwksPort);
  const jwks = await startLocalJwks(access, jwksPort);
  closers.push(jwks.close);
  accessVars = { ACCESS_DEV_BYPASS: 'false', ACCESS_TEAM_DOMAIN: access.team, ACCESS_AUD: access.aud };
  labToken = await mintAccessToken(access);
  mark(`local Access JWKS on ${jwks.url}/cdn-cgi/access/certs (the guard is on)`);
}

const port = Number(args.port);
const vars: Record<string, string> = {
  APP_ENV: 'development',
  ...accessVars,
  DATABASE_URL: db.url,
  DB_WS_PROXY: proxy.endpoint,
  PUBLIC_LAB_URL: `http://127.0.0.1:${port}`,
  CODE_VERSION: 'dev',
  ...fakes.vars,
};
const envFile = join(dataDir, 'dev.env');
writeFileSync(envFile, Object.entries(vars).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n') + '\n');
const envFiles = ['--env-file', envFile];
if (existsSync(join(ROOT, '.dev.vars'))) envFiles.push('--env-file', join(ROOT, '.dev.vars'));

const wrangler = run(join(ROOT, 'node_modules', '.bin', 'wrangler'), [
  'dev',
  '--port',
  String(port),
  '--ip',
  '127.0.0.1',
  '--test-scheduled',
  '--persist-to',
  join(dataDir, 'wrangler'),
  '--show-interactive-dev-session=false',
  ...envFiles,
]);
wrangler.once('exit', (code) => {
  if (!stopping) {
    log.error('wrangler dev exited', { code });
    void stop(1);
  }
});

const base = `http://127.0.0.1:${port}`;
let health: { status?: string } = {};
for (let i = 0; i < 240; i++) {
  try {
    const res = await fetch(`${base}/api/health`);
    health = (await res.json()) as { status?: string };
    if (health.status === 'ok') break;
  } catch {
    /* not up yet */
  }
  await new Promise((r) => setTimeout(r, 500));
}
mark(`worker up on workerd, /api/health: ${health.status ?? 'unreachable'}`);

// Offline, each tick replays the next 5 minutes of recorded market data (every 30 s by default);
// with --live-venues it runs the real cron schedule (every 5 min, at the real time).
const tickMs = Number(args['tick-seconds'] || (args['live-venues'] ? 300 : 30)) * 1000;
if (!args['no-cron']) {
  let busy = false;
  const tick = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      const time = await fakes.nextTickTime();
      // Miniflare's trigger endpoint (wrangler's /__scheduled is shadowed by the Lab's 404 page).
      const res = await fetch(`${base}/cdn-cgi/local/scheduled?cron=${encodeURIComponent('*/5 * * * *')}&time=${time}`);
      if (!res.ok) await withTrace(cronTraceId(Number(time)), async () => log.error('cron tick failed', { status: res.status, body: await res.text() }));
    } catch (err) {
      log.error('cron tick failed', { error: err });
    } finally {
      busy = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), tickMs);
  closers.push(async () => clearInterval(timer));
}

const total = Math.round(performance.now() - t0);
console.log(`
  Nexara platform is up in ${(total / 1000).toFixed(1)} s

  Strategy Lab   ${base}/
  API health     ${base}/api/health
  Run the cron   curl '${base}/cdn-cgi/local/scheduled?cron=*/5+*+*+*+*'   (the dev ticker runs it every ${tickMs / 1000} s${args['no-cron'] ? ': disabled' : ''})
  Database       ${db.kind === 'embedded' ? `${db.url}  (embedded, data in .data/pglite)` : 'DATABASE_URL'}
${fakes.lines.map((l) => `  ${l}`).join('\n')}

  Next:  npm run research -- import-archive --symbol BTCUSDT --interval 1h --from-dir ../shared/data/binance-spot-klines/BTCUSDT/1h
         npm run research -- import-freqtrade --file ../shared/data/freqtrade-binance-spot/SauloHenriqueAguiar-freqtrades/BTC_USDT-5m.json --venue binance --symbol BTC/USDT --timeframe 5m
         npm run research -- backtest --strategy nexara-baseline-5m --venue binance --symbol BTC/USDT --timeframe 5m --from 2022-01-13 --to 2022-04-16
         npm run research -- reproduce      npm run research -- coverage      npm test      npm run bench

${
  args.access
    ? `  Access         ON (local JWKS): /api needs a token. Open the Lab with one (kept in that browser for 12 h):
                 ${labAccessUrl(base, labToken!)}
                 a new one: npm run research -- access-token   (or paste one into the Lab's Access prompt)
                 TOKEN=$(npm run -s research -- access-token --raw) && curl -H "Cf-Access-Jwt-Assertion: $TOKEN" ${base}/api/status
`
    : `  Access         bypassed (local dev); npm run dev -- --access runs the real guard against a local JWKS
`
}
  Ctrl-C stops everything; data survives a restart.
`);
