/**
 * Cloudflare Access on /api (in workerd): every mounted /api route but /api/health answers 401 without a valid
 * Cf-Access-Jwt-Assertion and gets through with one (200 for reads); wrong audience, wrong issuer, another key,
 * an expired token, a token without `exp` and a non-RS256 algorithm are 401, all with one generic text; the
 * local-dev bypass is on only for APP_ENV=development + ACCESS_DEV_BYPASS=true with no ACCESS_* secret and a
 * local database; a production configuration error answers a generic 500.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { env, exports } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createApp } from './app';
import { getConfig, type Env } from '../env';
import { withDb } from '../db';
import { accessHeaders, installTestAccess } from './test-access';
import { UNAUTHORIZED_MESSAGE, verifyAccessJwt } from './access';
import { buildRunFixture, buildSweepFixture, insertRunFixture, insertSweepFixture, syntheticTrades } from '../../tools/browser/lab-fixtures';
import { createImportJob } from '../../shared/db/queries/imports';

const BASE = 'http://lab.local';
const RUN = 'access-test-run';
const RUN2 = 'access-test-run-2';
const SWEEP = 'access-test-sweep';
const JOB = 'access-test-job';
const STRATEGY = 'nexara-baseline-5m';

/** Concrete URL for a mounted route pattern. */
function concrete(path: string): string {
  const id = path.startsWith('/api/runs') || path.startsWith('/api/export/runs') || path.startsWith('/api/research/stats/runs') ? RUN : path.startsWith('/api/sweeps') || path.startsWith('/api/research/stats/sweeps') ? SWEEP : path.startsWith('/api/research/imports') ? JOB : STRATEGY;
  let url = path.replace(':action', 'mute').replace(/:id(\{[^}]*\})?/, id);
  if (url === '/api/candles') url += '?venue=binance&symbol=BTC/USDT&timeframe=1h';
  if (url === '/api/export/candles') url += '?venue=binance&symbol=BTC/USDT&timeframe=1h&limit=10';
  if (url === '/api/runs/compare') url += `?a=${RUN}&b=${RUN2}`;
  if (url === '/api/compare') url += `?runs=${RUN},${RUN2}`;
  return url;
}

function apiRoutes(): { method: string; path: string }[] {
  const seen = new Set<string>();
  return createApp()
    .routes.filter((r) => r.path.startsWith('/api') && r.method !== 'ALL' && !r.path.includes('*') && !r.path.startsWith('/api/health'))
    .filter((r) => (seen.has(`${r.method} ${r.path}`) ? false : (seen.add(`${r.method} ${r.path}`), true)));
}

const fetchApi = (url: string, init: RequestInit = {}): Promise<Response> => exports.default.fetch(new Request(BASE + url, init));

beforeAll(async () => {
  await installTestAccess();
  const config = getConfig(env as unknown as Env);
  await withDb(config, async (db) => {
    const trades = syntheticTrades(20, Date.UTC(2022, 0, 1), 3_600_000);
    for (const id of [RUN, RUN2]) {
      await insertRunFixture(db, buildRunFixture({ id, strategyId: 'access-test', venue: 'binance', symbol: 'BTC/USDT', timeframe: '1h', windowFrom: Date.UTC(2022, 0, 1), windowTo: Date.UTC(2022, 0, 3), candleCount: 48, trades }));
    }
    await insertSweepFixture(db, buildSweepFixture({ id: SWEEP, strategyId: 'access-test', venue: 'binance', symbol: 'BTC/USDT', timeframe: '1h', candles: [], fast: [5], slow: [10], chunkSize: 1 }));
    await createImportJob(db, { id: JOB, symbol: 'BTCUSDT', interval: '1h', fromPeriod: '2022-01', toPeriod: '2022-01', request: {}, files: [] });
  });
});

