/** Number, percentage and time formatting for the Lab (UTC everywhere). */
export const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

export function pct(x: unknown, digits = 2): string {
  return isNum(x) ? `${(x * 100).toFixed(digits)} %` : '—';
}

export function num(x: unknown, digits = 2): string {
  if (!isNum(x)) return '—';
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return x.toExponential(2);
  return x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function price(x: unknown): string {
  return isNum(x) ? x.toLocaleString('en-US', { maximumFractionDigits: x < 10 ? 6 : 2 }) : '—';
}

/** `2022-01-05 13:00` (UTC). */
export function time(t: unknown): string {
  if (t === null || t === undefined || t === '') return '—';
  const d = new Date(typeof t === 'number' ? t : String(t));
  return Number.isNaN(d.getTime()) ? '—' : d.toISOString().slice(0, 16).replace('T', ' ');
}

export function day(t: unknown): string {
  return time(t).slice(0, 10);
}

export function duration(ms: unknown): string {
  if (!isNum(ms)) return '—';
  const s = Math.abs(ms) / 1000;
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} d`;
}

/** Metric value by name: fractions as %, ratios as numbers. */
const PCT_METRICS = /return|drawdown|winrate|exposure|cagr|expectancy|avgwin|avgloss|coverage/i;
export function metric(name: string, v: unknown): string {
  if (name === 'trades') return isNum(v) ? String(v) : '—';
  if (/holdingms/i.test(name)) return duration(v);
  return PCT_METRICS.test(name) ? pct(v) : num(v, 3);
}
