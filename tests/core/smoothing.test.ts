import { describe, expect, it } from 'vitest';
import { median, quantile } from '../../lib/core/motion/smoothing.ts';
import { seededRandom } from '../../lib/core/random.ts';

/** The quantile as a sort of the finite numbers gives it. */
function bySorting(xs: ArrayLike<number>, q: number): number {
  const s = Array.from(xs).filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

describe('quantiles of a series', () => {
  it('skip what is not a finite number and interpolate linearly between ranks', () => {
    const xs = [NaN, 4, -Infinity, 1, 3, Infinity, 2];
    expect(median(xs)).toBe(2.5);
    expect(quantile(xs, 0)).toBe(1);
    expect(quantile(xs, 1)).toBe(4);
    // Rank (4 - 1) * 0.1 = 0.3: 30 % of the way from 1 to 2.
    expect(quantile(xs, 0.1)).toBeCloseTo(1.3, 12);
    expect(quantile([NaN], 0.5)).toBeNaN();
    expect(quantile([], 0.5)).toBeNaN();
    expect(quantile([7], 0.98)).toBe(7);
  });

  it('equal what sorting gives, for random, sorted, reversed, constant and few-valued series', () => {
    const r = seededRandom(5);
    const random = Float64Array.from({ length: 10_001 }, () => (r() - 0.5) * 1e6);
    const sorted = Float64Array.from({ length: 5_000 }, (_, i) => i * 0.5);
    const reversed = sorted.slice().reverse();
    const constant = new Float64Array(3_000).fill(42);
    const fewValues = Float64Array.from({ length: 4_000 }, () => Math.floor(r() * 3));
    for (const xs of [random, sorted, reversed, constant, fewValues]) {
      for (const q of [0, 0.02, 0.25, 0.5, 0.98, 1]) expect(quantile(xs, q)).toBe(bySorting(xs, q));
    }
  });

  it('leave the series given unchanged', () => {
    const xs = Float64Array.from([5, 1, 4, 2, 3]);
    quantile(xs, 0.5);
    expect([...xs]).toEqual([5, 1, 4, 2, 3]);
  });
});
