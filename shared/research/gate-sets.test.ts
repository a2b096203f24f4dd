import { describe, expect, it } from 'vitest';
import { DEFAULT_GATES } from './gates';
import { z } from 'zod';
import { evaluateStudyGates, GATE_SETS, GateSetError, resolvableGateSetRefSchema, resolveGateSet, studyGatesPassed } from './gate-sets';

describe('gate sets as data', () => {
  it('default is the lab defaults plus the study gates; names resolve; a whole set parses with defaults filled', () => {
    const d = resolveGateSet();
    expect(d.name).toBe('default');
    expect(d.gates).toEqual(DEFAULT_GATES);
    expect(d.study).toEqual({ maxPbo: 0.5, maxSpaPValue: 0.05, maxMcDrawdownP95: 0.5 });
    expect(resolveGateSet('strict')).toBe(GATE_SETS.strict);
    const custom = resolveGateSet({ name: 'my-study', study: { maxPbo: 0.1 } });
    expect(custom.study).toEqual({ maxPbo: 0.1, maxSpaPValue: 0.05, maxMcDrawdownP95: 0.5 });
    expect(custom.gates.minTrades).toBe(30);
  });

  it('unknown names and bad sets are refused with the reason', () => {
    expect(() => resolveGateSet('lenient')).toThrow(new GateSetError('unknown gate set "lenient" (known: default, strict)'));
    expect(() => resolveGateSet({ name: 'x', study: { maxPbo: 2 } })).toThrow(/study\.maxPbo/);
    expect(() => resolveGateSet({ name: 'Bad Name' })).toThrow(/name/);
    expect(() => resolveGateSet({ name: 'x', extra: 1 })).toThrow(/Unrecognized key/);
  });

  it('a skipped study gate never counts as passed; pass and fail at the thresholds', () => {
    const d = GATE_SETS.default!;
    const none = evaluateStudyGates(d, {});
    expect(none.map((c) => c.status)).toEqual(['skipped', 'skipped', 'skipped']);
    expect(studyGatesPassed(none)).toBe(false);
    const ok = evaluateStudyGates(d, { pbo: 0.5, spaPValue: 0.05, mcDrawdownP95: 0.2 });
    expect(ok.map((c) => c.status)).toEqual(['pass', 'pass', 'pass']);
    expect(studyGatesPassed(ok)).toBe(true);
    const partly = evaluateStudyGates(d, { pbo: 0.51, spaPValue: 0.01, mcDrawdownP95: null });
    expect(partly.map((c) => c.status)).toEqual(['fail', 'pass', 'skipped']);
    expect(partly[0]!.detail).toBe('PBO 0.510 > 0.5');
    expect(studyGatesPassed(partly)).toBe(false);
  });
});

describe('a request field of gates (resolvableGateSetRefSchema)', () => {
  const req = z.object({ gates: resolvableGateSetRefSchema.optional() });
  it('accepts a registered name, a whole set, or nothing; an unknown name is an issue at `gates` with resolveGateSet’s message', () => {
    expect(req.parse({ gates: 'strict' }).gates).toBe('strict');
    expect(req.parse({}).gates).toBeUndefined();
    expect(req.safeParse({ gates: { name: 'mine', gates: { minTrades: 5 } } }).success).toBe(true);
    const bad = req.safeParse({ gates: 'lenient' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues).toEqual([expect.objectContaining({ path: ['gates'], message: expect.stringMatching(/^unknown gate set "lenient"/) })]);
  });
});
