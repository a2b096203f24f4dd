/**
 * A source that disagrees with a stored candle never rewrites it (real workerd + Postgres): the first candle stays,
 * the disagreement is one `source-conflict` data issue with both candles and both sources, a redelivery adds no
 * second issue, and the series' table hash (what a recorded run's data hash rests on) is unchanged.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import { sql } from 'drizzle-orm';
import { withDb } from '../db';
import { getConfig, type Env } from '../env';
import { tableHash, upsertCandles } from '../../shared/db/queries/candles';

const e = env as Env;
const KEY = { venue: 'conflict-test', symbol: 'BTC/USDT', timeframe: '5m' as const };
const T0 = Date.UTC(2024, 0, 1);
const candle = (i: number, close: number) => ({ openTime: T0 + i * 300_000, open: 100, high: 110, low: 95, close, volume: 12.5 });

describe('source-conflict: the first stored candle is kept', () => {
  beforeAll(async () => {
    await withDb(getConfig(e), async (db) => {
      await db.execute(sql`DELETE FROM candles WHERE venue = ${KEY.venue}`);
      await db.execute(sql`DELETE FROM data_issues WHERE venue = ${KEY.venue}`);
    });
  });

  it('archive close 105 stays 105 when REST later says 99; the conflict is recorded once with both values', async () => {
    await withDb(getConfig(e), async (db) => {
      const first = await upsertCandles(db, KEY, [candle(0, 105), candle(1, 104)], 'archive:BTCUSDT-5m-2024-01.zip');
      expect(first).toMatchObject({ rows: 2, written: 2, conflicts: [] });
      const before = await tableHash(db, KEY);

      // REST agrees on candle 1, disagrees on candle 0, and brings a new candle 2.
      const rest = [candle(0, 99), candle(1, 104), candle(2, 101)];
      const second = await upsertCandles(db, KEY, rest, 'rest:binance');
      expect(second.written).toBe(1);
      expect(second.conflicts).toEqual([
        { openTime: T0, stored: { ...candle(0, 105), source: 'archive:BTCUSDT-5m-2024-01.zip' }, incoming: { ...candle(0, 99), source: 'rest:binance' } },
      ]);
      const stored = (await db.execute(sql`SELECT open_time, close, source FROM candles WHERE venue = ${KEY.venue} ORDER BY open_time`)).rows as { close: number; source: string }[];
      expect(stored.map((r) => [Number(r.close), r.source])).toEqual([
        [105, 'archive:BTCUSDT-5m-2024-01.zip'],
        [104, 'archive:BTCUSDT-5m-2024-01.zip'],
        [101, 'rest:binance'],
      ]);
      // The slice that existed before is byte-identical.
      expect(await tableHash(db, KEY, T0, T0 + 2 * 300_000)).toBe(before);

      // Redelivery of the same REST batch: nothing written, no second issue.
      const again = await upsertCandles(db, KEY, rest, 'rest:binance');
      expect(again.written).toBe(0);
      expect(again.conflicts).toHaveLength(1);
      const issues = (await db.execute(sql`SELECT open_time, reason, detail, raw, source FROM data_issues WHERE venue = ${KEY.venue}`)).rows as {
        open_time: string;
        reason: string;
        detail: string;
        raw: { stored: { close: number; source: string }; incoming: { close: number; source: string } };
        source: string;
      }[];
      expect(issues).toHaveLength(1);
      expect(issues[0]!.reason).toBe('source-conflict');
      expect(Number(issues[0]!.open_time)).toBe(T0);
      expect(issues[0]!.source).toBe('rest:binance');
      expect(issues[0]!.detail).toBe('kept the stored candle from archive:BTCUSDT-5m-2024-01.zip; rest:binance disagrees: close 105 vs 99');
      expect(issues[0]!.raw.stored).toMatchObject({ close: 105, source: 'archive:BTCUSDT-5m-2024-01.zip' });
      expect(issues[0]!.raw.incoming).toMatchObject({ close: 99, source: 'rest:binance' });
    });
  });
});
