/**
 * Browser-side API access: JSON in and out, the platform's error shape turned into an ApiError with its code. In
 * the local Access mode every call carries the stored token and a 401 asks for one (site/src/lib/access.ts).
 */
import { accessHeaders, onUnauthorized, watchAccessToken } from './access';

watchAccessToken();

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export async function api<T = unknown>(path: string, init: RequestInit = {}): Promise<T> {
  const auth = accessHeaders();
  const res = await fetch(path, {
    ...init,
    headers: { accept: 'application/json', ...(init.body ? { 'content-type': 'application/json' } : {}), ...auth, ...(init.headers ?? {}) },
  });
  if (res.status === 401) onUnauthorized('Cf-Access-Jwt-Assertion' in auth);
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  if (!res.ok) {
    const e = (body as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
    throw new ApiError(res.status, e?.code ?? 'http_' + res.status, e?.message ?? `${res.status} ${res.statusText}`, e?.details);
  }
  return body as T;
}

export const post = <T = unknown>(path: string, body: unknown): Promise<T> => api<T>(path, { method: 'POST', body: JSON.stringify(body) });

/** `?a=1&b=2` from an object, skipping empty values. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}

export function param(name: string): string | null {
  return new URLSearchParams(location.search).get(name);
}

/** Is this method + OpenAPI path mounted on the Worker (the OpenAPI document lists every mounted route)? */
let openapi: Promise<{ paths: Record<string, Record<string, unknown>> }> | null = null;
export async function hasRoute(method: string, path: string): Promise<boolean> {
  openapi ??= api('/api/openapi.json');
  try {
    return Boolean((await openapi).paths[path]?.[method.toLowerCase()]);
  } catch {
    return false;
  }
}

/**
 * Poll `load` every `ms` until `done` says so (or `stop` is called); calls `update` with each value. `onError` says
 * whether an error ends the polling (by default a 4xx does: it will not get better).
 */
export function poll<T>(
  load: () => Promise<T>,
  update: (v: T) => void,
  done: (v: T) => boolean,
  ms = 1500,
  onError: (err: unknown) => boolean = (err) => err instanceof ApiError && err.status >= 400 && err.status < 500,
): { stop: () => void } {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = async (): Promise<void> => {
    if (stopped) return;
    try {
      const v = await load();
      update(v);
      if (done(v)) return;
    } catch (err) {
      if (onError(err)) return;
      console.warn('poll failed, retrying', err);
    }
    if (!stopped) timer = setTimeout(tick, ms);
  };
  void tick();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
