import { describe, expect, it } from 'vitest';
import { archiveFileName, archiveUrl, BINANCE_ARCHIVE_BASE_URL, checksumUrl, listArchiveFiles } from './layout';

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
