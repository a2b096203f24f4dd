import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Api, GrammyError } from 'grammy';
import { startFakeTelegram, type FakeTelegram } from './server';
import { loadTelegramSamples } from './samples';
import { main as setWebhookMain, setWebhook } from '../telegram/set-webhook';

const TOKEN = '123456:TEST_TOKEN_not_real';

describe('fake Telegram Bot API', () => {
  let fake: FakeTelegram;
  let api: Api;

  beforeAll(async () => {
    fake = await startFakeTelegram();
    api = new Api(TOKEN, { apiRoot: fake.url });
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => fake.reset());

  it('answers sendMessage in the real wire format and records the call', async () => {
    const m1 = await api.sendMessage(42, 'hello');
    const m2 = await api.sendMessage(42, 'again');
    expect(m1).toMatchObject({ message_id: 1, chat: { id: 42, type: 'private' }, text: 'hello', from: { is_bot: true, id: 123456 } });
    expect(m2.message_id).toBe(2);
    const calls = fake.calls('sendMessage');
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ method: 'sendMessage', params: { chat_id: 42, text: 'hello' }, status: 200 });
    expect(calls[0]!.response).toMatchObject({ ok: true, result: { message_id: 1 } });
  });

  it('answers getMe, setWebhook, deleteWebhook, answerCallbackQuery and editMessageText', async () => {
    expect(await api.getMe()).toMatchObject({ id: 123456, is_bot: true, username: 'fake_lab_bot' });
    expect(await api.setWebhook('https://lab.example/telegram/webhook', { secret_token: 's3cret-OK_1' })).toBe(true);
    expect((await api.getWebhookInfo()).url).toBe('https://lab.example/telegram/webhook');
    expect(await api.deleteWebhook()).toBe(true);
    expect(await api.answerCallbackQuery('abc')).toBe(true);
    const edited = await api.editMessageText(-100200300, 7, 'edited');
    expect(edited).toMatchObject({ message_id: 7, chat: { id: -100200300, type: 'supergroup' }, text: 'edited' });
    expect(fake.calls().map((c) => c.method)).toEqual([
      'getMe',
      'setWebhook',
      'getWebhookInfo',
      'deleteWebhook',
      'answerCallbackQuery',
      'editMessageText',
    ]);
  });

  it('rejects bad requests like Telegram does', async () => {
    await expect(api.sendMessage(42, '')).rejects.toMatchObject({ error_code: 400, description: 'Bad Request: message text is empty' });
    await expect(api.sendMessage(42, 'x'.repeat(4097))).rejects.toMatchObject({ error_code: 400 });
    const res = await fetch(`${fake.url}/bot${TOKEN}/noSuchMethod`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ ok: false, error_code: 404, description: 'Not Found: method not found' });
    const unauth = await fetch(`${fake.url}/botnot-a-token/getMe`);
    expect(unauth.status).toBe(401);
    expect(await unauth.json()).toEqual({ ok: false, error_code: 401, description: 'Unauthorized' });
  });

  it('reads form-encoded and query-string parameters too', async () => {
    await fetch(`${fake.url}/bot${TOKEN}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ chat_id: '-5', text: 'form' }),
    });
    await fetch(`${fake.url}/bot${TOKEN}/sendMessage?chat_id=7&text=query`);
    expect(fake.calls('sendMessage').map((c) => c.params)).toEqual([
      { chat_id: -5, text: 'form' },
      { chat_id: 7, text: 'query' },
    ]);
  });

  it('injects flood control (429 with retry_after) and 500s, then recovers', async () => {
    fake.setFaults({ method: 'sendMessage', kind: '429', count: 2, retryAfter: 3 });
    for (let i = 0; i < 2; i++) {
      const err = await api.sendMessage(42, 'x').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GrammyError);
      expect((err as GrammyError).error_code).toBe(429);
      expect((err as GrammyError).parameters.retry_after).toBe(3);
      expect((err as GrammyError).description).toBe('Too Many Requests: retry after 3');
    }
    expect((await api.sendMessage(42, 'x')).message_id).toBe(1);

    // The same through the HTTP control endpoints.
    const set = await fetch(`${fake.url}/__faults`, { method: 'POST', body: JSON.stringify({ method: '*', kind: '500', count: 1 }) });
    expect(set.status).toBe(200);
    await expect(api.getMe()).rejects.toMatchObject({ error_code: 500 });
    expect(await api.getMe()).toMatchObject({ is_bot: true });
    const calls = (await (await fetch(`${fake.url}/__calls?method=getMe`)).json()) as { status: number }[];
    expect(calls.map((c) => c.status)).toEqual([500, 200]);
    await fetch(`${fake.url}/__reset`, { method: 'POST' });
    expect(fake.calls()).toEqual([]);
    const bad = await fetch(`${fake.url}/__faults`, { method: 'POST', body: JSON.stringify({ method: 'x', kind: '418' }) });
    expect(bad.status).toBe(400);
  });

  it('set-webhook sends the secret token and the allowed updates', async () => {
    await setWebhook({ token: TOKEN, secret: 'lab_secret-1', url: 'https://lab.example/telegram/webhook', apiRoot: fake.url });
    const [call] = fake.calls('setWebhook');
    expect(call!.params).toEqual({
      url: 'https://lab.example/telegram/webhook',
      secret_token: 'lab_secret-1',
      allowed_updates: ['message', 'channel_post', 'callback_query'],
      drop_pending_updates: false,
    });
    fake.reset();
    await setWebhookMain(['--api-root', fake.url, '--drop-pending'], {
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_WEBHOOK_SECRET: 'abc',
      PUBLIC_LAB_URL: 'https://lab.example/',
    });
    expect(fake.calls('setWebhook')[0]!.params).toMatchObject({ url: 'https://lab.example/telegram/webhook', drop_pending_updates: true });
    await expect(setWebhook({ token: TOKEN, secret: 'bad secret!', url: 'https://x.example/', apiRoot: fake.url })).rejects.toThrow(
      /TELEGRAM_WEBHOOK_SECRET/,
    );
    await expect(setWebhook({ token: TOKEN, secret: 'ok', url: 'http://x.example/' })).rejects.toThrow(/HTTPS/);
  });
});

describe('Telegram samples from ../shared/data', () => {
  const samples = loadTelegramSamples();
  it.runIf(samples !== null)('loads both sample files', () => {
    expect(samples!.samples.length).toBeGreaterThanOrEqual(9);
    expect(samples!.samples.every((s) => typeof s.update.update_id === 'number')).toBe(true);
  });
});
