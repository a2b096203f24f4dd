/**
 * `GET /api/candles`: candles of one series in a window, from storage when that timeframe is stored, otherwise
 * aggregated on read from a stored base (5m, 1h, 1m or 15m; complete buckets only), with indicator overlays
 * computed on read by `shared/indicators` over a warm-up stretch loaded before `from` (never stored).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { aggregateCandles, derivationCandidates } from '../../../shared/candles/aggregate';
import { toSeries, type Candle, type SeriesKey } from '../../../shared/candles/candle';
import { TIMEFRAME_MS, type Timeframe } from '../../../shared/candles/timeframe';
import { lastCandleTime, loadCandles } from '../../../shared/db/queries/candles';
import { hasCandles } from '../../../shared/db/queries/lab-data';
import { atr, bbands, ema, macd, rsi, sma } from '../../../shared/indicators';
import { indicatorWarmup } from '../../../shared/indicators/warmup';
import { AppError } from '../../errors';
import { documentRoutes } from '../openapi';
import type { AppEnv } from '../app';
import { parseQuery, symbolParam, timeParam, timeframeParam, venueParam } from './common';

export const MAX_CANDLES = 5000;
const MAX_BASE_ROWS = 300_000;

// Warm-up before `from`: the strategies' own rule (shared/indicators/warmup.ts), so overlays equal their series.
const OVERLAY_KINDS = {
  ema: { args: 1, pane: 'price' },
  sma: { args: 1, pane: 'price' },
  bbands: { args: 2, pane: 'price' },
  rsi: { args: 1, pane: 'separate' },
  atr: { args: 1, pane: 'separate' },
  macd: { args: 3, pane: 'separate' },
} as const;
type OverlayKind = keyof typeof OVERLAY_KINDS;

export interface OverlaySpec {
  id: string;
  kind: OverlayKind;
  args: number[];
}

const DEFAULT_ARGS: Record<OverlayKind, number[]> = { ema: [20], sma: [20], bbands: [20, 2], rsi: [14], atr: [14], macd: [12, 26, 9] };

export const overlaysParam = z
  .string()
  .max(200)
  .transform((s, ctx): OverlaySpec[] => {
    const out: OverlaySpec[] = [];
    for (const part of s.split(',').map((x) => x.trim()).filter(Boolean)) {
      const [name, ...rest] = part.split(':');
      // Own keys only: `__proto__`, `constructor` … are names on every object, not overlays.
      if (!name || !Object.hasOwn(OVERLAY_KINDS, name)) {
        ctx.addIssue({ code: 'custom', message: `unknown overlay "${name}" (one of ${Object.keys(OVERLAY_KINDS).join(', ')})` });
        return z.NEVER;
      }
      const kind = name as OverlayKind;
      const args = rest.length ? rest.map(Number) : DEFAULT_ARGS[kind];
      const spec = OVERLAY_KINDS[kind];
      const ok =
        args.length === spec.args &&
        args.every((a, i) => Number.isFinite(a) && a > 0 && a <= 1000 && (kind === 'bbands' && i === 1 ? a <= 10 : Number.isInteger(a))) &&
        (kind !== 'bbands' || args[0]! >= 2);
      if (!ok) {
        ctx.addIssue({ code: 'custom', message: `overlay "${part}": ${kind} takes ${spec.args} argument(s), periods 1..1000` });
        return z.NEVER;
      }
      out.push({ id: `${kind}:${args.join(':')}`, kind, args });
    }
    if (out.length > 8) {
      ctx.addIssue({ code: 'custom', message: 'at most 8 overlays' });
      return z.NEVER;
    }
    return out;
  })
  .describe('Comma-separated overlays: ema:N, sma:N, rsi:N, atr:N, bbands:N:K, macd:F:S:SIG (e.g. ema:200,rsi:14,bbands:20:2)');

export const candlesQuery = z.object({
  venue: venueParam,
  symbol: symbolParam,
  timeframe: timeframeParam,
  from: timeParam.optional().describe('Window start (inclusive); default `to` − limit candles'),
  to: timeParam.optional().describe("Window end (exclusive); default just after the series' newest candle"),
  limit: z.coerce.number().int().min(1).max(MAX_CANDLES).default(1000).describe('Candles when `from` is omitted'),
  overlays: overlaysParam.optional(),
});

const num = z.number().nullable();
export const candlesResponse = z.object({
  series: z.object({ venue: z.string(), symbol: z.string(), timeframe: z.string() }),
  source: z
    .object({ timeframe: z.string(), aggregated: z.boolean() })
    .nullable()
    .describe('Stored timeframe read (aggregated when it differs); null when nothing is stored'),
  from: z.number().nullable(),
  to: z.number().nullable(),
  candles: z.array(z.object({ time: z.number(), open: z.number(), high: z.number(), low: z.number(), close: z.number(), volume: z.number() })),
  overlays: z.array(
    z.object({
      id: z.string(),
      kind: z.string(),
      pane: z.enum(['price', 'separate']),
      warmup: z.number().int(),
      lines: z.record(z.string(), z.array(num)).describe('One value per returned candle (null during warm-up)'),
    }),
  ),
});

function computeOverlay(spec: OverlaySpec, c: ReturnType<typeof toSeries>): Record<string, Float64Array> {
  const [a, b, d] = spec.args as [number, number, number];
  switch (spec.kind) {
    case 'ema':
      return { value: ema(c.close, a) };
    case 'sma':
      return { value: sma(c.close, a) };
    case 'rsi':
      return { value: rsi(c.close, a) };
    case 'atr':
      return { value: atr(c.high, c.low, c.close, a) };
    case 'bbands': {
      const r = bbands(c.close, a, b);
      return { upper: r.upper, middle: r.middle, lower: r.lower };
    }
    case 'macd': {
      const r = macd(c.close, a, b, d);
      return { macd: r.macd, signal: r.signal, histogram: r.histogram };
    }
  }
}

const round = (x: number): number | null => (Number.isFinite(x) ? Math.round(x * 1e8) / 1e8 : null);

export const candleRoutes = new Hono<AppEnv>().get('/', async (c) => {
  const q = parseQuery(c, candlesQuery);
  const db = c.var.getDb();
  const target = q.timeframe;
  const T = TIMEFRAME_MS[target];
  const overlays = q.overlays ?? [];
  const warm = Math.min(2000, Math.max(0, ...overlays.map((o) => indicatorWarmup(o.kind, o.args))));
  const key = (timeframe: Timeframe): SeriesKey => ({ venue: q.venue, symbol: q.symbol, timeframe });
  const floor = (t: number): number => Math.floor(t / T) * T;
  const ceil = (t: number): number => Math.ceil(t / T) * T;
  if (q.from !== undefined && q.to !== undefined) {
    if (q.to <= q.from) throw new AppError('validation', 'Invalid query: to must be after from');
    if ((ceil(q.to) - floor(q.from)) / T > MAX_CANDLES) {
      throw new AppError('validation', `Invalid query: at most ${MAX_CANDLES} ${target} candles per request (asked for ${(ceil(q.to) - floor(q.from)) / T})`);
    }
  }

  // The source: the target timeframe when stored, else the first stored base it can be aggregated from.
  const candidates = derivationCandidates(target);
  const probeFrom = q.from !== undefined ? floor(q.from) - warm * T : undefined;
  let source: Timeframe | null = null;
  for (const tf of candidates) {
    if (await hasCandles(db, key(tf), probeFrom, q.to)) {
      source = tf;
      break;
    }
  }
  const series = { venue: q.venue, symbol: q.symbol, timeframe: target };
  if (!source) return c.json({ series, source: null, from: q.from ?? null, to: q.to ?? null, candles: [], overlays: [] });

  const to = ceil(q.to ?? (await lastCandleTime(db, key(source)))! + TIMEFRAME_MS[source]);
  const from = q.from !== undefined ? floor(q.from) : to - q.limit * T;
  if ((to - from) / T > MAX_CANDLES) {
    throw new AppError('validation', `Invalid query: at most ${MAX_CANDLES} ${target} candles per request (asked for ${(to - from) / T})`);
  }
  const loadFrom = from - warm * T;
  let rows: Candle[];
  if (source === target) {
    rows = await loadCandles(db, key(source), loadFrom, to);
  } else {
    const baseRows = (to - loadFrom) / TIMEFRAME_MS[source];
    if (baseRows > MAX_BASE_ROWS) {
      throw new AppError('validation', `Invalid query: window too large to aggregate ${target} from stored ${source} (${baseRows} rows; max ${MAX_BASE_ROWS})`);
    }
    rows = aggregateCandles(await loadCandles(db, key(source), loadFrom, to), { from: source, to: target });
  }
  let start = 0;
  while (start < rows.length && rows[start]!.openTime < from) start++;
  const s = toSeries(rows, target, q.symbol);
  const out = rows.slice(start);
  return c.json({
    series,
    source: { timeframe: source, aggregated: source !== target },
    from,
    to,
    candles: out.map((r) => ({ time: r.openTime, open: r.open, high: r.high, low: r.low, close: r.close, volume: r.volume })),
    overlays: overlays.map((o) => {
      const lines = computeOverlay(o, s);
      return {
        id: o.id,
        kind: o.kind,
        pane: OVERLAY_KINDS[o.kind].pane,
        warmup: start,
        lines: Object.fromEntries(Object.entries(lines).map(([name, arr]) => [name, Array.from(arr.subarray(start), round)])),
      };
    }),
  });
});

documentRoutes([
  {
    method: 'get',
    path: '/api/candles',
    tag: 'market',
    summary: 'Candles of a series (stored, or aggregated on read from a stored base) with overlays computed on read',
    query: candlesQuery,
    response: candlesResponse,
  },
]);
