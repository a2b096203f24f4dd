/**
 * The Strategy Lab in real headless Chromium (Debian's, through playwright-core) against the local stack
 * (wrangler dev + embedded PGlite, or DATABASE_URL) seeded with real Binance candles from ../shared/data:
 * every page loads with no console error, the run detail draws its equity, drawdown and candle charts, the sweep
 * page draws a heatmap, the Lab compares two runs, and the forms run an archive import and — when the research
 * side's `POST /api/research/backtests` is mounted — a backtest to completion. Screenshots: artifacts/screenshots.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_SKIP_REASON, HAS_CHROMIUM, IN_CI, launchChromium } from '../../tools/browser/chromium';
import { ROOT, startLabStack, type LabStack } from '../../tools/browser/stack';
import { SEEDED, SHARED_DATA_DIR, seedLab, type SeedReport } from '../../tools/browser/seed';

const HAS_DATA = existsSync(join(SHARED_DATA_DIR, 'PROVENANCE.md'));
const skipReason = !HAS_DATA ? `real market data not found at ${SHARED_DATA_DIR}` : !HAS_CHROMIUM && !IN_CI ? CHROMIUM_SKIP_REASON : null;
const SHOTS = join(ROOT, 'artifacts', 'screenshots');

let stack: LabStack;
let browser: Browser;
let seeded: SeedReport;

interface Visit {
  page: Page;
  errors: string[];
}

/** Open a page, collect console errors, page errors and failed API responses; wait for `selectors`; screenshot. */
async function visit(path: string, shot: string, selectors: string[], act?: (p: Page) => Promise<void>): Promise<Visit> {
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
  await page.goto(stack.url + path, { waitUntil: 'load' });
  for (const s of selectors) await page.waitForSelector(s, { timeout: 30_000, state: 'attached' });
  if (act) await act(page);
  await page.waitForLoadState('networkidle');
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${shot}.png`), fullPage: true });
  return { page, errors };
}

/** Non-blank pixels in a canvas (charts and heatmap really drew something). */
async function inkedPixels(page: Page, selector: string): Promise<number> {
  return page.$$eval(selector, (canvases) =>
    (canvases as HTMLCanvasElement[]).reduce((sum, c) => {
      const ctx = c.getContext('2d');
      if (!ctx || !c.width || !c.height) return sum;
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 16) if (d[i + 3]! > 0 && (d[i]! < 245 || d[i + 1]! < 245 || d[i + 2]! < 245)) n++;
      return sum + n;
    }, 0),
  );
}

describe.skipIf(skipReason !== null)(`Strategy Lab in Chromium${skipReason ? ` [skipped: ${skipReason}]` : ''}`, () => {
  beforeAll(async () => {
    if (!HAS_CHROMIUM) throw new Error(`CI=true but ${CHROMIUM_SKIP_REASON.split(' not found')[0]} is missing: CI must apt-get install -y chromium`);
    stack = await startLabStack();
    seeded = await stack.withDb(seedLab);
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  }, 60_000);

  it('seeded real candles, runs and a sweep', () => {
    expect(seeded.candles['binance BTC/USDT 4h']).toBeGreaterThan(500);
    expect(seeded.candles['binance BTC/USDT 5m']).toBeGreaterThan(20_000);
    expect(seeded.runs[SEEDED.runA]).toBeGreaterThan(5);
    expect(seeded.sweepCombos).toBe(16);
  });

  it('dashboard: signals, alerts with delivery state, heartbeats, freshness', async () => {
    const { page, errors } = await visit('/', 'dashboard', ['#signals table', '#alerts table', '#freshness table', '#heartbeats table']);
    expect(await page.locator('#alerts [data-badge="sent"]').count()).toBe(1);
    expect(await page.locator('#alerts [data-badge="failed"]').count()).toBe(1);
    expect(await page.locator('#freshness tbody tr').count()).toBe(4);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('Strategy Lab: runs with per-venue verdict badges, filters, and a side-by-side compare', async () => {
    const { page, errors } = await visit('/lab/', 'lab', ['#runs-table'], async (p) => {
      await p.locator(`input[data-run="${SEEDED.runA}"]`).check();
      await p.locator(`input[data-run="${SEEDED.runB}"]`).check();
      await p.waitForSelector('#compare-metrics');
    });
    expect(await page.locator('#runs-table tbody tr').count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator(`[data-run-row="${SEEDED.runA}"] [data-venue="binance-taker"]`).count()).toBe(1);
    expect(await page.locator('#compare-heads').textContent()).toContain(SEEDED.runB);
    expect(await page.locator('#compare svg path').count()).toBe(2);
    await page.selectOption('#filters select[name="timeframe"]', '5m');
    await page.click('#filters button[type="submit"]');
    await page.waitForFunction(() => document.querySelectorAll('#runs-table tbody tr').length === 1);
    expect(errors).toEqual([]);
    await page.close();
  });

  for (const [name, id] of [
    ['run-4h', SEEDED.runA],
    ['run-5m', SEEDED.run5m],
  ] as const) {
    it(`run detail (${name}): provenance, metrics, venue table, equity + drawdown + candle charts with markers, trades`, async () => {
      const { page, errors } = await visit(`/runs/?id=${id}`, name, ['body[data-ready="true"]', '#metrics-table', '#venue-table', '#trades-table', '#equity-chart canvas', '#drawdown-chart canvas', '#candle-chart canvas']);
      expect(await page.locator('#provenance').textContent()).toContain('fixture-ema-crossover');
      expect(await inkedPixels(page, '#equity-chart canvas')).toBeGreaterThan(200);
      expect(await inkedPixels(page, '#drawdown-chart canvas')).toBeGreaterThan(200);
      expect(await inkedPixels(page, '#candle-chart canvas')).toBeGreaterThan(1000);
      expect(await page.locator('#candle-note').textContent()).toMatch(/candles/);
      expect(await page.locator('#trades-table tbody tr').count()).toBe(seeded.runs[id]);
      expect(await page.locator('#venue-table tbody tr').count()).toBe(4);
      expect(errors).toEqual([]);
      await page.close();
    });
  }

  it('run detail of an unknown id says so (one 404, nothing else)', async () => {
    const { page, errors } = await visit('/runs/?id=does-not-exist', 'run-missing', ['#run-status.error']);
    expect(errors.filter((e) => !e.includes('/api/runs/does-not-exist') && !e.includes('404'))).toEqual([]);
    await page.close();
  });

  it('sweep detail: progress, chunks and a parameter heatmap; the sweep list', async () => {
    const { page, errors } = await visit(`/sweeps/?id=${SEEDED.sweep}`, 'sweep', ['body[data-ready="true"]', '#heatmap[data-cells]']);
    expect(Number(await page.getAttribute('#heatmap', 'data-cells'))).toBe(16);
    expect(await inkedPixels(page, '#heatmap')).toBeGreaterThan(500);
    expect(await page.locator('#progress-text').textContent()).toContain('4/4 chunks');
    await page.selectOption('#axes select[name="metric"]', 'net.stress-31.meanReturn');
    await page.waitForFunction(() => document.getElementById('heatmap-note')?.textContent?.startsWith('net.stress-31.meanReturn'));
    expect(errors).toEqual([]);
    await page.close();
    const list = await visit('/sweeps/', 'sweeps', ['#sweeps-table']);
    expect(list.errors).toEqual([]);
    await list.page.close();
  });

  it('paper page: accounts (or the reason there are none) load with no error', async () => {
    const { page, errors } = await visit('/paper/', 'paper', ['#paper-table']);
    expect(await page.locator('#paper-status').textContent()).toMatch(/account|No paper accounts yet/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('data page: coverage per series, gaps and quarantined rows', async () => {
    const { page, errors } = await visit('/data/', 'data', ['#coverage-table'], async (p) => {
      await p.click('button[data-series="binance|BTC/USDT|5m"]');
      await p.waitForFunction(() => document.getElementById('series-name')?.textContent === 'binance BTC/USDT 5m');
    });
    expect(await page.locator('#coverage-table tbody tr').count()).toBe(4);
    expect(await page.locator('#series-meta').textContent()).toMatch(/expected/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('strategies: the registry list and one strategy with params, sweep ranges and switches', async () => {
    const list = await visit('/strategies/', 'strategies', ['#strategies-table']);
    expect(await list.page.locator('#strategies-table tbody tr').count()).toBeGreaterThanOrEqual(11);
    expect(list.errors).toEqual([]);
    await list.page.close();
    const { page, errors } = await visit('/strategies/?id=nexara-baseline-5m', 'strategy', ['#params-table'], async (p) => {
      await p.click('button[data-action="mute"]');
      await p.waitForSelector('#meta [data-badge="muted"]');
      await p.click('button[data-action="unmute"]');
      await p.waitForFunction(() => !document.querySelector('#meta [data-badge="muted"]'));
    });
    expect(await page.locator('#params-table tbody tr').count()).toBeGreaterThan(3);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('start research: an archive import from the form runs to done (fake archive, real 1h CSVs)', async () => {
    const { page, errors } = await visit('/lab/start/', 'start-import', ['#backtest-form select[name="strategy"] option'], async (p) => {
      await p.fill('#import-form input[name="symbol"]', 'BTCUSDT');
      await p.selectOption('#import-form select[name="interval"]', '1h');
      await p.fill('#import-form input[name="from"]', '2021-01');
      await p.fill('#import-form input[name="to"]', '2021-02');
      await p.click('#import-form button[type="submit"]');
      await p.waitForSelector('#import [data-state="done"]', { timeout: 120_000 });
    });
    expect(await page.locator('#import [data-progress]').textContent()).toMatch(/2\/2 files, 1[0-9]{3} rows/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('start research: a backtest from the form completes (needs POST /api/research/backtests)', async (ctx) => {
    const openapi = (await (await fetch(`${stack.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    if (!openapi.paths['/api/research/backtests']?.post) ctx.skip('POST /api/research/backtests is not mounted yet (research agent)');
    const { page, errors } = await visit('/lab/start/?strategy=dsta-sma-crossover', 'start-backtest', ['#backtest-form select[name="strategy"] option'], async (p) => {
      await p.selectOption('#backtest-form select[name="timeframe"]', '4h');
      await p.fill('#backtest-form input[name="from"]', '2022-01-20');
      await p.fill('#backtest-form input[name="to"]', '2022-04-15');
      await p.click('#backtest-form button[type="submit"]');
      try {
        await p.waitForSelector('#backtest [data-state="done"], #backtest [data-state="failed"], #backtest [data-state="error"]', { timeout: 150_000 });
      } catch (err) {
        await p.screenshot({ path: join(SHOTS, 'start-backtest-timeout.png'), fullPage: true });
        throw new Error(`backtest did not finish: "${await p.locator('#backtest [data-progress]').textContent()}"\nwrangler: ${stack.log().slice(-3000)}`, { cause: err });
      }
    });
    const state = await page.locator('#backtest [data-state]').last().getAttribute('data-state');
    expect(state, (await page.locator('#backtest [data-progress]').textContent()) ?? '').toBe('done');
    await page.click('#backtest a[href^="/runs/"]');
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    await page.waitForSelector('#equity-chart canvas, #equity-chart p');
    await page.screenshot({ path: join(SHOTS, 'start-backtest-run.png'), fullPage: true });
    expect(await page.locator('#provenance').textContent()).toContain('dsta-sma-crossover');
    expect(errors).toEqual([]);
    await page.close();
  });
});
