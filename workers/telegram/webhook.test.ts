import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { eq, inArray } from 'drizzle-orm';
import { exports } from 'cloudflare:workers';
import { alerts, backtestRuns, candles, signals, strategies, telegramUpdates } from '../../shared/db/schema';
import type { KernelEventRecord } from '../../shared/db/queries/kernel-events';
import { accessHeaders } from '../api/test-access';
import { beat } from '../heartbeat/monitor';
import {
  ALERT_CHAT,
  BOT_USERNAME,
  GROUP_CHAT,
  STRANGER_CHAT,
  ADMIN_USER,
  env,
  fakeCalls,
  forgetUpdates,
  messageUpdate,
  postWebhook,
  resetFake,
  sentMessages,
  testDb,
} from './fake-telegram.test-util';
import { commandOf, NOT_ALLOWED_TEXT } from './bot';
import { MAX_WEBHOOK_BYTES } from './webhook';
import { parseChatIds } from './config';

// Far-future candle times keep the seeded rows first in "latest" lists whatever other test files stored.
const T0 = Date.UTC(2099, 0, 1);
const RUN_ID = 'tg-test-run-1';
const STRAT = 'tg-test-strategy';

const h = testDb();
const db = h.db;
let signalIds: number[] = [];
let eventAlertIds: number[] = [];

/** Kernel events as the cron's alert stage stores them: an entry, its stop exit, a new entry (oldest first). */
const EVENTS: { event: KernelEventRecord; status: string }[] = [
  {
    status: 'sent',
    event: { strategyId: STRAT, strategyVersion: '1', venue: 'tgvenue', symbol: 'BTC/USDT', timeframe: '5m', mode: 'live', effect: 'open', positionSide: 'long', price: 97_000.5, liquidity: 'taker', time: T0 + 300_000, signalTime: T0, reason: 'test reason 0', stopLoss: 96_000, takeProfit: 99_000, trailPct: null, signalId: null },
  },
  {
    status: 'muted',
    event: { strategyId: STRAT, strategyVersion: '1', venue: 'tgvenue', symbol: 'BTC/USDT', timeframe: '5m', mode: 'live', effect: 'close', positionSide: 'long', price: 96_000, liquidity: 'taker', time: T0 + 900_000, signalTime: T0, reason: 'test reason 0', exitKind: 'stop', entryPrice: 97_000.5, grossReturn: 96_000 / 97_000.5 - 1, signalId: null },
  },
  {
    status: 'pending',
    event: { strategyId: STRAT, strategyVersion: '1', venue: 'tgvenue', symbol: 'BTC/USDT', timeframe: '5m', mode: 'paper', effect: 'open', positionSide: 'long', price: 97_002, liquidity: 'maker', time: T0 + 1_200_000, signalTime: T0 + 600_000, reason: 'test reason 2', stopLoss: null, takeProfit: null, trailPct: 0.02, signalId: null },
  },
];

