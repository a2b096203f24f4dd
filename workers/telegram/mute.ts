/**
 * `/mute <what>` and `/unmute <what>` (admin-only, like every state-changing command): `<what>` is a notification
 * kind (`paper-daily`, `paper-drawdown`, `strategy-status`, `service`, `paper-divergence`: its alerts are recorded
 * `muted`, never sent) or a strategy id (its signal alerts, as before). `/mute` alone lists the kinds and what is
 * muted.
 */
import { listMutes, setKindMuted } from '../../shared/db/queries/notifications';
import { NOTIFICATION_KINDS, isNotificationKind } from '../../shared/observability/notifications';
import { setMutedText, type CommandDeps } from './commands';

const kindsList = (): string => Object.entries(NOTIFICATION_KINDS).map(([k, d]) => `${k} (${d})`).join(', ');

export async function muteText(deps: CommandDeps, arg: string | undefined, muted: boolean, userId: number | undefined): Promise<string> {
  const verb = muted ? 'mute' : 'unmute';
  if (!arg) {
    const current = await listMutes(deps.db());
    return [
      `Usage: /${verb} <strategy id> or /${verb} <kind>`,
      `Kinds: ${kindsList()}`,
      `Muted kinds: ${current.length ? current.map((m) => m.kind).join(', ') : 'none'}`,
    ].join('\n');
  }
  if (!isNotificationKind(arg)) return setMutedText(deps, arg, muted);
  const changed = await setKindMuted(deps.db(), arg, muted, `telegram:${userId ?? 'unknown'}`);
  const what = NOTIFICATION_KINDS[arg];
  if (muted) return changed ? `🔕 ${arg} muted: ${what} alerts are recorded, not sent.` : `${arg} was already muted.`;
  return changed ? `🔔 ${arg} unmuted: ${what} alerts are sent again.` : `${arg} was not muted.`;
}
