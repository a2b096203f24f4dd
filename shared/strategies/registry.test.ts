import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../testing/data';
import { getStrategy, listStrategies, STRATEGIES, strategyIds } from './registry';
import type { ParamRange } from './types';

const EXPECTED = [
  'nexara-baseline-5m',
  'nexara-div006',
  'platform4h-macd-rsi',
  'platform4h-momentum-rank',
  'nexus-ema-adx-trend',
  'nexus-rsi-scalp',
  'nexus-bb-mean-reversion',
  'nexus-grid-ema200',
  'dsta-sma-crossover',
  'dsta-rsi-mean-reversion',
  'dsta-bb-breakout',
];

function rangeValues(r: ParamRange): unknown[] {
  if (r.kind === 'choice') return [...r.values];
  const out: number[] = [];
  for (let v = r.min; v <= r.max + 1e-9; v += r.step) out.push(Number(v.toFixed(10)));
  return out;
}

describe('strategy registry', () => {
  it('holds every bundled strategy once, by id', () => {
    expect(strategyIds()).toEqual(EXPECTED);
    for (const id of EXPECTED) expect(getStrategy(id)?.id).toBe(id);
    expect(getStrategy('no-such-strategy')).toBeUndefined();
  });

  it('summarises them with origin and family, filterable', () => {
    const all = listStrategies();
    expect(all).toHaveLength(EXPECTED.length);
    expect(listStrategies({ origin: 'nexara' }).map((s) => s.id)).toEqual(['nexara-baseline-5m', 'nexara-div006']);
    expect(listStrategies({ origin: '4h-platform' }).map((s) => s.id)).toEqual(['platform4h-macd-rsi', 'platform4h-momentum-rank']);
    expect(listStrategies({ origin: 'nexus' })).toHaveLength(4);
    expect(listStrategies({ origin: 'dsta' })).toHaveLength(3);
    expect(listStrategies({ family: 'trend-following' }).map((s) => s.id)).toEqual(['nexus-ema-adx-trend', 'dsta-sma-crossover']);
    expect(all.find((s) => s.id === 'platform4h-momentum-rank')!.kind).toBe('ranking');
  });

  for (const s of STRATEGIES) {
    describe(s.id, () => {
      it('has well-formed metadata', () => {
        expect(s.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
        expect(s.version).toMatch(/^\d+\.\d+\.\d+$/);
        expect(s.family).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
        expect(s.title.length).toBeGreaterThan(10);
        expect(s.description.length).toBeGreaterThan(40);
        expect(s.timeframes.length).toBeGreaterThan(0);
        if (s.kind === 'single') expect(s.allowShort).toBe(false);
      });

      it('parses its defaults, fills them from {}, and keeps every sweep point inside the schema', () => {
        expect(s.paramsSchema.parse({})).toEqual(s.defaults);
        const keys = Object.keys(s.paramSpace);
        expect(keys.length).toBeGreaterThan(0);
        for (const k of keys) {
          expect(Object.keys(s.defaults)).toContain(k);
          for (const v of rangeValues(s.paramSpace[k]!)) {
            expect(s.paramsSchema.safeParse({ ...s.defaults, [k]: v }).success, `${k} = ${String(v)}`).toBe(true);
          }
        }
        // The whole grid, so a sweep never meets an invalid combination (e.g. fast >= slow).
        let grid: Record<string, unknown>[] = [{ ...s.defaults }];
        for (const k of keys) grid = grid.flatMap((g) => rangeValues(s.paramSpace[k]!).map((v) => ({ ...g, [k]: v })));
        expect(grid.length).toBeLessThan(100_000);
        const bad = grid.find((g) => !s.paramsSchema.safeParse(g).success);
        expect(bad, JSON.stringify(bad)).toBeUndefined();
      });

      it('needs a positive, finite warm-up that grows with its periods', () => {
        const n = s.startupCandles(s.defaults);
        expect(Number.isInteger(n)).toBe(true);
        expect(n).toBeGreaterThan(0);
      });

      it('has a documentation page listed in the index', () => {
        const page = join(REPO_ROOT, 'research-log', 'strategies', `${s.id}.md`);
        expect(existsSync(page), page).toBe(true);
        const text = readFileSync(page, 'utf8');
        expect(text).toContain(s.id);
        for (const k of Object.keys(s.defaults)) expect(text, `${s.id}.md mentions ${k}`).toContain(`\`${k}\``);
        const index = readFileSync(join(REPO_ROOT, 'research-log', 'strategies', 'README.md'), 'utf8');
        expect(index).toContain(`(${s.id}.md)`);
      });
    });
  }
});
