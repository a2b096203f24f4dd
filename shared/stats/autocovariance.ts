/**
 * Biased sample autocovariances γ̂(i) = n⁻¹ Σ_{t=0}^{n−1−i} (x_t − x̄)(x_{t+i} − x̄), i = 0..maxLag — directly for
 * few lags, through a zero-padded radix-2 FFT (Wiener–Khinchin: γ̂ is the inverse transform of |X|²/n) when all
 * lags of a long series are needed (O(n log n) instead of O(n²)). Deterministic: the same input gives the same
 * bits on every run; the two paths agree to ~1e-13 relative.
 */

const twiddleCache = new Map<number, { cos: Float64Array; sin: Float64Array }>();

/** cos/sin of −2πk/n for k < n/2, computed once per size (a pure cache: same values on every call). */
function twiddles(n: number): { cos: Float64Array; sin: Float64Array } {
  let t = twiddleCache.get(n);
  if (!t) {
    const cos = new Float64Array(n >> 1);
    const sin = new Float64Array(n >> 1);
    for (let k = 0; k < n >> 1; k++) {
      cos[k] = Math.cos((-2 * Math.PI * k) / n);
      sin[k] = Math.sin((-2 * Math.PI * k) / n);
    }
    t = { cos, sin };
    twiddleCache.set(n, t);
  }
  return t;
}

/** In-place iterative radix-2 complex FFT (length a power of two); `inverse` omits the 1/n scaling. */
export function fft(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      let t = re[i]!;
      re[i] = re[j]!;
      re[j] = t;
      t = im[i]!;
      im[i] = im[j]!;
      im[j] = t;
    }
  }
  const { cos, sin } = twiddles(n);
  const sign = inverse ? -1 : 1;
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1;
    const stride = n / len;
    for (let k = 0; k < half; k++) {
      const wr = cos[k * stride]!;
      const wi = sign * sin[k * stride]!;
      for (let i = k; i < n; i += len) {
        const j = i + half;
        const xr = re[j]! * wr - im[j]! * wi;
        const xi = re[j]! * wi + im[j]! * wr;
        re[j] = re[i]! - xr;
        im[j] = im[i]! - xi;
        re[i] = re[i]! + xr;
        im[i] = im[i]! + xi;
      }
    }
  }
}

/** Autocovariances of an already demeaned series, lags 0..maxLag (maxLag < n). */
export function autocovariances(demeaned: ArrayLike<number>, maxLag: number): Float64Array {
  const n = demeaned.length;
  const L = Math.min(maxLag, n - 1);
  const out = new Float64Array(L + 1);
  if (L < 128 || n < 512) {
    for (let i = 0; i <= L; i++) {
      let s = 0;
      for (let t = 0; t + i < n; t++) s += demeaned[t]! * demeaned[t + i]!;
      out[i] = s / n;
    }
    return out;
  }
  let size = 1;
  while (size < 2 * n) size <<= 1;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let t = 0; t < n; t++) re[t] = demeaned[t]!;
  fft(re, im);
  for (let i = 0; i < size; i++) {
    re[i] = re[i]! * re[i]! + im[i]! * im[i]!;
    im[i] = 0;
  }
  fft(re, im, true);
  for (let i = 0; i <= L; i++) out[i] = re[i]! / size / n;
  return out;
}
