/**
 * Shared pieces of the API routes: zod parsing of query, params and JSON bodies into the one error shape
 * (`validation`, 422, with the zod issues as details), pagination (`?limit` ≤ 500 with an opaque `?cursor`),
 * time parameters (ms since epoch or ISO-8601), and the series key parameters.
 */
import { z } from 'zod';
import type { Context } from 'hono';
import { AppError } from '../../errors';
import { TIMEFRAMES } from '../../../shared/candles/timeframe';

export const MAX_LIMIT = 500;

function issuesOf(err: z.ZodError): { path: string; message: string }[] {
  return err.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

/** Parse with zod or throw AppError('validation') listing every issue. */
export function parseOr422<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) {
    const issues = issuesOf(r.error);
    throw new AppError('validation', `Invalid ${what}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`, { issues });
  }
  return r.data;
}

/** Query parameters (single values; repeated keys take the last one). */
export function parseQuery<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  return parseOr422(schema, c.req.query(), 'query');
}

export function parseParams<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  return parseOr422(schema, c.req.param(), 'path parameters');
}

/**
 * The request body as text, at most `maxBytes` BYTES (UTF-8, counted on the wire, not in UTF-16 code units: a
 * body of 4-byte characters is 4× its string length). A declared Content-Length over the cap is refused before
 * reading; the read itself stops at the cap. Too large → 413 naming the limit.
 */
export async function readBodyCapped(req: Request, maxBytes: number): Promise<string> {
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw new AppError('payload_too_large', `Body too large: ${declared} bytes (max ${maxBytes} bytes)`, { limit: maxBytes });
  if (!req.body) return '';
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new AppError('payload_too_large', `Body too large: more than ${maxBytes} bytes`, { limit: maxBytes });
    }
    chunks.push(value);
  }
  const all = new Uint8Array(total);
  let at = 0;
  for (const ch of chunks) {
    all.set(ch, at);
    at += ch.byteLength;
  }
  return new TextDecoder().decode(all);
}

/** JSON body, at most `maxBytes` bytes (413 beyond); a non-JSON body is a 400. */
export async function parseJsonBody<S extends z.ZodType>(c: Context, schema: S, maxBytes = 64 * 1024): Promise<z.output<S>> {
  const text = await readBodyCapped(c.req.raw, maxBytes);
  let json: unknown;
  try {
    json = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new AppError('bad_request', 'Body is not valid JSON');
  }
  return parseOr422(schema, json, 'body');
}

/** `?limit` (1..500, default `def`). */
export const limitParam = (def = 50) => z.coerce.number().int().min(1).max(MAX_LIMIT).default(def).describe(`Page size, 1..${MAX_LIMIT}`);

/** Opaque cursor from a previous page's `page.nextCursor`. */
export const cursorParam = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9_\-:.]+$/, 'malformed cursor')
  .optional()
  .describe("Opaque cursor: the previous page's page.nextCursor");

export const pageQuery = z.object({ limit: limitParam(), cursor: cursorParam });

/** ms since the epoch (integer) or an ISO-8601 date/time. */
export const timeParam = z
  .string()
  .max(40)
  .transform((s, ctx) => {
    const t = /^-?\d+$/.test(s) ? Number(s) : Date.parse(s);
    if (!Number.isSafeInteger(t) || t < 0 || t > 4_102_444_800_000) {
      ctx.addIssue({ code: 'custom', message: 'expected ms since the epoch or an ISO-8601 date' });
      return z.NEVER;
    }
    return t;
  })
  .describe('Milliseconds since the epoch (UTC) or an ISO-8601 date/time');

export const venueParam = z.string().regex(/^[a-z][a-z0-9-]{1,31}$/, 'venue id like binance').describe('Venue id, e.g. binance');
export const symbolParam = z
  .string()
  .regex(/^[A-Z0-9]{1,15}\/[A-Z0-9]{1,15}$/, 'canonical BASE/QUOTE symbol like BTC/USDT')
  .describe('Canonical symbol BASE/QUOTE, e.g. BTC/USDT');
export const timeframeParam = z.enum(TIMEFRAMES).describe('Candle timeframe');
export const idParam = z.string().min(1).max(100).regex(/^[A-Za-z0-9_\-.:]+$/, 'malformed id');
export const idParams = z.object({ id: idParam });

export interface Page {
  limit: number;
  nextCursor: string | null;
}

/** `{ items, page }` for a keyset page fetched with limit + 1 rows. */
export function pageOf<T>(rows: T[], limit: number, cursorOf: (last: T) => string): { items: T[]; page: Page } {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { items, page: { limit, nextCursor: more && items.length ? cursorOf(items[items.length - 1]!) : null } };
}

/** Integer cursor (an id or a sequence number). */
export function intCursor(cursor: string | undefined): number | null {
  if (cursor === undefined) return null;
  if (!/^\d{1,15}$/.test(cursor)) throw new AppError('validation', 'Invalid query: cursor: malformed cursor');
  return Number(cursor);
}

/** A `time:id` keyset cursor. */
export function timeIdCursor(cursor: string | undefined): { time: number; id: string } | null {
  if (cursor === undefined) return null;
  const m = /^(\d{1,17}):([A-Za-z0-9_\-.]{1,100})$/.exec(cursor);
  if (!m) throw new AppError('validation', 'Invalid query: cursor: malformed cursor');
  return { time: Number(m[1]), id: m[2]! };
}

export const pageSchema = z.object({ limit: z.number().int(), nextCursor: z.string().nullable() });

/** Response envelope of every list. */
export function listOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), page: pageSchema });
}

export function notFound(what: string, id: string): never {
  throw new AppError('not_found', `${what} ${id} not found`);
}
