/**
 * Debian's Chromium driven by playwright-core (no bundled browser download): the flags measured to work on these
 * machines (../shared/notes/platform-facts.md) and the skip rule — absent and not CI → skip with the reason;
 * absent under CI=true → fail (CI must install the `chromium` package).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM_PATH);
export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
export const CHROMIUM_SKIP_REASON = `${CHROMIUM_PATH} not found (apt-get install -y chromium); browser tests skip outside CI`;

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A fresh profile per launch: playwright creates (and removes) its own temporary user-data dir. */
export async function launchChromium(): Promise<Browser> {
  if (!HAS_CHROMIUM) throw new Error(`${CHROMIUM_PATH} is missing${IN_CI ? ' under CI: install the Debian chromium package' : ''}`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_FLAGS });
}

/**
 * A 1360 px-wide page at `url` that records console errors, page errors and failed or ≥ 400 responses into
 * `errors` (the browser tests assert it stays empty), loaded.
 */
export async function openWatchedPage(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`HTTP ${r.status()} ${r.url()}`);
  });
  page.on('requestfailed', (r) => errors.push(`failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  await page.goto(url, { waitUntil: 'load' });
  return { page, errors };
}
