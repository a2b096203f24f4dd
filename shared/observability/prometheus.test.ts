import { describe, expect, it } from 'vitest';
// An independent parser of the text format (not ours): what it reads back is what Prometheus would scrape.
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { formatValue, renderExposition, type MetricFamily } from './prometheus';

const families: MetricFamily[] = [
  {
    type: 'counter',
    name: 'nexara_fetch_failures_total',
    help: 'Failed venue fetches.\nPer venue, with a \\ in it.',
    samples: [
      { labels: { venue: 'kraken' }, value: 3 },
      { labels: { venue: 'we"ird\\ven\nue' }, value: 0 },
    ],
  },
  { type: 'gauge', name: 'nexara_alerts', help: 'Alerts by status.', samples: [{ labels: { status: 'uncertain' }, value: 1 }, { value: 2.5 }] },
  {
    type: 'histogram',
    name: 'nexara_run_duration_seconds',
    help: 'Run durations.',
    series: [{ labels: { kind: 'backtest' }, buckets: [{ le: 1, count: 2 }, { le: 10, count: 5 }], count: 6, sum: 42.5 }],
  },
  { type: 'histogram', name: 'nexara_chunk_duration_seconds', help: 'Chunk durations.', series: [{ buckets: [{ le: 0.5, count: 1 }], count: 3, sum: 7 }] },
];

describe('renderExposition (text format 0.0.4)', () => {
  const text = renderExposition(families);

  it('is read back exactly by an independent parser: names, types, help, labels (escaped), values, histogram buckets', () => {
    const parsed = parsePrometheusTextFormat(text) as {
      name: string;
      help: string;
      type: string;
      metrics: { labels?: Record<string, string>; value?: string; buckets?: Record<string, string>; count?: string; sum?: string }[];
    }[];
    expect(parsed.map((f) => [f.name, f.type])).toEqual([
      ['nexara_fetch_failures_total', 'COUNTER'],
      ['nexara_alerts', 'GAUGE'],
      ['nexara_run_duration_seconds', 'HISTOGRAM'],
      ['nexara_chunk_duration_seconds', 'HISTOGRAM'],
    ]);
    expect(parsed[0]!.help).toBe('Failed venue fetches.\nPer venue, with a \\ in it.');
    expect(parsed[0]!.metrics[1]).toEqual({ labels: { venue: 'we"ird\\ven\nue' }, value: '0' });
    expect(parsed[1]!.metrics[1]).toEqual({ value: '2.5' });
    // (This parser drops `_sum`/`_count` of a labelled histogram series; the next test checks those lines as text.)
    expect(parsed[2]!.metrics[0]!.buckets).toEqual({ '1': '2', '10': '5', '+Inf': '6' });
    expect(parsed[3]!.metrics[0]).toEqual({ buckets: { '0.5': '1', '+Inf': '3' }, count: '3', sum: '7' });
  });

  it('writes the lines the spec shows: HELP, TYPE, cumulative buckets ending in +Inf, _sum, _count, final newline', () => {
    expect(text.endsWith('\n')).toBe(true);
    expect(text).toContain('nexara_fetch_failures_total{venue="we\\"ird\\\\ven\\nue"} 0\n');
    expect(text).toContain(
      [
        '# HELP nexara_run_duration_seconds Run durations.',
        '# TYPE nexara_run_duration_seconds histogram',
        'nexara_run_duration_seconds_bucket{kind="backtest",le="1"} 2',
        'nexara_run_duration_seconds_bucket{kind="backtest",le="10"} 5',
        'nexara_run_duration_seconds_bucket{kind="backtest",le="+Inf"} 6',
        'nexara_run_duration_seconds_sum{kind="backtest"} 42.5',
        'nexara_run_duration_seconds_count{kind="backtest"} 6',
      ].join('\n'),
    );
    expect([NaN, Infinity, -Infinity, 1e21].map(formatValue)).toEqual(['NaN', '+Inf', '-Inf', '1e+21']);
  });

  it('refuses invalid names, a reserved le label, non-cumulative buckets and a family twice', () => {
    expect(() => renderExposition([{ type: 'gauge', name: '1bad', help: '', samples: [] }])).toThrow(/metric name/);
    expect(() => renderExposition([{ type: 'gauge', name: 'ok', help: '', samples: [{ labels: { 'bad-label': 'x' }, value: 1 }] }])).toThrow(/label name/);
    expect(() => renderExposition([{ type: 'gauge', name: 'ok', help: '', samples: [{ labels: { __x: 'x' }, value: 1 }] }])).toThrow(/label name/);
    expect(() => renderExposition([{ type: 'histogram', name: 'h', help: '', series: [{ buckets: [{ le: 1, count: 3 }, { le: 2, count: 1 }], count: 3, sum: 1 }] }])).toThrow(/cumulative/);
    expect(() => renderExposition([{ type: 'histogram', name: 'h', help: '', series: [{ labels: { le: '1' }, buckets: [], count: 0, sum: 0 }] }])).toThrow(/reserved/);
    expect(() => renderExposition([families[1]!, families[1]!])).toThrow(/twice/);
  });
});
