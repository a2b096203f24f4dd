/**
 * The OpenAPI 3.1 document of `/api`, generated — not hand-written — from two sources so it cannot drift:
 *   1. the routes actually mounted on the Hono app (`app.routes`): every `/api` method + path appears, documented
 *      or not (an undocumented one says so);
 *   2. the zod schemas the handlers validate with (`RouteDoc`s exported next to each route), converted with
 *      `z.toJSONSchema` (input shape for query/body, output shape for responses).
 */
import { z } from 'zod';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteDoc {
  method: Method;
  /** Hono-style path, e.g. `/api/runs/:id`. */
  path: string;
  summary: string;
  tag: string;
  query?: z.ZodObject;
  params?: z.ZodObject;
  body?: z.ZodType;
  /** Schema of the success body (status `status`, default 200). */
  response?: z.ZodType;
  status?: number;
  /** Non-JSON success content type (CSV export). */
  contentType?: string;
}

const registry: RouteDoc[] = [];

/** Route modules (ours and other agents') register their docs at import time. */
export function documentRoutes(docs: RouteDoc[]): void {
  for (const d of docs) {
    const i = registry.findIndex((r) => r.method === d.method && r.path === d.path);
    if (i >= 0) registry[i] = d;
    else registry.push(d);
  }
}

export function routeDocs(): readonly RouteDoc[] {
  return registry;
}

const toSchema = (s: z.ZodType, io: 'input' | 'output'): Record<string, unknown> => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return rest;
};

const errorSchema = z.object({
  error: z.object({
    code: z.enum(['bad_request', 'validation', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'rate_limited', 'config', 'unavailable', 'internal']),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});

/** `/api/runs/:id/export.csv` → `/api/runs/{id}/export.csv`. */
export function toOpenApiPath(p: string): string {
  return p.replace(/:([A-Za-z_][A-Za-z0-9_]*)(\{[^}]*\})?/g, '{$1}');
}

function parameters(doc: RouteDoc | undefined, path: string): unknown[] {
  const out: unknown[] = [];
  const pathNames = [...path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!);
  const paramShape = (doc?.params?.shape ?? {}) as Record<string, z.ZodType>;
  for (const name of pathNames) {
    out.push({ name, in: 'path', required: true, schema: paramShape[name] ? toSchema(paramShape[name], 'input') : { type: 'string' } });
  }
  if (doc?.query) {
    const json = toSchema(doc.query, 'input') as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
    for (const [name, schema] of Object.entries(json.properties ?? {})) {
      const { description, ...s } = schema;
      out.push({ name, in: 'query', required: (json.required ?? []).includes(name), ...(description ? { description } : {}), schema: s });
    }
  }
  return out;
}

export interface MountedRoute {
  method: string;
  path: string;
}

export function buildOpenApi(mounted: readonly MountedRoute[], info: { version: string; serverUrl?: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const seen = new Set<string>();
  const err = { content: { 'application/json': { schema: toSchema(errorSchema, 'output') } } };
  for (const r of mounted) {
    const method = r.method.toLowerCase();
    if (!r.path.startsWith('/api') || method === 'all' || r.path.endsWith('*')) continue;
    const path = r.path.replace(/\/$/, '') || '/';
    const key = `${method} ${path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const doc = registry.find((d) => d.method === method && d.path === path);
    const status = String(doc?.status ?? 200);
    const op: Record<string, unknown> = {
      operationId: `${method}_${path.replace(/^\/api\/?/, '').replace(/[^A-Za-z0-9]+/g, '_') || 'root'}`,
      summary: doc?.summary ?? 'Undocumented route (no RouteDoc registered)',
      tags: [doc?.tag ?? 'other'],
      parameters: parameters(doc, path),
      responses: {
        [status]: {
          description: 'Success',
          content: doc?.contentType
            ? { [doc.contentType]: { schema: { type: 'string' } } }
            : { 'application/json': { schema: doc?.response ? toSchema(doc.response, 'output') : {} } },
        },
        ...(path === '/api/health' ? {} : { '401': { description: 'Missing or invalid Cloudflare Access token', ...err } }),
        '404': { description: 'Not found', ...err },
        '422': { description: 'Validation failed', ...err },
      },
      ...(path === '/api/health' ? { security: [] } : {}),
    };
    if (doc?.body) op.requestBody = { required: true, content: { 'application/json': { schema: toSchema(doc.body, 'input') } } };
    (paths[toOpenApiPath(path)] ??= {})[method] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Nexara Lab API',
      version: info.version,
      description: 'Research-and-signal platform API. Every route but /api/health requires a Cloudflare Access JWT (Cf-Access-Jwt-Assertion). Errors: { error: { code, message, details? } }.',
    },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    components: {
      securitySchemes: { cfAccess: { type: 'apiKey', in: 'header', name: 'Cf-Access-Jwt-Assertion' } },
      schemas: { Error: toSchema(errorSchema, 'output') },
    },
    security: [{ cfAccess: [] }],
    paths,
  };
}
