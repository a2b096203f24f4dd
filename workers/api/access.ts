/**
 * Cloudflare Access guard for `/api/*` (health excepted, it is mounted before the guard): verifies the
 * `Cf-Access-Jwt-Assertion` JWT against the team's JWKS — RS256 only (the algorithm Access signs with), `aud`,
 * `iss` and a REQUIRED `exp` (a signed token without an expiry is refused). Every refusal answers the same generic
 * 401 text; the reason is logged, never echoed (no oracle for someone probing tokens).
 *
 * The local-dev bypass (`config.accessBypass`) is on only when APP_ENV is "development", ACCESS_DEV_BYPASS is
 * "true", no ACCESS_* secret is set and the database is local (workers/env.ts decides); otherwise the guard runs.
 */
import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { verifyAccessJwt } from './access-jwt';

export { accessIssuer, verifyAccessJwt } from './access-jwt';
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../errors';
import type { AppEnv } from './app';
import { log } from '../observability/logger';

/** The one message every refused request gets (401). */
export const UNAUTHORIZED_MESSAGE = 'Cloudflare Access authentication required';

const jwksCache = new Map<string, JWTVerifyGetKey>();

/** Tests and the local Access mode may install a key resolver for a team domain; production fetches the team's certs. */
export function setJwksForTeam(team: string, keys: JWTVerifyGetKey | undefined): void {
  if (keys) jwksCache.set(team, keys);
  else jwksCache.delete(team);
}

function jwksFor(team: string): JWTVerifyGetKey {
  let k = jwksCache.get(team);
  if (!k) {
    // A local team (the dev runner's JWKS, `npm run dev -- --access`) is served over plain http.
    const local = /^(127\.0\.0\.1|localhost)(:\d+)?$/.test(team);
    k = createRemoteJWKSet(new URL(`${local ? 'http' : 'https'}://${team}/cdn-cgi/access/certs`));
    jwksCache.set(team, k);
  }
  return k;
}

function refuse(c: Parameters<MiddlewareHandler<AppEnv>>[0], reason: string): never {
  log.warn('access refused', { at: 'access', path: c.req.path, refused: reason });
  throw new AppError('unauthorized', UNAUTHORIZED_MESSAGE);
}

export const accessGuard: MiddlewareHandler<AppEnv> = async (c, next) => {
  const config = c.get('config');
  if (config.accessBypass) {
    c.header('X-Access-Bypass', 'local-dev');
    return next();
  }
  const team = config.ACCESS_TEAM_DOMAIN;
  const aud = config.ACCESS_AUD;
  if (!team || !aud) {
    refuse(c, `Cloudflare Access is not configured (ACCESS_TEAM_DOMAIN, ACCESS_AUD)${config.accessBypassRefused ? `; dev bypass refused: ${config.accessBypassRefused}` : ''}`);
  }
  const token = c.req.header('Cf-Access-Jwt-Assertion');
  if (!token) refuse(c, 'missing Cf-Access-Jwt-Assertion');
  let payload: JWTPayload;
  try {
    payload = await verifyAccessJwt(token, jwksFor(team), { team, aud });
  } catch (err) {
    refuse(c, `invalid token: ${(err as Error).message}`);
  }
  c.header('X-Access-Subject', String(payload.email ?? payload.sub ?? ''));
  return next();
};
