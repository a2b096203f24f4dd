/**
 * `.CHECKSUM` files of data.binance.vision (`<sha256 hex>  <file name>`, the `shasum -a 256` format) and
 * verification of a downloaded zip against one. SHA-256 via @noble/hashes (synchronous, no WebCrypto needed).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

export interface Checksum {
  /** Lower-case hex SHA-256. */
  sha256: string;
  fileName: string;
}

/** A `.CHECKSUM` text that is not `<64 hex>  <file name>`. */
export class ChecksumFormatError extends Error {
  override readonly name = 'ChecksumFormatError';
}

/** The bytes' SHA-256 differs from the `.CHECKSUM`'s. */
export class ChecksumMismatchError extends Error {
  override readonly name = 'ChecksumMismatchError';
  constructor(
    readonly fileName: string,
    readonly expected: string,
    readonly actual: string,
    /** What differs: the hash (usual) or the file name the CHECKSUM is for. */
    readonly field: 'sha256' | 'fileName' = 'sha256',
  ) {
    super(
      field === 'sha256'
        ? `checksum mismatch for ${fileName}: expected sha256 ${expected}, got ${actual}`
        : `checksum is for the wrong file: expected a checksum for ${expected}, got one for ${actual}`,
    );
  }
}

/** Parse `<sha256hex>  <filename>` (one line; one or two spaces, optional `*` binary marker, trailing newline). */
export function parseChecksum(text: string): Checksum {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  if (lines.length !== 1) throw new ChecksumFormatError(`CHECKSUM must hold exactly one line, found ${lines.length}`);
  const m = /^([0-9a-fA-F]{64})\s+\*?(\S.*?)\s*$/.exec(lines[0]!);
  if (!m) throw new ChecksumFormatError(`CHECKSUM line is not "<sha256 hex>  <file name>": "${lines[0]!.slice(0, 120)}"`);
  return { sha256: m[1]!.toLowerCase(), fileName: m[2]! };
}

export function sha256Hex(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}

/**
 * Check `bytes` against a `.CHECKSUM` text; returns the parsed checksum. Throws `ChecksumMismatchError` (naming
 * expected and actual hashes) on a different hash, and also when `expectedFileName` is given and differs from the
 * name in the CHECKSUM (a checksum for another file proves nothing).
 */
export function verifyChecksum(bytes: Uint8Array, checksumText: string, expectedFileName?: string): Checksum {
  const c = parseChecksum(checksumText);
  if (expectedFileName !== undefined && c.fileName !== expectedFileName) {
    throw new ChecksumMismatchError(expectedFileName, expectedFileName, c.fileName, 'fileName');
  }
  const actual = sha256Hex(bytes);
  if (actual !== c.sha256) throw new ChecksumMismatchError(c.fileName, c.sha256, actual);
  return c;
}
