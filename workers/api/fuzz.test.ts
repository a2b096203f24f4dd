/**
 * Property-based fuzz of every mounted `/api` route (fast-check, seeded): random path params, query strings and
 * JSON (and non-JSON) bodies, sent with a valid Access token so the requests reach the handlers. The property:
 * no response is ≥ 500 — bad input is always a 4xx with a reason. In workerd against real Postgres; the queue is
 * replaced by a no-op (nothing fuzzed is ever computed), rows a fuzzed request created are deleted afterwards, and
 * the strategy switches are fuzzed only with ids that are not real strategies (so no test's strategy flips).
 *
 * Prints `{ fuzz: { inputs, status2xx, status4xx, status5xx, byRoute } }` — the counts for the closing note.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import fc from 'fast-check';
import { inArray } from 'drizzle-orm';
import { createApp } from './app';
import { getConfig, type Env } from '../env';
import { withDb } from '../db';
import { accessHeaders } from './test-access';
import { backtestRuns, importJobs, sweeps } from '../../shared/db/schema';
import { getStrategy } from '../../shared/strategies/registry';

const SEED = 20261201;
const RUNS_PER_ROUTE = 100;
/** Routes with a near-valid template get more runs: their deep paths are where the bugs were. */
const RUNS_PER_TEMPLATED_ROUTE = 300;

/** Values that broke (or could break) a handler: prototype keys, edge numbers, symbols the layout cannot split … */
const NASTY = [
  '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'XXXXX', 'BTCUSDT', 'BTC/USDT', 'ETH/USDT', 'binance', 'kraken',
  '5m', '1h', '4h', '1d', '1m', '2100-01-01', '2099-12-31T23:59:59Z', '1970-01-01', '2022-01-01', '2022-06-01T00:00:00Z', '-1',
  '0', '1', '500', '501', '9007199254740993', '1e308', '-1e308', 'NaN', 'Infinity', '', ' ', '%00', '\u0000', '../../etc',
  'ema:200', 'macd:12:26:9', 'bbands:20:2', 'ema:0', 'rsi:1001', 'ema', '__proto__:1', 'constructor:5', 'sma:1e3',
  'a'.repeat(300), '𝔘𝔫𝔦', "'; DROP TABLE candles; --", 'nexara-baseline-5m', 'dsta-sma-crossover', 'nexara-div006',
  'grid', 'random', 'portfolio', 'slices', 'done', 'queued', 'failed', 'walk-forward', '1:abc', '123:x.y', '99999999999999999:a',
];
const QUERY_KEYS = [
  'venue', 'symbol', 'timeframe', 'from', 'to', 'limit', 'cursor', 'overlays', 'status', 'a', 'b', 'strategy', 'kind',
  'origin', 'family', 'mode', 'costModel', 'role', 'hours', 'since', 'sort', 'order', 'include', 'constructor', '__proto__',
];
const BODY_KEYS = [
  'strategy', 'venue', 'symbol', 'timeframe', 'from', 'to', 'params', 'mode', 'kind', 'method', 'samples', 'seed', 'chunkSize',
  'interval', '__proto__', 'constructor',
];

const text = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z0-9-]{1,24}$/) },
);
const leaf = fc.oneof(
  text,
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1, 2 ** 31, 2 ** 53 + 1, -(2 ** 53), 4_102_444_800_000, 4_102_444_800_001, 1_640_995_200_000, 1e300),
  fc.boolean(),
  fc.constant(null),
);
const value = fc.oneof({ weight: 4, arbitrary: leaf }, { weight: 1, arbitrary: fc.array(leaf, { maxLength: 4 }) }, { weight: 1, arbitrary: fc.dictionary(text, leaf, { maxKeys: 4 }) });

/** A body close to a real request (known keys, nasty values) or random JSON, or not JSON at all. */
const body = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(fc.constantFrom(...BODY_KEYS), value, { maxKeys: 10 }).map((o) => JSON.stringify(o)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
  { weight: 1, arbitrary: fc.constantFrom('', '{', '[]', 'null', '"x"', '{"__proto__":{"polluted":1}}', `{"symbol":"${'A'.repeat(70_000)}"}`) },
);

/** Near-valid requests per route: a real request with zero to three fields replaced by fuzz (or dropped). */
const QUERY_TEMPLATES: Record<string, Record<string, string>> = {
  '/api/candles': { venue: 'binance', symbol: 'BTC/USDT', timeframe: '1h', from: '2022-01-01', to: '2022-01-03', overlays: 'ema:20,rsi:14' },
  '/api/data/coverage': { venue: 'binance', symbol: 'BTC/USDT', timeframe: '5m' },
  '/api/signals': { venue: 'binance', symbol: 'BTC/USDT', timeframe: '5m', limit: '10' },
  '/api/runs/compare': { a: 'x', b: 'y' },
};
const BODY_TEMPLATES: Record<string, Record<string, unknown>> = {
  '/api/research/backtests': { strategy: 'dsta-sma-crossover', venue: 'binance', symbol: 'BTC/USDT', timeframe: '4h', from: '2021-01-01', to: '2021-06-01' },
  '/api/research/sweeps': { strategy: 'nexara-div006', venue: 'binance', symbol: 'BTC/USDT', timeframe: '4h', from: '2021-01-01', to: '2021-06-01', method: 'random', samples: 10, seed: 1, chunkSize: 5 },
  '/api/research/imports': { symbol: 'BTCUSDT', interval: '1h', from: '2022-01', to: '2022-01' },
};

