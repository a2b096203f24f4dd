/**
 * Operator notification mutes over the API (the bot's `/mute <kind>` does the same): `GET /api/notifications` —
 * the kinds, what each is, and whether it is muted; `PUT /api/notifications/:kind/mute` and
 * `DELETE /api/notifications/:kind/mute` — mute / unmute a kind (idempotent). A muted kind's alerts are recorded
 * `muted`, never sent. Behind Access; the muter is recorded from Access's authenticated-user header.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { listMutes, setKindMuted } from '../../../shared/db/queries/notifications';
import { NOTIFICATION_KINDS, type NotificationKind } from '../../../shared/observability/notifications';
import { documentRoutes } from '../openapi';
import { parseParams } from './common';
import type { AppEnv } from '../app';

const kindSchema = z.object({ kind: z.string(), description: z.string(), muted: z.boolean(), mutedBy: z.string().nullable(), mutedAt: z.string().nullable() });
const listSchema = z.object({ data: z.array(kindSchema) });
const kindParams = z.object({ kind: z.enum(Object.keys(NOTIFICATION_KINDS) as [NotificationKind, ...NotificationKind[]]).describe('Notification kind') });

export const notificationRoutes = new Hono<AppEnv>();

async function kinds(db: Parameters<typeof listMutes>[0]): Promise<z.infer<typeof kindSchema>[]> {
  const mutes = new Map((await listMutes(db)).map((m) => [m.kind, m]));
  return Object.entries(NOTIFICATION_KINDS).map(([kind, description]) => {
    const m = mutes.get(kind);
    return { kind, description, muted: m !== undefined, mutedBy: m?.mutedBy ?? null, mutedAt: m ? m.createdAt.toISOString() : null };
  });
}

notificationRoutes.get('/', async (c) => c.json({ data: await kinds(c.get('getDb')()) }));

for (const muted of [true, false]) {
  const handler = async (c: Context<AppEnv>) => {
    const { kind } = parseParams(c, kindParams);
    const db = c.get('getDb')();
    await setKindMuted(db, kind, muted, `api:${c.req.header('Cf-Access-Authenticated-User-Email') ?? 'access'}`);
    return c.json({ data: (await kinds(db)).find((k) => k.kind === kind) });
  };
  if (muted) notificationRoutes.put('/:kind/mute', handler);
  else notificationRoutes.delete('/:kind/mute', handler);
}

documentRoutes([
  { method: 'get', path: '/api/notifications', tag: 'operations', summary: 'Operator notification kinds and whether each is muted', response: listSchema },
  { method: 'put', path: '/api/notifications/:kind/mute', tag: 'operations', summary: 'Mute a notification kind (its alerts are recorded muted, never sent)', params: kindParams, response: z.object({ data: kindSchema }) },
  { method: 'delete', path: '/api/notifications/:kind/mute', tag: 'operations', summary: 'Unmute a notification kind', params: kindParams, response: z.object({ data: kindSchema }) },
]);
