import { describe, expect, it } from 'vitest';
import { describeWithData } from '../testing/data';
import type { Candle } from './candle';
import { crossCheck, qualityReport } from './quality';
import { freqtradeCandles, iso, loadArchiveFiles } from './real-data.test-util';
import { validateCandles } from './validate';

const H = 3_600_000;
const T0 = Date.UTC(2021, 0, 1);
const NOW = Date.UTC(2030, 0, 1);
const c = (i: number, over: Partial<Candle> = {}): Candle => ({ openTime: T0 + i * H, open: 100, high: 110, low: 90, close: 105, volume: 1, ...over });

describe('qualityReport', () => {
  it('summarises coverage, gaps and quarantined rows', () => {
    const rows = [c(0), c(1), c(4), c(5, { openTime: T0 + 5 * H + 7 }), c(6, { high: 1 }), c(9)];
    const { valid, issues } = validateCandles(rows, { timeframe: '1h', now: NOW });
    const r = qualityReport({ timeframe: '1h', valid, issues });
    expect(r.coverage).toMatchObject({ first: T0, last: T0 + 9 * H, expected: 10, present: 4, missing: 6 });
    expect(r.gaps.map((g) => g.missing)).toEqual([2, 4]);
    expect(r.longestGap).toEqual({ from: T0 + 5 * H, to: T0 + 9 * H, missing: 4 });
    expect(r.missingCandles).toBe(6);
    expect(r.quarantined).toBe(2);
    expect(r.offGrid).toBe(1);
    expect(r.issuesByReason).toEqual({ 'off-grid': 1, 'high-below-low': 1 });
    expect(r.warnings).toBe(0);
    const empty = qualityReport({ timeframe: '1h', valid: [], window: { from: T0, to: T0 + 2 * H } });
    expect(empty.coverage.ratio).toBe(0);
    expect(empty.longestGap).toEqual({ from: T0, to: T0 + 2 * H, missing: 2 });
  });
});

describe('crossCheck', () => {
  it('lists field disagreements and one-sided rows', () => {
    const archive = [c(0), c(1, { open: 100.01 }), c(2, { volume: 1.0000001 }), c(3)];
    const rest = [c(1), c(2), c(3), c(4)];
    const r = crossCheck(archive, rest);
    expect(r.compared).toBe(3);
    expect(r.disagreements).toEqual([
      { openTime: T0 + H, field: 'open', archive: 100.01, rest: 100 },
      { openTime: T0 + 2 * H, field: 'volume', archive: 1.0000001, rest: 1 },
    ]);
    expect(r.differingOpenTimes).toEqual([T0 + H, T0 + 2 * H]);
    expect(r.onlyInArchive).toEqual([T0]);
    expect(r.onlyInRest).toEqual([T0 + 4 * H]);
    // relative tolerance absorbs the volume wobble, not the 1-cent price difference
    expect(crossCheck(archive, rest, { tolerance: 1e-6 }).disagreements.map((d) => d.field)).toEqual(['open']);
    expect(crossCheck(archive, rest, { absTolerance: 0.02 }).disagreements).toEqual([]);
    expect(crossCheck(archive, rest, { window: { from: T0 + 2 * H, to: T0 + 4 * H } })).toMatchObject({ compared: 2, onlyInArchive: [], onlyInRest: [] });
    expect(crossCheck(archive, rest, { fields: ['close'] }).disagreements).toEqual([]);
    expect(() => crossCheck([c(1), c(0)], rest)).toThrow(/strictly increasing/);
  });
});

