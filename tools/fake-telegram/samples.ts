/**
 * The real Telegram update samples kept beside the checkout in ../shared/data/telegram (see PROVENANCE.md §3),
 * loaded Node-side for tests (the workerd tests receive them through vitest's `provide`/`inject`).
 * Returns null in a clone without ../shared/data; tests that need them skip and say why.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface TelegramSample {
  /** `name_in_source` (pyTelegramBotAPI) or `name` (Telegram's webhook guide). */
  name: string;
  source: 'pytelegrambotapi-captured' | 'telegram-official-examples';
  update: Record<string, unknown>;
}

export interface TelegramSamples {
  dir: string;
  samples: TelegramSample[];
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function telegramSamplesDir(): string {
  return join(process.env.SHARED_DATA_DIR ?? resolve(REPO_ROOT, '..', 'shared', 'data'), 'telegram');
}

export function loadTelegramSamples(dir = telegramSamplesDir()): TelegramSamples | null {
  const captured = join(dir, 'pytelegrambotapi-captured-message-updates.json');
  const official = join(dir, 'telegram-official-webhook-guide-examples.json');
  if (!existsSync(captured) || !existsSync(official)) return null;
  const read = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as { name?: string; name_in_source?: string; update: Record<string, unknown> }[];
  return {
    dir,
    samples: [
      ...read(captured).map((s) => ({ name: s.name_in_source ?? s.name ?? '?', source: 'pytelegrambotapi-captured' as const, update: s.update })),
      ...read(official).map((s) => ({ name: s.name ?? s.name_in_source ?? '?', source: 'telegram-official-examples' as const, update: s.update })),
    ],
  };
}
