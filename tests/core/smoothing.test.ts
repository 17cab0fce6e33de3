import { describe, expect, it } from 'vitest';
import { median, quantile, quantileOfSorted, sortedFinite } from '../../lib/core/motion/smoothing.ts';
import { seededRandom } from '../../lib/core/random.ts';

describe('quantiles of a series', () => {
  it('skip what is not a finite number and interpolate linearly between ranks', () => {
    const xs = [NaN, 4, -Infinity, 1, 3, Infinity, 2];
    expect([...sortedFinite(xs)]).toEqual([1, 2, 3, 4]);
    expect(median(xs)).toBe(2.5);
    expect(quantile(xs, 0)).toBe(1);
    expect(quantile(xs, 1)).toBe(4);
    // Rank (4 - 1) * 0.1 = 0.3: 30 % of the way from 1 to 2.
    expect(quantile(xs, 0.1)).toBeCloseTo(1.3, 12);
    expect(quantile([NaN], 0.5)).toBeNaN();
    expect(quantileOfSorted([], 0.5)).toBeNaN();
  });

  it('agree with a sort of the numbers by comparison, on 10,000 random values', () => {
    const r = seededRandom(5);
    const xs = Float64Array.from({ length: 10_000 }, () => (r() - 0.5) * 1e6);
    const byComparison = [...xs].sort((a, b) => a - b);
    expect([...sortedFinite(xs)]).toEqual(byComparison);
    for (const q of [0.02, 0.5, 0.98]) {
      const pos = (byComparison.length - 1) * q;
      const lo = Math.floor(pos);
      expect(quantile(xs, q)).toBe(byComparison[lo]! + (byComparison[lo + 1]! - byComparison[lo]!) * (pos - lo));
    }
  });
});
