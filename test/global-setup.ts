/**
 * Global setup for the workerd tests: start the database (embedded PGlite behind the session gate, or use
 * DATABASE_URL), apply the migrations, and start the local Neon wsproxy the Worker connects through.
 * Also starts the fake Telegram Bot API on NX_TEST_TELEGRAM_PORT (the Worker's TELEGRAM_API_ROOT) and provides the
 * real Telegram update samples from ../shared/data/telegram (null in a clone without them) to the tests.
 */
import type { TestProject } from 'vitest/node';
import { openLocalDatabase } from '../tools/db/local-db';
import { migrateDatabase } from '../tools/db/migrate';
import { seedDatabase } from '../tools/db/seed';
import { startWsProxy } from '../tools/db/ws-proxy';
import { startFakeTelegram } from '../tools/fake-telegram/server';
import { loadTelegramSamples, type TelegramSamples } from '../tools/fake-telegram/samples';
import { startFakeExchange } from '../tools/fake-exchange/server';
import { startFakeArchive } from '../tools/fake-archive/server';
import { HAS_SHARED_DATA, SKIP_REASON } from '../shared/testing/data';

declare module 'vitest' {
  export interface ProvidedContext {
    telegramSamples: TelegramSamples | null;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const db = await openLocalDatabase({ port: Number(process.env.NX_TEST_DB_PORT) });
  await migrateDatabase(db.url);
  await seedDatabase(db.url);
  const proxy = await startWsProxy({ port: Number(process.env.NX_TEST_PROXY_PORT) });
  const telegram = await startFakeTelegram({ port: Number(process.env.NX_TEST_TELEGRAM_PORT) });
  project.provide('telegramSamples', loadTelegramSamples());
  const exchange = await startFakeExchange({ port: Number(process.env.NX_TEST_EXCHANGE_PORT) });
  const archive = await startFakeArchive({ port: Number(process.env.NX_TEST_ARCHIVE_PORT) });
  project.provide('fakeExchangeUrl', exchange.url);
  project.provide('fakeArchiveUrl', archive.url);
  project.provide('sharedDataSkipReason', HAS_SHARED_DATA ? null : SKIP_REASON);
  console.log(`[workers tests] ${db.kind} Postgres migrated; wsproxy at ${proxy.endpoint}; fake Telegram at ${telegram.url}`);
  return async () => {
    await archive.close();
    await exchange.close();
    await telegram.close();
    await proxy.close();
    await db.close();
  };
}
