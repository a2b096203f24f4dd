/**
 * A small writer for the Prometheus text exposition format, version 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format): per family one `# HELP` and
 * one `# TYPE` line, then its samples `name{label="value"} value`; help text escapes `\` and newline, label values
 * escape `\`, `"` and newline; values are Go-style floats (`+Inf`, `-Inf`, `NaN`); a histogram has cumulative
 * `_bucket{le="…"}` samples ending with `le="+Inf"` (= `_count`), then `_sum` and `_count`; lines end with `\n`.
 *
 * Hand-written rather than prom-client: every number /api/metrics serves is read from the database (counters
 * upserted by the stages, histogram buckets aggregated in SQL), and prom-client's histograms only accept
 * `observe(value)` — there is no way to hand it bucket counts — while its registry is isolate memory, which is
 * exactly what must not back these numbers. The test parses the output with an independent parser.
 */

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type Labels = Record<string, string>;

export interface Sample {
  labels?: Labels;
  value: number;
}

export interface HistogramSeries {
  labels?: Labels;
  /** Upper bounds (ascending, finite) and the CUMULATIVE count of observations ≤ each. */
  buckets: { le: number; count: number }[];
  count: number;
  sum: number;
}

export type MetricFamily =
  | { type: 'counter' | 'gauge'; name: string; help: string; samples: Sample[] }
  | { type: 'histogram'; name: string; help: string; series: HistogramSeries[] };

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

const escapeHelp = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const escapeLabelValue = (s: string): string => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

function labelText(labels: Labels | undefined, extra?: [string, string]): string {
  const entries = Object.entries(labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (extra) entries.push(extra);
  if (entries.length === 0) return '';
  for (const [k] of entries) {
    if (!LABEL_NAME.test(k) || k.startsWith('__')) throw new Error(`invalid Prometheus label name: ${JSON.stringify(k)}`);
  }
  return `{${entries.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
}

/** The families as one exposition document. Throws on an invalid metric or label name (a programming error). */
export function renderExposition(families: MetricFamily[]): string {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const f of families) {
    if (!METRIC_NAME.test(f.name)) throw new Error(`invalid Prometheus metric name: ${JSON.stringify(f.name)}`);
    if (seen.has(f.name)) throw new Error(`metric family ${f.name} rendered twice`);
    seen.add(f.name);
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    if (f.type === 'histogram') {
      for (const s of f.series) {
        if (s.labels && 'le' in s.labels) throw new Error(`histogram ${f.name}: "le" is reserved`);
        let previous = 0;
        for (const b of s.buckets) {
          if (b.count < previous) throw new Error(`histogram ${f.name}: bucket counts must be cumulative`);
          previous = b.count;
          lines.push(`${f.name}_bucket${labelText(s.labels, ['le', formatValue(b.le)])} ${formatValue(b.count)}`);
        }
        lines.push(`${f.name}_bucket${labelText(s.labels, ['le', '+Inf'])} ${formatValue(s.count)}`);
        lines.push(`${f.name}_sum${labelText(s.labels)} ${formatValue(s.sum)}`);
        lines.push(`${f.name}_count${labelText(s.labels)} ${formatValue(s.count)}`);
      }
    } else {
      for (const s of f.samples) lines.push(`${f.name}${labelText(s.labels)} ${formatValue(s.value)}`);
    }
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}
