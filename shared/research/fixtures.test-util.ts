/**
 * Test fixtures for the research layer: priced synthetic trades from a list of gross returns, a long/short
 * "hold h candles" strategy with a direction parameter (for walk-forward), and a sawtooth price path whose trend
 * flips at chosen candle indices.
 */
import { z } from 'zod';
import { mkSeries, T0 } from '../backtest/fixtures.test-util';
import { priceTrades } from '../backtest/result';
import type { RawTrade, Trade } from '../backtest/types';
import type { CandleSeries } from '../candles/candle';
import { COST_PRESET_IDS, COST_PRESETS } from '../costs';
import { HOLD, type Strategy } from '../strategies/types';

const H = 3_600_000;

/** Long trades with the given gross returns, priced under every preset (entry 100, 1h apart, taker fills). */
export function tradesFromGross(gross: readonly number[]): Trade[] {
  const raw: RawTrade[] = gross.map((g, k) => ({
    side: 'long',
    signalTime: T0 + 2 * k * H,
    entryTime: T0 + (2 * k + 1) * H,
    entryPrice: 100,
    entryLiquidity: 'taker',
    entryReason: 'test',
    exitTime: T0 + (2 * k + 2) * H,
    exitPrice: 100 * (1 + g),
    exitLiquidity: 'taker',
    exitKind: 'signal',
    exitReason: 'test',
    bars: 1,
    grossReturn: g,
    entryAtrPct: null,
    exitAtrPct: null,
  }));
  return priceTrades(
    raw,
    COST_PRESET_IDS.map((id) => COST_PRESETS[id]),
  ).trades;
}

export const dirHoldParams = z.object({
  dir: z.number().int().min(-1).max(1).default(1),
  hold: z.number().int().min(1).max(10).default(2),
});
export type DirHoldParams = z.infer<typeof dirHoldParams>;

/**
 * Enters every `hold + 1` candles in direction `dir` (BUY for 1, SELL for −1; shorts allowed) and exits `hold`
 * candles later. Causal and trivially chunk-exact.
 */
export const dirHold: Strategy<DirHoldParams, null> = {
  kind: 'single',
  id: 'test-dir-hold',
  version: '0.0.1',
  family: 'test',
  origin: 'test',
  title: 'test dir/hold',
  description: 'test strategy',
  timeframes: ['1h'],
  allowShort: true,
  paramsSchema: dirHoldParams,
  defaults: dirHoldParams.parse({}),
  paramSpace: { dir: { kind: 'choice', values: [-1, 1] }, hold: { kind: 'int', min: 1, max: 3, step: 1 } },
  startupCandles: () => 1,
  prepare: () => null,
  evaluate: (_s, i, p) => {
    const m = i % (p.hold + 1);
    if (m === 0) return { action: p.dir === 1 ? 'BUY' : 'SELL', reason: 'enter' };
    if (m === p.hold) return { action: 'EXIT', reason: 'exit' };
    return HOLD;
  },
};

/** Candles whose close moves by `step` × direction per candle; direction flips at each index in `flips`. */
export function sawtooth(n: number, flips: readonly number[], step = 0.005, startDir: 1 | -1 = 1): CandleSeries {
  const rows: [number, number, number, number][] = [];
  let p = 100;
  let dir = startDir;
  const flipSet = new Set(flips);
  for (let i = 0; i < n; i++) {
    if (flipSet.has(i)) dir = dir === 1 ? -1 : 1;
    const o = p;
    const c = o * (1 + dir * step);
    rows.push([o, Math.max(o, c) * 1.0001, Math.min(o, c) * 0.9999, c]);
    p = c;
  }
  return mkSeries(rows, '1h');
}
