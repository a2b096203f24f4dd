/**
 * The edge logger in workerd: the trace id follows async work inside `withTrace` (AsyncLocalStorage under
 * nodejs_compat), and a request's log lines carry its request id, which the response echoes.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { exports } from 'cloudflare:workers';
import { cronTraceId, currentTraceId, log, withTrace } from './logger';

afterEach(() => vi.restoreAllMocks());

function captured(spy: { mock: { calls: unknown[][] } }): Record<string, unknown>[] {
  return spy.mock.calls.map((c) => JSON.parse(String(c[0])) as Record<string, unknown>);
}

it('keeps the trace id across awaits and timers, and none outside', async () => {
  const spy = vi.spyOn(console, 'log').mockImplementation(() => {});
  await withTrace(cronTraceId(Date.UTC(2022, 3, 16, 13, 45)), async () => {
    await new Promise((r) => setTimeout(r, 5));
    log.info('inside', { n: 1 });
    await Promise.all([withTrace('nested', async () => log.info('nested')), Promise.resolve().then(() => log.info('sibling'))]);
  });
  log.info('outside');
  const lines = captured(spy);
  expect(lines.map((l) => [l.msg, l.trace_id])).toEqual([
    ['inside', 'cron:2022-04-16T13:45:00.000Z'],
    ['nested', 'nested'],
    ['sibling', 'cron:2022-04-16T13:45:00.000Z'],
    ['outside', undefined],
  ]);
  expect(lines[0]).toMatchObject({ service: 'worker', level: 'info', n: 1 });
  expect(currentTraceId()).toBeUndefined();
});

it('a request logs with its request id (the client\'s X-Request-Id when sane), echoed on the response', async () => {
  const spy = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const res = await exports.default.fetch(new Request('http://lab.local/api/metrics', { headers: { 'X-Request-Id': 'req-logger-test-1' } }));
  expect(res.status).toBe(401);
  expect(res.headers.get('X-Request-Id')).toBe('req-logger-test-1');
  const refused = captured(spy).find((l) => l.msg === 'access refused');
  expect(refused).toMatchObject({ trace_id: 'req-logger-test-1', level: 'warn', path: '/api/metrics' });

  const res2 = await exports.default.fetch(new Request('http://lab.local/api/metrics', { headers: { 'X-Request-Id': 'bad id with spaces' } }));
  const fresh = res2.headers.get('X-Request-Id');
  expect(fresh).toMatch(/^[0-9a-f-]{36}$/);
  expect(captured(spy).at(-1)).toMatchObject({ trace_id: fresh });
});
