/**
 * The operator counters behind /api/metrics (`ops_counters`): `bumpCounters` adds to them in one statement
 * (`value + n` on conflict, so concurrent isolates never lose an increment), `readCounters` reads them back.
 * Labels are stored as a flat JSON object (jsonb equality ignores key order, so one label set is one row).
 */
import { sql } from 'drizzle-orm';
import { rowsOf, type Database } from '../database';

export interface CounterIncrement {
  name: string;
  labels?: Record<string, string>;
  /** May be 0: the series then exists (at 0) before its first event, as Prometheus likes. */
  by: number;
}

export interface CounterValue {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Same name and label set → one increment (a statement may not update one row twice). */
export function mergeIncrements(incs: CounterIncrement[]): CounterIncrement[] {
  const out = new Map<string, CounterIncrement>();
  for (const i of incs) {
    if (!Number.isFinite(i.by) || i.by < 0) throw new Error(`counter ${i.name}: increment must be a finite number ≥ 0, got ${i.by}`);
    const labels = Object.fromEntries(Object.entries(i.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const key = `${i.name}\u0000${JSON.stringify(labels)}`;
    const prev = out.get(key);
    out.set(key, { name: i.name, labels, by: (prev?.by ?? 0) + i.by });
  }
  return [...out.values()];
}

export async function bumpCounters(db: Database, incs: CounterIncrement[]): Promise<void> {
  const rows = mergeIncrements(incs);
  if (rows.length === 0) return;
  await db.execute(sql`
    INSERT INTO ops_counters (name, labels, value)
    SELECT r.name, r.labels, r.by FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(name text, labels jsonb, by double precision)
    ON CONFLICT (name, labels) DO UPDATE SET value = ops_counters.value + excluded.value, updated_at = now()`);
}

export async function readCounters(db: Database): Promise<CounterValue[]> {
  const res = await db.execute(sql`SELECT name, labels, value FROM ops_counters ORDER BY name, labels::text`);
  return rowsOf<{ name: string; labels: Record<string, string>; value: number }>(res).map((r) => ({ name: r.name, labels: r.labels, value: Number(r.value) }));
}
