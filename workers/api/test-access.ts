/**
 * Test-only Cloudflare Access: an RS256 key pair generated in the test, its public JWKS installed for the
 * configured team (`setJwksForTeam`), and signed `Cf-Access-Jwt-Assertion` tokens with the right (or a
 * deliberately wrong) `aud`, `iss` and expiry. Workerd tests that call `/api/*` use `accessHeaders()`.
 */
import { env } from 'cloudflare:workers';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { setJwksForTeam } from './access';

export interface TokenOptions {
  aud?: string;
  iss?: string;
  /** Expiry, seconds since the epoch (default: in one hour); `null` signs a token without `exp`. */
  exp?: number | null;
  email?: string;
  /** Sign with another key than the installed one. */
  key?: CryptoKey;
  kid?: string;
}

interface Installed {
  team: string;
  aud: string;
  privateKey: CryptoKey;
}

let installed: Promise<Installed> | null = null;

/** Install (once per isolate) a local JWKS for the test team. */
export function installTestAccess(): Promise<Installed> {
  installed ??= (async () => {
    const team = (env as { ACCESS_TEAM_DOMAIN?: string }).ACCESS_TEAM_DOMAIN;
    const aud = (env as { ACCESS_AUD?: string }).ACCESS_AUD;
    if (!team || !aud) throw new Error('ACCESS_TEAM_DOMAIN / ACCESS_AUD bindings are missing in vitest.config.ts');
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
    setJwksForTeam(team, createLocalJWKSet({ keys: [jwk] }));
    return { team, aud, privateKey };
  })();
  return installed;
}

export async function accessToken(opts: TokenOptions = {}): Promise<string> {
  const { team, aud, privateKey } = await installTestAccess();
  const jwt = new SignJWT({ email: opts.email ?? 'lab-tester@example.com' })
    .setProtectedHeader({ alg: 'RS256', kid: opts.kid ?? 'test-key' })
    .setIssuer(opts.iss ?? `https://${team}`)
    .setAudience(opts.aud ?? aud)
    .setSubject('lab-tester')
    .setIssuedAt();
  if (opts.exp !== null) jwt.setExpirationTime(opts.exp ?? Math.floor(Date.now() / 1000) + 3600);
  return jwt.sign(opts.key ?? privateKey);
}

export async function accessHeaders(opts: TokenOptions = {}): Promise<Record<string, string>> {
  return { 'Cf-Access-Jwt-Assertion': await accessToken(opts) };
}
