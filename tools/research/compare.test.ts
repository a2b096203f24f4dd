/** `research compare`: the table and --json from GET /api/compare (a stub fetch), errors with their reason. */
import { describe, expect, it } from 'vitest';
import { compareRuns } from '../../shared/lab/compare';
import { compareCommand } from './compare';

const T0 = Date.UTC(2021, 0, 1);
const comparison = compareRuns(
  ['div006-2021', 'div006-2022'].map((id, i) => ({
    id,
    strategyId: 'div006',
    venue: 'binance',
    symbol: 'BTC/USDT',
    timeframe: '4h',
    windowFrom: T0 + i * 365 * 86_400_000,
    windowTo: T0 + (i + 1) * 365 * 86_400_000,
    params: { lookback: 20 },
    status: 'done',
    verdict: 'reject',
    verdictReason: null,
    metrics: { gross: { trades: 10 + i, totalReturn: 0.1 * (i + 1) }, net: null },
    venues: [{ key: 'binance-taker', verdict: i ? 'watch' : 'reject', reason: null }],
    equity: [],
  })),
);

function stub(status = 200, body: unknown = comparison): { fetch: typeof fetch; urls: string[]; headers: Record<string, string>[] } {
  const urls: string[] = [];
  const headers: Record<string, string>[] = [];
  const f = (async (url: string, init?: RequestInit) => {
    urls.push(url);
    headers.push((init?.headers ?? {}) as Record<string, string>);
    return new Response(JSON.stringify(body), { status });
  }) as unknown as typeof fetch;
  return { fetch: f, urls, headers };
}

describe('research compare', () => {
  it('prints one column per run (the table), or the Comparison as JSON', async () => {
    const s = stub();
    let out = '';
    await compareCommand({ runs: 'div006-2021,div006-2022', api: 'http://lab.test/' }, { fetch: s.fetch, out: (x) => (out += x), env: {} });
    expect(s.urls).toEqual(['http://lab.test/api/compare?runs=div006-2021,div006-2022']);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\s+div006-2021\s+div006-2022$/);
    expect(lines.find((l) => l.startsWith('gross totalReturn'))).toMatch(/10\.00 %\s+20\.00 %$/);
    expect(lines.find((l) => l.startsWith('verdict binance-taker'))).toMatch(/reject\s+watch$/);
    let json = '';
    await compareCommand({ runs: 'div006-2021,div006-2022', json: true, api: 'http://lab.test' }, { fetch: s.fetch, out: (x) => (json += x), env: {} });
    expect(JSON.parse(json)).toEqual(comparison);
  });
  it('sends an Access service token when one is configured', async () => {
    const s = stub();
    await compareCommand({ runs: 'a,b', api: 'http://lab.test' }, { fetch: s.fetch, out: () => {}, env: { CF_ACCESS_CLIENT_ID: 'id', CF_ACCESS_CLIENT_SECRET: 'secret' } });
    expect(s.headers[0]).toMatchObject({ 'CF-Access-Client-Id': 'id', 'CF-Access-Client-Secret': 'secret' });
  });
  it('refuses a bad run list before any request; an API error carries its status and message', async () => {
    const s = stub(404, { error: { code: 'not_found', message: 'Run nope not found' } });
    await expect(compareCommand({ runs: 'only-one' }, { fetch: s.fetch, env: {} })).rejects.toThrow(/2–6 runs, got 1/);
    expect(s.urls).toEqual([]);
    await expect(compareCommand({ runs: 'a,nope', api: 'http://lab.test' }, { fetch: s.fetch, out: () => {}, env: {} })).rejects.toThrow(/HTTP 404: .*Run nope not found/);
    const down = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    await expect(compareCommand({ runs: 'a,b', api: 'http://127.0.0.1:9' }, { fetch: down, env: {} })).rejects.toThrow(/not reachable .*npm run dev/);
  });
});
