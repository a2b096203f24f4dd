/**
 * Unpacking a data.binance.vision zip: each holds exactly one CSV (`BTCUSDT-1h-2021-01.csv`). fflate, synchronous,
 * with a size cap so a corrupt or hostile archive cannot balloon memory.
 */
import { unzipSync } from 'fflate';

/** The zip is unreadable, holds no CSV or several, or the CSV is larger than allowed. */
export class ArchiveZipError extends Error {
  override readonly name = 'ArchiveZipError';
}

export interface UnzipOptions {
  /** Largest uncompressed CSV accepted, bytes. Default 256 MiB (a month of 1s klines is ~150 MB). */
  maxBytes?: number;
}

export interface UnzippedCsv {
  fileName: string;
  text: string;
}

/** The one `.csv` in `zipBytes`, decoded as UTF-8. Directory entries and non-CSV files are ignored. */
export function unzipSingleCsv(zipBytes: Uint8Array, opts: UnzipOptions = {}): UnzippedCsv {
  const maxBytes = opts.maxBytes ?? 256 * 1024 * 1024;
  const names: string[] = [];
  let tooBig: string | null = null;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zipBytes, {
      filter: (f) => {
        if (!f.name.toLowerCase().endsWith('.csv')) return false;
        names.push(f.name);
        if (f.originalSize > maxBytes) {
          tooBig = `${f.name} (${f.originalSize} bytes)`;
          return false;
        }
        return names.length === 1;
      },
    });
  } catch (e) {
    throw new ArchiveZipError(`not a readable zip: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (names.length !== 1) {
    throw new ArchiveZipError(names.length === 0 ? 'zip holds no .csv file' : `zip holds ${names.length} .csv files: ${names.join(', ')}`);
  }
  if (tooBig) throw new ArchiveZipError(`CSV too large: ${tooBig} > ${maxBytes} bytes`);
  const fileName = names[0]!;
  const bytes = files[fileName];
  if (!bytes) throw new ArchiveZipError(`could not extract ${fileName}`);
  if (bytes.length > maxBytes) throw new ArchiveZipError(`CSV too large: ${fileName} (${bytes.length} bytes) > ${maxBytes} bytes`);
  try {
    return { fileName, text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes) };
  } catch {
    throw new ArchiveZipError(`${fileName} is not valid UTF-8`);
  }
}
