/**
 * The offline outside world for `npm run dev`: the fake exchange (five venues' wire formats over the real recorded
 * 2022 candles), the fake Binance archive, and the fake Telegram Bot API, with the Worker vars that point at them.
 *
 * The recorded candles end on 2022-04-16, so offline dev replays them: a simulated clock starts two days before
 * the end of the recording and advances one cron period (5 min) per tick; each tick sets the fake exchange's
 * clock and runs the Worker's `scheduled` with that time (`/cdn-cgi/local/scheduled?time=`), so ingestion, signals and alerts
 * run exactly as they would live, on real market data.
 */
import { startFakeArchive } from '../fake-archive/server';
import { startFakeExchange } from '../fake-exchange/server';
import { DEFAULT_FAKE_NOW } from '../fake-exchange/store';
import { startFakeTelegram } from '../fake-telegram/server';

export interface DevFakes {
  vars: Record<string, string>;
  lines: string[];
  summary: string;
  /** The time the next cron tick should run at (simulated offline, real with live venues). */
  nextTickTime(): Promise<number>;
  close(): Promise<void>;
}

export const REPLAY_STEP_MS = 5 * 60_000;

export async function startDevFakes(opts: { liveVenues: boolean; exchangePort: number; telegramPort: number; archivePort: number }): Promise<DevFakes> {
  const telegram = await startFakeTelegram({ port: opts.telegramPort });
  const archive = await startFakeArchive({ port: opts.archivePort });
  const vars: Record<string, string> = {
    TELEGRAM_API_ROOT: telegram.url,
    TELEGRAM_BOT_TOKEN: '123456:DEV_TOKEN_not_real',
    TELEGRAM_WEBHOOK_SECRET: 'dev-webhook-secret',
    TELEGRAM_CHAT_ID: '1111111',
    // The dev chat's user may run the state-changing commands (/mute, /unmute).
    TELEGRAM_ADMIN_IDS: '1111111',
    ARCHIVE_BASE_URL: archive.baseUrl('ms'),
  };
  const lines = [
    `Fake Telegram  ${telegram.url}/__calls   (what the bot sent)`,
    `Fake archive   ${archive.baseUrl('ms')}   (data.binance.vision layout over ../shared/data)`,
  ];
  if (opts.liveVenues) {
    return {
      vars,
      lines,
      summary: 'fake Telegram and archive started; venues are live',
      nextTickTime: async () => Date.now(),
      close: async () => {
        await telegram.close();
        await archive.close();
      },
    };
  }
  let sim = DEFAULT_FAKE_NOW - 2 * 86_400_000;
  const exchange = await startFakeExchange({ port: opts.exchangePort, now: sim });
  for (const v of ['binance', 'kraken', 'coinbase', 'okx', 'bybit'] as const) vars[`${v.toUpperCase()}_BASE_URL`] = `${exchange.url}/${v}`;
  lines.unshift(`Fake exchange  ${exchange.url}/{binance,kraken,coinbase,okx,bybit}   (replaying real 2022 candles; faults: POST /__faults)`);
  return {
    vars,
    lines,
    summary: `fake exchange, archive and Telegram started (replay from ${new Date(sim).toISOString()})`,
    nextTickTime: async () => {
      sim = Math.min(sim + REPLAY_STEP_MS, DEFAULT_FAKE_NOW);
      exchange.setNow(sim);
      return sim;
    },
    close: async () => {
      await exchange.close();
      await telegram.close();
      await archive.close();
    },
  };
}
