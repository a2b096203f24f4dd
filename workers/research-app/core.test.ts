/**
 * judgeRun: a venue preset priced on another venue's candles is a proxy — its reason says "proxy prices from
 * <series venue>" and it is never `keep`; the series venue's own presets are judged as before.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../shared/backtest/prng';
import type { BacktestResult } from '../../shared/backtest/types';
import { COST_PRESET_IDS } from '../../shared/costs';
import { tradesFromGross } from '../../shared/research/fixtures.test-util';
import type { ComboSummary, NetViewSummary } from '../../shared/research/summary';
import { judgeRun, proxyPriceVerdict } from '../../shared/app/core';

function neighbour(edge: number, k: number): ComboSummary {
  const net: Record<string, NetViewSummary> = {};
  for (const id of COST_PRESET_IDS) net[id] = { meanBps: edge } as NetViewSummary;
  return { key: `n${k}`, params: {}, trades: 200, exposure: 0, gross: {} as ComboSummary['gross'], net, breakEvenRoundTripBps: null, resultHash: '' };
}

/** 200 trades at +80 ± 30 bps gross with every gate's evidence supplied: every cheap venue preset passes. */
function passing(venue: string) {
  const r = mulberry32(1);
  const trades = tradesFromGross(Array.from({ length: 200 }, () => (80 + 30 * r.normal()) / 1e4));
  const result = { trades, net: {} } as unknown as BacktestResult;
  return judgeRun(result, {
    trials: 1,
    venue,
    family: 'test',
    timeframe: '1h',
    sweepNeighbours: [neighbour(55, 1), neighbour(60, 2)],
    walkForward: { folds: [1, 2, 3, 4, 5].map((k) => ({ outOfSample: neighbour(40 + k, k) })) },
    lookahead: { ok: true, mismatches: 0, detail: 'lookahead audit passed' },
  });
}

describe('judgeRun: venues on their own prices', () => {
  it('a Binance run keeps on Binance, and every other venue is a proxy capped at watch', () => {
    const j = passing('binance');
    const by = Object.fromEntries(j.venueVerdicts!.map((v) => [v.presetId, v]));
    expect(by['binance-taker']!.verdict).toBe('keep');
    expect(by['binance-taker']!.reason).not.toMatch(/proxy/);
    for (const id of ['kraken-taker', 'coinbase-taker', 'okx-taker', 'bybit-taker', 'kraken-maker']) {
      expect(by[id]!.verdict).not.toBe('keep');
      expect(by[id]!.reason).toMatch(/^proxy prices from binance: /);
    }
    // Without the proxy rule these would keep: the cap is what changed them.
    expect(by['okx-taker']!.verdict).toBe('watch');
    expect(by['okx-taker']!.reason).toContain('would keep on its own prices; capped at watch');
    expect(j.venues.find((v) => v.key === 'okx-taker')!.reason).toMatch(/^proxy prices from binance/);
    expect(j.verdicts['okx-taker']).toBe('watch');
    // stress-31 is not a venue: unchanged.
    expect(by['stress-31']!.reason).not.toMatch(/proxy/);
    expect(j.verdict).toBe('keep');
    expect(j.reason).toMatch(/Binance/);
  });

  it('a Kraken run keeps only on Kraken; Binance becomes the proxy', () => {
    const j = passing('kraken');
    const keeps = j.venueVerdicts!.filter((v) => v.verdict === 'keep').map((v) => v.presetId);
    expect(keeps.every((id) => id.startsWith('kraken-'))).toBe(true);
    expect(j.venueVerdicts!.find((v) => v.presetId === 'binance-taker')!.reason).toMatch(/^proxy prices from kraken: binance's own candles/);
  });

  it('reject and watch stay what they were, with the proxy named', () => {
    const base = passing('binance').venueVerdicts!.find((v) => v.presetId === 'bybit-taker')!;
    const rejected = proxyPriceVerdict({ ...base, verdict: 'reject', reason: 'reject on Bybit taker: −3 bps' }, 'binance');
    expect(rejected).toMatchObject({ verdict: 'reject', reason: "proxy prices from binance: bybit's own candles are not in this run; reject on Bybit taker: −3 bps" });
    const own = proxyPriceVerdict({ ...base, verdict: 'keep', reason: 'keep on Bybit taker' }, 'bybit');
    expect(own).toMatchObject({ verdict: 'keep', reason: 'keep on Bybit taker' });
  });
});