beforeAll(async () => {
  await db.delete(signals).where(eq(signals.strategyId, STRAT));
  await db.delete(backtestRuns).where(eq(backtestRuns.id, RUN_ID));
  await db
    .insert(strategies)
    .values({ id: STRAT, title: 'Webhook test', version: '1', origin: 'test', family: 'test', timeframe: '5m', params: {} })
    .onConflictDoUpdate({ target: strategies.id, set: { muted: false } });
  const rows = await db
    .insert(signals)
    .values(
      [0, 1, 2].map((i) => ({
        strategyId: STRAT,
        strategyVersion: '1',
        venue: 'tgvenue',
        symbol: 'BTC/USDT',
        timeframe: '5m',
        candleOpenTime: T0 + i * 300_000,
        candleCloseTime: T0 + (i + 1) * 300_000 - 1,
        action: i === 1 ? 'SELL' : 'BUY',
        price: 97_000 + i,
        reason: `test reason ${i}`,
        computedAt: new Date(T0),
      })),
    )
    .returning({ id: signals.id });
  signalIds = rows.map((r) => r.id);
  await db.delete(alerts).where(inArray(alerts.dedupeKey, EVENTS.map((_, i) => `tg-test-kernel-${i}`)));
  const evRows = await db
    .insert(alerts)
    .values(EVENTS.map((e, i) => ({ dedupeKey: `tg-test-kernel-${i}`, channel: 'telegram', status: e.status, message: `kernel event ${i}`, event: e.event })))
    .returning({ id: alerts.id });
  eventAlertIds = evRows.map((r) => r.id);
  await db.insert(backtestRuns).values({
    id: RUN_ID,
    strategyId: STRAT,
    strategyVersion: '1',
    params: {},
    venue: 'tgvenue',
    symbol: 'ETH/USDT',
    timeframe: '5m',
    windowFrom: Date.UTC(2024, 0, 1),
    windowTo: Date.UTC(2024, 6, 1),
    dataSource: 'archive',
    candleCount: 52_000,
    costModels: [],
    codeVersion: 'test',
    status: 'done',
    progress: 1,
    verdict: 'reject',
    verdictReason: 'no edge after costs',
    result: { gross: { trades: 12, totalReturn: 0.05, maxDrawdownEquity: 0.1, winRate: 0.5, profitFactor: 1.2, sharpe: 0.8 } },
    createdAt: new Date(T0),
  });
  await db
    .insert(candles)
    .values({ venue: 'tgvenue', symbol: 'BTC/USDT', timeframe: '5m', openTime: Date.UTC(2025, 0, 1), open: 1, high: 2, low: 0.5, close: 1.5, volume: 10, source: 'test' })
    .onConflictDoNothing();
  await beat(env, { role: 'research', ok: true, detail: 'webhook test beat', intervalMs: 3_600_000 });
});

afterAll(async () => {
  await db.delete(alerts).where(inArray(alerts.id, eventAlertIds));
  await db.delete(signals).where(inArray(signals.id, signalIds));
  await db.delete(backtestRuns).where(eq(backtestRuns.id, RUN_ID));
  await db.delete(candles).where(eq(candles.venue, 'tgvenue'));
  await h.close();
});

beforeEach(async () => {
  await resetFake();
});

async function command(text: string, chatId = ALERT_CHAT): Promise<string> {
  const res = await postWebhook(messageUpdate(text, chatId));
  expect(res.status).toBe(200);
  const sent = await sentMessages();
  expect(sent, `one reply to ${text}`).toHaveLength(1);
  expect(sent[0]!.chatId).toBe(chatId);
  return sent[0]!.text;
}

async function muted(): Promise<boolean> {
  const [row] = await db.select({ muted: strategies.muted }).from(strategies).where(eq(strategies.id, STRAT));
  return row!.muted;
}

describe('POST /telegram/webhook: the secret token', () => {
  it('answers 401 to a forged or missing secret and writes nothing', async () => {
    for (const secret of ['forged-secret', null, '', 'test-webhook-secreT']) {
      const res = await postWebhook(messageUpdate(`/mute ${STRAT}`, ALERT_CHAT), { secret });
      expect(res.status, `secret ${String(secret)}`).toBe(401);
    }
    expect(await muted()).toBe(false);
    expect(await fakeCalls()).toEqual([]);
  });
});

