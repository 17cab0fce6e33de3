import { describe, expect, it } from 'vitest';
import { rocAuc } from '../../lib/ml/evaluate.ts';
import { correctForUndersampling, ForestEnsemble, permutationImportance, RandomForest, seededRandom, trainBalancedEnsemble } from '../../lib/ml/forest.ts';

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

describe('balanced ensemble', () => {
  it('bags every positive with as many negatives and averages the forests', () => {
    const { X, y } = data(400, 3);
    const positives = y.filter((v) => v === 1).length;
    const { ensemble, negativeRate } = trainBalancedEnsemble(X, y, { bags: 3, nEstimators: 10, seed: 2 });
    expect(ensemble.forests).toHaveLength(3);
    expect(negativeRate).toBeCloseTo(positives / (400 - positives), 12);
    const test = data(200, 4);
    const p = ensemble.predictProba(test.X);
    const each = ensemble.forests.map((f) => f.predictProba(test.X));
    expect(p[7]).toBeCloseTo((each[0]![7]! + each[1]![7]! + each[2]![7]!) / 3, 12);
    const back = ForestEnsemble.fromJSON(JSON.parse(JSON.stringify(ensemble.toJSON())));
    expect(back.predictProba(test.X)).toEqual(p);
  });

  it('undoes the undersampling prior shift', () => {
    // β = 0.1: a balanced-bag 0.5 is 0.1·0.5/(0.05 − 0.5 + 1) = 0.0909… on the original scale.
    expect(correctForUndersampling(0.5, 0.1)).toBeCloseTo(0.05 / 0.55, 12);
    expect(correctForUndersampling(0.3, 1)).toBeCloseTo(0.3, 12);
    expect(correctForUndersampling(1, 0.2)).toBe(1);
  });
});
