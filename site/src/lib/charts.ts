/**
 * lightweight-charts wrappers for the run detail page (the only pages importing this module pay for the library):
 * a candle chart with price overlays and trade markers, an equity chart (gross and net), a drawdown chart, single
 * time-series panels (underwater, exposure, rolling Sharpe) and overlaid lines (the compare page).
 */
import {
  AreaSeries,
  CandlestickSeries,
  HistogramSeries,
  createChart,
  createSeriesMarkers,
  LineSeries,
  type IChartApi,
  type SeriesMarker,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';

const sec = (ms: number): UTCTimestamp => Math.floor(ms / 1000) as UTCTimestamp;

function base(el: HTMLElement): IChartApi {
  const chart = createChart(el, {
    autoSize: true,
    layout: { background: { color: '#ffffff' }, textColor: '#374151', attributionLogo: false },
    grid: { vertLines: { color: '#f3f4f6' }, horzLines: { color: '#f3f4f6' } },
    timeScale: { timeVisible: true, secondsVisible: false },
    rightPriceScale: { borderColor: '#e5e7eb' },
  });
  return chart;
}

export interface CandleIn {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
}
export interface OverlayIn {
  id: string;
  pane: 'price' | 'separate';
  lines: Record<string, (number | null)[]>;
}
export interface TradeIn {
  entryTime: number;
  exitTime: number;
  entryPrice: number;
  exitPrice: number;
  side: string;
  grossReturn: number;
}

const COLORS = ['#2563eb', '#d97706', '#7c3aed', '#059669', '#db2777', '#0891b2'];

export interface EquityIn {
  time: number;
  equityGross: number;
  equityNet: number;
  drawdown: number;
}

/** Strictly increasing times (lightweight-charts rejects duplicates): keep the last point per second. */
function dedupe<T extends { time: UTCTimestamp }>(pts: T[]): T[] {
  const out: T[] = [];
  for (const p of pts) {
    if (out.length && out[out.length - 1]!.time >= p.time) {
      if (out[out.length - 1]!.time === p.time) out[out.length - 1] = p;
      continue;
    }
    out.push(p);
  }
  return out;
}

export function equityChart(el: HTMLElement, points: EquityIn[], netLabel: string): IChartApi {
  const chart = base(el);
  const gross = chart.addSeries(LineSeries, { color: '#9ca3af', lineWidth: 1, title: 'gross' });
  const net = chart.addSeries(LineSeries, { color: '#2563eb', lineWidth: 2, title: netLabel });
  gross.setData(dedupe(points.map((p) => ({ time: sec(p.time), value: p.equityGross }))));
  net.setData(dedupe(points.map((p) => ({ time: sec(p.time), value: p.equityNet }))));
  chart.timeScale().fitContent();
  return chart;
}

export function drawdownChart(el: HTMLElement, points: EquityIn[]): IChartApi {
  const chart = base(el);
  const dd = chart.addSeries(AreaSeries, { lineColor: '#dc2626', topColor: 'rgba(220,38,38,0.05)', bottomColor: 'rgba(220,38,38,0.35)', lineWidth: 1, title: 'drawdown %', invertFilledArea: true });
  dd.setData(dedupe(points.map((p) => ({ time: sec(p.time), value: -Math.abs(p.drawdown) * 100 }))));
  chart.timeScale().fitContent();
  return chart;
}

export interface TimeValue {
  time: number;
  value: number | null;
}

/**
 * One time series in its own chart: `area` (filled down to 0, e.g. underwater), `histogram` (bars, e.g. exposure per
 * bucket) or `line` (e.g. rolling Sharpe; null values leave gaps).
 */
export function seriesChart(el: HTMLElement, kind: 'area' | 'histogram' | 'line', points: TimeValue[], o: { color: string; title: string; invert?: boolean }): IChartApi {
  const chart = base(el);
  const data = dedupe(points.map((p) => (p.value === null || !Number.isFinite(p.value) ? { time: sec(p.time) } : { time: sec(p.time), value: p.value })));
  if (kind === 'area') {
    const s = chart.addSeries(AreaSeries, { lineColor: o.color, topColor: `${o.color}10`, bottomColor: `${o.color}60`, lineWidth: 1, title: o.title, invertFilledArea: o.invert ?? false });
    s.setData(data);
  } else if (kind === 'histogram') {
    const s = chart.addSeries(HistogramSeries, { color: o.color, title: o.title, priceLineVisible: false });
    s.setData(data);
  } else {
    const s = chart.addSeries(LineSeries, { color: o.color, lineWidth: 2, title: o.title, priceLineVisible: false });
    s.setData(data);
  }
  chart.timeScale().fitContent();
  return chart;
}

/** Several lines over one time axis (the compare page's rebased equity curves). */
export function multiLineChart(el: HTMLElement, lines: { label: string; color: string; points: TimeValue[] }[]): IChartApi {
  const chart = base(el);
  for (const l of lines) {
    const s = chart.addSeries(LineSeries, { color: l.color, lineWidth: 2, title: l.label, priceLineVisible: false, lastValueVisible: true });
    s.setData(dedupe(l.points.filter((p) => p.value !== null).map((p) => ({ time: sec(p.time), value: p.value! }))));
  }
  chart.timeScale().fitContent();
  return chart;
}

export interface CandleChunk {
  candles: CandleIn[];
  overlays: OverlayIn[];
}
export interface LazyInfo {
  from: number;
  to: number;
  count: number;
  complete: boolean;
}

/**
 * The candle chart over a whole run window, loaded in chunks: the first chunk from `start`, then more on either side
 * as the user scrolls or zooms towards an edge of what is loaded (the visible range is kept across each reload).
 * Trade markers cover whatever is loaded. Resolves null when the first chunk is empty.
 */
export async function lazyCandleChart(
  el: HTMLElement,
  o: { window: { from: number; to: number }; tfMs: number; start: number; chunkBars: number; load: (from: number, to: number) => Promise<CandleChunk>; trades: TradeIn[]; onChange?: (info: LazyInfo) => void },
): Promise<IChartApi | null> {
  const tf = o.tfMs;
  const snap = (t: number) => Math.floor(t / tf) * tf;
  let loFrom = Math.max(o.window.from, snap(o.start));
  let loTo = Math.min(o.window.to + tf, loFrom + o.chunkBars * tf);
  const first = await o.load(loFrom, loTo);
  if (!first.candles.length) return null;
  const chart = base(el);
  const series = chart.addSeries(CandlestickSeries, { upColor: '#16a34a', downColor: '#dc2626', wickUpColor: '#16a34a', wickDownColor: '#dc2626', borderVisible: false });
  let candles = first.candles;
  const keys: { id: string; name: string }[] = [];
  const lines = new Map<string, { series: ReturnType<IChartApi['addSeries']>; values: (number | null)[] }>();
  let k = 0;
  for (const ov of first.overlays.filter((x) => x.pane === 'price')) {
    for (const [name, values] of Object.entries(ov.lines)) {
      const key = `${ov.id}|${name}`;
      keys.push({ id: ov.id, name });
      lines.set(key, {
        series: chart.addSeries(LineSeries, { color: COLORS[k++ % COLORS.length], lineWidth: 1, priceLineVisible: false, lastValueVisible: false, title: `${ov.id}${name === 'value' ? '' : ' ' + name}` }),
        values: [...values],
      });
    }
  }
  const markersApi = createSeriesMarkers(series, []);
  const valuesOf = (chunk: CandleChunk, id: string, name: string): (number | null)[] => chunk.overlays.find((x) => x.id === id)?.lines[name] ?? chunk.candles.map(() => null);
  const draw = (): void => {
    series.setData(candles.map((c) => ({ time: sec(c.time), open: c.open, high: c.high, low: c.low, close: c.close })));
    for (const l of lines.values()) l.series.setData(candles.flatMap((c, i) => (l.values[i] === null || l.values[i] === undefined ? [] : [{ time: sec(c.time), value: l.values[i]! }])));
    const a = candles[0]!.time;
    const b = candles[candles.length - 1]!.time;
    const markers: SeriesMarker<Time>[] = [];
    for (const t of o.trades) {
      const e = snap(t.entryTime);
      const x = snap(t.exitTime);
      const long = t.side !== 'short';
      if (e >= a && e <= b) markers.push({ time: sec(e), position: long ? 'belowBar' : 'aboveBar', shape: long ? 'arrowUp' : 'arrowDown', color: '#16a34a', text: 'in' });
      if (x >= a && x <= b) markers.push({ time: sec(x), position: long ? 'aboveBar' : 'belowBar', shape: long ? 'arrowDown' : 'arrowUp', color: t.grossReturn >= 0 ? '#2563eb' : '#dc2626', text: 'out' });
    }
    markers.sort((p, q) => (p.time as number) - (q.time as number));
    markersApi.setMarkers(markers);
  };
  const info = (): LazyInfo => ({ from: loFrom, to: loTo, count: candles.length, complete: loFrom <= o.window.from && loTo >= o.window.to });
  draw();
  chart.timeScale().fitContent();
  o.onChange?.(info());
  let busy = false;
  const more = async (side: 'before' | 'after'): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      const from = side === 'before' ? Math.max(o.window.from, loFrom - o.chunkBars * tf) : loTo;
      const to = side === 'before' ? loFrom : Math.min(o.window.to + tf, loTo + o.chunkBars * tf);
      if (to <= from) return;
      const chunk = await o.load(from, to);
      const have = new Set(candles.map((c) => c.time));
      const idx = chunk.candles.map((c, i) => (have.has(c.time) ? -1 : i)).filter((i) => i >= 0);
      const add = idx.map((i) => chunk.candles[i]!);
      const visible = chart.timeScale().getVisibleRange();
      if (side === 'before') {
        candles = [...add, ...candles];
        for (const key of keys) {
          const l = lines.get(`${key.id}|${key.name}`)!;
          const v = valuesOf(chunk, key.id, key.name);
          l.values = [...idx.map((i) => v[i] ?? null), ...l.values];
        }
        loFrom = from;
      } else {
        candles = [...candles, ...add];
        for (const key of keys) {
          const l = lines.get(`${key.id}|${key.name}`)!;
          const v = valuesOf(chunk, key.id, key.name);
          l.values = [...l.values, ...idx.map((i) => v[i] ?? null)];
        }
        loTo = to;
      }
      draw();
      if (visible) chart.timeScale().setVisibleRange(visible);
      o.onChange?.(info());
    } finally {
      busy = false;
    }
  };
  chart.timeScale().subscribeVisibleLogicalRangeChange((r) => {
    if (!r) return;
    el.dataset.visible = `${Math.round(r.from)}..${Math.round(r.to)}`;
    if (r.from < 30 && loFrom > o.window.from) void more('before');
    else if (r.to > candles.length - 30 && loTo < o.window.to) void more('after');
  });
  return chart;
}