describe('POST /telegram/webhook: the chat allow-list', () => {
  it('gives a chat that is not allow-listed no data', async () => {
    for (const text of ['/status', '/signals 5', `/run ${RUN_ID}`, `/mute ${STRAT}`, '/help', 'hello']) {
      const res = await postWebhook(messageUpdate(text, STRANGER_CHAT));
      expect(res.status).toBe(200);
    }
    expect(await fakeCalls()).toEqual([]);
    expect(await muted()).toBe(false);
  });

  it('ignores the real captured updates from chats that are not allow-listed', async () => {
    const samples = inject('telegramSamples');
    if (!samples) return console.warn('[skipped] ../shared/data/telegram not found');
    const captured = samples.samples.filter((s) => s.source === 'pytelegrambotapi-captured');
    expect(captured.length).toBeGreaterThanOrEqual(5);
    await forgetUpdates(captured.map((s) => Number(s.update.update_id)));
    for (const s of captured) {
      const res = await postWebhook(s.update);
      expect(res.status, s.name).toBe(200);
    }
    expect(await fakeCalls()).toEqual([]);
  });

  it("answers Telegram's official examples for an allow-listed chat the way real updates would be", async () => {
    const samples = inject('telegramSamples');
    if (!samples) return console.warn('[skipped] ../shared/data/telegram not found');
    const official = Object.fromEntries(samples.samples.filter((s) => s.source === 'telegram-official-examples').map((s) => [s.name, s.update]));
    // The guide's examples all carry update_id 10000: each is a distinct example, not a redelivery, so the
    // replay guard is told to forget the id before each one.
    const fresh = async (u: Record<string, unknown>) => {
      await forgetUpdates([Number(u.update_id)]);
      return postWebhook(u);
    };
    // Hand-written: `/start` without a bot_command entity → treated as a command anyway (help text).
    expect((await fresh(official.message_text_start)).status).toBe(200);
    expect((await fresh(official.message_with_reply)).status).toBe(200);
    // Plain formatted text → no reply; a callback_query without a message has no chat → dropped.
    expect((await fresh(official.message_with_entities)).status).toBe(200);
    expect((await fresh(official.callback_query)).status).toBe(200);
    const sent = await sentMessages();
    expect(sent.map((m) => m.chatId)).toEqual([ALERT_CHAT, ALERT_CHAT]);
    for (const m of sent) expect(m.text).toContain('/signals [n]');
    expect((await fakeCalls()).map((c) => c.method)).toEqual(['sendMessage', 'sendMessage']);
  });
});

