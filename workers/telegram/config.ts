/**
 * Telegram settings derived from the parsed AppConfig: the bot token, the webhook secret, the chat allow-list
 * (TELEGRAM_CHAT_ID, one id or several comma-separated; the first one receives alerts), the Bot API root (a local
 * fake in dev and tests) and the preset `botInfo`, so neither the webhook nor a delivery ever calls getMe.
 */
import { Api } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { AppConfig } from '../env';
import { ConfigError } from '../errors';

export interface TelegramSettings {
  token: string;
  webhookSecret: string | undefined;
  /** Allow-listed chat ids; the bot answers these only. */
  chatIds: number[];
  /** Telegram user ids allowed to run state-changing commands (/mute, /unmute); empty = no one. */
  adminUserIds: number[];
  /** Where alerts go: the first allow-listed chat. */
  alertChatId: number;
  apiRoot: string;
  botInfo: UserFromGetMe;
  labUrl: string | undefined;
}

/** Parse `123, -1001234567890` into chat ids; throws ConfigError on anything else. */
export function parseChatIds(raw: string | undefined): number[] {
  if (!raw) return [];
  const parts = raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const bad = parts.filter((p) => !/^-?\d{1,20}$/.test(p) || !Number.isSafeInteger(Number(p)));
  if (bad.length > 0) {
    throw new ConfigError(`Invalid Worker configuration — TELEGRAM_CHAT_ID: expected numeric chat ids, comma-separated`, [
      `TELEGRAM_CHAT_ID: not a numeric chat id: ${bad.length} item(s)`,
    ]);
  }
  return [...new Set(parts.map(Number))];
}

/** The bot's own User, preset so grammY skips getMe. The id is the token's numeric prefix. */
export function presetBotInfo(token: string, username: string | undefined): UserFromGetMe {
  const id = Number(token.split(':')[0]);
  return {
    id: Number.isSafeInteger(id) ? id : 0,
    is_bot: true,
    first_name: 'Strategy Lab',
    username: username?.replace(/^@/, '') || 'strategy_lab_bot',
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
    has_topics_enabled: false,
    allows_users_to_create_topics: false,
    can_manage_bots: false,
    supports_join_request_queries: false,
  };
}

/** The Telegram settings, or null when the bot is not configured (no token or no chat id). */
export function telegramSettings(config: AppConfig): TelegramSettings | null {
  const token = config.TELEGRAM_BOT_TOKEN;
  const chatIds = parseChatIds(config.TELEGRAM_CHAT_ID);
  if (!token || chatIds.length === 0) return null;
  return {
    token,
    webhookSecret: config.TELEGRAM_WEBHOOK_SECRET,
    chatIds,
    adminUserIds: (config.TELEGRAM_ADMIN_IDS ?? '').split(',').map((x) => x.trim()).filter(Boolean).map(Number).filter(Number.isSafeInteger),
    alertChatId: chatIds[0]!,
    apiRoot: config.TELEGRAM_API_ROOT.replace(/\/+$/, ''),
    botInfo: presetBotInfo(token, config.TELEGRAM_BOT_USERNAME),
    labUrl: config.PUBLIC_LAB_URL?.replace(/\/+$/, ''),
  };
}

/** A Bot API client for outgoing calls (alerts), pointed at `apiRoot`, with a timeout a Worker can afford. */
export function telegramApi(settings: Pick<TelegramSettings, 'token' | 'apiRoot'>): Api {
  return new Api(settings.token, { apiRoot: settings.apiRoot, timeoutSeconds: 15 });
}
