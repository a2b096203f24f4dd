import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { startEmbeddedDatabase } from './local-db';
import { migrateDatabase } from './migrate';
import { seedDatabase } from './seed';
import { STRATEGIES } from '../../shared/strategies/registry';

describe('seedDatabase', () => {
  it('upserts the registry idempotently and keeps lifecycle fields', async () => {
    const db = await startEmbeddedDatabase();
    try {
      await migrateDatabase(db.url);
      expect((await seedDatabase(db.url)).strategies).toBe(STRATEGIES.length);
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      await c.query(`UPDATE strategies SET status = 'watch', muted = true WHERE id = 'dsta-sma-crossover'`);
      await c.end();
      await seedDatabase(db.url);
      const d = new pg.Client({ connectionString: db.url });
      await d.connect();
      const rows = (await d.query('SELECT id, status, muted, enabled FROM strategies ORDER BY id')).rows;
      await d.end();
      expect(rows).toHaveLength(STRATEGIES.length);
      expect(rows.find((r) => r.id === 'dsta-sma-crossover')).toMatchObject({ status: 'watch', muted: true });
      expect(rows.find((r) => r.id === 'nexara-baseline-5m')).toMatchObject({ enabled: true, status: 'research' });
    } finally {
      await db.close();
    }
  });
});
