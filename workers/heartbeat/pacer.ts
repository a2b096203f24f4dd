/**
 * Telegram send pacing: a token bucket per bot, kept in one Durable Object (`TelegramPacer`, one instance per bot
 * token id) so every isolate that delivers alerts shares it. Telegram's limits: about one message per second to
 * one chat and 30 per second per bot; beyond them it answers 429 with `retry_after`.
 *
 * `reserve(chat)` hands out the next free send slot: no earlier than 1 s after the chat's previous slot, and never
 * more than 30 slots in any 1 s window for the bot. The caller waits for its slot when it is close (≤ `maxWaitMs`)
 * and otherwise re-enqueues itself for later; nothing is reserved then. After a 429, `block(until)` stops every
 * reservation until `retry_after` has passed, so the rest of a batch waits instead of hammering the bot API.
 */
import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env';

export const PER_CHAT_INTERVAL_MS = 1000;
export const PER_BOT_PER_SECOND = 30;

export type Reservation = { ok: true; waitMs: number } | { ok: false; retryAfterMs: number; reason: 'flood-control' | 'busy' };

/** The bucket itself (pure, clock passed in): per-chat spacing, a per-bot sliding 1 s window, a flood-control block. */
export class SendBucket {
  private readonly lastByChat = new Map<string, number>();
  /** Reserved slot times, ascending. */
  private slots: number[] = [];
  blockedUntil = 0;

  reserve(chat: string, now: number, maxWaitMs: number): Reservation {
    if (now < this.blockedUntil) return { ok: false, retryAfterMs: this.blockedUntil - now, reason: 'flood-control' };
    this.slots = this.slots.filter((t) => t > now - PER_CHAT_INTERVAL_MS);
    const last = this.lastByChat.get(chat);
    let slot = Math.max(now, last === undefined ? now : last + PER_CHAT_INTERVAL_MS);
    // Move past any 1 s window that already holds 30 slots.
    for (;;) {
      const inWindow = this.slots.filter((t) => t > slot - 1000 && t <= slot);
      if (inWindow.length < PER_BOT_PER_SECOND) break;
      slot = inWindow[0]! + 1000;
    }
    // A later slot must not overfill a window that starts after it either.
    while (this.slots.filter((t) => t >= slot && t < slot + 1000).length >= PER_BOT_PER_SECOND) slot += 1;
    const waitMs = slot - now;
    if (waitMs > maxWaitMs) return { ok: false, retryAfterMs: waitMs, reason: 'busy' };
    this.lastByChat.set(chat, slot);
    this.slots.push(slot);
    this.slots.sort((a, b) => a - b);
    return { ok: true, waitMs };
  }

  block(until: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, until);
  }
}

export class TelegramPacer extends DurableObject<Env> {
  private bucket = new SendBucket();
  private loaded = false;

  private async load(): Promise<void> {
    if (this.loaded) return;
    this.bucket.blockedUntil = (await this.ctx.storage.get<number>('blockedUntil')) ?? 0;
    this.loaded = true;
  }

  async reserve(chat: string, maxWaitMs: number): Promise<Reservation> {
    await this.load();
    return this.bucket.reserve(chat, Date.now(), maxWaitMs);
  }

  /** Forget every reservation and block (tests; an operator after fixing a misconfigured bot). */
  async reset(): Promise<void> {
    this.bucket = new SendBucket();
    this.loaded = true;
    await this.ctx.storage.delete('blockedUntil');
  }

  /** Flood control: no reservation before `until` (ms UTC). Kept in storage: a 429's retry_after outlives eviction. */
  async block(until: number): Promise<void> {
    await this.load();
    this.bucket.block(until);
    await this.ctx.storage.put('blockedUntil', this.bucket.blockedUntil);
  }
}

/** The pacer of one bot (by the token's numeric id). */
export function pacerFor(env: Env, botId: number | string): DurableObjectStub<TelegramPacer> {
  return env.TELEGRAM_PACER.get(env.TELEGRAM_PACER.idFromName(`telegram:${botId}`));
}
