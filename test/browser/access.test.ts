/**
 * The Strategy Lab in the local Access mode (`npm run dev -- --access`), in real headless Chromium against
 * `wrangler dev` with the real Access guard on (no bypass) and a local JWKS (tools/dev/local-access.ts): without a
 * token the Strategies page's `/api` call is a 401 and the Lab asks for a token; opened through the link the dev
 * runner prints (`#access_token=…`) the page loads, the token leaves the address bar and stays in the browser for
 * the next visit; a pasted token works too. Screenshots: artifacts/screenshots/access-*.png.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_SKIP_REASON, HAS_CHROMIUM, IN_CI, launchChromium } from '../../tools/browser/chromium';
import { freePort, ROOT, startLabStack, type LabStack } from '../../tools/browser/stack';
import { labAccessUrl, loadOrCreateAccess, mintAccessToken, startLocalJwks, type LocalAccess } from '../../tools/dev/local-access';

const skipReason = !HAS_CHROMIUM && !IN_CI ? CHROMIUM_SKIP_REASON : null;
const SHOTS = join(ROOT, 'artifacts', 'screenshots');

let stack: LabStack;
let browser: Browser;
let access: LocalAccess;
let closeJwks: () => Promise<void> = async () => {};
const dir = mkdtempSync(join(tmpdir(), 'nx-access-lab-'));

/** Statuses of the page's /api responses. */
function apiStatuses(page: Page): number[] {
  const out: number[] = [];
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/')) out.push(r.status());
  });
  return out;
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

(skipReason ? describe.skip : describe)(`Strategy Lab in the local Access mode${skipReason ? ` [skipped: ${skipReason}]` : ''}`, () => {
  beforeAll(async () => {
    const jwksPort = await freePort();
    access = await loadOrCreateAccess(dir, jwksPort);
    closeJwks = (await startLocalJwks(access, jwksPort)).close;
    stack = await startLabStack({ vars: { ACCESS_DEV_BYPASS: 'false', ACCESS_TEAM_DOMAIN: access.team, ACCESS_AUD: access.aud } });
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await closeJwks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('without a token: 401 and a prompt; with the printed link: the page loads and the token is kept', async () => {
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    try {
      const page = await context.newPage();
      const statuses = apiStatuses(page);
      await page.goto(`${stack.url}/strategies/`, { waitUntil: 'load' });
      await page.waitForSelector('#access-prompt', { timeout: 30_000 });
      expect(statuses).toContain(401);
      expect(await page.locator('#strategy-status').textContent()).toMatch(/Could not load strategies: Cloudflare Access authentication required/);
      expect(await page.locator('#strategies-table').count()).toBe(0);
      await shot(page, 'access-prompt');

      // The dev runner's link, opened on the page already showing (a fragment change): the token is taken, the page
      // reloads with it, the fragment is gone.
      const token = await mintAccessToken(access, { email: 'lab@localhost', ttlSeconds: 600 });
      statuses.length = 0;
      await Promise.all([page.waitForEvent('load'), page.goto(labAccessUrl(stack.url, token).replace(/\/#/, '/strategies/#'))]);
      await page.waitForSelector('#strategies-table tbody tr', { timeout: 30_000 });
      expect(statuses.length).toBeGreaterThan(0);
      expect(statuses.filter((s) => s >= 400)).toEqual([]);
      expect(new URL(page.url()).hash).toBe('');
      expect(await page.locator('#access-prompt').count()).toBe(0);
      await shot(page, 'access-strategies');

      // Next visit in a new tab, no link: the stored token is sent again. The dev runner's own link (the Dashboard)
      // works in a fresh tab too.
      const next = await context.newPage();
      const nextStatuses = apiStatuses(next);
      await next.goto(`${stack.url}/strategies/`, { waitUntil: 'load' });
      await next.waitForSelector('#strategies-table tbody tr', { timeout: 30_000 });
      expect(nextStatuses.filter((s) => s >= 400)).toEqual([]);
      const fresh = await browser.newContext();
      try {
        const dash = await fresh.newPage();
        const dashStatuses = apiStatuses(dash);
        await dash.goto(labAccessUrl(stack.url, await mintAccessToken(access, { ttlSeconds: 600 })), { waitUntil: 'networkidle' });
        expect(new URL(dash.url()).hash).toBe('');
        expect(dashStatuses.length).toBeGreaterThan(0);
        expect(dashStatuses.filter((s) => s >= 400)).toEqual([]);
        expect(await dash.locator('#access-prompt').count()).toBe(0);
      } finally {
        await fresh.close();
      }
    } finally {
      await context.close();
    }
  });

  it('a pasted token is stored and used; an expired one is refused at the prompt', async () => {
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    try {
      const page = await context.newPage();
      await page.goto(`${stack.url}/strategies/`, { waitUntil: 'load' });
      await page.waitForSelector('#access-prompt');
      await page.fill('#access-prompt input', await mintAccessToken(access, { ttlSeconds: -60 }));
      await page.click('#access-prompt button');
      await page.waitForSelector('#access-prompt .status:text("not a token with a future expiry")');
      await page.fill('#access-prompt input', await mintAccessToken(access, { ttlSeconds: 600 }));
      await Promise.all([page.waitForEvent('load'), page.click('#access-prompt button')]);
      await page.waitForSelector('#strategies-table tbody tr', { timeout: 30_000 });
      expect(await page.locator('#access-prompt').count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
