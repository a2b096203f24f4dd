/**
 * The fake Bot API's seeded chaos (the fault soak's Telegram weather): 429s with a retry_after in the asked range and
 * 500s at the asked rates on the chosen method only, the same sequence for the same seed, queued faults first, and
 * turning it off answers what it drew.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from './server';

const TOKEN = '123456:TEST_TOKEN_not_real';

describe('fake Telegram chaos', () => {
  let fake: FakeTelegram;
  beforeAll(async () => {
    fake = await startFakeTelegram();
  });
  afterAll(async () => {
    await fake.close();
  });

  const send = async (method = 'sendMessage') => {
    const res = await fetch(`${fake.url}/bot${TOKEN}/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ chat_id: 1, text: 'x' }) });
    return { status: res.status, body: (await res.json()) as { parameters?: { retry_after?: number } } };
  };
  const chaos = (body: unknown, method = 'POST') => fetch(`${fake.url}/__chaos`, { method, body: body === undefined ? undefined : JSON.stringify(body) });

  it('draws 429s (retry_after in range) and 500s on the chosen method, the same for the same seed', async () => {
    const opts = { seed: 3, method: 'sendMessage', rate429: 0.3, rate500: 0.2, retryAfter: [1, 3] };
    expect((await chaos(opts)).status).toBe(200);
    const run = async () => {
      const out: string[] = [];
      for (let i = 0; i < 40; i++) {
        const r = await send();
        if (r.status === 429) expect(r.body.parameters?.retry_after).toBeGreaterThanOrEqual(1);
        if (r.status === 429) expect(r.body.parameters?.retry_after).toBeLessThanOrEqual(3);
        out.push(`${r.status}:${r.body.parameters?.retry_after ?? ''}`);
      }
      return out;
    };
    const first = await run();
    expect(first.filter((s) => s.startsWith('429')).length).toBeGreaterThan(4);
    expect(first.filter((s) => s.startsWith('500')).length).toBeGreaterThan(2);
    expect((await send('getMe')).status).toBe(200);
    await chaos(opts);
    expect(await run()).toEqual(first);
    const off = (await (await chaos(undefined, 'DELETE')).json()) as { drawn: Record<string, number> };
    expect(off.drawn['429']! + off.drawn['500']!).toBe(first.filter((s) => !s.startsWith('200')).length);
    expect((await send()).status).toBe(200);
  });

  it('lets queued faults go first and refuses a bad body', async () => {
    fake.setChaos({ seed: 1, method: '*', rate429: 0, rate500: 1 });
    fake.setFaults({ method: 'sendMessage', kind: '429', count: 1, retryAfter: 9 });
    const queued = await send();
    expect([queued.status, queued.body.parameters?.retry_after]).toEqual([429, 9]);
    expect((await send()).status).toBe(500);
    fake.reset();
    expect((await send()).status).toBe(200);
    const bad = await chaos({ seed: 1, method: 'sendMessage', rate429: 0.8, rate500: 0.5 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/summing to at most 1/);
  });
});
