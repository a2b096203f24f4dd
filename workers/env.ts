/**
 * The Worker's environment: bindings and vars/secrets declared once (`Env`), parsed once per isolate with zod
 * into a typed `AppConfig`. A missing or malformed var/secret fails fast with a message naming every problem.
 */
import { z } from 'zod';
import { ConfigError } from './errors';
import type { JobMessage } from './jobs/messages';
import type { HeartbeatMonitor } from './heartbeat/monitor';
import type { TelegramPacer } from './heartbeat/pacer';

export interface Env {
  // Bindings
  JOBS: Queue<JobMessage>;
  HEARTBEATS: DurableObjectNamespace<HeartbeatMonitor>;
  /** Telegram send pacing (per chat and per bot), shared by every isolate delivering alerts. */
  TELEGRAM_PACER: DurableObjectNamespace<TelegramPacer>;
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
  /**
   * Telegram user ids (comma-separated) allowed to run commands that change state (/mute, /unmute). Unset: no
   * one can — an allow-listed chat is not enough (anyone in a group could otherwise mute a strategy).
   */
  TELEGRAM_ADMIN_IDS?: string;
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
  /** Per-request timeout of the cron's candle fetches, ms (default 10000). */
  VENUE_TIMEOUT_MS?: string;
  /** Quote notionals the cron's book snapshots walk the book for, comma-separated (default 1000,10000,100000). */
  BOOK_SNAPSHOT_NOTIONALS?: string;
  LIVE_SIGNALS?: string;
  /** The daily paper check alerts when |paper PnL − replay PnL| of a day exceeds this many bps of the initial equity. */
  PAPER_DIVERGENCE_ALERT_BPS?: string;
  /** One notification per paper account and peak when its equity is this many percent below the peak. */
  PAPER_DRAWDOWN_ALERT_PCT?: string;
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
    TELEGRAM_ADMIN_IDS: optionalString.pipe(
      z
        .string()
        .regex(/^\d+(\s*,\s*\d+)*$/, 'expected numeric Telegram user ids, comma-separated')
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
    VENUE_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
    BOOK_SNAPSHOT_NOTIONALS: csvItems
      .pipe(
        z
          .array(
            z
              .string()
              .regex(/^\d+(\.\d+)?$/, 'each notional must be a positive quote amount')
              .transform(Number)
              .refine((n) => n > 0, 'each notional must be a positive quote amount'),
          )
          .min(1)
          .max(8),
      )
      .default([1_000, 10_000, 100_000]),
    LIVE_SIGNALS: liveSpec.default([]),
    PAPER_DIVERGENCE_ALERT_BPS: z.coerce.number().min(0).max(10_000).default(10),
    PAPER_DRAWDOWN_ALERT_PCT: z.coerce.number().gt(0).max(100).default(10),
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
    if ((c.APP_ENV === 'production' || c.APP_ENV === 'staging') && c.ACCESS_TEAM_DOMAIN && /^(127\.0\.0\.1|localhost)(:\d+)?$/.test(c.ACCESS_TEAM_DOMAIN)) {
      ctx.addIssue({ code: 'custom', path: ['ACCESS_TEAM_DOMAIN'], message: 'a local Access team (the dev runner\'s JWKS) is refused outside development/test' });
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
  /**
   * The local-dev Access bypass: on only when APP_ENV is development AND ACCESS_DEV_BYPASS is "true" AND no
   * ACCESS_* secret is set AND the database (and its wsproxy) is on this machine.
   */
  accessBypass: boolean;
  /** Why a requested bypass was refused (null when none was requested or it is on). */
  accessBypassRefused: string | null;
  telegramEnabled: boolean;
};

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Host of a URL or of a `host:port/path` endpoint, lower-cased; null when it does not parse. */
function hostOf(s: string): string | null {
  try {
    return new URL(s.includes('://') ? s : `ws://${s}`).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/** True when the database (and the wsproxy in front of it, if any) is on this machine. */
export function databaseIsLocal(c: { DATABASE_URL: string; DB_WS_PROXY?: string }): boolean {
  const db = hostOf(c.DATABASE_URL);
  if (db === null || !LOCAL_HOSTS.has(db)) return false;
  if (c.DB_WS_PROXY) {
    const proxy = hostOf(c.DB_WS_PROXY);
    if (proxy === null || !LOCAL_HOSTS.has(proxy)) return false;
  }
  return true;
}

/** Why the dev bypass must stay off for this configuration, or null when it may turn on. */
function bypassRefusal(c: z.output<typeof ConfigSchema>): string | null {
  if (c.APP_ENV !== 'development') return `APP_ENV is ${c.APP_ENV}, not development`;
  if (c.ACCESS_TEAM_DOMAIN || c.ACCESS_AUD) return 'ACCESS_TEAM_DOMAIN / ACCESS_AUD are set (a deployed Access configuration)';
  if (!databaseIsLocal(c)) return 'the database is not local';
  return null;
}

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
  const accessBypassRefused = c.ACCESS_DEV_BYPASS === 'true' ? bypassRefusal(c) : null;
  const config: AppConfig = {
    ...c,
    accessBypass: c.ACCESS_DEV_BYPASS === 'true' && accessBypassRefused === null,
    accessBypassRefused,
    telegramEnabled: Boolean(c.TELEGRAM_BOT_TOKEN && c.TELEGRAM_CHAT_ID),
  };
  cache.set(env, config);
  return config;
}