/** Field-aware fuzz: values of the right shape that the handler's deeper code must still survive. */
const objectKeys = fc.constantFrom('__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf');
const overlayName = fc.oneof(fc.constantFrom('ema', 'sma', 'rsi', 'atr', 'bbands', 'macd', 'EMA', ''), fc.oneof(fc.constant('__proto__'), objectKeys));
const overlayItem = fc.oneof(
  // A bare name (the kind's default arguments) …
  overlayName,
  // … or a name with arguments.
  fc.tuple(overlayName, fc.array(fc.oneof(fc.integer({ min: -5, max: 3000 }).map(String), text), { minLength: 1, maxLength: 4 })).map(([k, args]) => [k, ...args].join(':')),
);
const FIELD_ARBS: Record<string, fc.Arbitrary<string>> = {
  overlays: fc.array(overlayItem, { minLength: 1, maxLength: 10 }).map((xs) => xs.join(',')),
  // Binance-shaped symbols: most match the request regex yet cannot be split into base/quote (XXXXX).
  symbol: fc.oneof(fc.stringMatching(/^[A-Z0-9]{5,20}$/), fc.stringMatching(/^[A-Z0-9]{1,16}\/[A-Z0-9]{1,16}$/)),
  from: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.integer({ min: -1e15, max: 1e16 }).map(String), fc.stringMatching(/^\d{4}-\d{2}$/)),
  to: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.integer({ min: -1e15, max: 1e16 }).map(String), fc.stringMatching(/^\d{4}-\d{2}$/)),
  limit: fc.integer({ min: -10, max: 100_000 }).map(String),
};

/** Replace (or drop) zero to three fields of a template with fuzz (field-aware half of the time). */
function mutate<T>(template: Record<string, T>, v: fc.Arbitrary<T>, asField: (s: string) => T) {
  const keys = Object.keys(template);
  const edit = fc.constantFrom(...keys).chain((k) => {
    const field = FIELD_ARBS[k];
    const arb = field ? fc.oneof({ weight: 1, arbitrary: v }, { weight: 3, arbitrary: field.map(asField) }) : v;
    return fc.tuple(fc.constant(k), fc.option(arb, { nil: undefined, freq: 5 }));
  });
  return fc.array(edit, { minLength: 0, maxLength: 3 }).map((edits) => {
    const out: Record<string, T> = { ...template };
    for (const [k, x] of edits) {
      if (x === undefined) delete out[k];
      else out[k] = x;
    }
    return out;
  });
}

interface Route {
  method: string;
  path: string;
  params: string[];
}

function apiRoutes(): Route[] {
  const seen = new Set<string>();
  return createApp()
    .routes.filter((r) => r.path.startsWith('/api') && r.method !== 'ALL' && !r.path.includes('*'))
    .filter((r) => (seen.has(`${r.method} ${r.path}`) ? false : (seen.add(`${r.method} ${r.path}`), true)))
    .map((r) => ({ method: r.method, path: r.path, params: [...r.path.matchAll(/:(\w+)/g)].map((m) => m[1]!) }));
}

function requestArb(r: Route) {
  const isStrategySwitch = r.method === 'POST' && r.path.startsWith('/api/strategies/');
  // Never a real strategy id on the switches: the fuzz must not mute or disable what other tests rely on.
  const param = isStrategySwitch ? text.filter((s) => getStrategy(s) === undefined) : text;
  const qt = QUERY_TEMPLATES[r.path];
  const bt = BODY_TEMPLATES[r.path];
  const randomQuery = fc.array(fc.tuple(fc.constantFrom(...QUERY_KEYS), text), { maxLength: 6 });
  const query = qt ? fc.oneof({ weight: 1, arbitrary: randomQuery }, { weight: 3, arbitrary: mutate(qt, text, (x) => x).map((o) => Object.entries(o)) }) : randomQuery;
  const postBody = bt ? fc.oneof({ weight: 1, arbitrary: body }, { weight: 3, arbitrary: mutate(bt, value as fc.Arbitrary<unknown>, (x) => x).map((o) => JSON.stringify(o)) }) : body;
  return fc.record({
    params: fc.tuple(...r.params.map(() => param)),
    query,
    body: r.method === 'GET' ? fc.constant(undefined) : postBody,
  });
}

