/**
 * Seeds the strategy registry table from the bundled strategies (idempotent upsert: code-owned fields — title,
 * version, origin, family, timeframe, default params — are refreshed; lifecycle fields — status, enabled, muted —
 * are kept as the lab left them). The Nexara BTC/USDT 5m baseline is enabled for the live loop on first seed.
 */
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { sql } from 'drizzle-orm';
import * as schema from '../../shared/db/schema';
import { STRATEGIES } from '../../shared/strategies/registry';

export const LIVE_BY_DEFAULT = new Set(['nexara-baseline-5m']);

export async function seedDatabase(url: string): Promise<{ strategies: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const db = drizzle(client, { schema });
    for (const s of STRATEGIES) {
      await db
        .insert(schema.strategies)
        .values({
          id: s.id,
          title: s.title,
          version: s.version,
          origin: s.origin,
          family: s.family,
          timeframe: s.timeframes[0],
          params: s.defaults as Record<string, unknown>,
          enabled: LIVE_BY_DEFAULT.has(s.id),
        })
        .onConflictDoUpdate({
          target: schema.strategies.id,
          set: {
            title: sql`excluded.title`,
            version: sql`excluded.version`,
            origin: sql`excluded.origin`,
            family: sql`excluded.family`,
            timeframe: sql`excluded.timeframe`,
            params: sql`excluded.params`,
            updatedAt: sql`now()`,
          },
        });
    }
    return { strategies: STRATEGIES.length };
  } finally {
    await client.end();
  }
}
