import { describe, expect, it } from 'vitest';
import { checkTruncation } from './lookahead';
import { auditLookahead, lookaheadAuditSchema } from './lookahead-audit';
import { maCross, randomWalk, sparseVeto } from './fixtures.test-util';

describe('lookahead audit (dense truncation + recursive analysis)', () => {
  it('flags the planted sparse veto in 20 of 20 seeds, whole-prefix and windowed; cut-at-signals sampling does not', () => {
    const veto = sparseVeto();
    let dense = 0;
    let windowed = 0;
    let sampled = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const s = randomWalk(2000, 100 + seed);
      const a = auditLookahead(veto, s, {}, { seed });
      expect(a.truncation.mode).toBe('whole-prefix');
      if (!a.truncation.ok) dense++;
      expect(a.ok).toBe(a.truncation.ok && a.recursive.ok);
      const w = auditLookahead(veto, s, {}, { seed, wholePrefixUpTo: 0 });
      expect(w.truncation.mode).toBe('windowed');
      if (!w.truncation.ok) windowed++;
      if (!checkTruncation(veto, s, {}, { samples: 40, seed }).ok) sampled++;
    }
    console.log(`[lookahead-audit] sparse veto flagged: dense ${dense}/20, windowed ${windowed}/20, old sampled check ${sampled}/20`);
    expect(dense).toBe(20);
    expect(windowed).toBe(20);
  });

  it('names where the bias shows: a vetoed candle, HOLD in the full run and BUY in the prefix', () => {
    const a = auditLookahead(sparseVeto(), randomWalk(2000, 101), {});
    const m = a.truncation.mismatches[0]!;
    expect(m.full).toMatch(/^HOLD/);
    expect(m.other).toMatch(/^BUY/);
    expect(m.cut).toBeGreaterThanOrEqual(m.index);
    expect(m.cut - m.index).toBeLessThan(24);
  });

  it('catches a one-candle peek (close[i+1]) at the acting candles', () => {
    const a = auditLookahead(maCross({ fast: 3, slow: 10, peek: true }), randomWalk(1500, 7), {});
    expect(a.truncation.ok).toBe(false);
    expect(a.ok).toBe(false);
  });

  it('passes honest strategies in both modes, and its report round-trips through its schema', () => {
    for (const strat of [maCross({ fast: 3, slow: 10, stopPct: 0.02 }), maCross({ kind: 'ema', fast: 10, slow: 60, startup: 1200, takePct: 0.03 })]) {
      for (const wholePrefixUpTo of [0, 10_000]) {
        const a = auditLookahead(strat, randomWalk(4000, 5), {}, { wholePrefixUpTo });
        expect(a.ok, JSON.stringify(a).slice(0, 600)).toBe(true);
        expect(a.truncation.compared).toBeGreaterThanOrEqual(4000 - strat.startupCandles({}) - 16);
        expect(lookaheadAuditSchema.parse(JSON.parse(JSON.stringify(a)))).toEqual(a);
      }
    }
  });

  it('recursive analysis: an EMA that declares 61 candles of warm-up moves with more history; 1200 does not', () => {
    const large = randomWalk(8000, 12);
    const short = auditLookahead(maCross({ kind: 'ema', fast: 10, slow: 60, startup: 61, stopPct: 0.02 }), large, {}, { wholePrefixUpTo: 10_000 });
    expect(short.truncation.ok).toBe(true); // causal, just under-warmed
    expect(short.recursive.ok).toBe(false);
    const [x1, x2, x4] = short.recursive.byMultiple;
    expect(x1!.actionChanges + (x1!.maxRelMove > 1e-6 ? 1 : 0)).toBeGreaterThan(0);
    // More history, smaller moves: the signature of an under-declared recursive indicator.
    expect(x4!.actionChanges).toBeLessThanOrEqual(x1!.actionChanges);
    expect(x2!.history).toBe(122);
    const honest = auditLookahead(maCross({ kind: 'ema', fast: 10, slow: 60, startup: 1200, stopPct: 0.02 }), large, {}, { wholePrefixUpTo: 10_000 });
    expect(honest.recursive.ok).toBe(true);
    expect(honest.recursive.byMultiple[0]!.compared).toBeGreaterThan(0);
  });

  it('is deterministic: same inputs, byte-identical report', () => {
    const s = randomWalk(3000, 9);
    const strat = maCross({ fast: 5, slow: 20 });
    expect(JSON.stringify(auditLookahead(strat, s, {}, { seed: 3 }))).toBe(JSON.stringify(auditLookahead(strat, s, {}, { seed: 3 })));
  });
});