describe('POST /telegram/webhook: commands', () => {
  it('/start and /help', async () => {
    expect(await command('/start')).toMatch(/^Hello!.*\n[\s\S]*\/status/);
    await resetFake();
    const help = await command('/help');
    for (const c of ['/status', '/signals', '/runs', '/run <id>', '/health', '/mute', '/unmute']) expect(help).toContain(c);
  });

  it('/status: heartbeats, last candle per series, last kernel events', async () => {
    const text = await command('/status');
    expect(text).toContain('Heartbeats');
    expect(text).toMatch(/✅ research — \d+s ago — webhook test beat/);
    expect(text).toContain('tgvenue BTC/USDT 5m — last candle 2025-01-01 00:00 UTC');
    expect(text).toContain('Last kernel events');
    expect(text).toContain('🟢 ENTRY long BTC/USDT @ 97,002 (maker) · 2099-01-01 00:20 UTC · tgvenue 5m · tg-test-strategy (paper)');
    expect(text).not.toContain('BUY BTC/USDT');
  });

  it('/signals [n]: the kernel events the alerts carry (entry / exit with its kind, fill price), not raw signals', async () => {
    const two = await command('/signals 2');
    expect(two).toContain('Last 2 kernel events:');
    const lines = two.split('\n');
    const entry = lines.findIndex((l) => l.startsWith('🟢 ENTRY long BTC/USDT @ 97,002 (maker)'));
    const stop = lines.findIndex((l) => l.startsWith('🛑 EXIT (stop) long BTC/USDT @ 96,000 (taker) · 2099-01-01 00:15 UTC · tgvenue 5m · tg-test-strategy · gross -1.03%'));
    expect(entry, two).toBeGreaterThan(0);
    expect(stop, two).toBeGreaterThan(entry); // newest fill first
    expect(lines[entry + 1]).toBe('  signal 2099-01-01 00:10 UTC — test reason 2 · alert pending');
    expect(lines[stop + 1]).toBe('  stop inside the candle · alert muted');
    expect(two).not.toContain('97,000.5 (taker)'); // the oldest event is past n = 2
    expect(two).not.toMatch(/\b(BUY|SELL)\b/);
    expect(two).toContain('Lab: https://lab.test/');
    await resetFake();
    const all = await command('/signals');
    expect(all).toContain('🟢 ENTRY long BTC/USDT @ 97,000.5 (taker) · 2099-01-01 00:05 UTC');
    expect(all).toContain('signal 2099-01-01 00:00 UTC — test reason 0 · alert sent');
  });

  it('the Dashboard API lists the same kernel events as /signals, newest fill first', async () => {
    const res = await exports.default.fetch(new Request('http://lab.local/api/dashboard?events=3&signals=0&alerts=0', { headers: await accessHeaders() }));
    expect(res.status).toBe(200);
    const d = (await res.json()) as { events: { alertId: number; status: string; event: KernelEventRecord }[] };
    expect(d.events.map((e) => e.alertId)).toEqual([...eventAlertIds].reverse());
    expect(d.events.map((e) => e.status)).toEqual(['pending', 'muted', 'sent']);
    expect(d.events.map((e) => e.event)).toEqual([...EVENTS].reverse().map((e) => e.event));
  });

  it('/runs [n] and /run <id>', async () => {
    const runs = await command('/runs 1');
    expect(runs).toContain(`${RUN_ID} · ${STRAT} · tgvenue ETH/USDT 5m · done · reject`);
    await resetFake();
    const run = await command(`/run ${RUN_ID}`);
    expect(run).toContain(`Run ${RUN_ID}`);
    expect(run).toContain('Verdict: reject — no edge after costs');
    expect(run).toContain('Gross: 12 trades, return 5.00%, max DD 10.00%');
    expect(run).toContain(`Lab: https://lab.test/runs/#${RUN_ID}`);
    await resetFake();
    expect(await command('/run no-such-run')).toContain('No run with id no-such-run');
    await resetFake();
    expect(await command('/run')).toContain('Usage: /run <id>');
  });

  it('/health', async () => {
    const text = await command('/health');
    expect(text).toMatch(/Database: ok \(\d+ ms\)/);
    expect(text).toContain('Migrations: up to date');
    expect(text).toMatch(/Alerts: sent \d+; pending \d+/);
  });

  it('/mute and /unmute a strategy; an unknown strategy is said so', async () => {
    expect(await command(`/mute ${STRAT}`)).toContain(`${STRAT} muted`);
    expect(await muted()).toBe(true);
    await resetFake();
    expect(await command(`/unmute ${STRAT}`)).toContain(`${STRAT} unmuted`);
    expect(await muted()).toBe(false);
    await resetFake();
    const unknown = await command('/mute no-such-strategy');
    expect(unknown).toContain('Unknown strategy: no-such-strategy.');
    expect(unknown).toMatch(/Known: \S+/);
    await resetFake();
    expect(await command('/mute')).toContain('Usage: /mute <strategy id> or /mute <kind>');
  });

  it('an unknown command gets the help text; commands for another bot and chatter are ignored', async () => {
    const text = await command('/frobnicate now');
    expect(text).toMatch(/^Unknown command \/frobnicate\./);
    expect(text).toContain('/status');
    await resetFake();
    expect(await command(`/health@${BOT_USERNAME}`)).toContain('Database: ok');
    await resetFake();
    await postWebhook(messageUpdate('/status@some_other_bot', ALERT_CHAT));
    await postWebhook(messageUpdate('just chatting', ALERT_CHAT));
    expect(await fakeCalls()).toEqual([]);
  });

  it('answers commands posted in an allow-listed channel', async () => {
    const res = await postWebhook(messageUpdate('/signals 1', GROUP_CHAT, { channel: true }));
    expect(res.status).toBe(200);
    const sent = await sentMessages();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ chatId: GROUP_CHAT });
    expect(sent[0]!.text).toContain('Last 1 kernel event:');
  });
});

