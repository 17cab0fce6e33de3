import { describe, expect, it } from 'vitest';
import { blockBootstrapAucs, classBalance, forwardChainingSplits, groupSplit, percentileInterval, prAuc, rocAuc, thresholdAtBalance } from '../../lib/ml/evaluate.ts';
import { seededRandom } from '../../lib/core/random.ts';

describe('rocAuc', () => {
  it('matches the hand-computed pair count', () => {
    // Positives 0.35, 0.8 against negatives 0.1, 0.4: 3 of 4 pairs ordered.
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.75, 12);
  });
  it('counts a tied positive–negative pair as one half', () => {
    // Pairs: (0.5 vs 0.5) ½, (0.5 vs 0.1) 1, (0.9 vs 0.5) 1, (0.9 vs 0.1) 1 → 3.5/4.
    expect(rocAuc([1, 0, 1, 0], [0.5, 0.5, 0.9, 0.1])).toBeCloseTo(0.875, 12);
    expect(rocAuc([1, 0, 1, 0], [0.3, 0.3, 0.3, 0.3])).toBeCloseTo(0.5, 12);
  });
  it('is 1 for a perfect ranking, 0 for a reversed one, NaN without a class', () => {
    expect(rocAuc([0, 0, 1], [1, 2, 3])).toBe(1);
    expect(rocAuc([1, 0, 0], [1, 2, 3])).toBe(0);
    expect(rocAuc([1, 1], [0.2, 0.4])).toBeNaN();
  });
});

describe('prAuc (average precision)', () => {
  it('matches the hand-computed step sum', () => {
    // 0.8 (pos): P=1, R=½; 0.4 (neg); 0.35 (pos): P=⅔, R=1 → ½·1 + ½·⅔.
    expect(prAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.5 + 1 / 3, 12);
  });
  it('treats tied scores as one threshold', () => {
    // 0.9 (pos): P=1, R=½; then 0.5 pos+neg together: P=⅔, R=1.
    expect(prAuc([1, 0, 1, 0], [0.5, 0.5, 0.9, 0.1])).toBeCloseTo(0.5 + 1 / 3, 12);
    // All tied: precision at the single threshold is the prevalence.
    expect(prAuc([1, 0, 0, 0], [1, 1, 1, 1])).toBeCloseTo(0.25, 12);
  });
  it('is NaN without positives', () => {
    expect(prAuc([0, 0], [0.1, 0.2])).toBeNaN();
  });
});

