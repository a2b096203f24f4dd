/**
 * Local Cloudflare Access for `npm run dev -- --access`: the real guard runs (no bypass) against a JWKS that the dev
 * runner serves on 127.0.0.1, with tokens signed by a local RS256 key. The key lives in `.data/access.json`
 * (git-ignored) so tokens minted by `npx tsx tools/dev/access-token.ts` keep working across restarts.
 *
 * The Worker sees `ACCESS_TEAM_DOMAIN=127.0.0.1:<port>`: `workers/api/access.ts` fetches
 * `http://127.0.0.1:<port>/cdn-cgi/access/certs` and expects `iss = http://127.0.0.1:<port>` — the same checks
 * (RS256, aud, iss, required exp) as against a real team.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';

export const LOCAL_AUD = 'nexara-local-dev';
export const CERTS_PATH = '/cdn-cgi/access/certs';

export interface LocalAccess {
  /** `127.0.0.1:<port>`: the ACCESS_TEAM_DOMAIN the Worker gets. */
  team: string;
  aud: string;
  kid: string;
  publicJwk: JWK;
  privateJwk: JWK;
}

/** The persisted key (created on first use). `team` is rewritten to the port of this run. */
export async function loadOrCreateAccess(dataDir: string, port: number): Promise<LocalAccess> {
  const file = join(dataDir, 'access.json');
  let stored: Omit<LocalAccess, 'team'> | null = null;
  if (existsSync(file)) stored = JSON.parse(readFileSync(file, 'utf8')) as Omit<LocalAccess, 'team'>;
  if (!stored) {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = `local-${Date.now().toString(36)}`;
    stored = {
      aud: LOCAL_AUD,
      kid,
      publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' },
      privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256' },
    };
  }
  const access: LocalAccess = { ...stored, team: `127.0.0.1:${port}` };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(access, null, 2) + '\n', { mode: 0o600 });
  return access;
}

/** Read what the dev runner wrote (for the token command). */
export function readAccess(dataDir: string): LocalAccess {
  const file = join(dataDir, 'access.json');
  if (!existsSync(file)) throw new Error(`${file} not found: start the stack with \`npm run dev -- --access\` first`);
  return JSON.parse(readFileSync(file, 'utf8')) as LocalAccess;
}

/** Serve the JWKS the way Access does (`/cdn-cgi/access/certs`). */
export async function startLocalJwks(access: LocalAccess, port: number): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url?.split('?')[0] === CERTS_PATH) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [access.publicJwk] }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A `Cf-Access-Jwt-Assertion` token for the local team: RS256, iss/aud of the local team, exp in `ttlSeconds`. */
export async function mintAccessToken(access: LocalAccess, opts: { email?: string; ttlSeconds?: number } = {}): Promise<string> {
  const key = await importJWK(access.privateJwk, 'RS256');
  return new SignJWT({ email: opts.email ?? 'dev@localhost' })
    .setProtectedHeader({ alg: 'RS256', kid: access.kid })
    .setIssuer(`http://${access.team}`)
    .setAudience(access.aud)
    .setSubject(opts.email ?? 'dev@localhost')
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (opts.ttlSeconds ?? 12 * 3600))
    .sign(key);
}

/** The Lab URL that hands `token` to the Strategy Lab (site/src/lib/access.ts reads `#access_token=` and stores it). */
export function labAccessUrl(base: string, token: string): string {
  return `${base.replace(/\/+$/, '')}/#access_token=${encodeURIComponent(token)}`;
}
