/**
 * The search statistics of issue 13 as panels (markup strings built only from numbers and escaped text), shared by
 * the Lab pages: a sweep's PBO (λ histogram, IS-vs-OOS scatter with the degradation line, PBO, probability of loss)
 * and SPA / Reality Check p-values; a run's Monte Carlo bands (and fan), lookahead / recursive audit status, DSR at
 * judgement vs now with MinBTL, and the gate set with the study gates' outcomes. Each renderer takes the stored
 * JSON as it arrives from the API (unknown) and says why when a statistic is absent — never a made-up number.
 */
import { esc, histogramSvg } from './svg';
import type { SweepPbo } from '../research/sweep-pbo';
import type { SweepSpa, SweepSpaOutcome } from '../research/sweep-spa';
import type { MonteCarloPart, RunMonteCarlo } from '../research/run-monte-carlo';
import type { LookaheadAudit } from '../backtest/lookahead-audit';
import type { RunTrials } from '../research/trials';
import type { StudyGateCheck } from '../research/gate-sets';

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const fin = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const f = (x: unknown, d = 3): string => (fin(x) ? x.toFixed(d) : '—');
const pc = (x: unknown, d = 1): string => (fin(x) ? `${(x * 100).toFixed(d)} %` : '—');
const f1 = (x: number): string => (Math.round(x * 10) / 10).toString();

function why(what: string, x: unknown): string {
  const reason = isObj(x) ? String(x.reason ?? x.status ?? 'not recorded') : 'not recorded for this item';
  return `<p class="muted" data-absent="${esc(what)}">${esc(what)}: ${esc(reason)}</p>`;
}

/** A number cell (digits, sign, %, or the — of a missing value) is right-aligned; text stays left-aligned. */
const NUMERIC = /^[-−+\d.,\s%—]+$/;

