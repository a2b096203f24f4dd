/**
 * Every raw REST response in ../shared/data/rest-responses parses into candles with the right column mapping,
 * ascending order, and the still-open last candle dropped for a chosen `now`.
 */
import { expect, it } from 'vitest';
import { describeWithData, readDataText } from '../testing/data';
import { parseBinanceKlines } from './binance';
import { parseBybitKline } from './bybit';
import { parseCoinbaseCandles } from './coinbase';
import { parseKrakenOhlc } from './kraken';
import { parseOkxCandles } from './okx';
import { normaliseRows } from './rows';
import type { HttpResult } from './transport';
import { isVenueError } from './types';

const file = (name: string): HttpResult => ({ status: 200, headers: new Headers(), text: readDataText('rest-responses', name), url: name });
const ALL = [0, Number.MAX_SAFE_INTEGER] as const;

function ascendingUnique(ts: number[]): boolean {
  return ts.every((t, i) => i === 0 || t > ts[i - 1]!);
}

describeWithData('real REST responses parse', () => {
  it('kraken OHLC XBTUSDT 1m: 721 rows in epoch seconds with string prices; the forming last row (after result.last) is dropped', () => {
    const res = file('kraken-public-OHLC-XBTUSDT-1m.json');
    const page = parseKrakenOhlc(res);
    expect(page.rows).toHaveLength(721);
    expect(page.rejected).toEqual([]);
    const lastRow = 1762820220_000;
    // Captured while the 1762820220 minute was still forming: result.last (1762820160) is the newest committed one.
    const atCapture = normaliseRows(page, '1m', ...ALL, lastRow + 30_000);
    expect(atCapture.candles).toHaveLength(720);
    expect(atCapture.candles.at(-1)!.openTime).toBe((JSON.parse(res.text) as { result: { last: number } }).result.last * 1000);
    // Rows after result.last are uncommitted on Kraken's clock: dropped even when the caller's clock runs ahead.
    expect(page.rows.filter((r) => r.confirmed === false).map((r) => r.candle.openTime)).toEqual([lastRow]);
    expect(normaliseRows(page, '1m', ...ALL, lastRow + 3_600_000).candles).toHaveLength(720);
    const c = atCapture.candles;
    expect(c[0]).toEqual({ openTime: 1762777020_000, open: 106038.2, high: 106038.2, low: 106038.2, close: 106038.2, volume: 0 });
    expect(ascendingUnique(c.map((x) => x.openTime))).toBe(true);
  });

  it('kraken: a legacy XXBTZUSD-style pair key is found (first key that is not "last")', () => {
    const res = file('kraken-public-OHLC-XBTUSDT-1m.json');
    const renamed = { ...res, text: res.text.replace('"XBTUSDT"', '"XXBTZUSD"') };
    expect(parseKrakenOhlc(renamed).rows).toHaveLength(721);
  });

  it('binance klines BTCUSDT 1m: 10 rows, ms times, string prices', () => {
    const page = parseBinanceKlines(file('binance-api-v3-klines-BTCUSDT-1m.json'));
    const { candles, rejected } = normaliseRows(page, '1m', ...ALL, Date.UTC(2030, 0));
    expect(rejected).toEqual([]);
    expect(candles).toHaveLength(10);
    expect(candles[0]).toEqual({ openTime: 1634943780000, open: 60685.22, high: 60729.84, low: 60670.9, close: 60719.27, volume: 21.63272 });
    expect(ascendingUnique(candles.map((x) => x.openTime))).toBe(true);
    expect(candles.every((x) => x.openTime % 60_000 === 0)).toBe(true);
  });

  it('coinbase exchange BTC-USD 60: 350 rows newest-first become ascending; [time, low, high, open, close, volume] mapped', () => {
    const page = parseCoinbaseCandles(file('coinbase-exchange-products-BTC-USD-candles-60.json'));
    const { candles, rejected } = normaliseRows(page, '1m', ...ALL, Date.UTC(2030, 0));
    expect(rejected).toEqual([]);
    expect(candles).toHaveLength(350);
    expect(ascendingUnique(candles.map((x) => x.openTime))).toBe(true);
    // By hand: file row 0 is [1755496620, 115703.97, 115743.7, 115733.6, 115739.93, 0.61798602] (the newest).
    expect(candles.at(-1)).toEqual({ openTime: 1755496620_000, open: 115733.6, high: 115743.7, low: 115703.97, close: 115739.93, volume: 0.61798602 });
    // The oldest (last file row) [1755475680, 117536.1, 117582.43, 117536.11, 117560.82, 2.82353126].
    expect(candles[0]).toEqual({ openTime: 1755475680_000, open: 117536.11, high: 117582.43, low: 117536.1, close: 117560.82, volume: 2.82353126 });
  });

  it('coinbase advanced trade candles are a different API (object rows): the exchange parser refuses the body as malformed', () => {
    let err: unknown;
    try {
      parseCoinbaseCandles(file('coinbase-advanced-brokerage-products-candles.json'));
    } catch (e) {
      err = e;
    }
    expect(isVenueError(err, 'malformed')).toBe(true);
  });

  it('okx candles BTC-USDT 1m: 2 newest-first string rows with confirm "1"', () => {
    const page = parseOkxCandles(file('okx-api-v5-market-candles-BTC-USDT-1m.json'));
    expect(page.rows.map((r) => r.confirmed)).toEqual([true, true]);
    const { candles } = normaliseRows(page, '1m', ...ALL, Date.UTC(2030, 0));
    expect(candles).toEqual([
      { openTime: 1747093980000, open: 102806, high: 102820.5, low: 102783.1, close: 102806.1, volume: 7164.04 },
      { openTime: 1747094040000, open: 102806.1, high: 102820.4, low: 102806.1, close: 102820.4, volume: 1040.37 },
    ]);
    // At 1747094070000 the newer minute is still open by the clock, even though it is confirmed.
    expect(normaliseRows(page, '1m', ...ALL, 1747094070000).candles).toHaveLength(1);
  });

  it('okx: a row with confirm "0" is dropped even when the clock says it is closed', () => {
    const res = file('okx-api-v5-market-candles-BTC-USDT-1m.json');
    const body = JSON.parse(res.text) as { data: string[][] };
    body.data[0]![8] = '0';
    const page = parseOkxCandles({ ...res, text: JSON.stringify(body) });
    expect(normaliseRows(page, '1m', ...ALL, Date.UTC(2030, 0)).candles.map((c) => c.openTime)).toEqual([1747093980000]);
  });

  it('bybit v5 kline (official DOCS EXAMPLE, inverse BTCUSD 60, testnet — not a live capture): 3 newest-first string rows', () => {
    const page = parseBybitKline(file('bybit-v5-market-kline-DOCS-EXAMPLE-inverse-BTCUSD-60.json'));
    const { candles, rejected } = normaliseRows(page, '1h', ...ALL, Date.UTC(2030, 0));
    expect(rejected).toEqual([]);
    expect(candles.map((c) => c.openTime)).toEqual([1670601600000, 1670605200000, 1670608800000]);
    expect(candles[2]).toEqual({ openTime: 1670608800000, open: 17071, high: 17073, low: 17027, close: 17055.5, volume: 268611 });
    // At 1670608800000 + 30 min the newest hour is still open.
    expect(normaliseRows(page, '1h', ...ALL, 1670608800000 + 1_800_000).candles).toHaveLength(2);
  });
});
