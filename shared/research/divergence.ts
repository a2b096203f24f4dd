/**
 * Paper-vs-replay divergence attribution: when the paper ledger of a day differs from a replay backtest of the
 * same stored candles, say why, one classified row per (candle, class):
 *
 * - `data`   — the venue restated a candle after paper used it: the candle paper stepped (recorded when it was
 *              stepped) differs from the stored one now, or is no longer stored; a fill or signal difference inside
 *              the position around a restated candle is attributed to it.
 * - `timing` — a decision evaluated late or missed: a recorded decision computed at a cycle later than the one right
 *              after its candle closed, a replay signal with no recorded decision, a stored candle paper never
 *              stepped (it stepped over it while missing), or a fill whose signal candle is one of those.
 * - `fee`    — same fill (time, side, price, liquidity) priced with another cost: the fee tier differs.
 * - `fill`   — any other fill difference: price, liquidity, exit kind, a fill one side lacks, or PnL.
 * A later fill that differs only in PnL (same price, liquidity and cost) takes the class of the day's first fill
 * difference: realised equity compounds trade by trade, so the capital carried from that trade explains it.
 *
 * Pure and deterministic: rows are sorted by candle time then class; the same inputs give the same report.
 */
import type { Candle } from '../candles/candle';
import type { Action } from '../strategies/types';
import { compareLedgers, compareSignals, type LedgerComparison, type LedgerFill, type PaperSignal, type SignalComparison } from './paper';

export const DIVERGENCE_KINDS = ['data', 'timing', 'fill', 'fee'] as const;
export type DivergenceKind = (typeof DIVERGENCE_KINDS)[number];

/** A candle as paper stepped it, and the market time (ms) of the cycle that stepped it. */
export interface UsedCandle extends Candle {
  usedAt: number;
}

/** A decision the live loop recorded: the candle's open time, the action, and the market time it was computed. */
export interface RecordedSignal {
  time: number;
  action: Action;
  computedAt: number;
}

export interface Divergence {
  kind: DivergenceKind;
  /** Open time of the candle the difference is attributed to (the restated candle, the signal candle, the fill candle). */
  candleTime: number;
  /** One line per difference merged into this row, first cause first. */
  details: string[];
  paper: unknown;
  replay: unknown;
}

export interface DivergenceInput {
  /** Candle open times [from, to) compared. */
  window: { from: number; to: number };
  /** Candle duration (ms). */
  stepMs: number;
  /** A decision computed this long or longer after its candle closed is late (one cron cycle). */
  lateAfterMs: number;
  initialEquity: number;
  paperFills: readonly LedgerFill[];
  replayFills: readonly LedgerFill[];
  usedCandles: readonly UsedCandle[];
  storedCandles: readonly Candle[];
  paperSignals: readonly RecordedSignal[];
  replaySignals: readonly PaperSignal[];
}

export interface DivergenceReport {
  divergences: Divergence[];
  counts: Record<DivergenceKind, number>;
  ledger: LedgerComparison;
  signals: SignalComparison;
  /** Σ PnL of the closing fills in the window. */
  paperPnl: number;
  replayPnl: number;
  /** |paper PnL − replay PnL| in bps of the initial equity. */
  gapBps: number;
  ok: boolean;
  summary: string;
}

const FIELDS = ['open', 'high', 'low', 'close', 'volume'] as const;
const iso = (t: number): string => new Date(t).toISOString().slice(0, 16) + 'Z';

/** For each fill (keyed time|effect), the signal time that opened its position (a close: the preceding open's). */
function positionStarts(fills: readonly LedgerFill[]): Map<string, number> {
  const sorted = [...fills].sort((a, b) => a.time - b.time || (a.effect === b.effect ? 0 : a.effect === 'close' ? -1 : 1));
  const out = new Map<string, number>();
  let start: number | null = null;
  for (const f of sorted) {
    if (f.effect === 'open') start = f.signalTime;
    out.set(`${f.time}|${f.effect}`, f.effect === 'open' ? f.signalTime : (start ?? f.signalTime));
    if (f.effect === 'close') start = null;
  }
  return out;
}

const pnlOf = (fills: readonly LedgerFill[], w: { from: number; to: number }): number =>
  fills.reduce((a, f) => (f.effect === 'close' && f.time >= w.from && f.time < w.to ? a + (f.pnl ?? 0) : a), 0);

