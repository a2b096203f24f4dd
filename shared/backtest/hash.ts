/**
 * Canonical JSON and result hashing: object keys sorted, `undefined` members dropped, numbers written stably
 * (ECMAScript's shortest round-trip Number-to-String, which the language specifies exactly; -0 as 0). Non-finite
 * numbers are refused: results use `null` for undefined metrics. `hashCanonical` is the sha256 hex of that text.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

export function canonicalNumber(x: number): string {
  if (x === 0) return '0'; // also -0
  if (x - x !== 0) throw new Error(`canonicalJson: non-finite number ${x}`);
  return String(x);
}

function write(v: unknown): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'number':
      return canonicalNumber(v);
    case 'string':
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(v) || ArrayBuffer.isView(v)) {
        const a = v as ArrayLike<unknown>;
        let out = '[';
        for (let i = 0; i < a.length; i++) {
          if (i > 0) out += ',';
          const e = a[i];
          out += e === undefined ? 'null' : write(e);
        }
        return out + ']';
      }
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o).sort();
      let out = '{';
      let first = true;
      for (const k of keys) {
        const e = o[k];
        if (e === undefined) continue;
        if (!first) out += ',';
        first = false;
        out += JSON.stringify(k) + ':' + write(e);
      }
      return out + '}';
    }
    default:
      throw new Error(`canonicalJson: unsupported ${typeof v}`);
  }
}

/**
 * Collect every object key in `v` (and refuse non-finite numbers). Returns null when `v` holds something the
 * native fast path cannot serialise canonically (typed arrays, non-plain objects, undefined in arrays).
 */
function collectKeys(v: unknown, keys: Set<string>): boolean {
  if (v === null) return true;
  switch (typeof v) {
    case 'number':
      if (v - v !== 0) throw new Error(`canonicalJson: non-finite number ${v}`);
      return true;
    case 'string':
    case 'boolean':
      return true;
    case 'object': {
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          const e: unknown = v[i];
          if (e === undefined || !collectKeys(e, keys)) return false;
        }
        return true;
      }
      const proto: unknown = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return false;
      const o = v as Record<string, unknown>;
      for (const k in o) {
        keys.add(k);
        if (o[k] !== undefined && !collectKeys(o[k], keys)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/**
 * Canonical JSON text of a plain value (objects, arrays, typed arrays, strings, finite numbers, booleans, null).
 * Fast path: JSON.stringify with the sorted list of all keys as its property list, which the language defines to
 * emit each object's properties in that list's order (so: sorted), numbers via Number::toString and -0 as 0 —
 * the same text as the reference writer, natively.
 */
export function canonicalJson(v: unknown): string {
  const sorted = sortedCopy(v, [], 0);
  if (sorted !== FALLBACK) return JSON.stringify(sorted);
  const keys = new Set<string>();
  if (!collectKeys(v, keys)) return write(v);
  return JSON.stringify(v, [...keys].sort());
}

const FALLBACK = Symbol('fallback');
/** Array-index-like keys, which every object lists first in numeric order whatever the insertion order. */
const INDEX_KEY = /^(?:0|[1-9]\d{0,9})$/;

/**
 * The key order last seen at one nesting depth and its sorted form: consecutive objects of one shape (a result's
 * trades, their per-model records) are sorted and checked once, not once each (issue 14: 2–3× on a 1m year).
 */
interface ShapeSlot {
  keys: string[];
  sorted: string[];
}

/**
 * Faster still (measured 1.6× on a sweep combo's 500 kB result, issue 14): a copy of `v` whose objects were
 * built with their keys in sorted order, which plain JSON.stringify (V8's fast serializer, no property list)
 * then writes as the canonical text. FALLBACK when `v` holds anything that copy cannot represent exactly
 * (index-like keys, non-plain objects, typed arrays, undefined in arrays); non-finite numbers throw as elsewhere.
 */
function sortedCopy(v: unknown, shapes: (ShapeSlot | undefined)[], depth: number): unknown {
  if (v === null) return null;
  switch (typeof v) {
    case 'number':
      if (v - v !== 0) throw new Error(`canonicalJson: non-finite number ${v}`);
      return v;
    case 'string':
    case 'boolean':
      return v;
    case 'object': {
      if (Array.isArray(v)) {
        const out: unknown[] = new Array<unknown>(v.length);
        for (let i = 0; i < v.length; i++) {
          const e: unknown = v[i];
          if (e === undefined) return FALLBACK;
          const c = sortedCopy(e, shapes, depth + 1);
          if (c === FALLBACK) return FALLBACK;
          out[i] = c;
        }
        return out;
      }
      const proto: unknown = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return FALLBACK;
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      const slot = shapes[depth];
      let sorted: string[];
      if (slot !== undefined && sameKeys(slot.keys, keys)) sorted = slot.sorted;
      else {
        sorted = keys.slice().sort();
        for (const k of sorted) if (INDEX_KEY.test(k)) return FALLBACK;
        shapes[depth] = { keys, sorted };
      }
      const out: Record<string, unknown> = {};
      for (let i = 0; i < sorted.length; i++) {
        const k = sorted[i]!;
        const e = o[k];
        if (e === undefined) continue;
        if (typeof e === 'number') {
          if (e - e !== 0) throw new Error(`canonicalJson: non-finite number ${e}`);
          out[k] = e;
          continue;
        }
        if (typeof e === 'string') {
          out[k] = e;
          continue;
        }
        const c = sortedCopy(e, shapes, depth + 1);
        if (c === FALLBACK) return FALLBACK;
        out[k] = c;
      }
      return out;
    }
    default:
      return FALLBACK;
  }
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The reference (slow, obviously correct) writer; `canonicalJson` must equal it. */
export function canonicalJsonReference(v: unknown): string {
  return write(v);
}

export function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

export function hashCanonical(v: unknown): string {
  return sha256Hex(canonicalJson(v));
}
