/**
 * Issue 11 items 3 and 5 in real headless Chromium against the local stack (wrangler dev + embedded PGlite, or
 * DATABASE_URL) seeded with real Binance BTC/USDT and ETH/USDT 4h candles from ../shared/data:
 * - the Start page's backtest form in portfolio mode queues a BTC/USDT + ETH/USDT 4h portfolio with max 3
 *   positions, the queue consumer computes it, and its run page shows the universe, the per-symbol contribution
 *   table and chart, each series' provenance and a per-symbol candle chart (screenshot `portfolio-run`);
 * - the Dashboard lists the kernel events the alerts carry (entry / exit with its kind and fill price), seeded as
 *   the cron's alert stage stores them (screenshot `dashboard-kernel-events`).
 * Every page: no console error, no failed request, no horizontal scrolling at 1360 px.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { inArray } from 'drizzle-orm';
import { CHROMIUM_SKIP_REASON, HAS_CHROMIUM, IN_CI, launchChromium, openWatchedPage } from '../../tools/browser/chromium';
import { ROOT, startLabStack, type LabStack } from '../../tools/browser/stack';
import { SHARED_DATA_DIR, seedLab } from '../../tools/browser/seed';
import { alerts } from '../../shared/db/schema';
import type { KernelEventRecord } from '../../shared/db/queries/kernel-events';

const HAS_DATA = existsSync(join(SHARED_DATA_DIR, 'PROVENANCE.md'));
const skipReason = !HAS_DATA ? `real market data not found at ${SHARED_DATA_DIR}` : !HAS_CHROMIUM && !IN_CI ? CHROMIUM_SKIP_REASON : null;
const SHOTS = join(ROOT, 'artifacts', 'screenshots');

let stack: LabStack;
let browser: Browser;

/** A page that records console errors, page errors and failed or >= 400 responses. */
async function open(path: string): Promise<{ page: Page; errors: string[] }> {
  return openWatchedPage(browser, stack.url + path);
}

