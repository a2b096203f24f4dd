import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { startEmbeddedDatabase } from './local-db';
import { migrateDatabase } from './migrate';

describe('embedded Postgres behind the session gate', () => {
  it('migrates and serves concurrent clients one session at a time without corruption', async () => {
    const db = await startEmbeddedDatabase();
    try {
      await migrateDatabase(db.url);
      const clients = Array.from({ length: 12 }, async (_, k) => {
        const c = new pg.Client({ connectionString: db.url });
        await c.connect();
        await c.query('BEGIN');
        await c.query(
          `INSERT INTO candles (venue, symbol, timeframe, open_time, open, high, low, close, volume, source)
           VALUES ('test', 'BTC/USDT', '5m', $1, 1, 2, 0.5, 1.5, 10, 'test')`,
          [k * 300_000],
        );
        await c.query('COMMIT');
        const r = await c.query('SELECT count(*)::int AS n FROM candles WHERE open_time = $1', [k * 300_000]);
        await c.end();
        return r.rows[0].n as number;
      });
      expect(await Promise.all(clients)).toEqual(Array(12).fill(1));
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      const total = await c.query("SELECT count(*)::int AS n FROM candles WHERE venue = 'test'");
      expect(total.rows[0].n).toBe(12);
      // A session abandoned inside a transaction is rolled back before the next one is admitted.
      await c.query('BEGIN');
      await c.query("DELETE FROM candles WHERE venue = 'test'");
      c.on('error', () => {});
      c.connection.stream.destroy();
      const d = new pg.Client({ connectionString: db.url });
      await d.connect();
      const after = await d.query("SELECT count(*)::int AS n FROM candles WHERE venue = 'test'");
      expect(after.rows[0].n).toBe(12);
      await d.end();
    } finally {
      await db.close();
    }
  });
});
