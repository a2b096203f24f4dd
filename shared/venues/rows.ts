/**
 * Row-level normalisation shared by the adapters: strict numeric parsing of venue fields (numbers or numeric
 * strings), validation of one OHLCV row into a `Candle` (or a rejection reason), and the final pass that keeps
 * closed, in-range candles in ascending order without duplicates.
 */
import type { Candle } from '../candles/candle';
import { isClosed, type Timeframe } from '../candles/timeframe';
import type { RejectedRow } from './types';

/** One successfully parsed row; `confirmed === false` marks a row the venue itself flags as still open (OKX). */
export interface ParsedRow {
  candle: Candle;
  confirmed?: boolean;
}

export interface ParsedPage {
  rows: ParsedRow[];
  rejected: RejectedRow[];
}

export type RowResult = { ok: true; row: ParsedRow } | { ok: false; reason: string };

const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A finite number from a JSON number or a strictly numeric string; `undefined` otherwise ("", " ", "NaN", null). */
export function toNumber(x: unknown): number | undefined {
  if (typeof x === 'number') return Number.isFinite(x) ? x : undefined;
  if (typeof x === 'string' && NUMERIC.test(x)) {
    const n = Number(x);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

export interface RawOhlcv {
  time: unknown;
  open: unknown;
  high: unknown;
  low: unknown;
  close: unknown;
  volume: unknown;
}

/**
 * Validates one row's fields into a candle. `timeUnit` says whether the venue sends epoch seconds or ms.
 * Rejects non-numeric fields, non-integer or non-positive times, non-positive prices, negative volume and
 * OHLC that contradict themselves (high below open/close/low, low above open/close).
 */
export function toCandle(raw: RawOhlcv, timeUnit: 's' | 'ms'): { ok: true; candle: Candle } | { ok: false; reason: string } {
  const t = toNumber(raw.time);
  if (t === undefined || !Number.isInteger(t) || t <= 0) return { ok: false, reason: `bad time ${JSON.stringify(raw.time)}` };
  const fields = ['open', 'high', 'low', 'close', 'volume'] as const;
  const v: Record<(typeof fields)[number], number> = { open: 0, high: 0, low: 0, close: 0, volume: 0 };
  for (const f of fields) {
    const n = toNumber(raw[f]);
    if (n === undefined) return { ok: false, reason: `non-numeric ${f} ${JSON.stringify(raw[f])}` };
    v[f] = n;
  }
  if (v.open <= 0 || v.high <= 0 || v.low <= 0 || v.close <= 0) return { ok: false, reason: 'non-positive price' };
  if (v.volume < 0) return { ok: false, reason: 'negative volume' };
  if (v.high < v.low || v.high < v.open || v.high < v.close || v.low > v.open || v.low > v.close) {
    return { ok: false, reason: 'inconsistent OHLC (high/low do not bound open/close)' };
  }
  return {
    ok: true,
    candle: { openTime: timeUnit === 's' ? t * 1000 : t, open: v.open, high: v.high, low: v.low, close: v.close, volume: v.volume },
  };
}

/** Applies `parseRow` to every element, collecting rows and rejections. */
export function parseRows(list: readonly unknown[], parseRow: (raw: unknown) => RowResult): ParsedPage {
  const rows: ParsedRow[] = [];
  const rejected: RejectedRow[] = [];
  for (const raw of list) {
    const r = parseRow(raw);
    if (r.ok) rows.push(r.row);
    else rejected.push({ reason: r.reason, raw });
  }
  return { rows, rejected };
}

/** Checks a row is an array of at least `min` columns. */
export function arityError(raw: unknown, min: number): string | undefined {
  if (!Array.isArray(raw)) return `row is not an array`;
  if (raw.length < min) return `wrong arity: expected at least ${min} columns, got ${raw.length}`;
  return undefined;
}

function sameCandle(a: Candle, b: Candle): boolean {
  return a.open === b.open && a.high === b.high && a.low === b.low && a.close === b.close && a.volume === b.volume;
}

/** Accumulates rows across pages: range + closedness filter, de-duplication, ascending output. */
export class CandleCollector {
  private readonly byTime = new Map<number, Candle>();
  readonly rejected: RejectedRow[] = [];

  constructor(
    private readonly tf: Timeframe,
    private readonly since: number,
    private readonly until: number,
    private readonly now: number,
  ) {}

  add(page: ParsedPage): void {
    for (const r of page.rejected) this.rejected.push(r);
    for (const { candle, confirmed } of page.rows) {
      if (candle.openTime < this.since || candle.openTime >= this.until) continue;
      if (confirmed === false || !isClosed(candle.openTime, this.tf, this.now)) continue;
      const prev = this.byTime.get(candle.openTime);
      if (prev === undefined) this.byTime.set(candle.openTime, candle);
      else if (!sameCandle(prev, candle)) {
        this.rejected.push({ reason: `conflicting duplicate of openTime ${candle.openTime} (first copy kept)`, raw: candle });
      }
    }
  }

  get size(): number {
    return this.byTime.size;
  }

  candles(): Candle[] {
    return [...this.byTime.values()].sort((a, b) => a.openTime - b.openTime);
  }
}

/** One-shot form of the collector for a single parsed page (used by the fixture tests). */
export function normaliseRows(page: ParsedPage, tf: Timeframe, since: number, until: number, now: number): { candles: Candle[]; rejected: RejectedRow[] } {
  const c = new CandleCollector(tf, since, until, now);
  c.add(page);
  return { candles: c.candles(), rejected: c.rejected };
}
