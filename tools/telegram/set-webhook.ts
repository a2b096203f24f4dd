/**
 * Point Telegram at the Worker's webhook: `setWebhook` with the secret token the Worker checks and the update
 * kinds the bot handles.
 *
 *   TELEGRAM_BOT_TOKEN=… TELEGRAM_WEBHOOK_SECRET=… PUBLIC_LAB_URL=https://lab.example.com \
 *     npx tsx tools/telegram/set-webhook.ts [--url https://…/telegram/webhook] [--api-root http://127.0.0.1:8791]
 *     [--drop-pending] [--delete] [--info]
 *
 * The webhook URL is `--url` as given, or `${PUBLIC_LAB_URL}/telegram/webhook`. `--api-root` (or
 * TELEGRAM_API_ROOT) points the call at a local Bot API such as tools/fake-telegram. Secrets are never printed.
 */
import { pathToFileURL } from 'node:url';
import { Api } from 'grammy';

export const ALLOWED_UPDATES = ['message', 'channel_post', 'callback_query'] as const;

export interface SetWebhookOptions {
  token: string;
  secret: string;
  url: string;
  apiRoot?: string;
  dropPending?: boolean;
}

export function webhookUrl(args: { url?: string; labUrl?: string }): string {
  if (args.url) return args.url;
  if (!args.labUrl) throw new Error('no webhook URL: pass --url or set PUBLIC_LAB_URL');
  return `${args.labUrl.replace(/\/+$/, '')}/telegram/webhook`;
}

export function validate(opts: SetWebhookOptions): void {
  if (!/^\d+:[A-Za-z0-9_-]+$/.test(opts.token)) throw new Error('TELEGRAM_BOT_TOKEN does not look like a bot token');
  if (!/^[A-Za-z0-9_-]{1,256}$/.test(opts.secret)) {
    throw new Error('TELEGRAM_WEBHOOK_SECRET must be 1–256 characters of A–Z, a–z, 0–9, _ and -');
  }
  const u = new URL(opts.url);
  if (u.protocol !== 'https:' && !opts.apiRoot) throw new Error(`Telegram requires an HTTPS webhook URL, got ${u.protocol}`);
}

function api(token: string, apiRoot: string | undefined): Api {
  return new Api(token, apiRoot ? { apiRoot: apiRoot.replace(/\/+$/, '') } : {});
}

export async function setWebhook(opts: SetWebhookOptions): Promise<boolean> {
  validate(opts);
  return api(opts.token, opts.apiRoot).setWebhook(opts.url, {
    secret_token: opts.secret,
    allowed_updates: [...ALLOWED_UPDATES],
    drop_pending_updates: opts.dropPending ?? false,
  });
}

export async function deleteWebhook(opts: { token: string; apiRoot?: string; dropPending?: boolean }): Promise<boolean> {
  return api(opts.token, opts.apiRoot).deleteWebhook({ drop_pending_updates: opts.dropPending ?? false });
}

export async function webhookInfo(opts: { token: string; apiRoot?: string }) {
  return api(opts.token, opts.apiRoot).getWebhookInfo();
}

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i >= 0) return args[i + 1];
  return args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const token = env.TELEGRAM_BOT_TOKEN;
  if (!token) throw new Error('TELEGRAM_BOT_TOKEN is required');
  const apiRoot = argValue(argv, '--api-root') ?? env.TELEGRAM_API_ROOT;
  const dropPending = argv.includes('--drop-pending');
  if (argv.includes('--info')) {
    const info = await webhookInfo({ token, apiRoot });
    console.log(JSON.stringify(info, null, 2));
    return;
  }
  if (argv.includes('--delete')) {
    await deleteWebhook({ token, apiRoot, dropPending });
    console.log('webhook deleted');
    return;
  }
  const secret = env.TELEGRAM_WEBHOOK_SECRET;
  if (!secret) throw new Error('TELEGRAM_WEBHOOK_SECRET is required (the Worker rejects updates without it)');
  const url = webhookUrl({ url: argValue(argv, '--url'), labUrl: env.PUBLIC_LAB_URL });
  await setWebhook({ token, secret, url, apiRoot, dropPending });
  console.log(`webhook set to ${url} (allowed_updates: ${ALLOWED_UPDATES.join(', ')}${dropPending ? ', pending updates dropped' : ''})`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(`set-webhook failed: ${(err as Error).message}`);
    process.exit(1);
  });
}
