/**
 * The Worker's environment: bindings and vars/secrets declared once (`Env`), parsed once per isolate with zod
 * into a typed `AppConfig`. A missing or malformed var/secret fails fast with a message naming every problem.
 */
import { z } from 'zod';
import { ConfigError } from './errors';
import type { JobMessage } from './jobs/messages';
import type { HeartbeatMonitor } from './heartbeat/monitor';

export interface Env {
  // Bindings
  JOBS: Queue<JobMessage>;
  HEARTBEATS: DurableObjectNamespace<HeartbeatMonitor>;
  ASSETS: Fetcher;
  // Vars (wrangler.toml [vars]) and secrets (wrangler secret put / .dev.vars)
  APP_ENV: string;
  ACCESS_DEV_BYPASS?: string;
  DB_WS_PROXY?: string;
  DATABASE_URL?: string;
  TELEGRAM_BOT_TOKEN?: string;
  TELEGRAM_WEBHOOK_SECRET?: string;
  /** One chat id or several, comma-separated: the bot answers only these; alerts go to the first. */
  TELEGRAM_CHAT_ID?: string;
  TELEGRAM_API_ROOT?: string;
  /** The bot's @username (without @), so `/cmd@username` matches in groups without a getMe call. */
  TELEGRAM_BOT_USERNAME?: string;
  ACCESS_TEAM_DOMAIN?: string;
  ACCESS_AUD?: string;
  ARCHIVE_BASE_URL?: string;
  BINANCE_BASE_URL?: string;
  KRAKEN_BASE_URL?: string;
  COINBASE_BASE_URL?: string;
  OKX_BASE_URL?: string;
  BYBIT_BASE_URL?: string;
  INGEST_SERIES?: string;
  INGEST_BACKFILL_LIMIT?: string;
  LIVE_SIGNALS?: string;
  /** The daily paper check alerts when |paper PnL − replay PnL| of a day exceeds this many bps of the initial equity. */
  PAPER_DIVERGENCE_ALERT_BPS?: string;
  PUBLIC_LAB_URL?: string;
  CODE_VERSION?: string;
}

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** A comma-separated list var, split into trimmed non-empty items (each list pipes them through its item schema). */
const csvItems = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);

const SERIES = '([a-z]+):([A-Z0-9]+/[A-Z0-9]+):(1m|5m|15m|1h|4h|1d)';
const SERIES_RE = new RegExp(`^${SERIES}$`);
const LIVE_RE = new RegExp(`^([a-z0-9-]+)@${SERIES}$`);

const seriesSpec = csvItems.pipe(
  z.array(
    z
      .string()
      .regex(SERIES_RE, 'expected venue:BASE/QUOTE:timeframe')
      .transform((x) => {
        const [, venue, symbol, timeframe] = SERIES_RE.exec(x)!;
        return { venue: venue!, symbol: symbol!, timeframe: timeframe! };
      }),
  ),
);

const liveSpec = csvItems.pipe(
  z.array(
    z
      .string()
      .regex(LIVE_RE, 'expected strategy-id@venue:BASE/QUOTE:timeframe')
      .transform((x) => {
        const [, strategyId, venue, symbol, timeframe] = LIVE_RE.exec(x)!;
        return { strategyId: strategyId!, venue: venue!, symbol: symbol!, timeframe: timeframe! };
      }),
  ),
);

const ConfigSchema = z
  .object({
    APP_ENV: z.enum(['production', 'staging', 'development', 'test']),
    ACCESS_DEV_BYPASS: optionalString,
    DB_WS_PROXY: optionalString,
    DATABASE_URL: z.string({ error: 'DATABASE_URL is required (a Neon connection string in production)' }).url(),
    TELEGRAM_BOT_TOKEN: optionalString,
    TELEGRAM_WEBHOOK_SECRET: optionalString,
    TELEGRAM_CHAT_ID: optionalString.pipe(
      z
        .string()
        .regex(/^-?\d+(\s*,\s*-?\d+)*$/, 'expected numeric chat ids, comma-separated')
        .optional(),
    ),
    TELEGRAM_API_ROOT: z.string().url().default('https://api.telegram.org'),
    TELEGRAM_BOT_USERNAME: optionalString,
    ACCESS_TEAM_DOMAIN: optionalString,
    ACCESS_AUD: optionalString,
    ARCHIVE_BASE_URL: z.string().url().default('https://data.binance.vision'),
    BINANCE_BASE_URL: z.string().url().default('https://api.binance.com'),
    KRAKEN_BASE_URL: z.string().url().default('https://api.kraken.com'),
    COINBASE_BASE_URL: z.string().url().default('https://api.exchange.coinbase.com'),
    OKX_BASE_URL: z.string().url().default('https://www.okx.com'),
    BYBIT_BASE_URL: z.string().url().default('https://api.bybit.com'),
    INGEST_SERIES: seriesSpec.default([]),
    INGEST_BACKFILL_LIMIT: z.coerce.number().int().min(1).max(100_000).default(2000),
    LIVE_SIGNALS: liveSpec.default([]),
    PAPER_DIVERGENCE_ALERT_BPS: z.coerce.number().min(0).max(10_000).default(10),
    PUBLIC_LAB_URL: optionalString,
    CODE_VERSION: optionalString,
  })
  .superRefine((c, ctx) => {
    if (c.APP_ENV === 'production' && c.DB_WS_PROXY) {
      ctx.addIssue({ code: 'custom', path: ['DB_WS_PROXY'], message: 'must be empty in production (local proxy only)' });
    }
    if (c.APP_ENV === 'production' && (!c.ACCESS_TEAM_DOMAIN || !c.ACCESS_AUD)) {
      ctx.addIssue({
        code: 'custom',
        path: ['ACCESS_TEAM_DOMAIN'],
        message: 'ACCESS_TEAM_DOMAIN and ACCESS_AUD are required in production (Cloudflare Access protects /api)',
      });
    }
    if (c.TELEGRAM_BOT_TOKEN && !c.TELEGRAM_WEBHOOK_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['TELEGRAM_WEBHOOK_SECRET'],
        message: 'required when TELEGRAM_BOT_TOKEN is set (the webhook verifies it)',
      });
    }
  });

export type AppConfig = z.output<typeof ConfigSchema> & {
  /** The local-dev Access bypass: on only when APP_ENV is development AND ACCESS_DEV_BYPASS is "true". */
  accessBypass: boolean;
  telegramEnabled: boolean;
};

const cache = new WeakMap<object, AppConfig>();

/** Parse `env` once (cached per env object); throws ConfigError naming every missing or invalid var/secret. */
export function getConfig(env: Env): AppConfig {
  const hit = cache.get(env);
  if (hit) return hit;
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`Invalid Worker configuration — ${problems.join('; ')}`, problems);
  }
  const c = parsed.data;
  const config: AppConfig = {
    ...c,
    accessBypass: c.APP_ENV === 'development' && c.ACCESS_DEV_BYPASS === 'true',
    telegramEnabled: Boolean(c.TELEGRAM_BOT_TOKEN && c.TELEGRAM_CHAT_ID),
  };
  cache.set(env, config);
  return config;
}