const noQueue = { send: async () => undefined, sendBatch: async () => undefined } as unknown as Queue;
const created = { runs: new Set<string>(), sweeps: new Set<string>(), jobs: new Set<string>() };

afterAll(async () => {
  const config = getConfig(env as unknown as Env);
  await withDb(config, async (db) => {
    if (created.runs.size) await db.delete(backtestRuns).where(inArray(backtestRuns.id, [...created.runs]));
    if (created.sweeps.size) await db.delete(sweeps).where(inArray(sweeps.id, [...created.sweeps]));
    if (created.jobs.size) await db.delete(importJobs).where(inArray(importJobs.id, [...created.jobs]));
  });
});

describe('fuzz: every /api route, params × query × body (fast-check, seeded)', () => {
  it('never answers ≥ 500', async () => {
    const headers = await accessHeaders();
    const app = createApp();
    const fuzzEnv = { ...(env as unknown as Env), JOBS: noQueue } as Env;
    const routes = apiRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(20);
    const counts = { inputs: 0, status2xx: 0, status4xx: 0, status5xx: 0 };
    const byRoute: Record<string, Record<string, number>> = {};
    const failures: string[] = [];
    for (const [i, r] of routes.entries()) {
      const templated = Boolean(QUERY_TEMPLATES[r.path] ?? BODY_TEMPLATES[r.path]);
      const samples = fc.sample(requestArb(r), { seed: SEED + i, numRuns: templated ? RUNS_PER_TEMPLATED_ROUTE : RUNS_PER_ROUTE });
      for (const s of samples) {
        let k = 0;
        const path = r.path.replace(/:(\w+)(\{[^}]*\})?/g, () => encodeURIComponent(s.params[k++] ?? '') || '_');
        const qs = new URLSearchParams(s.query).toString();
        const url = `http://lab.local${path}${qs ? `?${qs}` : ''}`;
        const init: RequestInit = { method: r.method, headers: { ...headers, 'content-type': 'application/json' } };
        if (s.body !== undefined) init.body = s.body;
        const ctx = createExecutionContext();
        const res = await app.fetch(new Request(url, init), fuzzEnv, ctx);
        const out = await res.text();
        await waitOnExecutionContext(ctx);
        counts.inputs++;
        const cls = `${Math.floor(res.status / 100)}xx`;
        (byRoute[`${r.method} ${r.path}`] ??= {})[cls] = (byRoute[`${r.method} ${r.path}`]?.[cls] ?? 0) + 1;
        if (res.status >= 500) {
          counts.status5xx++;
          failures.push(`${r.method} ${url} body=${String(s.body).slice(0, 200)} → ${res.status} ${out.slice(0, 200)}`);
        } else if (res.status >= 400) counts.status4xx++;
        else {
          counts.status2xx++;
          if (r.method === 'POST' && res.status === 202) {
            const j = JSON.parse(out) as { run?: { id: string }; sweep?: { id: string }; job?: { id: string } };
            if (j.run) created.runs.add(j.run.id);
            if (j.sweep) created.sweeps.add(j.sweep.id);
            if (j.job) created.jobs.add(j.job.id);
          }
        }
      }
    }
    console.log(JSON.stringify({ fuzz: { seed: SEED, routes: routes.length, ...counts, byRoute } }));
    expect(failures, failures.slice(0, 20).join('\n')).toEqual([]);
    expect(counts.inputs).toBeGreaterThanOrEqual(routes.length * RUNS_PER_ROUTE);
  }, 600_000);

  it('the two 500s found by probing are 4xx now: overlays=__proto__ and an import of symbol XXXXX', async () => {
    const headers = await accessHeaders();
    const app = createApp();
    const fuzzEnv = { ...(env as unknown as Env), JOBS: noQueue } as Env;
    const call = async (url: string, init: RequestInit = {}) => {
      const ctx = createExecutionContext();
      const res = await app.fetch(new Request(`http://lab.local${url}`, { ...init, headers: { ...headers, 'content-type': 'application/json' } }), fuzzEnv, ctx);
      const j = (await res.json()) as { error?: { code: string; message: string } };
      await waitOnExecutionContext(ctx);
      return { status: res.status, j };
    };
    for (const o of ['__proto__', 'constructor', 'toString:3', 'ema:20,__proto__']) {
      const { status, j } = await call(`/api/candles?venue=binance&symbol=BTC/USDT&timeframe=1h&overlays=${encodeURIComponent(o)}`);
      expect(status, o).toBe(422);
      expect(j.error?.message).toMatch(/unknown overlay/);
    }
    const imp = await call('/api/research/imports', { method: 'POST', body: JSON.stringify({ symbol: 'XXXXX', interval: '1h', from: '2022-01', to: '2022-01' }) });
    expect(imp.status).toBe(422);
    expect(imp.j.error?.message).toMatch(/symbol/);
  });
});