function table(id: string, head: string[], rows: string[][]): string {
  return `<table id="${esc(id)}"><thead><tr>${head.map((x) => `<th scope="col">${esc(x)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c, i) => `<td${i && NUMERIC.test(c) ? ' class="num"' : ''}>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function kv(pairs: [string, string][]): string {
  return `<dl class="kv">${pairs.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

/** IS (x) vs OOS (y) performance of each split's in-sample winner, with the zero axes and the OLS line y = α + βx. */
export function scatterSvg(o: { points: readonly { is: number; oos: number; lambda: number }[]; slope: number | null; intercept: number | null; xLabel: string; yLabel: string; id?: string; width?: number; height?: number }): string {
  const W = o.width ?? 640;
  const H = o.height ?? 280;
  const L = 56;
  const B = 34;
  const T = 12;
  const R = 16;
  const xs = o.points.map((p) => p.is);
  const ys = o.points.map((p) => p.oos);
  const span = (v: number[]): [number, number] => {
    let lo = Math.min(0, ...v);
    let hi = Math.max(0, ...v);
    if (hi - lo < 1e-12) [lo, hi] = [lo - 1, hi + 1];
    const pad = (hi - lo) * 0.05;
    return [lo - pad, hi + pad];
  };
  const [x0, x1] = span(xs);
  const [y0, y1] = span(ys);
  const px = (x: number): number => L + ((x - x0) / (x1 - x0)) * (W - L - R);
  const py = (y: number): number => T + (1 - (y - y0) / (y1 - y0)) * (H - T - B);
  const parts: string[] = [];
  parts.push(`<line x1="${L}" y1="${f1(py(0))}" x2="${W - R}" y2="${f1(py(0))}" stroke="#9ca3af"/><line x1="${f1(px(0))}" y1="${T}" x2="${f1(px(0))}" y2="${H - B}" stroke="#9ca3af"/>`);
  for (const p of o.points) {
    parts.push(`<circle cx="${f1(px(p.is))}" cy="${f1(py(p.oos))}" r="2.5" fill="${p.lambda <= 0 ? '#dc2626' : '#2563eb'}" fill-opacity="0.6"/>`);
  }
  if (o.slope !== null && o.intercept !== null && fin(o.slope) && fin(o.intercept)) {
    const a = o.intercept;
    const b = o.slope;
    parts.push(`<line class="fit" x1="${f1(px(x0))}" y1="${f1(py(a + b * x0))}" x2="${f1(px(x1))}" y2="${f1(py(a + b * x1))}" stroke="#111827" stroke-dasharray="4 3"/>`);
  }
  parts.push(`<text x="${L}" y="${H - B + 13}" font-size="10" fill="#6b7280">${esc(x0.toFixed(3))}</text><text x="${W - R}" y="${H - B + 13}" font-size="10" text-anchor="end" fill="#6b7280">${esc(x1.toFixed(3))}</text>`);
  parts.push(`<text x="${L - 4}" y="${T + 8}" font-size="10" text-anchor="end" fill="#6b7280">${esc(y1.toFixed(3))}</text><text x="${L - 4}" y="${H - B}" font-size="10" text-anchor="end" fill="#6b7280">${esc(y0.toFixed(3))}</text>`);
  parts.push(`<text x="${f1((L + W) / 2)}" y="${H - 4}" font-size="11" text-anchor="middle" fill="#374151">${esc(o.xLabel)}</text>`);
  parts.push(`<text x="12" y="${f1((T + H - B) / 2)}" font-size="11" text-anchor="middle" fill="#374151" transform="rotate(-90 12 ${f1((T + H - B) / 2)})">${esc(o.yLabel)}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${esc(o.yLabel)} against ${esc(o.xLabel)}"${o.id ? ` id="${esc(o.id)}"` : ''} data-points="${o.points.length}">${parts.join('')}</svg>`;
}

/** The PBO panel of a sweep: numbers, λ histogram, IS-vs-OOS scatter and the top in-sample winners. */
export function pboPanelHtml(pbo: unknown): string {
  if (!isObj(pbo) || pbo.status !== 'done') return why('PBO', pbo ?? { reason: 'not computed (sweep merged before PBO was kept)' });
  const p = pbo as unknown as SweepPbo;
  const d = p.degradation;
  const facts = kv([
    ['PBO', `<strong id="pbo-value">${f(p.pbo)}</strong> <span class="muted">share of the ${p.splits} CSCV splits whose in-sample winner ranks at or below the OOS median (λ ≤ 0)</span>`],
    ['Probability of loss', `<span id="pbo-loss">${f(p.probabilityOfLoss)}</span> <span class="muted">share of splits with the winner's OOS ${esc(p.metric)} &lt; ${f(p.lossThreshold)}</span>`],
    ['Degradation', `<span id="pbo-degradation">${d.slope === null || d.intercept === null ? 'no fit (IS performance does not vary)' : `OOS = ${f(d.intercept, 4)} ${d.slope < 0 ? '−' : '+'} ${f(Math.abs(d.slope), 4)} × IS`}</span> <span class="muted">(R² ${f(d.rSquared)}; mean IS ${f(d.meanIs, 4)} → OOS ${f(d.meanOos, 4)})</span>`],
    ['λ quantiles', `5 % ${f(p.lambda.p5)} · 50 % ${f(p.lambda.p50)} · 95 % ${f(p.lambda.p95)}`],
    ['Setup', `${p.combos} combos × ${p.blocks} blocks, per-trade ${esc(p.metric)} on ${esc(p.view)}, sparse → ${esc(p.sparse)}`],
  ]);
  const hist = histogramSvg({ edges: p.histogram.edges, series: [{ label: 'splits', color: '#7c3aed', counts: p.histogram.counts }], xLabel: 'λ = logit of the IS winner’s OOS rank', id: 'pbo-histogram', height: 200 });
  const sc = scatterSvg({ points: p.scatter.points, slope: d.slope, intercept: d.intercept, xLabel: `IS ${p.metric} of the winner`, yLabel: `OOS ${p.metric}`, id: 'pbo-scatter' });
  const win = table('pbo-winners', ['Combo', 'Splits won'], p.winners.map((w) => [`<code>${esc(w.key)}</code>`, String(w.splits)]));
  return `${facts}<div class="grid2"><div><h3>λ histogram</h3>${hist}</div><div><h3>IS vs OOS <span class="muted">every ${p.scatter.stride}th split; red λ ≤ 0; dashed: OLS</span></h3>${sc}</div></div><h3>Most frequent in-sample winners</h3><div class="scroll">${win}</div>`;
}

function spaRow(name: string, s: SweepSpaOutcome | undefined): string[] {
  if (!s) return [esc(name), '—', '—', '—', '—', '—', 'not recorded'];
  if (s.status !== 'done') return [esc(name), '—', '—', '—', '—', '—', esc(`${s.status}: ${s.reason}`)];
  return [esc(name), f(s.spa.lower), f(s.spa.consistent), f(s.spa.upper), f(s.realityCheck.pValue), `${f(s.blockLength, 2)} days (${esc(s.blockLengthSource)})`, `best <code>${esc(s.best)}</code>`];
}

/** SPA (Hansen 2005) lower / consistent / upper and White's Reality Check p-values vs flat and buy-and-hold. */
export function spaTableHtml(spa: unknown, id = 'spa-table'): string {
  if (!isObj(spa) || !isObj(spa.vsFlat)) return why('SPA / Reality Check', spa ?? { reason: 'not computed (sweep merged before SPA was kept)' });
  const s = spa as unknown as SweepSpa;
  const note = `<p class="muted">${s.strategies} strategies × ${s.observations} ${esc(s.period)}s on ${esc(s.view)}, ${s.reps} bootstrap reps, seed ${s.seed}, scope ${esc(s.scope)}. Small p: the best beats the benchmark after the search.</p>`;
  return note + table(id, ['Benchmark', 'SPA lower', 'SPA consistent', 'SPA upper', 'Reality Check', 'Block length', 'Note'], [spaRow('flat', s.vsFlat), spaRow('buy-and-hold', s.vsBuyAndHold)]);
}

const MC_METHODS: [keyof Pick<RunMonteCarlo, 'tradeReshuffle' | 'tradeResample' | 'blockBootstrap'>, string][] = [
  ['tradeReshuffle', 'trade reshuffle'],
  ['tradeResample', 'trade resample'],
  ['blockBootstrap', 'moving-block bootstrap'],
];

/** Fan chart: 5/50/95 % equity after each kept step (band filled, median line). */
export function fanSvg(fan: { step: number[]; p5: number[]; p50: number[]; p95: number[] }, o: { id?: string; width?: number; height?: number } = {}): string {
  const W = o.width ?? 640;
  const H = o.height ?? 200;
  const L = 56;
  const B = 26;
  const T = 12;
  const R = 16;
  const n = fan.step.length;
  const lo = Math.min(...fan.p5);
  const hi0 = Math.max(...fan.p95);
  const hi = hi0 - lo < 1e-12 ? lo + 1 : hi0;
  const s0 = fan.step[0]!;
  const s1 = fan.step[n - 1]! === s0 ? s0 + 1 : fan.step[n - 1]!;
  const px = (s: number): number => L + ((s - s0) / (s1 - s0)) * (W - L - R);
  const py = (y: number): number => T + (1 - (y - lo) / (hi - lo)) * (H - T - B);
  const up = fan.step.map((s, i) => `${f1(px(s))},${f1(py(fan.p95[i]!))}`);
  const down = fan.step.map((s, i) => `${f1(px(s))},${f1(py(fan.p5[i]!))}`).reverse();
  const mid = fan.step.map((s, i) => `${f1(px(s))},${f1(py(fan.p50[i]!))}`);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="Monte Carlo equity fan"${o.id ? ` id="${esc(o.id)}"` : ''}>` +
    `<polygon points="${[...up, ...down].join(' ')}" fill="#2563eb" fill-opacity="0.18"/><polyline points="${mid.join(' ')}" fill="none" stroke="#2563eb" stroke-width="1.5"/>` +
    `<text x="${L - 4}" y="${T + 8}" font-size="10" text-anchor="end" fill="#6b7280">${esc(hi.toFixed(3))}</text><text x="${L - 4}" y="${H - B}" font-size="10" text-anchor="end" fill="#6b7280">${esc(lo.toFixed(3))}</text>` +
    `<text x="${L}" y="${H - 8}" font-size="10" fill="#6b7280">step ${s0}</text><text x="${W - R}" y="${H - 8}" font-size="10" text-anchor="end" fill="#6b7280">step ${fan.step[n - 1]}</text></svg>`
  );
}

/** Monte Carlo bands per method (final equity and max drawdown 5/50/95 %, ruin probability) and the fans stored. */
export function monteCarloHtml(mc: unknown): string {
  if (!isObj(mc) || !isObj(mc.tradeReshuffle)) return why('Monte Carlo', mc ?? { reason: 'not recorded for this run' });
  const m = mc as unknown as RunMonteCarlo;
  const rows = MC_METHODS.map(([k, name]) => {
    const p: MonteCarloPart | undefined = m[k];
    if (!p || p.status !== 'done') return [esc(name), '—', '—', '—', '—', '—', '—', '—', esc(p ? p.reason : 'not recorded')];
    const bl = p.blockLength !== undefined ? `block ${f(p.blockLength, 2)} (${esc(p.blockLengthSource ?? '?')})` : `${p.steps} steps`;
    return [esc(name), f(p.finalEquity.p5), f(p.finalEquity.p50), f(p.finalEquity.p95), pc(p.maxDrawdown.p5), pc(p.maxDrawdown.p50), pc(p.maxDrawdown.p95), f(p.probabilityOfRuin), `${bl}; observed ${f(p.observed.finalEquity)} / ${pc(p.observed.maxDrawdown)}`];
  });
  const note = `<p class="muted">${m.paths} paths, seed ${m.seed}, view ${esc(m.view)}, ${m.trades} trades, ${m.periods} periods; ruin = drawdown ≥ ${pc(m.ruinDrawdown, 0)}. Final equity from 1.</p>`;
  const fans = MC_METHODS.flatMap(([k, name]) => {
    const p = m[k];
    return p && p.status === 'done' && p.fan && p.fan.step.length > 1 ? [`<div><h3>Equity fan: ${esc(name)} <span class="muted">5–95 % band, median line</span></h3>${fanSvg(p.fan, { id: `mc-fan-${k}` })}</div>`] : [];
  });
  return note + table('mc-table', ['Method', 'Final 5 %', 'Final 50 %', 'Final 95 %', 'Max DD 5 %', 'Max DD 50 %', 'Max DD 95 %', 'P(ruin)', 'Note'], rows) + (fans.length ? `<div class="grid2">${fans.join('')}</div>` : '');
}

function oneAudit(a: LookaheadAudit, label: string): string {
  const t = a.truncation;
  const r = a.recursive;
  const first = t.mismatches[0];
  const mm = first ? `first mismatch at candle ${first.index} (open ${new Date(first.openTime).toISOString().slice(0, 16)}Z, cut ${first.cut}): full <code>${esc(first.full)}</code> vs prefix <code>${esc(first.other)}</code>` : 'none';
  const worst = r.byMultiple.reduce((w, b) => Math.max(w, b.maxRelMove), 0);
  const changes = r.byMultiple.reduce((w, b) => w + b.actionChanges, 0);
  return [
    esc(label),
    `<span class="badge ${a.ok ? 'ok' : 'bad'}" data-audit="${a.ok ? 'pass' : 'fail'}">${a.ok ? 'pass' : 'fail'}</span>`,
    `${t.ok ? 'pass' : 'fail'} (${esc(t.mode)}): ${t.cuts} cuts, ${t.compared} compared, ${t.mismatchCount} mismatches${t.capped ? ', capped' : ''}`,
    mm,
    `${r.ok ? 'pass' : 'fail'}: startup ${r.startup}, ${r.samples} samples, ${changes} action changes, max rel. move ${f(worst, 4)} over ×${r.byMultiple.map((b) => b.multiple).join('/×') || '—'}`,
  ].join('\u0000');
}

const isAudit = (x: unknown): x is LookaheadAudit => isObj(x) && x.$type === 'lookahead-audit' && isObj(x.truncation) && isObj(x.recursive);

/** The lookahead (truncation) and recursive (history length) audit status: one row, or one per walk-forward fold. */
export function lookaheadHtml(audit: unknown): string {
  const list = Array.isArray(audit) ? audit : [audit];
  const audits = list.filter(isAudit);
  if (!audits.length) return why('Lookahead audit', audit ?? { reason: 'not recorded for this run' });
  const rows = audits.map((a, i) => oneAudit(a, audits.length > 1 ? `fold ${i}` : 'run').split('\u0000'));
  return table('lookahead-table', ['Audited', 'Status', 'Truncation', 'First mismatch', 'Recursive'], rows);
}

/** DSR at judgement vs now per cost preset, and MinBTL for both trial counts against the window. */
export function trialsHtml(t: unknown): string {
  if (!isObj(t) || !Array.isArray(t.presets)) return why('DSR at judgement vs now', t ?? { reason: 'not loaded' });
  const x = t as unknown as RunTrials;
  const rows = x.presets.map((p) => [esc(p.presetId), String(p.trades), f(p.tradeSharpe, 4), f(p.atJudgement.dsr), f(p.now.dsr), esc(p.now.varianceSource ?? '—')]);
  const m = x.minBtl;
  const note = `<p id="minbtl">Trials at judgement N = ${x.trialsAtJudgement} → now N = ${x.trialsNow} (family <code>${esc(x.family)}</code>). MinBTL at annual Sharpe ${f(m.targetSharpe, 2)}: ${f(m.atJudgementYears, 2)} → ${f(m.nowYears, 2)} years; this window ${f(x.backtestYears, 2)} years — <span class="badge ${m.sufficientNow ? 'ok' : 'bad'}">${m.sufficientNow ? 'long enough' : 'too short for the trials now'}</span></p>`;
  return note + table('trials-table', ['Preset', 'Trades', 'Trade Sharpe', 'DSR at judgement', 'DSR now', 'Variance (now)'], rows);
}

/** Badge tones of the site stylesheet per gate outcome. */
const TONE: Record<string, string> = { pass: 'ok', fail: 'bad', skipped: 'warn' };

/** The gate set the run was judged with and the study gates' outcomes (PBO, SPA p, MC drawdown p95). */
export function gatesHtml(gateSet: unknown, studyGates: unknown): string {
  const set = isObj(gateSet) ? gateSet : null;
  const head = set ? `<p>Gate set <strong id="gate-set-name">${esc(set.name ?? '?')}</strong>${set.description ? ` <span class="muted">${esc(set.description)}</span>` : ''}</p>` : why('Gate set', { reason: 'not recorded for this run (judged with the lab defaults)' });
  if (!Array.isArray(studyGates) || !studyGates.length) return head + why('Study gates', { reason: 'none evaluated for this run (only a sweep-promoted run has PBO / SPA evidence)' });
  const rows = (studyGates as StudyGateCheck[]).map((g) => [esc(g.gate), `<span class="badge ${TONE[g.status] ?? 'info'}" data-gate="${esc(g.status)}">${esc(g.status)}</span>`, f(g.value), f(g.threshold), esc(g.detail)]);
  return head + table('study-gates-table', ['Gate', 'Outcome', 'Value', 'Threshold', 'Detail'], rows);
}
