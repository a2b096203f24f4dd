/**
 * The Access JWT check itself, with no Worker or Hono dependency (the guard in `access.ts` and the local Access
 * mode's Node test both use it): RS256 only, `aud`, `iss` and a required `exp`.
 */
import { jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';

/** The issuer Access puts in its tokens for a team domain. */
export function accessIssuer(team: string): string {
  return /^(127\.0\.0\.1|localhost)(:\d+)?$/.test(team) ? `http://${team}` : `https://${team}`;
}

/**
 * Verify an Access JWT: RS256 only, `aud`, `iss`, `exp` required (and checked). Throws jose's error on any
 * failure; callers turn that into the generic 401.
 */
export async function verifyAccessJwt(token: string, keys: JWTVerifyGetKey, opts: { team: string; aud: string }): Promise<JWTPayload> {
  const { payload } = await jwtVerify(token, keys, {
    algorithms: ['RS256'],
    audience: opts.aud,
    issuer: accessIssuer(opts.team),
    requiredClaims: ['exp'],
  });
  return payload;
}
