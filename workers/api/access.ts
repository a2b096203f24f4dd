/**
 * Cloudflare Access guard for `/api/*` (health excepted, it is mounted before the guard): verifies the
 * `Cf-Access-Jwt-Assertion` JWT against the team's JWKS (signature, `aud`, `iss`, `exp`). The local-dev bypass is
 * on only when APP_ENV is "development" AND ACCESS_DEV_BYPASS is "true" — a production deploy (APP_ENV
 * "production" in wrangler.toml) cannot turn it on by accident.
 */
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../errors';
import type { AppEnv } from './app';

const jwksCache = new Map<string, JWTVerifyGetKey>();

/** Tests may install a key resolver for a team domain (a local JWKS); production fetches the team's certs. */
export function setJwksForTeam(team: string, keys: JWTVerifyGetKey | undefined): void {
  if (keys) jwksCache.set(team, keys);
  else jwksCache.delete(team);
}

function jwksFor(team: string): JWTVerifyGetKey {
  let k = jwksCache.get(team);
  if (!k) {
    k = createRemoteJWKSet(new URL(`https://${team}/cdn-cgi/access/certs`));
    jwksCache.set(team, k);
  }
  return k;
}

export const accessGuard: MiddlewareHandler<AppEnv> = async (c, next) => {
  const config = c.get('config');
  if (config.accessBypass) {
    c.header('X-Access-Bypass', 'local-dev');
    return next();
  }
  const team = config.ACCESS_TEAM_DOMAIN;
  const aud = config.ACCESS_AUD;
  if (!team || !aud) throw new AppError('unauthorized', 'Cloudflare Access is not configured (ACCESS_TEAM_DOMAIN, ACCESS_AUD)');
  const token = c.req.header('Cf-Access-Jwt-Assertion');
  if (!token) throw new AppError('unauthorized', 'Missing Cf-Access-Jwt-Assertion');
  try {
    const { payload } = await jwtVerify(token, jwksFor(team), { audience: aud, issuer: `https://${team}` });
    c.header('X-Access-Subject', String(payload.email ?? payload.sub ?? ''));
  } catch (err) {
    throw new AppError('unauthorized', `Invalid Access token: ${(err as Error).message}`);
  }
  return next();
};
