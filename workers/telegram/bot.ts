/**
 * The grammY bot, built per request (cheap: no getMe, `botInfo` is preset) with its Bot API calls pointed at
 * `apiRoot`. Only allow-listed chats are answered; everything else is dropped before any command runs, so a
 * stranger never gets data. Commands that change state (/mute, /unmute) need more: the sender's user id must be on
 * the admin list (a channel post has no sender user, so it can never mute). Commands are thin: grammY parses,
 * `commands.ts` queries and formats.
 */
import { Bot, type Context } from 'grammy';
import { firstArg, parseCount, runText, runsText, signalsText, statusText, healthText, type CommandDeps } from './commands';
import { muteText } from './mute';
import { log as rootLog } from '../observability/logger';
import type { TelegramSettings } from './config';
import { HELP_TEXT, START_TEXT, clip } from './format';

export const BOT_COMMANDS = ['start', 'help', 'status', 'signals', 'runs', 'run', 'health', 'mute', 'unmute'] as const;
/** Commands that change state: only the users in TELEGRAM_ADMIN_IDS may run them, whatever the chat. */
export const STATE_CHANGING_COMMANDS = ['mute', 'unmute'] as const;

export const NOT_ALLOWED_TEXT = 'Not allowed: this command changes state and your Telegram user is not on the admin list (TELEGRAM_ADMIN_IDS).';

function log(event: Record<string, unknown>): void {
  rootLog.warn('telegram', { at: 'telegram', ...event });
}

async function reply(ctx: Context, text: string): Promise<void> {
  await ctx.reply(clip(text), { link_preview_options: { is_disabled: true } });
}

/** The command a text addresses: `/Status@my_bot args` → { name: 'status', target: 'my_bot' }. */
export function commandOf(text: string): { name: string; target: string | undefined } | undefined {
  const m = /^\/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]{1,64}))?(?:\s|$)/.exec(text.trimStart());
  return m ? { name: m[1]!.toLowerCase(), target: m[2]?.toLowerCase() } : undefined;
}

export function createBot(settings: TelegramSettings, deps: CommandDeps): Bot {
  const bot = new Bot(settings.token, {
    botInfo: settings.botInfo,
    client: { apiRoot: settings.apiRoot, timeoutSeconds: 10 },
  });
  const allowed = new Set(settings.chatIds);

  // The allow-list: updates without a chat (inline callback queries …) or from another chat go no further.
  bot.use(async (ctx, next) => {
    const chatId = ctx.chat?.id;
    if (chatId === undefined || !allowed.has(chatId)) {
      log({ ignored: 'chat not allow-listed', updateId: ctx.update.update_id, chatType: ctx.chat?.type ?? null });
      return;
    }
    await next();
  });

  bot.command('start', (ctx) => reply(ctx, START_TEXT));
  bot.command('help', (ctx) => reply(ctx, HELP_TEXT));
  bot.command('status', async (ctx) => reply(ctx, await statusText(deps)));
  bot.command('signals', async (ctx) => reply(ctx, await signalsText(deps, parseCount(ctx.match))));
  bot.command('runs', async (ctx) => reply(ctx, await runsText(deps, parseCount(ctx.match))));
  bot.command('run', async (ctx) => reply(ctx, await runText(deps, firstArg(ctx.match))));
  bot.command('health', async (ctx) => reply(ctx, await healthText(deps)));
  const admins = new Set(settings.adminUserIds);
  const admin = (ctx: Context): boolean => {
    const userId = ctx.from?.id;
    const ok = userId !== undefined && admins.has(userId) && !ctx.msg?.sender_chat;
    if (!ok) log({ refused: 'state-changing command from a user not on the admin list', updateId: ctx.update.update_id, userId: userId ?? null });
    return ok;
  };
  bot.command('mute', async (ctx) => reply(ctx, admin(ctx) ? await muteText(deps, firstArg(ctx.match), true, ctx.from?.id) : NOT_ALLOWED_TEXT));
  bot.command('unmute', async (ctx) => reply(ctx, admin(ctx) ? await muteText(deps, firstArg(ctx.match), false, ctx.from?.id) : NOT_ALLOWED_TEXT));

  // Anything else that looks like a command for this bot (an unknown one, or a hand-built update without a
  // bot_command entity) gets the help text; commands addressed to another bot and plain chatter are ignored.
  bot.on(['message:text', 'channel_post:text'], async (ctx) => {
    const cmd = commandOf(ctx.msg.text);
    if (!cmd) return;
    if (cmd.target && cmd.target !== ctx.me.username.toLowerCase()) return;
    const known = (BOT_COMMANDS as readonly string[]).includes(cmd.name);
    await reply(ctx, known ? HELP_TEXT : `Unknown command /${cmd.name}.\n\n${HELP_TEXT}`);
  });

  // No inline keyboards are sent, but a stray button press should not spin forever.
  bot.on('callback_query', (ctx) => ctx.answerCallbackQuery());

  // A failing command answers briefly and returns 200, so Telegram does not redeliver the update forever.
  bot.catch(async (err) => {
    rootLog.error('telegram command failed', { at: 'telegram', updateId: err.ctx.update.update_id, error: String(err.error) });
    try {
      if (err.ctx.chat && allowed.has(err.ctx.chat.id)) await err.ctx.reply('Sorry, that command failed; it has been logged.');
    } catch {
      /* nothing more to do */
    }
  });

  return bot;
}