describe('POST /telegram/webhook: replays, size, who may change state', () => {
  it('a replayed update_id gets no second reply (and a second /mute does nothing)', async () => {
    const update = messageUpdate('/signals 1', ALERT_CHAT);
    for (let i = 0; i < 3; i++) expect((await postWebhook(update)).status).toBe(200);
    expect(await sentMessages()).toHaveLength(1);
    // The claim is durable (a database row), so a fresh isolate or a later redelivery is still a replay.
    const [row] = await db.select().from(telegramUpdates).where(eq(telegramUpdates.updateId, update.update_id as number));
    expect(row?.updateId).toBe(update.update_id);
    await resetFake();
    const mute = messageUpdate(`/mute ${STRAT}`, ALERT_CHAT);
    await postWebhook(mute);
    expect(await muted()).toBe(true);
    await postWebhook(messageUpdate(`/unmute ${STRAT}`, ALERT_CHAT));
    await postWebhook(mute);
    expect(await muted(), 'the replayed /mute did not mute again').toBe(false);
    expect(await sentMessages()).toHaveLength(2);
  });

  it('caps the body at 1 MB counted in bytes: 413, nothing sent', async () => {
    // 300,000 four-byte characters: 1.2 MB on the wire, 600,000 UTF-16 units (under a length-based cap).
    const big = JSON.stringify({ ...messageUpdate('/status', ALERT_CHAT), pad: '𝔘'.repeat(300_000) });
    expect(big.length).toBeLessThan(MAX_WEBHOOK_BYTES);
    expect(new TextEncoder().encode(big).byteLength).toBeGreaterThan(MAX_WEBHOOK_BYTES);
    const res = await postWebhook(big, { raw: true });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    // Without a Content-Length header too (a chunked body): the read stops at the cap.
    const stream = new Blob([big]).stream();
    const { createExecutionContext, waitOnExecutionContext } = await import('cloudflare:test');
    const worker = (await import('../index')).default;
    const ctx = createExecutionContext();
    const chunked = await worker.fetch(
      new Request('http://lab.local/telegram/webhook', { method: 'POST', headers: { 'X-Telegram-Bot-Api-Secret-Token': 'test-webhook-secret' }, body: stream, duplex: 'half' } as RequestInit) as unknown as Parameters<typeof worker.fetch>[0],
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(chunked.status).toBe(413);
    expect(await fakeCalls()).toEqual([]);
  });

  it('/mute and /unmute need a user on the admin list, not only an allow-listed chat', async () => {
    // A stranger in the allow-listed group, and a channel post (no sender user): refused, nothing changes.
    const stranger = await postWebhook(messageUpdate(`/mute ${STRAT}`, GROUP_CHAT, { fromId: 999_001 }));
    expect(stranger.status).toBe(200);
    await postWebhook(messageUpdate(`/mute ${STRAT}`, GROUP_CHAT, { channel: true }));
    expect(await muted()).toBe(false);
    const sent = await sentMessages();
    expect(sent.map((m) => m.text)).toEqual([NOT_ALLOWED_TEXT, NOT_ALLOWED_TEXT]);
    // Read-only commands stay open to the allow-listed chat; the admin in the group may mute.
    await resetFake();
    expect((await postWebhook(messageUpdate('/signals 1', GROUP_CHAT, { fromId: 999_001 }))).status).toBe(200);
    expect((await sentMessages())[0]!.text).toContain('Last 1 kernel event');
    await resetFake();
    await postWebhook(messageUpdate(`/mute ${STRAT}`, GROUP_CHAT, { fromId: ADMIN_USER }));
    expect(await muted()).toBe(true);
    await postWebhook(messageUpdate(`/unmute ${STRAT}`, GROUP_CHAT, { fromId: ADMIN_USER }));
    expect(await muted()).toBe(false);
  });
});

describe('POST /telegram/webhook: malformed updates', () => {
  it('answers 200 with no side effect to a body that is not JSON or not an Update', async () => {
    const bodies: [unknown, boolean][] = [
      ['{not json', true],
      ['', true],
      [[1, 2, 3], false],
      [{ hello: 'world' }, false],
      [{ update_id: 'x' }, false],
      [{ update_id: 1, message: { text: `/mute ${STRAT}` } }, false],
      [{ update_id: 2, message: { message_id: 1, date: 1, chat: { id: ALERT_CHAT, type: 'private' }, text: '/mute x', entities: 'bad' } }, false],
    ];
    for (const [body, raw] of bodies) {
      const res = await postWebhook(body, { raw });
      expect(res.status, JSON.stringify(body)).toBe(200);
    }
    expect(await fakeCalls()).toEqual([]);
    expect(await muted()).toBe(false);
  });
});

describe('small parsers', () => {
  it('commandOf and parseChatIds', () => {
    expect(commandOf('/Status@Lab_Bot 5')).toEqual({ name: 'status', target: 'lab_bot' });
    expect(commandOf('  /help')).toEqual({ name: 'help', target: undefined });
    expect(commandOf('hello /help')).toBeUndefined();
    expect(parseChatIds(' 1, -1002, 1 ')).toEqual([1, -1002]);
    expect(() => parseChatIds('1,@channel')).toThrow(/TELEGRAM_CHAT_ID/);
  });
});
