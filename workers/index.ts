/**
 * The one Worker entry: `fetch` (Hono: API, Telegram webhook; static Lab assets are served before the Worker),
 * `scheduled` (the 5-minute cycle), `queue` (jobs and their dead letters), and the heartbeat Durable Object class.
 */
import { createApp } from './api/app';
import type { Env } from './env';
import { handleQueue } from './jobs/consumer';
import type { JobMessage } from './jobs/messages';
import { runScheduled } from './cron/scheduled';

export { HeartbeatMonitor } from './heartbeat/monitor';
export { TelegramPacer } from './heartbeat/pacer';

const app = createApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
  scheduled: (controller, env, ctx) => runScheduled(controller, env, ctx),
  queue: (batch, env, ctx) => handleQueue(batch as MessageBatch<unknown>, env, ctx),
} satisfies ExportedHandler<Env, JobMessage>;