describe('Cloudflare Access on /api', () => {
  it('enumerates the mounted routes (the list the checks below run over)', () => {
    const paths = apiRoutes().map((r) => `${r.method} ${r.path}`);
    expect(paths.length).toBeGreaterThanOrEqual(18);
    for (const p of ['GET /api/dashboard', 'GET /api/candles', 'GET /api/runs/:id', 'GET /api/sweeps/:id', 'POST /api/research/imports', 'GET /api/openapi.json']) {
      expect(paths).toContain(p);
    }
  });

  it('answers 401 with the stable error shape without a token, and with a malformed one', async () => {
    for (const r of apiRoutes()) {
      for (const headers of [{}, { 'Cf-Access-Jwt-Assertion': 'not-a-jwt' }] as Record<string, string>[]) {
        const res = await fetchApi(concrete(r.path), { method: r.method, headers, ...(r.method === 'POST' ? { body: '{}' } : {}) });
        const body = (await res.json()) as { error: { code: string; message: string } };
        expect(res.status, `${r.method} ${r.path}`).toBe(401);
        expect(body.error.code).toBe('unauthorized');
        expect(body.error.message).toBe(UNAUTHORIZED_MESSAGE);
      }
    }
  });

  it('lets a valid token through: 200 for every read, 200 for the strategy switches, no 401 for other actions', async () => {
    const headers = await accessHeaders();
    for (const r of apiRoutes()) {
      const url = concrete(r.path);
      if (r.method === 'GET') {
        const res = await fetchApi(url, { headers });
        expect(res.status, `${r.method} ${url}: ${res.status === 200 ? '' : await res.clone().text()}`).toBe(200);
        expect(res.headers.get('X-Access-Subject')).toBe('lab-tester@example.com');
        await res.arrayBuffer();
      } else if (r.path.startsWith('/api/strategies/')) {
        const res = await fetchApi(url, { method: r.method, headers });
        expect(res.status, `${r.method} ${url}`).toBe(200);
        await res.arrayBuffer();
      } else {
        // Research actions: an empty body is refused by validation (past the guard) — nothing gets queued.
        const res = await fetchApi(url, { method: r.method, headers: { ...headers, 'content-type': 'application/json' }, body: '{}' });
        expect([400, 422], `${r.method} ${url} → ${res.status}`).toContain(res.status);
        await res.arrayBuffer();
      }
    }
  });

  it('/api/health stays open without a token', async () => {
    const res = await fetchApi('/api/health');
    expect(res.status).not.toBe(401);
    await res.arrayBuffer();
  });

  it('rejects a wrong audience, a wrong issuer, an expired token, a token without exp and another key — one generic 401 text', async () => {
    const other = await generateKeyPair('RS256');
    const bad = [
      await accessHeaders({ aud: 'some-other-app' }),
      await accessHeaders({ iss: 'https://evil.cloudflareaccess.com' }),
      await accessHeaders({ exp: Math.floor(Date.now() / 1000) - 120 }),
      await accessHeaders({ exp: null }),
      await accessHeaders({ key: other.privateKey }),
      { 'Cf-Access-Jwt-Assertion': 'not-a-jwt' },
      {},
    ];
    const messages = new Set<string>();
    for (const headers of bad) {
      const res = await fetchApi('/api/strategies', { headers });
      const body = (await res.json()) as { error: { code: string; message: string; details?: unknown } };
      expect(res.status).toBe(401);
      expect(body.error.code).toBe('unauthorized');
      expect(body.error.details).toBeUndefined();
      messages.add(body.error.message);
    }
    // No oracle: the reason (expired, audience, signature …) is logged, never echoed.
    expect([...messages]).toEqual([UNAUTHORIZED_MESSAGE]);
  });

  it('accepts only RS256 with a required exp (verifyAccessJwt against a JWKS that also holds PS256 and HS256 keys)', async () => {
    const team = 'alg-test.cloudflareaccess.com';
    const aud = 'alg-aud';
    const rs = await generateKeyPair('RS256', { extractable: true });
    const ps = await generateKeyPair('PS256', { extractable: true });
    const hsSecret = crypto.getRandomValues(new Uint8Array(32));
    const hsJwk = { kty: 'oct', k: btoa(String.fromCharCode(...hsSecret)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''), kid: 'hs', alg: 'HS256' };
    const keys = createLocalJWKSet({
      keys: [
        { ...(await exportJWK(rs.publicKey)), kid: 'rs', alg: 'RS256' },
        { ...(await exportJWK(ps.publicKey)), kid: 'ps', alg: 'PS256' },
        hsJwk,
      ],
    });
    const sign = (alg: string, kid: string, key: CryptoKey | Uint8Array, exp: boolean) => {
      const j = new SignJWT({ email: 'a@example.com' }).setProtectedHeader({ alg, kid }).setIssuer(`https://${team}`).setAudience(aud).setIssuedAt();
      if (exp) j.setExpirationTime('1h');
      return j.sign(key);
    };
    const ok = await verifyAccessJwt(await sign('RS256', 'rs', rs.privateKey, true), keys, { team, aud });
    expect(ok.email).toBe('a@example.com');
    await expect(verifyAccessJwt(await sign('RS256', 'rs', rs.privateKey, false), keys, { team, aud })).rejects.toThrow(/exp/);
    await expect(verifyAccessJwt(await sign('PS256', 'ps', ps.privateKey, true), keys, { team, aud })).rejects.toThrow(/alg/i);
    await expect(verifyAccessJwt(await sign('HS256', 'hs', hsSecret, true), keys, { team, aud })).rejects.toThrow();
  });
});

