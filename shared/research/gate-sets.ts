/**
 * Gate sets as data, per study (issue 13 item 5): a named, zod-validated set of the per-run gates
 * (./gates.ts: trades, net edge, 2× cost, DSR, OOS consistency, parameter stability, lookahead) plus the study
 * gates that judge the search itself:
 *   maxPbo 0.5            — the sweep's probability of backtest overfitting (CSCV) must be ≤ 0.5: above it the
 *                           in-sample winner is more likely than not to rank below the out-of-sample median
 *                           (Bailey et al. 2017's natural boundary; the `strict` set asks ≤ 0.2).
 *   maxSpaPValue 0.05     — Hansen's consistent SPA p-value vs flat must be ≤ 0.05 (the best combo beats staying
 *                           out of the market after accounting for the search).
 *   maxMcDrawdownP95 0.5  — the 95th percentile of max drawdown under the moving-block bootstrap must be ≤ 50 %.
 * Missing evidence makes a gate `skipped`, and a skipped gate never counts as passed (`studyGatesPassed`).
 * A request or the CLI names a registered set (`default`, `strict`) or passes a whole set as JSON; the resolved
 * set (name and every value) is recorded with the judgement.
 */
import { z } from 'zod';
import { gatesSchema, type GateStatus } from './gates';

export const studyGatesSchema = z
  .object({
    maxPbo: z.number().min(0).max(1).default(0.5),
    maxSpaPValue: z.number().gt(0).max(1).default(0.05),
    maxMcDrawdownP95: z.number().gt(0).max(1).default(0.5),
  })
  .strict();
export type StudyGates = z.infer<typeof studyGatesSchema>;

export const gateSetSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and dashes'),
    description: z.string().max(500).default(''),
    gates: gatesSchema.default(gatesSchema.parse({})),
    study: studyGatesSchema.default(studyGatesSchema.parse({})),
  })
  .strict();
export type GateSet = z.infer<typeof gateSetSchema>;
export type GateSetInput = z.input<typeof gateSetSchema>;

/** A request's or flag's gate set: a registered name or a whole set. */
export const gateSetRefSchema = z.union([z.string().min(1).max(64), gateSetSchema]);
export type GateSetRef = z.input<typeof gateSetRefSchema>;

export const GATE_SETS: Readonly<Record<string, GateSet>> = Object.freeze({
  default: gateSetSchema.parse({ name: 'default', description: 'The lab defaults (shared/research/gates.ts) with PBO ≤ 0.5, SPA p ≤ 0.05, MC drawdown p95 ≤ 50 %.' }),
  strict: gateSetSchema.parse({
    name: 'strict',
    description: 'For promotion to paper money: 100 trades, DSR ≥ 0.99, PBO ≤ 0.2, SPA p ≤ 0.01, MC drawdown p95 ≤ 30 %.',
    gates: { minTrades: 100, minDsr: 0.99 },
    study: { maxPbo: 0.2, maxSpaPValue: 0.01, maxMcDrawdownP95: 0.3 },
  }),
});

export class GateSetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GateSetError';
  }
}

/** The gate set a request names (default: `default`), validated; an unknown name lists the known ones. */
export function resolveGateSet(ref?: unknown): GateSet {
  if (ref === undefined || ref === null) return GATE_SETS.default!;
  if (typeof ref === 'string') {
    const s = GATE_SETS[ref];
    if (!s) throw new GateSetError(`unknown gate set "${ref}" (known: ${Object.keys(GATE_SETS).join(', ')})`);
    return s;
  }
  const r = gateSetSchema.safeParse(ref);
  if (!r.success) throw new GateSetError(`invalid gate set: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** A request's `gates` field: a gate-set reference that must resolve (the `resolveGateSet` error is the issue). */
export const resolvableGateSetRefSchema = gateSetRefSchema.superRefine((ref, ctx) => {
  try {
    resolveGateSet(ref);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

export interface StudyEvidence {
  pbo?: number | null;
  spaPValue?: number | null;
  mcDrawdownP95?: number | null;
}

export interface StudyGateCheck {
  gate: 'maxPbo' | 'maxSpaPValue' | 'maxMcDrawdownP95';
  status: GateStatus;
  value: number | null;
  threshold: number;
  detail: string;
}

const f3 = (x: number): string => x.toFixed(3);

/** The study gates on the evidence at hand; absent evidence → skipped (never passed). */
export function evaluateStudyGates(set: GateSet, e: StudyEvidence): StudyGateCheck[] {
  const one = (gate: StudyGateCheck['gate'], value: number | null | undefined, threshold: number, what: string, missing: string): StudyGateCheck => {
    if (value === null || value === undefined || !Number.isFinite(value)) return { gate, status: 'skipped', value: null, threshold, detail: missing };
    const ok = value <= threshold;
    return { gate, status: ok ? 'pass' : 'fail', value, threshold, detail: `${what} ${f3(value)} ${ok ? '≤' : '>'} ${threshold}` };
  };
  return [
    one('maxPbo', e.pbo, set.study.maxPbo, 'PBO', 'PBO not computed (no sweep)'),
    one('maxSpaPValue', e.spaPValue, set.study.maxSpaPValue, 'SPA consistent p vs flat', 'SPA not computed (no sweep)'),
    one('maxMcDrawdownP95', e.mcDrawdownP95, set.study.maxMcDrawdownP95, 'MC max drawdown p95', 'Monte Carlo drawdown not available'),
  ];
}

/** Every study gate passed (a skipped one does not). */
export function studyGatesPassed(checks: readonly StudyGateCheck[]): boolean {
  return checks.length > 0 && checks.every((c) => c.status === 'pass');
}
