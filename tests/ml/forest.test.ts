import { describe, expect, it } from 'vitest';
import { rocAuc } from '../../lib/ml/evaluate.ts';
import { BOOSTING_DEFAULTS, binEdges, GradientBoosting } from '../../lib/ml/boosting.ts';
import { correctForUndersampling, Ensemble, permutationImportance, trainBalancedEnsemble } from '../../lib/ml/ensemble.ts';
import { RandomForest } from '../../lib/ml/forest.ts';
import { seededRandom } from '../../lib/core/random.ts';

/** Feature 0 decides the label (with noise); features 1 and 2 are noise. */
function data(n: number, seed: number): { X: number[][]; y: number[] } {
  const random = seededRandom(seed);
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = [random(), random(), random()];
    X.push(row);
    y.push(row[0]! + 0.3 * random() > 0.8 ? 1 : 0);
  }
  return { X, y };
}

describe('RandomForest', () => {
  const train = data(300, 1);
  const test = data(200, 2);
  const options = { nEstimators: 15, seed: 9, maxDepth: 5 };

  it('learns a planted rule and is deterministic for a seed', () => {
    const f = RandomForest.train(train.X, train.y, options);
    const p = f.predictProba(test.X);
    expect(p.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(rocAuc(test.y, p)).toBeGreaterThan(0.9);
    expect(RandomForest.train(train.X, train.y, options).predictProba(test.X)).toEqual(p);
    // Probabilities are vote fractions of 15 trees.
    expect(p.every((v) => Math.abs(v * 15 - Math.round(v * 15)) < 1e-9)).toBe(true);
  });

  it('round-trips through JSON with the same predictions and importances', () => {
    const f = RandomForest.train(train.X, train.y, options);
    const back = RandomForest.fromJSON(JSON.parse(JSON.stringify(f.toJSON())));
    expect(back.predictProba(test.X)).toEqual(f.predictProba(test.X));
    expect(back.impurityImportance()).toEqual(f.impurityImportance());
    expect(back.options).toEqual({ ...options, maxFeatures: 0.5, minNumSamples: 5, useSampleBagging: true });
  });

  it('ranks the deciding feature first by both importances', () => {
    const f = RandomForest.train(train.X, train.y, options);
    const imp = f.impurityImportance();
    expect(imp.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 9);
    expect(imp[0]).toBeGreaterThan(Math.max(imp[1]!, imp[2]!));
    const perm = permutationImportance((X) => f.predictProba(X), test.X, test.y, { repeats: 2, seed: 4 });
    expect(perm[0]).toBeGreaterThan(0.2);
    expect(Math.abs(perm[1]!)).toBeLessThan(0.05);
  });

  it('rejects missing values, ragged rows and a single class with clear messages', () => {
    expect(() => RandomForest.train([[1, NaN], [2, 3]], [0, 1])).toThrow(/row 0, feature 1 is NaN; impute/);
    expect(() => RandomForest.train([[1, 2], [3]], [0, 1])).toThrow(/row 1 has 1 features, expected 2/);
    expect(() => RandomForest.train([[1], [2]], [0, 0])).toThrow(/both classes/);
    expect(() => RandomForest.fromJSON({} as never)).toThrow(/not a forest JSON/);
  });
});

describe('GradientBoosting', () => {
  const train = data(300, 1);
  const test = data(200, 2);
  const options = { nEstimators: 60, learningRate: 0.1, maxDepth: 3, seed: 9 };

  it('cuts features at midpoints between distinct values, or at quantiles beyond maxBins', () => {
    expect(binEdges([3, 1, 2, 2, 1], 8)).toEqual([1.5, 2.5]);
    // 8 distinct values into 4 bins: cuts after the 2nd, 4th and 6th sorted values.
    expect(binEdges([1, 2, 3, 4, 5, 6, 7, 8], 4)).toEqual([2.5, 4.5, 6.5]);
    expect(binEdges([5, 5, 5], 4)).toEqual([]);
  });

  it('makes the split and leaf weights of XGBoost on a hand-sized case', () => {
    // Two rows per side, labels split perfectly by x at 1.5; base score log(2/2) = 0, so p = 0.5, g = ∓0.5, h = 0.25.
    // Left (y = 0): G = 1, H = 0.5 → weight −G/(H + λ) × η = −1/1.5 × 0.3 = −0.2; right: +0.2.
    const m = GradientBoosting.train([[1], [1], [2], [2]], [0, 0, 1, 1], { nEstimators: 1, learningRate: 0.3, maxDepth: 1, minChildWeight: 0 });
    const tree = m.toJSON().trees[0]!;
    expect(tree.feature[0]).toBe(0);
    expect(tree.threshold[0]).toBe(1.5);
    expect(tree.value[tree.left[0]!]).toBeCloseTo(-0.2, 12);
    expect(tree.value[tree.right[0]!]).toBeCloseTo(0.2, 12);
    const [pLeft, pRight] = m.predictProba([[0.5], [9]]);
    expect(pLeft).toBeCloseTo(1 / (1 + Math.exp(0.2)), 12);
    expect(pRight).toBeCloseTo(1 / (1 + Math.exp(-0.2)), 12);
    // min_child_weight: a child needs summed hessian ≥ 1 (4 rows at 0.25): no split of 4 rows.
    expect(GradientBoosting.train([[1], [1], [2], [2]], [0, 0, 1, 1], { nEstimators: 1, maxDepth: 1 }).toJSON().trees[0]!.feature[0]).toBe(-1);
  });

  it('learns a planted rule, is deterministic for a seed, and gives distinct scores', () => {
    const m = GradientBoosting.train(train.X, train.y, options);
    const p = m.predictProba(test.X);
    expect(p.every((v) => v > 0 && v < 1)).toBe(true);
    expect(rocAuc(test.y, p)).toBeGreaterThan(0.9);
    expect(GradientBoosting.train(train.X, train.y, options).predictProba(test.X)).toEqual(p);
    // Unlike a 15-tree vote share (at most 16 values), the scores rarely tie.
    expect(new Set(p).size).toBeGreaterThan(50);
    const gain = m.gainImportance();
    expect(gain[0]).toBeGreaterThan(Math.max(gain[1]!, gain[2]!));
  });

  it('subsamples rows and features per tree reproducibly, and round-trips through JSON', () => {
    const m = GradientBoosting.train(train.X, train.y, { ...options, subsample: 0.7, colsampleByTree: 0.67 });
    const back = GradientBoosting.fromJSON(JSON.parse(JSON.stringify(m.toJSON())));
    expect(back.predictProba(test.X)).toEqual(m.predictProba(test.X));
    expect(back.toJSON().options).toEqual({ ...BOOSTING_DEFAULTS, ...options, subsample: 0.7, colsampleByTree: 0.67 });
    expect(rocAuc(test.y, m.predictProba(test.X))).toBeGreaterThan(0.85);
  });

  it('rejects missing values, ragged rows and a single class with clear messages', () => {
    expect(() => GradientBoosting.train([[1, NaN], [2, 3]], [0, 1])).toThrow(/row 0, feature 1 is NaN; impute/);
    expect(() => GradientBoosting.train([[1, 2], [3]], [0, 1])).toThrow(/row 1 has 1 features, expected 2/);
    expect(() => GradientBoosting.train([[1], [2]], [0, 0])).toThrow(/both classes/);
    expect(() => GradientBoosting.fromJSON({} as never)).toThrow(/not a gradient-boosting JSON/);
  });
});

describe('balanced ensemble', () => {
  it('bags every positive with as many negatives and averages the models, of either learner', () => {
    const { X, y } = data(400, 3);
    const positives = y.filter((v) => v === 1).length;
    const test = data(200, 4);
    for (const learner of [{ learner: 'boosting' as const, boosting: { nEstimators: 30 } }, { learner: 'forest' as const, forest: { nEstimators: 10 } }]) {
      const { ensemble, negativeRate } = trainBalancedEnsemble(X, y, { bags: 3, seed: 2, ...learner });
      expect(ensemble.models).toHaveLength(3);
      expect(negativeRate).toBeCloseTo(positives / (400 - positives), 12);
      const p = ensemble.predictProba(test.X);
      const each = ensemble.models.map((f) => f.predictProba(test.X));
      expect(p[7]).toBeCloseTo((each[0]![7]! + each[1]![7]! + each[2]![7]!) / 3, 12);
      const back = Ensemble.fromJSON(JSON.parse(JSON.stringify(ensemble.toJSON())));
      expect(back.predictProba(test.X)).toEqual(p);
      expect(rocAuc(test.y, p)).toBeGreaterThan(0.85);
    }
  });

  it('undoes the undersampling prior shift', () => {
    // β = 0.1: a balanced-bag 0.5 is 0.1·0.5/(0.05 − 0.5 + 1) = 0.0909… on the original scale.
    expect(correctForUndersampling(0.5, 0.1)).toBeCloseTo(0.05 / 0.55, 12);
    expect(correctForUndersampling(0.3, 1)).toBeCloseTo(0.3, 12);
    expect(correctForUndersampling(1, 0.2)).toBe(1);
  });
});
