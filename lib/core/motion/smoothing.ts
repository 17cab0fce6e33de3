/**
 * Sliding-window filters over uniformly sampled runs of a series. Windows are
 * clipped at run boundaries, so a gap in the recording never leaks across.
 */

/**
 * Least-squares slope of `values` over the window `[i - h, i + h]` (clipped to
 * `[start, end)`), per unit of `dt`, written into `out`. For a centred window
 * this is the Savitzky–Golay first derivative of a quadratic (or linear) fit
 * (Savitzky & Golay 1964, Anal. Chem. 36:1627).
 */
export function slidingSlope(values: Float64Array, start: number, end: number, h: number, dt: number, out: Float64Array): void {
  const n = end - start;
  if (n <= 0) return;
  // Prefix sums over the run with a local index k, so sums stay small and exact enough.
  const sx = new Float64Array(n + 1);
  const skx = new Float64Array(n + 1);
  for (let k = 0; k < n; k++) {
    const v = values[start + k]!;
    sx[k + 1] = sx[k]! + v;
    skx[k + 1] = skx[k]! + k * v;
  }
  const sumK = (a: number, b: number) => ((b - a + 1) * (a + b)) / 2;
  const sumK2 = (a: number, b: number) => sq(b) - sq(a - 1);
  for (let k = 0; k < n; k++) {
    const lo = Math.max(0, k - h);
    const hi = Math.min(n - 1, k + h);
    const m = hi - lo + 1;
    if (m < 2) {
      out[start + k] = 0;
      continue;
    }
    const tk = sumK(lo, hi);
    const tk2 = sumK2(lo, hi);
    const tx = sx[hi + 1]! - sx[lo]!;
    const tkx = skx[hi + 1]! - skx[lo]!;
    out[start + k] = (m * tkx - tk * tx) / (m * tk2 - tk * tk) / dt;
  }
}

/** Sum of k² for k = 0..b (0 for b < 0). */
function sq(b: number): number {
  return b < 0 ? 0 : (b * (b + 1) * (2 * b + 1)) / 6;
}

/** Centred moving average of `values` over `[i - h, i + h]` clipped to `[start, end)`, into `out`. */
export function movingAverage(values: Float64Array, start: number, end: number, h: number, out: Float64Array): void {
  const n = end - start;
  if (n <= 0) return;
  const sx = new Float64Array(n + 1);
  for (let k = 0; k < n; k++) sx[k + 1] = sx[k]! + values[start + k]!;
  for (let k = 0; k < n; k++) {
    const lo = Math.max(0, k - h);
    const hi = Math.min(n - 1, k + h);
    out[start + k] = (sx[hi + 1]! - sx[lo]!) / (hi - lo + 1);
  }
}

/** Median of the finite values (NaN when there are none). */
export function median(values: ArrayLike<number>): number {
  return quantile(values, 0.5);
}

/** Linear-interpolated quantile `q` (0–1) of the finite values (NaN when there are none). */
export function quantile(values: ArrayLike<number>, q: number): number {
  const v = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (Number.isFinite(x)) v[n++] = x;
  }
  if (n === 0) return NaN;
  const w = v.subarray(0, n);
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const at = select(w, lo);
  if (lo + 1 >= n || pos === lo) return at;
  // After the selection everything past rank lo is at least as large: the next rank is their minimum.
  let next = Infinity;
  for (let i = lo + 1; i < n; i++) if (w[i]! < next) next = w[i]!;
  return at + (next - at) * (pos - lo);
}

/**
 * The value of rank `k` (0-based) of `v`, which is rearranged so that no
 * value before index k is larger and none after it smaller: Hoare's
 * selection (Hoare 1961, Comm. ACM 4:321, "Find"), linear on average where
 * sorting a whole series for one rank is not.
 */
function select(v: Float64Array, k: number): number {
  let lo = 0;
  let hi = v.length - 1;
  while (hi > lo) {
    const a = v[lo]!;
    const b = v[(lo + hi) >>> 1]!;
    const c = v[hi]!;
    // The median of three as the pivot, so sorted or reversed input stays linear.
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (v[i]! < pivot) i++;
      while (v[j]! > pivot) j--;
      if (i <= j) {
        const t = v[i]!;
        v[i++] = v[j]!;
        v[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return v[k]!;
  }
  return v[k]!;
}
