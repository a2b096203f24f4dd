/**
 * `GET /api/runs/:id` — one run for the Lab's run page, bounded in size whatever the run: provenance, the result
 * without its trades and curves, gross vs net metrics, the per-venue table, the equity curve as columns with at
 * most `points` stored points (extremes kept), and the trade count with the link its pages are served from.
 *
 * A finished run (`done`/`failed`: nothing rewrites them) is immutable, so its detail carries a strong ETag (the
 * layout version, the run id, status, result hash, finish time and `points`) and a year-long private
 * Cache-Control; an If-None-Match that matches is answered 304 from one indexed row, without loading the run. The
 * serialized body is also kept per isolate for a minute, and so is a finished run's stamp (what its tags are made
 * of, whatever `points`): under load the per-request connection dominates, and a revalidation then needs none.
 */
import type { Context } from 'hono';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { getRunStamp, type RunStamp } from '../../../shared/db/queries/lab-runs';
import type { AppEnv } from '../app';
import { loadRun, type Timings } from './runs-view';
import { RUN_DETAIL_TYPE } from './runs-schemas';

export const FINISHED_CACHE_CONTROL = 'private, max-age=31536000, immutable';
const FINISHED = new Set(['done', 'failed']);

const FINISHED_TTL_MS = 60_000;
const FINISHED_MAX = 64;
const finishedRunCache = new Map<string, { json: string; etag: string; until: number }>();
function remember(key: string, json: string, etag: string): void {
  finishedRunCache.delete(key);
  finishedRunCache.set(key, { json, etag, until: Date.now() + FINISHED_TTL_MS });
  while (finishedRunCache.size > FINISHED_MAX) finishedRunCache.delete(finishedRunCache.keys().next().value!);
}

const STAMPS_MAX = 256;
const finishedStamps = new Map<string, { stamp: RunStamp; until: number }>();
function rememberStamp(id: string, stamp: RunStamp): void {
  finishedStamps.delete(id);
  finishedStamps.set(id, { stamp, until: Date.now() + FINISHED_TTL_MS });
  while (finishedStamps.size > STAMPS_MAX) finishedStamps.delete(finishedStamps.keys().next().value!);
}

/** A finished run's stamp: remembered in this isolate, else its one indexed row (remembered once finished). */
async function finishedStamp(c: Context<AppEnv>, id: string): Promise<RunStamp | null> {
  const known = finishedStamps.get(id);
  if (known && known.until > Date.now()) return known.stamp;
  const stamp = await getRunStamp(c.var.getDb(), id);
  if (!stamp || !FINISHED.has(stamp.status)) return null;
  rememberStamp(id, stamp);
  return stamp;
}

/** The strong validator of a finished run's detail: equal for equal bytes, different when any input differs. */
export function runDetailEtag(id: string, stamp: RunStamp, points: number): string {
  // SHA-256 in JS: for ~150 bytes a synchronous hash is cheaper than crypto.subtle's round through a promise.
  const facts = JSON.stringify([RUN_DETAIL_TYPE, id, stamp.status, stamp.resultHash, stamp.finishedAt, points]);
  return `"${bytesToHex(sha256(utf8ToBytes(facts)).subarray(0, 16))}"`;
}

/** If-None-Match (a list of entity tags, or `*`) against our tag, by the weak comparison RFC 9110 asks for. */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag.replace(/^W\//, '') === etag;
  });
}

function notModified(c: Context<AppEnv>, etag: string): Response {
  return c.body(null, 304, { etag, 'cache-control': FINISHED_CACHE_CONTROL });
}

export async function runDetailResponse(c: Context<AppEnv>, id: string, points: number): Promise<Response> {
  const key = `${id}|${points}`;
  const inm = c.req.header('if-none-match');
  const hit = finishedRunCache.get(key);
  if (hit && hit.until > Date.now()) {
    if (noneMatch(inm, hit.etag)) return notModified(c, hit.etag);
    c.header('Server-Timing', 'cache;desc=hit');
    return c.body(hit.json, 200, { 'content-type': 'application/json; charset=UTF-8', etag: hit.etag, 'cache-control': FINISHED_CACHE_CONTROL });
  }
  const t: Timings = [];
  if (inm) {
    const stamp = await finishedStamp(c, id);
    if (stamp) {
      const etag = runDetailEtag(id, stamp, points);
      if (noneMatch(inm, etag)) return notModified(c, etag);
    }
  }
  const v = await loadRun(c.var.getDb(), id, { trades: 0, points }, t);
  const body = {
    $type: RUN_DETAIL_TYPE,
    run: v.run,
    result: v.result,
    metrics: v.metrics,
    venues: v.venues,
    equity: v.equity,
    trades: { total: v.trades.total, href: `/api/runs/${encodeURIComponent(id)}/trades` },
  };
  const json = JSON.stringify(body);
  c.header('Server-Timing', t.map(([k, ms]) => `${k};dur=${ms}`).join(', '));
  if (!FINISHED.has(v.run.status)) return c.body(json, 200, { 'content-type': 'application/json; charset=UTF-8', 'cache-control': 'no-store' });
  const stamp: RunStamp = { status: v.run.status, resultHash: v.run.resultHash, finishedAt: v.run.finishedAt };
  const etag = runDetailEtag(id, stamp, points);
  remember(key, json, etag);
  rememberStamp(id, stamp);
  return c.body(json, 200, { 'content-type': 'application/json; charset=UTF-8', etag, 'cache-control': FINISHED_CACHE_CONTROL });
}
