/**
 * Reads vitest JSON reports (`--reporter=json --outputFile.json=…`) and prints how many tests ran, how many
 * skipped, and how many of the skips are real-data tests skipped because `../shared/data` was absent (their suite
 * or test name carries the `[skipped: …]` reason from `shared/testing/data.ts`, or names the missing folder).
 * `.ci/run` passes `--max 0`: with the data present, a real-data skip is a failure. The GitHub workflow (no data)
 * only prints the count.
 *
 * Usage: node tools/ci/real-data-skips.mjs [--max N] report.json [report.json …]
 */
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
let max = Infinity;
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--max') max = Number(args[++i]);
  else files.push(args[i]);
}
if (files.length === 0 || !Number.isFinite(max) && max !== Infinity) {
  console.error('usage: node tools/ci/real-data-skips.mjs [--max N] report.json [report.json …]');
  process.exit(2);
}

const REAL_DATA = /\[skipped: [^\]]*(real market data|shared\/data)/i;
let total = 0;
let skipped = 0;
const realData = [];
for (const file of files) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  for (const f of report.testResults ?? []) {
    for (const t of f.assertionResults ?? []) {
      total++;
      if (t.status === 'passed' || t.status === 'failed') continue;
      skipped++;
      if (REAL_DATA.test(t.fullName ?? '')) realData.push(`${f.name.replace(process.cwd() + '/', '')}: ${t.title}`);
    }
  }
}
console.log(`tests: ${total}, skipped: ${skipped}, real-data tests skipped (../shared/data absent): ${realData.length}`);
for (const r of realData.slice(0, 20)) console.log(`  ${r}`);
if (realData.length > 20) console.log(`  … and ${realData.length - 20} more`);
if (realData.length > max) {
  console.error(`expected at most ${max} real-data skips: the real-data tests did not run`);
  process.exit(1);
}
