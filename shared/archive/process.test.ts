import { describe, expect, it } from 'vitest';
import { strToU8, zipSync } from 'fflate';
import { sha256Hex } from './checksum';
import { binanceSymbol, canonicalSymbol, processArchiveFile } from './process';
import { describeWithData, readDataText } from '../testing/data';

describe('processArchiveFile', () => {
  it('maps symbols both ways', () => {
    expect(canonicalSymbol('BTCUSDT')).toBe('BTC/USDT');
    expect(canonicalSymbol('ethbtc')).toBe('ETH/BTC');
    expect(binanceSymbol('ETH/USDT')).toBe('ETHUSDT');
  });
});

describeWithData('processArchiveFile on real archive CSVs', () => {
  it('verifies, unzips, parses and quarantines the off-grid February 2018 rows', () => {
    const text = readDataText('binance-spot-klines', 'BTCUSDT', '1h', 'BTCUSDT-1h-2018-02.csv');
    const zipBytes = zipSync({ 'BTCUSDT-1h-2018-02.csv': strToU8(text) });
    const checksumText = `${sha256Hex(zipBytes)}  BTCUSDT-1h-2018-02.zip\n`;
    const out = processArchiveFile({ zipBytes, checksumText, fileName: 'BTCUSDT-1h-2018-02.zip', timeframe: '1h', now: Date.UTC(2030, 0) });
    expect(out.issues.filter((i) => i.reason === 'off-grid')).toHaveLength(43);
    expect(out.candles.length + out.issues.length).toBe(out.rows);
    expect(() =>
      processArchiveFile({ zipBytes, checksumText: `${'0'.repeat(64)}  BTCUSDT-1h-2018-02.zip`, fileName: 'BTCUSDT-1h-2018-02.zip', timeframe: '1h', now: 0 }),
    ).toThrow(/checksum|sha256/i);
  });
});