describe('classBalance and thresholdAtBalance', () => {
  it('counts classes', () => {
    expect(classBalance([1, 0, 0, 0])).toEqual({ n: 4, positives: 1, negatives: 3, prevalence: 0.25 });
  });
  it('finds where recall meets specificity', () => {
    const t = thresholdAtBalance([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
    // At 0.8: recall ½, specificity 1; at 0.4: ½ and ½ → equal.
    expect(t).toEqual({ threshold: 0.4, recall: 0.5, specificity: 0.5 });
  });
});

describe('percentileInterval and blockBootstrapAucs', () => {
  it('takes the 2.5th and 97.5th percentiles, linearly interpolated', () => {
    // 0..100: h = 100 × 0.025 = 2.5 → 2.5; 100 × 0.975 = 97.5 → 97.5
    const i95 = percentileInterval(Array.from({ length: 101 }, (_, i) => i));
    expect(i95.low).toBeCloseTo(2.5, 12);
    expect(i95.high).toBeCloseTo(97.5, 12);
    // [1, 2, 3, 4] at 50 %: h = 3 × 0.25 = 0.75 → 1.75; 3 × 0.75 = 2.25 → 3.25
    expect(percentileInterval([4, 1, 3, 2, NaN], 0.5)).toEqual({ low: 1.75, high: 3.25 });
    expect(percentileInterval([NaN])).toEqual({ low: NaN, high: NaN });
  });

  it('gives [1, 1] for a perfect ranking and a paired gain interval against a useless baseline', () => {
    const y = Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? 1 : 0));
    const model = y.map((v, i) => v + i / 1000);
    const flat = y.map(() => 0.5);
    const weeks = y.map((_, i) => Math.floor(i / 7));
    const b = blockBootstrapAucs(y, model, flat, weeks, { replicates: 200, seed: 3 });
    expect(b.rocAuc).toEqual({ low: 1, high: 1 });
    expect(b.baselineRocAuc).toEqual({ low: 0.5, high: 0.5 });
    expect(b.rocAucGain).toEqual({ low: 0.5, high: 0.5 });
    expect(b.replicates).toBe(200);
    // Seeded: the same call gives the same intervals.
    expect(blockBootstrapAucs(y, model, flat, weeks, { replicates: 200, seed: 3 })).toEqual(b);
  });

  it('brackets the point estimate and widens with fewer blocks', () => {
    const random = seededRandom(8);
    const y = Array.from({ length: 700 }, () => (random() < 0.1 ? 1 : 0));
    const model = y.map((v) => v * 0.8 + random());
    const base = y.map(() => random());
    const auc = rocAuc(y, model);
    const many = blockBootstrapAucs(y, model, base, y.map((_, i) => Math.floor(i / 7)), { replicates: 400 });
    const few = blockBootstrapAucs(y, model, base, y.map((_, i) => Math.floor(i / 175)), { replicates: 400 });
    expect(many.rocAuc.low).toBeLessThan(auc);
    expect(many.rocAuc.high).toBeGreaterThan(auc);
    expect(few.rocAuc.high - few.rocAuc.low).toBeGreaterThan(0);
    expect(many.rocAucGain.low).toBeGreaterThan(0);
    expect(() => blockBootstrapAucs([1], [0.5], [0.5, 0.2], [1])).toThrow(/1 labels, 1 scores, 2 baseline scores and 1 blocks must match/);
  });
});

describe('forwardChainingSplits', () => {
  const dates: string[] = [];
  for (let a = 0; a < 3; a++) {
    for (let d = 0; d < 60; d++) dates.push(new Date(Date.UTC(2024, 0, 1 + d + a * 5)).toISOString().slice(0, 10));
  }
  it('never puts a test date before (or equal to) a training date', () => {
    const folds = forwardChainingSplits(dates, 4);
    expect(folds).toHaveLength(4);
    for (const f of folds) {
      const maxTrain = f.train.map((i) => dates[i]!).sort().at(-1)!;
      const minTest = f.test.map((i) => dates[i]!).sort()[0]!;
      expect(maxTrain < minTest).toBe(true);
      expect(f.trainEnd).toBe(maxTrain);
      expect(f.testStart).toBe(minTest);
    }
    // Test blocks tile the later dates without overlap, and training grows.
    const tested = folds.flatMap((f) => f.test);
    expect(new Set(tested).size).toBe(tested.length);
    expect(folds[3]!.train.length).toBeGreaterThan(folds[0]!.train.length);
    expect(folds[3]!.testEnd).toBe('2024-03-10');
  });
  it('purges training rows within gapDays of the test block', () => {
    for (const f of forwardChainingSplits(dates, 3, { gapDays: 7 })) {
      const maxTrain = Date.parse(f.trainEnd);
      expect((Date.parse(f.testStart) - maxTrain) / 86_400_000).toBeGreaterThan(7);
    }
  });
  it('rejects bad dates and too few dates clearly', () => {
    expect(() => forwardChainingSplits(['2024-01-01', '2024-02-30'], 1)).toThrow(/dates\[1\].*2024-02-30/);
    expect(() => forwardChainingSplits(['2024-01-01', '2024-01-01'], 2)).toThrow(/1 distinct dates cannot make 2 folds/);
  });
});

describe('groupSplit', () => {
  it('never shares an athlete between train and test', () => {
    const ids = ['a', 'b', 'c', 'a', 'b', 'c', 'd'];
    const { train, test } = groupSplit(ids, ['b', 'd']);
    expect(test).toEqual([1, 4, 6]);
    expect(train).toEqual([0, 2, 3, 5]);
    const trainIds = new Set(train.map((i) => ids[i]));
    expect(test.some((i) => trainIds.has(ids[i]!))).toBe(false);
  });
});
