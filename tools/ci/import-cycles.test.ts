/**
 * No value-import cycle in shared/ or workers/ (type-only imports do not count; `await import` does): the
 * promotion ↔ run-backtest ↔ sweep circle was once broken only by dynamic imports. The detector itself is checked
 * on a planted cycle so this test can fail.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importCycles, importGraph, valueImports } from './import-cycles';

const root = path.resolve(import.meta.dirname, '../..');

describe('import cycles', () => {
  it('shared/ and workers/ have none', () => {
    const graph = importGraph([path.join(root, 'shared'), path.join(root, 'workers')]);
    expect(graph.size).toBeGreaterThan(200);
    const cycles = importCycles(graph).map((c) => c.map((f) => path.relative(root, f)));
    expect(cycles).toEqual([]);
  });

  it('counts value, re-export and dynamic imports; skips type-only ones', () => {
    const src = [
      "import { a } from './a';",
      "import type { B } from './b';",
      "import { type C, type D } from './c';",
      "import { type E, f } from './e';",
      "export { g } from './g';",
      "export type { H } from './h';",
      "import './side';",
      "type T = import('./t').T;",
      "async function k() { return import('./k'); }",
    ].join('\n');
    expect(valueImports(src)).toEqual(['./a', './e', './g', './side', './k']);
  });

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cycles-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('finds a planted cycle, including one closed only by a dynamic import', () => {
    fs.writeFileSync(path.join(dir, 'a.ts'), "import { b } from './b';\nexport const a = b;\n");
    fs.writeFileSync(path.join(dir, 'b.ts'), "export const b = 1;\nexport async function later() { return (await import('./a')).a; }\n");
    fs.writeFileSync(path.join(dir, 'c.ts'), "import type { a } from './a';\nexport type C = typeof a;\n");
    const cycles = importCycles(importGraph([dir]));
    expect(cycles.map((c) => c.map((f) => path.basename(f)))).toEqual([['a.ts', 'b.ts']]);
  });
});
