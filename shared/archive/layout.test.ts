import { describe, expect, it } from 'vitest';
import { archiveFileName, archiveUrl, BINANCE_ARCHIVE_BASE_URL, checksumUrl, listArchiveFiles, planArchiveFiles } from './layout';

describe('data.binance.vision layout', () => {
  it('names monthly and daily files', () => {
    expect(archiveFileName('BTCUSDT', '5m', 'monthly', '2025-01')).toBe('BTCUSDT-5m-2025-01.zip');
    expect(archiveFileName('ETHUSDT', '1h', 'daily', '2024-02-29')).toBe('ETHUSDT-1h-2024-02-29.zip');
  });

  it('builds zip and CHECKSUM URLs', () => {
    expect(archiveUrl(BINANCE_ARCHIVE_BASE_URL, 'spot', 'monthly', 'BTCUSDT', '5m', '2025-01')).toBe(
      'https://data.binance.vision/data/spot/monthly/klines/BTCUSDT/5m/BTCUSDT-5m-2025-01.zip',
    );
    expect(checksumUrl('https://data.binance.vision/', 'spot', 'monthly', 'BTCUSDT', '5m', '2025-01')).toBe(
      'https://data.binance.vision/data/spot/monthly/klines/BTCUSDT/5m/BTCUSDT-5m-2025-01.zip.CHECKSUM',
    );
    expect(archiveUrl('https://mirror.example', 'futures-um', 'daily', 'BTCUSDT', '1m', '2022-04-30')).toBe(
      'https://mirror.example/data/futures/um/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2022-04-30.zip',
    );
  });

  it('lists monthly files inclusively across a year boundary', () => {
    const files = listArchiveFiles('BTCUSDT', '1h', '2021-11', '2022-02');
    expect(files.map((f) => f.fileName)).toEqual([
      'BTCUSDT-1h-2021-11.zip',
      'BTCUSDT-1h-2021-12.zip',
      'BTCUSDT-1h-2022-01.zip',
      'BTCUSDT-1h-2022-02.zip',
    ]);
    expect(files[1]).toEqual({ period: '2021-12', fileName: 'BTCUSDT-1h-2021-12.zip', from: Date.UTC(2021, 11, 1), to: Date.UTC(2022, 0, 1) });
    expect(listArchiveFiles('BTCUSDT', '1h', '2025-01', '2025-01')).toHaveLength(1);
    expect(listArchiveFiles('BTCUSDT', '1h', '2017-08', '2022-02')).toHaveLength(55); // the alphakit set
  });

  it('refuses malformed input', () => {
    expect(() => archiveFileName('btcusdt', '5m', 'monthly', '2025-01')).toThrow(/symbol/);
    expect(() => archiveFileName('BTCUSDT', '7m' as never, 'monthly', '2025-01')).toThrow(/interval/);
    expect(() => archiveFileName('BTCUSDT', '5m', 'monthly', '2025-13')).toThrow(/YYYY-MM/);
    expect(() => archiveFileName('BTCUSDT', '5m', 'monthly', '2025-01-01')).toThrow(/YYYY-MM/);
    expect(() => archiveFileName('BTCUSDT', '5m', 'daily', '2023-02-29')).toThrow(/real date/);
    expect(() => listArchiveFiles('BTCUSDT', '1h', '2022-02', '2021-11')).toThrow(/after/);
    expect(() => listArchiveFiles('BTCUSDT', '1h', '2022-2', '2022-03')).toThrow(/YYYY-MM/);
  });
});

describe('planArchiveFiles', () => {
  it('takes monthly files for ended months and daily files for the running month, nothing after it', () => {
    const now = Date.UTC(2025, 2, 4, 7, 30); // 2025-03-04T07:30Z: March 1..3 have ended
    const files = planArchiveFiles('BTCUSDT', '5m', '2025-01', '2025-05', now);
    expect(files.map((f) => [f.cadence, f.fileName])).toEqual([
      ['monthly', 'BTCUSDT-5m-2025-01.zip'],
      ['monthly', 'BTCUSDT-5m-2025-02.zip'],
      ['daily', 'BTCUSDT-5m-2025-03-01.zip'],
      ['daily', 'BTCUSDT-5m-2025-03-02.zip'],
      ['daily', 'BTCUSDT-5m-2025-03-03.zip'],
    ]);
    expect(files[2]).toMatchObject({ period: '2025-03-01', from: Date.UTC(2025, 2, 1), to: Date.UTC(2025, 2, 2) });
    expect(archiveUrl('https://data.binance.vision', 'spot', files[4]!.cadence, 'BTCUSDT', '5m', files[4]!.period)).toBe(
      'https://data.binance.vision/data/spot/daily/klines/BTCUSDT/5m/BTCUSDT-5m-2025-03-03.zip',
    );
    // At the very start of a month nothing of it has ended; the previous month is monthly as soon as it ended.
    expect(planArchiveFiles('BTCUSDT', '1h', '2025-02', '2025-03', Date.UTC(2025, 2, 1)).map((f) => f.fileName)).toEqual(['BTCUSDT-1h-2025-02.zip']);
  });
});
