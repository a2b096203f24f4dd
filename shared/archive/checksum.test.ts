import { createHash } from 'node:crypto';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { describeWithData, readDataText } from '../testing/data';
import { ChecksumFormatError, ChecksumMismatchError, parseChecksum, sha256Hex, verifyChecksum } from './checksum';
import { parseArchiveCsv } from './csv';
import { ArchiveZipError, unzipSingleCsv } from './zip';

const enc = new TextEncoder();
const nodeSha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('parseChecksum / verifyChecksum', () => {
  const bytes = enc.encode('hello');
  const hex = nodeSha(bytes);

  it('parses the shasum format', () => {
    expect(parseChecksum(`${hex}  BTCUSDT-5m-2025-01.zip\n`)).toEqual({ sha256: hex, fileName: 'BTCUSDT-5m-2025-01.zip' });
    expect(parseChecksum(`${hex.toUpperCase()} *BTCUSDT-5m-2025-01.zip\r\n`)).toEqual({ sha256: hex, fileName: 'BTCUSDT-5m-2025-01.zip' });
    expect(() => parseChecksum('')).toThrow(ChecksumFormatError);
    expect(() => parseChecksum(`${hex.slice(1)}  x.zip`)).toThrow(ChecksumFormatError);
    expect(() => parseChecksum(`${hex}  a.zip\n${hex}  b.zip`)).toThrow(/exactly one line/);
  });

  it('hashes like node:crypto', () => {
    expect(sha256Hex(bytes)).toBe(hex);
    expect(sha256Hex(new Uint8Array())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('accepts the right bytes and refuses others, naming expected and actual', () => {
    expect(verifyChecksum(bytes, `${hex}  f.zip`, 'f.zip').sha256).toBe(hex);
    const other = enc.encode('hellO');
    let err: unknown;
    try {
      verifyChecksum(other, `${hex}  f.zip`);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ChecksumMismatchError);
    const m = err as ChecksumMismatchError;
    expect(m).toMatchObject({ fileName: 'f.zip', expected: hex, actual: nodeSha(other), field: 'sha256' });
    expect(m.message).toBe(`checksum mismatch for f.zip: expected sha256 ${hex}, got ${nodeSha(other)}`);
    expect(() => verifyChecksum(bytes, `${hex}  g.zip`, 'f.zip')).toThrow(/wrong file: expected a checksum for f.zip, got one for g.zip/);
  });
});

describe('unzipSingleCsv', () => {
  it('refuses zips without exactly one CSV, garbage and oversize content', () => {
    expect(() => unzipSingleCsv(zipSync({ 'a.txt': enc.encode('x') }))).toThrow(/no \.csv/);
    expect(() => unzipSingleCsv(zipSync({ 'a.csv': enc.encode('1'), 'b.csv': enc.encode('2') }))).toThrow(/2 \.csv files/);
    expect(() => unzipSingleCsv(enc.encode('not a zip at all'))).toThrow(ArchiveZipError);
    expect(() => unzipSingleCsv(zipSync({ 'a.csv': new Uint8Array(1000) }), { maxBytes: 999 })).toThrow(/too large/);
    expect(() => unzipSingleCsv(zipSync({ 'a.csv': new Uint8Array([0xff, 0xfe, 0xfd]) }))).toThrow(/UTF-8/);
    expect(unzipSingleCsv(zipSync({ 'dir/': {}, 'README.txt': enc.encode('r'), 'dir/x.csv': enc.encode('1,2') }))).toEqual({ fileName: 'dir/x.csv', text: '1,2' });
  });
});

describeWithData('a real month zipped with fflate, CHECKSUM-verified, unzipped and parsed', () => {
  it('round-trips BTCUSDT-1h-2021-01 and refuses a wrong CHECKSUM', () => {
    const csv = readDataText('binance-spot-klines', 'BTCUSDT', '1h', 'BTCUSDT-1h-2021-01.csv');
    const zip = zipSync({ 'BTCUSDT-1h-2021-01.csv': enc.encode(csv) }, { level: 6 });
    const checksum = `${nodeSha(zip)}  BTCUSDT-1h-2021-01.zip\n`;
    expect(verifyChecksum(zip, checksum, 'BTCUSDT-1h-2021-01.zip').fileName).toBe('BTCUSDT-1h-2021-01.zip');
    const { fileName, text } = unzipSingleCsv(zip);
    expect(fileName).toBe('BTCUSDT-1h-2021-01.csv');
    expect(text).toBe(csv);
    const parsed = parseArchiveCsv(text, { interval: '1h' });
    expect(parsed.candles).toHaveLength(744);
    expect(parsed.issues).toEqual([]);

    const corrupt = zip.slice();
    corrupt[corrupt.length >> 1]! ^= 0x01;
    expect(() => verifyChecksum(corrupt, checksum)).toThrow(ChecksumMismatchError);
    const wrong = `${'0'.repeat(64)}  BTCUSDT-1h-2021-01.zip`;
    expect(() => verifyChecksum(zip, wrong)).toThrow(`checksum mismatch for BTCUSDT-1h-2021-01.zip: expected sha256 ${'0'.repeat(64)}, got ${nodeSha(zip)}`);
  });
});
