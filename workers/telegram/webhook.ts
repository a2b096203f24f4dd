/**
 * POST /telegram/webhook: Telegram's updates. The secret token (`X-Telegram-Bot-Api-Secret-Token`, set by
 * tools/telegram/set-webhook.ts) is checked first: forged or missing → 401 and nothing is read or written.
 * The body is capped at 1 MB counted in bytes (413 beyond; Telegram's own updates are far smaller). A body that
 * is not JSON or not an Update is logged and answered 200 with no side effect (a 4xx/5xx would make Telegram
 * redeliver it forever). Each `update_id` is claimed in `telegram_updates` before the bot runs: a replayed update
 * (Telegram's redelivery, or an attacker's replay of a captured one) is answered 200 with no second reply.
 * Everything else goes to grammY through `webhookCallback(bot, 'hono')`.
 */
import { Hono } from 'hono';
import { sql } from 'drizzle-orm';
import { webhookCallback } from 'grammy';
import { z } from 'zod';
import type { AppEnv } from '../api/app';
import { AppError, errorBody } from '../errors';
import { createBot } from './bot';
import { telegramSettings } from './config';
import { readBodyCapped } from '../api/routes/common';
import type { Db } from '../db';
import { telegramUpdates } from '../../shared/db/schema';
import { log as rootLog } from '../observability/logger';

/** Largest webhook body accepted, in bytes. */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;

/** Claim an update id: true the first time, false for a replay (the row exists already). */
export async function claimUpdate(db: Db, updateId: number): Promise<boolean> {
  const rows = await db.insert(telegramUpdates).values({ updateId }).onConflictDoNothing().returning({ id: telegramUpdates.updateId });
  return rows.length > 0;
}

/** Forget claimed updates older than `olderThanMs` (the cron sweeper calls this). Returns the rows removed. */
export async function pruneUpdates(db: Db, olderThanMs: number, now: number): Promise<number> {
  const res = await db.execute(sql`DELETE FROM telegram_updates WHERE received_at < ${new Date(now - olderThanMs).toISOString()}::timestamptz`);
  return Number((res as { rowCount?: number }).rowCount ?? 0);
}

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
  rootLog.warn('telegram-webhook', { at: 'telegram-webhook', ...event });
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

  const raw = await readBodyCapped(c.req.raw, MAX_WEBHOOK_BYTES);
  // grammY reads the body again through c.req.json(): hand it the text already read (the stream is consumed).
  (c.req.bodyCache as Record<string, unknown>).text = Promise.resolve(raw);
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

  if (!(await claimUpdate(c.var.getDb(), shape.data.update_id))) {
    log({ replay: 'update_id already handled', updateId: shape.data.update_id });
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