describeWithData('real data quality: Binance archive vs REST (djienne freqtrade)', () => {
  const loadSeries = (sym: 'BTCUSDT' | 'ETHUSDT') => {
    const files = loadArchiveFiles(sym);
    const parseIssues = files.flatMap((f) => f.issues);
    const warnings = files.flatMap((f) => f.warnings);
    const v = validateCandles(files.flatMap((f) => f.candles), { timeframe: '1h', now: NOW });
    return { files, valid: v.valid, issues: [...parseIssues, ...v.issues], warnings };
  };

  it('BTC: 43 off-grid rows quarantined, 27 gaps, 14 hours disagreeing with REST', () => {
    const a = loadSeries('BTCUSDT');
    const report = qualityReport({ timeframe: '1h', valid: a.valid, issues: a.issues, warnings: a.warnings });
    expect(report.quarantined).toBe(43);
    expect(report.offGrid).toBe(43);
    expect(report.gaps).toHaveLength(27);
    expect(report.longestGap).toEqual({ from: Date.UTC(2018, 1, 8, 1), to: Date.UTC(2018, 1, 11, 4), missing: 75 });
    expect(report.coverage).toMatchObject({ first: Date.UTC(2017, 7, 17, 4), last: Date.UTC(2022, 1, 28, 23), present: 39_595, missing: 169 });
    // close_time oddities are kept rows, reported as warnings (incl. 2017-09-06T15:00Z close_time …600000)
    expect(report.warningsByReason).toEqual({ 'close-time': 14 });
    expect(a.warnings.some((w) => w.openTime === 1504710000000 && String(w.detail).includes('off by 1 ms'))).toBe(true);

    const rest = validateCandles(freqtradeCandles('djienne-3EMA_SRSI_ATR', 'BTC_USDT-1h.json'), { timeframe: '1h', now: NOW });
    expect(rest.valid).toHaveLength(45_024);
    expect(rest.issues).toHaveLength(0);
    const x = crossCheck(a.valid, rest.valid, { window: { from: a.valid[0]!.openTime, to: Date.UTC(2022, 2, 1) } });
    expect(x.compared).toBe(39_594);
    expect(x.differingOpenTimes.map(iso)).toEqual([
      '2018-02-11T04:00:00.000Z',
      '2018-11-26T02:00:00.000Z',
      '2018-12-17T10:00:00.000Z',
      '2019-05-08T08:00:00.000Z',
      '2019-10-01T06:00:00.000Z',
      '2019-12-04T05:00:00.000Z',
      '2019-12-04T10:00:00.000Z',
      '2020-10-27T06:00:00.000Z',
      '2020-12-21T13:00:00.000Z',
      '2021-01-11T08:00:00.000Z',
      '2021-04-23T01:00:00.000Z',
      '2021-12-24T03:00:00.000Z',
      '2021-12-24T04:00:00.000Z',
      '2021-12-27T07:00:00.000Z',
    ]);
    expect(x.disagreements).toHaveLength(20);
    expect(x.disagreements[0]).toEqual({ openTime: Date.UTC(2018, 1, 11, 4), field: 'open', archive: 7976.74, rest: 7976.73 });
    const nonVolume = x.disagreements.filter((d) => d.field !== 'volume').map((d) => `${iso(d.openTime).slice(0, 13)} ${d.field}`);
    expect(nonVolume).toEqual([
      '2018-02-11T04 open',
      '2020-12-21T13 high',
      '2020-12-21T13 close',
      '2021-01-11T08 low',
      '2021-04-23T01 close',
      '2021-12-24T04 close',
    ]);
    // a tolerance does not hide them: they are real differences, not float noise
    expect(crossCheck(a.valid, rest.valid, { tolerance: 1e-9, window: { from: a.valid[0]!.openTime, to: Date.UTC(2022, 2, 1) } }).differingOpenTimes).toHaveLength(14);
    // one-sided rows: REST has the zero-volume 2017-09-06T16:00Z and 42 on-grid hours where the archive only has
    // off-grid rows (2018-02-09T10:00Z..02-11T03:00Z); the archive has 2020-12-21T14:00Z, which REST lacks
    expect(x.onlyInRest).toHaveLength(43);
    expect(iso(x.onlyInRest[0]!)).toBe('2017-09-06T16:00:00.000Z');
    expect(x.onlyInRest.slice(1)).toEqual(Array.from({ length: 42 }, (_, i) => Date.UTC(2018, 1, 9, 10) + i * H));
    expect(x.onlyInArchive.map(iso)).toEqual(['2020-12-21T14:00:00.000Z']);
  });

  it('ETH: 3 hours disagree with REST, no quarantined rows', () => {
    const a = loadSeries('ETHUSDT');
    expect(a.valid).toHaveLength(4366);
    expect(a.issues).toHaveLength(0);
    const rest = validateCandles(freqtradeCandles('djienne-3EMA_SRSI_ATR', 'ETH_USDT-1h.json'), { timeframe: '1h', now: NOW }).valid;
    const months = [
      [Date.UTC(2021, 0, 1), Date.UTC(2021, 3, 1)],
      [Date.UTC(2021, 9, 1), Date.UTC(2022, 0, 1)],
    ] as const;
    const results = months.map(([from, to]) => crossCheck(a.valid, rest, { window: { from, to } }));
    expect(results.map((r) => r.compared)).toEqual([2158, 2208]);
    expect(results.flatMap((r) => r.onlyInArchive.concat(r.onlyInRest))).toEqual([]);
    const dis = results.flatMap((r) => r.disagreements);
    expect(results.flatMap((r) => r.differingOpenTimes).map(iso)).toEqual([
      '2021-01-11T08:00:00.000Z',
      '2021-12-24T03:00:00.000Z',
      '2021-12-27T07:00:00.000Z',
    ]);
    expect(dis.map((d) => `${iso(d.openTime).slice(0, 13)} ${d.field} ${d.archive} ${d.rest}`)).toEqual([
      '2021-01-11T08 low 1063 1049.01',
      '2021-01-11T08 volume 135924.78642 166591.0301',
      '2021-12-24T03 volume 9038.9806 9130.3395',
      '2021-12-27T07 volume 8518.8385 8542.0763',
    ]);
  });
});
