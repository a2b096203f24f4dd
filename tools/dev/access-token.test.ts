/**
 * `npm run research -- access-token`: with the dev runner's key it prints a token the Worker's own verification
 * accepts (and, by default, the Lab link carrying it); without the key, or with a bad --hours, it says why on
 * stderr and exits 1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createLocalJWKSet } from 'jose';
import { verifyAccessJwt } from '../../workers/api/access-jwt';
import { accessTokenCommand } from './access-token';
import { labAccessUrl, loadOrCreateAccess } from './local-access';

const dir = mkdtempSync(join(tmpdir(), 'nx-access-token-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

function capture(stream: 'log' | 'error'): string[] {
  const out: string[] = [];
  vi.spyOn(console, stream).mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  return out;
}

describe('access-token command', () => {
  it('mints a token the guard accepts; the default output carries the Lab link', async () => {
    const access = await loadOrCreateAccess(dir, 41_234);
    const raw = capture('log');
    expect(await accessTokenCommand(['--raw', '--email', 'me@example.com', '--hours', '1'], dir)).toBe(0);
    expect(raw).toHaveLength(1);
    const token = raw[0]!;
    const payload = await verifyAccessJwt(token, createLocalJWKSet({ keys: [access.publicJwk] }), { team: access.team, aud: access.aud });
    expect(payload.email).toBe('me@example.com');
    expect(payload.exp! - payload.iat!).toBe(3600);

    vi.restoreAllMocks();
    const full = capture('log');
    expect(await accessTokenCommand(['--port', '9999'], dir)).toBe(0);
    const text = full.join('\n');
    expect(text).toMatch(/Lab: {2}http:\/\/127\.0\.0\.1:9999\/#access_token=[\w.-]+/);
    expect(text).toContain('npm run -s research -- access-token --raw');
    expect(labAccessUrl('http://127.0.0.1:8787/', 'a.b.c')).toBe('http://127.0.0.1:8787/#access_token=a.b.c');
  });

  it('without the dev runner key, or with a bad --hours: the reason on stderr, exit 1', async () => {
    const err = capture('error');
    expect(await accessTokenCommand([], join(dir, 'nowhere'))).toBe(1);
    expect(err.join('\n')).toMatch(/access\.json not found: start the stack with `npm run dev -- --access` first/);
    expect(await accessTokenCommand(['--hours', '0'], dir)).toBe(1);
    expect(err.join('\n')).toMatch(/--hours must be/);
  });
});