/** Classify every paper-vs-replay difference over the window (see the module doc). */
export function attributeDivergences(input: DivergenceInput): DivergenceReport {
  const { window: w, stepMs } = input;
  const inW = (t: number): boolean => t >= w.from && t < w.to;
  const rows = new Map<string, Divergence>();
  const add = (kind: DivergenceKind, candleTime: number, detail: string, paper: unknown = null, replay: unknown = null): void => {
    const key = `${candleTime}|${kind}`;
    const row = rows.get(key);
    if (row) row.details.push(detail);
    else rows.set(key, { kind, candleTime, details: [detail], paper, replay });
  };

  // data: candles paper stepped that differ from the stored ones now.
  const stored = new Map(input.storedCandles.filter((c) => inW(c.openTime)).map((c) => [c.openTime, c]));
  const used = new Map(input.usedCandles.filter((c) => inW(c.openTime)).map((c) => [c.openTime, c]));
  const restated: number[] = [];
  for (const [t, u] of used) {
    const s = stored.get(t);
    const changed = s ? FIELDS.filter((f) => u[f] !== s[f]) : [];
    if (s && changed.length === 0) continue;
    restated.push(t);
    const what = s ? changed.map((f) => `${f} ${u[f]} → ${s[f]}`).join(', ') : 'no longer stored';
    add('data', t, `candle ${iso(t)} restated after paper used it (${iso(u.usedAt)}): ${what}`, pick(u), s ? pick(s) : null);
  }
  restated.sort((a, b) => a - b);
  const restatedIn = (a: number, b: number): number | undefined => restated.find((t) => t >= a && t <= b);

  // timing: candles never stepped, late decisions, missed or differing signals.
  const late = new Set<number>();
  const firstUsed = Math.min(...used.keys());
  if (used.size > 0) {
    for (const t of stored.keys()) {
      if (t > firstUsed && !used.has(t)) {
        late.add(t);
        add('timing', t, `candle ${iso(t)} was not evaluated by paper (stepped over while missing)`);
      }
    }
  }
  for (const s of input.paperSignals) {
    if (!inW(s.time)) continue;
    const delay = s.computedAt - (s.time + stepMs);
    if (delay >= input.lateAfterMs) {
      late.add(s.time);
      add('timing', s.time, `${s.action} on ${iso(s.time)} recorded late: ${Math.round(delay / 60_000)} min after its candle closed`, s);
    }
  }
  const paperSigs: PaperSignal[] = input.paperSignals.map((s) => ({ time: s.time, action: s.action }));
  const replaySigs: PaperSignal[] = input.replaySignals.map((s) => ({ time: s.time, action: s.action, ...(s.reason !== undefined ? { reason: s.reason } : {}) }));
  const signals = compareSignals(paperSigs, replaySigs, w);
  for (const r of signals.missing) {
    late.add(r.time);
    if (used.has(r.time) && restatedIn(r.time, r.time) !== undefined) add('data', r.time, `replay ${r.action} on the restated candle ${iso(r.time)}, none in paper`, null, r);
    else add('timing', r.time, `replay ${r.action} on ${iso(r.time)} has no recorded paper decision (missed)`, null, r);
  }
  for (const p of signals.extra) {
    if (restatedIn(p.time, p.time) !== undefined) add('data', p.time, `paper ${p.action} on the restated candle ${iso(p.time)}, none in the replay`, p);
    else add('timing', p.time, `paper ${p.action} on ${iso(p.time)}, none in the replay`, p);
  }
  for (const m of signals.mismatched) {
    if (restatedIn(m.time, m.time) !== undefined) add('data', m.time, `paper ${m.paper.action} vs replay ${m.replay.action} on the restated candle ${iso(m.time)}`, m.paper, m.replay);
    else add('timing', m.time, `paper ${m.paper.action} vs replay ${m.replay.action} on ${iso(m.time)}`, m.paper, m.replay);
  }

  // fills: attributed to a restated candle inside the position, a late signal candle, the fee, or the fill itself.
  const paperFills = input.paperFills.filter((f) => inW(f.time));
  const replayFills = input.replayFills.filter((f) => inW(f.time));
  const ledger = compareLedgers(paperFills, replayFills);
  const pStart = positionStarts(input.paperFills);
  const rStart = positionStarts(input.replayFills);
  let first: { kind: DivergenceKind; time: number } | null = null;
  for (const d of ledger.differences) {
    const key = `${d.time}|${d.effect}`;
    const starts = [pStart.get(key), rStart.get(key)].filter((x): x is number => x !== undefined);
    const start = Math.min(d.time, ...starts);
    const p = d.paper;
    const r = d.replay;
    const label = `${d.effect} fill ${iso(d.time)}`;
    const both = p && r ? `paper ${p.price} ${p.liquidity} ${fmt(p.costBps)} bps vs replay ${r.price} ${r.liquidity} ${fmt(r.costBps)} bps` : p ? 'only in paper' : 'only in the replay';
    const cause = restatedIn(start, d.time);
    const sigTimes = [p?.signalTime, r?.signalTime].filter((x): x is number => x !== undefined);
    const sameFill = p && r && p.price === r.price && p.liquidity === r.liquidity && p.side === r.side && (p.exitKind ?? null) === (r.exitKind ?? null);
    let kind: DivergenceKind;
    if (cause !== undefined) add((kind = 'data'), d.time, `${label} differs after candle ${iso(cause)} was restated: ${both}`, p, r);
    else if (sigTimes.some((t) => late.has(t))) add((kind = 'timing'), d.time, `${label} differs: its signal was evaluated late or missed: ${both}`, p, r);
    else if (sameFill && p.costBps !== r.costBps) add((kind = 'fee'), d.time, `${label}: fee tier differs: ${both}`, p, r);
    else if (sameFill && first) {
      // Only the PnL differs: the capital carried from an earlier difference's trade (equity compounds trade by trade).
      add((kind = first.kind), d.time, `${label}: PnL differs (paper ${p.pnl ?? '—'} vs replay ${r.pnl ?? '—'}): capital carried from the ${first.kind} difference at ${iso(first.time)}`, p, r);
    } else if (sameFill) add((kind = 'fill'), d.time, `${label}: PnL differs: paper ${p.pnl ?? '—'} vs replay ${r.pnl ?? '—'}`, p, r);
    else add((kind = 'fill'), d.time, `${label}: ${both}`, p, r);
    first ??= { kind, time: d.time };
  }

  const divergences = [...rows.values()].sort((a, b) => a.candleTime - b.candleTime || DIVERGENCE_KINDS.indexOf(a.kind) - DIVERGENCE_KINDS.indexOf(b.kind));
  const counts = { data: 0, timing: 0, fill: 0, fee: 0 } as Record<DivergenceKind, number>;
  for (const d of divergences) counts[d.kind]++;
  const paperPnl = pnlOf(input.paperFills, w);
  const replayPnl = pnlOf(input.replayFills, w);
  const gapBps = (Math.abs(paperPnl - replayPnl) / input.initialEquity) * 1e4;
  const ok = divergences.length === 0;
  const summary = ok
    ? `paper = replay: ${ledger.matched} fills, ${signals.matched.length} signals`
    : `paper vs replay: ${divergences.length} difference(s) (data ${counts.data}, timing ${counts.timing}, fill ${counts.fill}, fee ${counts.fee}); PnL gap ${fmt(gapBps)} bps`;
  return { divergences, counts, ledger, signals, paperPnl, replayPnl, gapBps, ok, summary };
}

/** The alert text when the day's PnL gap passes `thresholdBps` (strictly), else null. */
export function divergenceAlertText(report: DivergenceReport, thresholdBps: number, label: string): string | null {
  if (!(report.gapBps > thresholdBps)) return null;
  const c = report.counts;
  return (
    `⚠️ Paper diverges from the replay: ${label}: PnL paper ${fmt(report.paperPnl)} vs replay ${fmt(report.replayPnl)} ` +
    `(gap ${fmt(report.gapBps)} bps > ${fmt(thresholdBps)} bps); ${report.divergences.length} difference(s): data ${c.data}, timing ${c.timing}, fill ${c.fill}, fee ${c.fee}.`
  );
}

function pick(c: Candle): Candle {
  return { openTime: c.openTime, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume };
}

function fmt(x: number): string {
  return (Math.round(x * 100) / 100).toString();
}