async function shot(page: Page, name: string): Promise<void> {
  await page.waitForLoadState('networkidle');
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

describe.skipIf(skipReason !== null)(`portfolio runs and kernel events in Chromium${skipReason ? ` [skipped: ${skipReason}]` : ''}`, () => {
  beforeAll(async () => {
    if (!HAS_CHROMIUM) throw new Error(`CI=true but ${CHROMIUM_SKIP_REASON.split(' not found')[0]} is missing: CI must apt-get install -y chromium`);
    stack = await startLabStack();
    await stack.withDb(seedLab);
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  }, 60_000);

  it('the Start form runs a BTC/USDT + ETH/USDT 4h portfolio (max 3 positions) and its run page shows per-symbol contribution', async () => {
    const { page, errors } = await open('/lab/start/?strategy=platform4h-macd-rsi');
    await page.waitForSelector('#backtest-form select[name="strategy"] option', { state: 'attached' });
    await page.selectOption('#backtest-form select[name="universe"]', 'portfolio');
    expect(await page.locator('#backtest-form input[name="symbol"]').isDisabled()).toBe(true);
    await page.selectOption('#backtest-form select[name="timeframe"]', '4h');
    await page.fill('#backtest-form input[name="symbols"]', 'BTC/USDT,ETH/USDT');
    await page.fill('#backtest-form input[name="maxPositions"]', '3');
    await page.fill('#backtest-form input[name="from"]', '2022-01-20');
    await page.fill('#backtest-form input[name="to"]', '2022-04-16');
    await shot(page, 'start-portfolio');
    await page.click('#backtest-form button[type="submit"]');
    try {
      await page.waitForSelector('#backtest [data-state="done"], #backtest [data-state="failed"], #backtest [data-state="error"]', { timeout: 150_000 });
    } catch (err) {
      await page.screenshot({ path: join(SHOTS, 'start-portfolio-timeout.png'), fullPage: true });
      throw new Error(`portfolio run did not finish: "${await page.locator('#backtest [data-progress]').textContent()}"\nwrangler: ${stack.log().slice(-3000)}`, { cause: err });
    }
    const state = await page.locator('#backtest [data-state]').last().getAttribute('data-state');
    expect(state, (await page.locator('#backtest [data-progress]').textContent()) ?? '').toBe('done');
    await page.click('#backtest a[href^="/runs/"]');
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    for (const s of ['#portfolio:not([hidden])', '#contribution-table', '#contribution-chart rect', '#portfolio-series-table', '#venue-table', '#equity-chart canvas', '#candle-chart canvas']) {
      await page.waitForSelector(s, { timeout: 30_000 });
    }
    expect(await page.locator('#portfolio-summary').textContent()).toContain('BTC/USDT, ETH/USDT 4h · the same strategy on every symbol · max 3 positions · equal weight');
    const rows = await page.locator('#contribution-table tbody tr td:first-child').allTextContents();
    expect(rows).toEqual(['BTC/USDT', 'ETH/USDT', 'portfolio']);
    expect(await page.locator('#contribution-chart rect').count()).toBe(4);
    expect(await page.locator('#portfolio-series-table tbody tr').count()).toBe(2);
    expect(await page.locator('#provenance').textContent()).toContain('shared-capital');
    // Each trade names its symbol.
    await page.waitForSelector('#trades-table');
    expect(await page.locator('#trades-table thead th').nth(1).textContent()).toBe('Symbol');
    expect(new Set(await page.locator('#trades-table tbody tr td:nth-child(2)').allTextContents())).toEqual(new Set(['BTC/USDT', 'ETH/USDT']));
    // The candle chart follows the chosen symbol.
    expect(await page.locator('#candle-symbol option').allTextContents()).toEqual(['BTC/USDT', 'ETH/USDT']);
    await page.selectOption('#candle-symbol', 'ETH/USDT');
    await page.waitForSelector('#candle-chart canvas');
    await page.selectOption('#candle-symbol', 'BTC/USDT');
    await page.waitForSelector('#candle-chart canvas');
    await shot(page, 'portfolio-run');
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 240_000);

  it('the Dashboard lists the kernel events the alerts carry: entry / exit with kind and fill price', async () => {
    const t0 = Date.UTC(2099, 0, 1);
    const base = { strategyId: 'nexara-baseline-5m', strategyVersion: '1', venue: 'binance', symbol: 'BTC/USDT', timeframe: '5m', mode: 'paper', positionSide: 'long' as const, signalId: null };
    const events: KernelEventRecord[] = [
      { ...base, effect: 'open', price: 40_438.22, liquidity: 'taker', time: t0 + 300_000, signalTime: t0, reason: 'RSI crossed up through 30', stopLoss: 40_000, takeProfit: 40_560.61, trailPct: null },
      { ...base, effect: 'close', price: 40_560.61, liquidity: 'maker', time: t0 + 900_000, signalTime: t0, reason: 'RSI crossed up through 30', exitKind: 'take-profit', entryPrice: 40_438.22, grossReturn: 40_560.61 / 40_438.22 - 1 },
    ];
    const keys = events.map((_, i) => `browser-kernel-${i}`);
    await stack.withDb(async (db) => {
      await db.delete(alerts).where(inArray(alerts.dedupeKey, keys));
      await db.insert(alerts).values(events.map((event, i) => ({ dedupeKey: keys[i]!, channel: 'telegram', status: i === 0 ? 'sent' : 'pending', message: `kernel event ${i}`, event })));
    });
    const { page, errors } = await open('/');
    await page.waitForSelector('#events-table', { timeout: 30_000 });
    const first = await page.locator('#events-table tbody tr').first().locator('td').allTextContents();
    expect(first.slice(2, 6)).toEqual(['binance BTC/USDT 5m', 'EXIT (take-profit) long', '40,560.61', 'maker']);
    expect(first[7]).toMatch(/^gross 0\.30/);
    const second = await page.locator('#events-table tbody tr').nth(1).locator('td').allTextContents();
    expect(second[3]).toBe('ENTRY long');
    expect(second[6]).toContain('RSI crossed up through 30');
    expect(await page.locator('#alerts tbody').textContent()).toContain('nexara-baseline-5m EXIT (take-profit) long BTC/USDT');
    await page.waitForSelector('#signals table, #signals p', { state: 'attached' });
    await shot(page, 'dashboard-kernel-events');
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
