/** `GET /api/openapi.json`: the OpenAPI 3.1 document built from the mounted routes and their zod schemas. */
import { Hono } from 'hono';
import { z } from 'zod';
import { buildOpenApi, documentRoutes, type MountedRoute } from '../openapi';
import type { AppEnv } from '../app';

export function openapiRoutes(mounted: () => readonly MountedRoute[]): Hono<AppEnv> {
  return new Hono<AppEnv>().get('/', (c) => {
    const config = c.get('config');
    return c.json(buildOpenApi(mounted(), { version: config.CODE_VERSION ?? '0.0.0', serverUrl: new URL(c.req.url).origin }));
  });
}

documentRoutes([
  {
    method: 'get',
    path: '/api/openapi.json',
    tag: 'meta',
    summary: 'This OpenAPI 3.1 document (generated from the mounted routes and their zod schemas)',
    response: z.object({ openapi: z.literal('3.1.0'), info: z.record(z.string(), z.unknown()), paths: z.record(z.string(), z.unknown()) }),
  },
]);
