/**
 * The local Access mode's pieces, in Node: the persisted key survives a restart, the served JWKS is what Access
 * serves (`/cdn-cgi/access/certs`), and a minted token passes the Worker's own verification
 * (`verifyAccessJwt`: RS256, aud, iss, required exp) against that JWKS — while a token from another key does not.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRemoteJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { verifyAccessJwt } from '../../workers/api/access-jwt';
import { LOCAL_AUD, loadOrCreateAccess, mintAccessToken, readAccess, startLocalJwks } from './local-access';

const dir = mkdtempSync(join(tmpdir(), 'nx-access-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('local Access (npm run dev -- --access)', () => {
  it('keeps its key across restarts, serves the JWKS, and mints tokens the guard accepts', async () => {
    const port = 40_000 + (process.pid % 20_000);
    const a = await loadOrCreateAccess(dir, port);
    const b = await loadOrCreateAccess(dir, port);
    expect(b.kid).toBe(a.kid);
    expect(b.publicJwk).toEqual(a.publicJwk);
    expect(readAccess(dir).team).toBe(`127.0.0.1:${port}`);
    expect(a.aud).toBe(LOCAL_AUD);
    expect(a.publicJwk.d).toBeUndefined();

    const jwks = await startLocalJwks(a, port);
    try {
      const served = (await (await fetch(`${jwks.url}/cdn-cgi/access/certs`)).json()) as { keys: { kid: string }[] };
      expect(served.keys.map((k) => k.kid)).toEqual([a.kid]);
      const keys = createRemoteJWKSet(new URL(`${jwks.url}/cdn-cgi/access/certs`));
      const payload = await verifyAccessJwt(await mintAccessToken(a, { email: 'me@example.com' }), keys, { team: a.team, aud: a.aud });
      expect(payload.email).toBe('me@example.com');
      // Another key with the same kid, and an expired token: refused.
      const other = await generateKeyPair('RS256', { extractable: true });
      const forged = await new SignJWT({ email: 'x' }).setProtectedHeader({ alg: 'RS256', kid: a.kid }).setIssuer(`http://${a.team}`).setAudience(a.aud).setExpirationTime('1h').sign(other.privateKey);
      await expect(verifyAccessJwt(forged, keys, { team: a.team, aud: a.aud })).rejects.toThrow();
      await expect(verifyAccessJwt(await mintAccessToken(a, { ttlSeconds: -60 }), keys, { team: a.team, aud: a.aud })).rejects.toThrow(/exp/);
      expect((await exportJWK(other.publicKey)).n).not.toBe(a.publicJwk.n);
    } finally {
      await jwks.close();
    }
  });
});
