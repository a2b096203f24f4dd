/**
 * Test-only helpers for the workerd tests: the fake Telegram Bot API started by test/global-setup.ts (reached at
 * TELEGRAM_API_ROOT), well-formed updates (with bot_command entities, as real Telegram sends them), posting to the
 * webhook through the Worker's own fetch handler, and a database handle.
 */
import { env as rawEnv } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import worker from '../index';
import { openDb, type DbHandle } from '../db';
import { getConfig, type Env } from '../env';
import { inArray } from 'drizzle-orm';
import { telegramUpdates } from '../../shared/db/schema';

declare module 'vitest' {
  export interface ProvidedContext {
    telegramSamples: {
      dir: string;
      samples: { name: string; source: 'pytelegrambotapi-captured' | 'telegram-official-examples'; update: Record<string, unknown> }[];
    } | null;
  }
}

/** The test env plus the admin list (TELEGRAM_ADMIN_IDS: the private chat's user may change state). */
export const ADMIN_USER = 1111111;
export const env = { ...(rawEnv as unknown as Env), TELEGRAM_ADMIN_IDS: String(ADMIN_USER) } as Env;
export const SECRET = 'test-webhook-secret';
/** Allow-listed in vitest.config.ts (TELEGRAM_CHAT_ID = "1111111,-100200300"); the first receives alerts. */
export const ALERT_CHAT = 1111111;
export const GROUP_CHAT = -100200300;
export const STRANGER_CHAT = 424242;
export const BOT_USERNAME = 'lab_test_bot';

export interface FakeCall {
  seq: number;
  method: string;
  params: Record<string, unknown>;
  status: number;
  response: { ok: boolean; result?: unknown; error_code?: number; parameters?: { retry_after?: number } };
}

const root = (): string => env.TELEGRAM_API_ROOT!;

export async function resetFake(): Promise<void> {
  const res = await fetch(`${root()}/__reset`, { method: 'POST' });
  if (!res.ok) throw new Error(`fake Telegram reset failed: ${res.status}`);
}

export async function fakeCalls(method?: string): Promise<FakeCall[]> {
  const res = await fetch(`${root()}/__calls${method ? `?method=${method}` : ''}`);
  return (await res.json()) as FakeCall[];
}

/** Successful sendMessage calls (text and chat), oldest first. */
export async function sentMessages(): Promise<{ chatId: unknown; text: string }[]> {
  return (await fakeCalls('sendMessage')).filter((c) => c.status === 200).map((c) => ({ chatId: c.params.chat_id, text: String(c.params.text) }));
}

export async function setFaults(faults: { method: string; kind: '429' | '500'; count?: number; retryAfter?: number }): Promise<void> {
  const res = await fetch(`${root()}/__faults`, { method: 'POST', body: JSON.stringify(faults) });
  if (!res.ok) throw new Error(`fake Telegram faults failed: ${res.status}`);
}

// Update ids unique per run (the replay guard remembers them in the database, which may outlive a run).
let updateSeq = Date.now() * 100;

/** A message update as Telegram sends it: a command gets its `bot_command` entity (UTF-16 length of the command). */
export function messageUpdate(text: string, chatId: number, opts: { channel?: boolean; fromId?: number } = {}): Record<string, unknown> {
  const id = ++updateSeq;
  const cmd = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text);
  const chat =
    chatId < 0
      ? { id: chatId, title: 'Lab alerts', type: opts.channel ? 'channel' : 'supergroup' }
      : { id: chatId, first_name: 'Test', username: 'tester', type: 'private' };
  const message = {
    message_id: id,
    ...(opts.channel ? { sender_chat: chat } : { from: { id: opts.fromId ?? (chatId > 0 ? chatId : 777), is_bot: false, first_name: 'Test', language_code: 'en' } }),
    chat,
    date: Math.floor(Date.now() / 1000),
    text,
    ...(cmd ? { entities: [{ offset: 0, length: cmd[0].length, type: 'bot_command' }] } : {}),
  };
  return { update_id: id, [opts.channel ? 'channel_post' : 'message']: message };
}

/** Forget claimed update ids (fixed-id sample updates are posted in more than one test, and runs may share a database). */
export async function forgetUpdates(ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  const h = testDb();
  try {
    await h.db.delete(telegramUpdates).where(inArray(telegramUpdates.updateId, ids));
  } finally {
    await h.close();
  }
}

export async function postWebhook(
  body: unknown,
  opts: { secret?: string | null; raw?: boolean; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
  const secret = opts.secret === undefined ? SECRET : opts.secret;
  if (secret !== null) headers['X-Telegram-Bot-Api-Secret-Token'] = secret;
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request('http://lab.local/telegram/webhook', {
      method: 'POST',
      headers,
      body: opts.raw ? String(body) : JSON.stringify(body),
    }),
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

export function testDb(): DbHandle {
  return openDb(getConfig(env));
}

export async function waitFor<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
