import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Issue 11: fill, stop and cost arithmetic lives in exactly one module. This guard greps the pure core (`shared/`,
 * tests and test helpers aside, comments stripped) for the shapes of that arithmetic — a round trip's return, a
 * bps cost charged against a return, the cash-account fee factors, a slipped fill price, a stop or limit touched
 * by a candle's range — and allows them only in shared/execution/ (fills, stops, the rebalance arithmetic) and
 * shared/costs/ (the cost model). Each pattern is checked against the code it was written to catch (the ranking
 * and slice lines before they moved), so the guard can fail.
 */
const SHARED = fileURLToPath(new URL('..', import.meta.url));
const WORKERS = fileURLToPath(new URL('../../workers', import.meta.url));
const ALLOWED = ['execution/', 'costs/'];

const PATTERNS: { name: string; re: RegExp; catches: string[] }[] = [
  {
    name: 'round-trip return (exit / entry − 1)',
    re: /\b\w*(?:exit|px|price)\w*(?:\[[^\]]*\])?!?\s*\/\s*[\w.]*(?:entry|open)\w*(?:\[[^\]]*\])?!?\s*-\s*1\b/i,
    catches: ['const r = px / s.open[e]! - 1;', 'grossReturn: dir * (exit / entry - 1),', 'const gross = p.dir * (price / p.entryPrice - 1);'],
  },
  {
    name: 'bps cost charged against a return',
    re: /-\s*\([^;]*?Bps[^;]*?\)\s*\/\s*1e4/,
    catches: ['p.net[m.id] = p.grossReturn - (p.turnover * inBps + p.exitTurnover * outBps) / 1e4;'],
  },
  {
    name: 'cash-account fee factor (1 ± f)',
    re: /\(\s*1\s*[-+]\s*(?:f|fee\w*|f_?entry|f_?exit|entryCost|exitCost)\s*\)/i,
    catches: ['return (r * (1 - f_exit)) / (1 + f_entry) - 1;', 'g * (1 - fee)'],
  },
  {
    name: 'slipped fill price',
    re: /\bprice\s*\*\s*\(\s*1\s*[-+]\s*[\w.]*(?:slip|spread|cost)/i,
    catches: ['const fill = price * (1 + slippageFrac);', 'price * (1 - halfSpread)'],
  },
  {
    name: 'stop / target / limit touched by the range',
    re: /\b(?:low|high|[lh])(?:\[[^\]]*\])?!?\s*[<>]=?\s*[\w.]*(?:stop|trail|takeProfit|tp\b|limit|lim\b|level)\w*/i,
    catches: ['if (low[j]! <= stopLoss) exit = stopLoss;', 'else if (h >= tp) close(tp);', 'const touched = c.low <= lim;'],
  },
];

function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

function coreFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...coreFiles(p));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.includes('test-util') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

describe('fill, stop and cost arithmetic in exactly one module', () => {
  const files = coreFiles(SHARED).map((p) => ({ rel: relative(SHARED, p).split('\\').join('/'), src: stripComments(readFileSync(p, 'utf8')) }));

  it('each pattern catches the code it was written for', () => {
    for (const p of PATTERNS) for (const c of p.catches) expect(p.re.test(c), `${p.name}: ${c}`).toBe(true);
  });

  it('the arithmetic exists in the allowed modules (the patterns are real)', () => {
    const allowed = files.filter((f) => ALLOWED.some((a) => f.rel.startsWith(a)));
    expect(allowed.length).toBeGreaterThan(5);
    for (const name of ['round-trip return (exit / entry − 1)', 'bps cost charged against a return', 'stop / target / limit touched by the range']) {
      const p = PATTERNS.find((x) => x.name === name)!;
      expect(
        allowed.some((f) => p.re.test(f.src)),
        name,
      ).toBe(true);
    }
  });

  it('no other module of shared/ computes it', () => {
    expect(files.length).toBeGreaterThan(50);
    const hits: string[] = [];
    for (const f of files) {
      if (ALLOWED.some((a) => f.rel.startsWith(a)) || f.rel.startsWith('testing/')) continue;
      f.src.split('\n').forEach((line, k) => {
        for (const p of PATTERNS) if (p.re.test(line)) hits.push(`${f.rel}:${k + 1} (${p.name}): ${line.trim()}`);
      });
    }
    expect(hits).toEqual([]);
  });

  it('no module of workers/ computes it either (the edge calls the kernel)', () => {
    const edge = coreFiles(WORKERS).map((p) => ({ rel: relative(WORKERS, p).split('\\').join('/'), src: stripComments(readFileSync(p, 'utf8')) }));
    expect(edge.length).toBeGreaterThan(30);
    const hits: string[] = [];
    for (const f of edge) {
      f.src.split('\n').forEach((line, k) => {
        for (const p of PATTERNS) if (p.re.test(line)) hits.push(`workers/${f.rel}:${k + 1} (${p.name}): ${line.trim()}`);
      });
    }
    expect(hits).toEqual([]);
  });
});
