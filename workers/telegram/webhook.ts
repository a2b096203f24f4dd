/**
 * POST /telegram/webhook: Telegram's updates. The secret token (`X-Telegram-Bot-Api-Secret-Token`, set by
 * tools/telegram/set-webhook.ts) is checked first: forged or missing → 401 and nothing is read or written.
 * A body that is not JSON or not an Update is logged and answered 200 with no side effect (a 4xx/5xx would
 * make Telegram redeliver it forever). Everything else goes to grammY through `webhookCallback(bot, 'hono')`.
 */
import { Hono } from 'hono';
import { webhookCallback } from 'grammy';
import { z } from 'zod';
import type { AppEnv } from '../api/app';
import { AppError, errorBody } from '../errors';
import { createBot } from './bot';
import { telegramSettings } from './config';

export const SECRET_HEADER = 'X-Telegram-Bot-Api-Secret-Token';

/** Constant-time string comparison (length still leaks, as in grammY's own check). */
export function secretMatches(header: string | undefined, secret: string): boolean {
  if (header === undefined) return false;
  const a = new TextEncoder().encode(header);
  const b = new TextEncoder().encode(secret);
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

const Entity = z.looseObject({ type: z.string(), offset: z.number().int().nonnegative(), length: z.number().int().nonnegative() });
const Chat = z.looseObject({ id: z.number().int(), type: z.string() });
const Message = z.looseObject({
  message_id: z.number().int(),
  date: z.number(),
  chat: Chat,
  text: z.string().optional(),
  caption: z.string().optional(),
  entities: z.array(Entity).optional(),
  caption_entities: z.array(Entity).optional(),
});

/** The parts of an Update the bot reads, checked before grammY sees it; unknown update kinds pass through. */
export const UpdateShape = z.looseObject({
  update_id: z.number().int().nonnegative(),
  message: Message.optional(),
  edited_message: Message.optional(),
  channel_post: Message.optional(),
  edited_channel_post: Message.optional(),
  callback_query: z
    .looseObject({ id: z.string(), from: z.looseObject({ id: z.number().int() }), message: Message.optional() })
    .optional(),
});

function log(event: Record<string, unknown>): void {
  console.warn(JSON.stringify({ at: 'telegram-webhook', ...event }));
}

export const telegramRoutes = new Hono<AppEnv>().post('/webhook', async (c) => {
  const config = c.get('config');
  const settings = telegramSettings(config);
  if (!settings || !settings.webhookSecret) {
    const err = new AppError('not_found', 'Telegram is not configured');
    return c.json(errorBody(err).body, 404);
  }
  if (!secretMatches(c.req.header(SECRET_HEADER), settings.webhookSecret)) {
    log({ rejected: c.req.header(SECRET_HEADER) === undefined ? 'missing secret token' : 'wrong secret token' });
    return c.body(null, 401);
  }

  const raw = await c.req.text();
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    log({ malformed: 'body is not JSON', bytes: raw.length });
    return c.body(null, 200);
  }
  const shape = UpdateShape.safeParse(body);
  if (!shape.success) {
    const issues = shape.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(update)'}: ${i.message}`);
    log({ malformed: 'not an Update', issues, bytes: raw.length });
    return c.body(null, 200);
  }

  const bot = createBot(settings, {
    env: c.env,
    config,
    db: () => c.var.getDb(),
    now: () => Date.now(),
    labUrl: settings.labUrl,
  });
  // grammY checks the secret again (constant-time) and reads the cached body with c.req.json().
  const handle = webhookCallback(bot, 'hono', { secretToken: settings.webhookSecret, onTimeout: 'return', timeoutMilliseconds: 25_000 });
  return handle(c);
});