describe('the local-dev bypass', () => {
  const base = env as unknown as Env;

  // The local-dev shape: no Access secrets, a local database behind a local wsproxy.
  const local = { ...base, ACCESS_TEAM_DOMAIN: undefined, ACCESS_AUD: undefined } as Env;

  it('is on only for APP_ENV=development with ACCESS_DEV_BYPASS=true, no ACCESS_* secret and a local database', () => {
    const cfg = (APP_ENV: string, ACCESS_DEV_BYPASS?: string, over: Partial<Env> = {}) =>
      getConfig({ ...(APP_ENV === 'production' ? base : local), APP_ENV, ACCESS_DEV_BYPASS, DB_WS_PROXY: APP_ENV === 'production' ? '' : base.DB_WS_PROXY, ...over });
    expect(cfg('development', 'true').accessBypass).toBe(true);
    expect(cfg('development', 'false').accessBypass).toBe(false);
    expect(cfg('development', undefined).accessBypass).toBe(false);
    expect(cfg('production', 'true').accessBypass).toBe(false);
    expect(cfg('staging', 'true').accessBypass).toBe(false);
    expect(cfg('test', 'true').accessBypass).toBe(false);
    // Refused when a deployed Access configuration is present, or when the database is elsewhere.
    const withTeam = cfg('development', 'true', { ACCESS_TEAM_DOMAIN: 'team.cloudflareaccess.com' });
    expect(withTeam.accessBypass).toBe(false);
    expect(withTeam.accessBypassRefused).toMatch(/ACCESS_TEAM_DOMAIN/);
    expect(cfg('development', 'true', { ACCESS_AUD: 'aud' }).accessBypass).toBe(false);
    const neon = cfg('development', 'true', { DATABASE_URL: 'postgres://u:p@ep-cool-1234.eu-central-1.aws.neon.tech/db', DB_WS_PROXY: '' });
    expect(neon.accessBypass).toBe(false);
    expect(neon.accessBypassRefused).toBe('the database is not local');
    expect(cfg('development', 'true', { DB_WS_PROXY: 'proxy.example.com:443/v1' }).accessBypass).toBe(false);
    expect(cfg('development', 'true', { DATABASE_URL: 'postgres://u:p@localhost:5432/db' }).accessBypass).toBe(true);
    // The local Access mode's team (http JWKS on 127.0.0.1) is for development only.
    expect(() => cfg('production', undefined, { ACCESS_TEAM_DOMAIN: '127.0.0.1:8793' })).toThrow(/local Access team/);
    expect(cfg('development', 'false', { ACCESS_TEAM_DOMAIN: '127.0.0.1:8793', ACCESS_AUD: 'nexara-local-dev' }).accessBypass).toBe(false);
  });

  async function call(e: Env, path: string, headers: Record<string, string> = {}): Promise<Response> {
    const ctx = createExecutionContext();
    const res = await createApp().fetch(new Request(BASE + path, { headers }), e, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  }

  it('APP_ENV=production with ACCESS_DEV_BYPASS=true still requires a token', async () => {
    const prod = { ...base, APP_ENV: 'production', ACCESS_DEV_BYPASS: 'true', DB_WS_PROXY: '' } as Env;
    for (const path of ['/api/openapi.json', '/api/heartbeats']) {
      const res = await call(prod, path);
      expect(res.status, path).toBe(401);
      expect(res.headers.get('X-Access-Bypass')).toBeNull();
      const ok = await call(prod, path, await accessHeaders());
      expect(ok.status, path).toBe(200);
      await ok.arrayBuffer();
    }
  });

  it('APP_ENV=development with ACCESS_DEV_BYPASS=true lets a request through without a token (marked)', async () => {
    const dev = { ...local, APP_ENV: 'development', ACCESS_DEV_BYPASS: 'true' } as Env;
    const res = await call(dev, '/api/strategies');
    expect(res.status).toBe(200);
    expect(res.headers.get('X-Access-Bypass')).toBe('local-dev');
    await res.arrayBuffer();
    const off = await call({ ...local, APP_ENV: 'development', ACCESS_DEV_BYPASS: 'false' } as Env, '/api/strategies');
    expect(off.status).toBe(401);
    await off.arrayBuffer();
  });

  it('the two plain vars do not open /api when ACCESS_* secrets are set (a deploy): a token is still required', async () => {
    const deployed = { ...base, APP_ENV: 'development', ACCESS_DEV_BYPASS: 'true' } as Env;
    const res = await call(deployed, '/api/strategies');
    expect(res.status).toBe(401);
    expect(res.headers.get('X-Access-Bypass')).toBeNull();
    await res.arrayBuffer();
    const ok = await call(deployed, '/api/strategies', await accessHeaders());
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();
  });
});

describe('configuration errors', () => {
  const base = env as unknown as Env;
  async function call(e: Env, path: string): Promise<Response> {
    const ctx = createExecutionContext();
    const res = await createApp().fetch(new Request(BASE + path), e, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  }

  it('a production config error answers a generic 500 (logged in full); a local one names the problem', async () => {
    const broken = { ...base, APP_ENV: 'production', DB_WS_PROXY: '', ACCESS_AUD: undefined, TELEGRAM_WEBHOOK_SECRET: undefined } as Env;
    for (const path of ['/api/health', '/api/strategies', '/telegram/webhook']) {
      const res = await call(broken, path);
      const text = await res.text();
      expect(res.status, path).toBe(500);
      expect(JSON.parse(text)).toEqual({ error: { code: 'internal', message: 'Internal error' } });
      expect(text).not.toMatch(/ACCESS|TELEGRAM|DATABASE/);
    }
    const localBroken = { ...base, APP_ENV: 'test', TELEGRAM_WEBHOOK_SECRET: undefined } as Env;
    const res = await call(localBroken, '/api/health');
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(res.status).toBe(500);
    expect(body.error.code).toBe('config');
    expect(body.error.message).toMatch(/TELEGRAM_WEBHOOK_SECRET/);
  });
});
