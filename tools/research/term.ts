/** Terminal output for the research CLI: a one-line progress bar on stderr and plain aligned tables. */

let lastDraw = 0;

/** Draw `done/total` as a bar with a label (redrawn in place; at most ~20 times a second unless finished). */
export function bar(done: number, total: number, label = ''): void {
  const now = Date.now();
  const finished = done >= total;
  if (!finished && now - lastDraw < 50) return;
  lastDraw = now;
  const f = total > 0 ? Math.max(0, Math.min(1, done / total)) : 1;
  const width = 30;
  const full = Math.round(f * width);
  const line = `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${(f * 100).toFixed(0).padStart(3)}% ${label}`;
  if (process.stderr.isTTY) process.stderr.write(`\r${line.slice(0, (process.stderr.columns ?? 120) - 1).padEnd(Math.min(120, (process.stderr.columns ?? 120) - 1))}`);
  else if (finished) process.stderr.write(`${line}\n`);
}

export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}
