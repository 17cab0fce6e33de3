/**
 * A thin, deterministic wrapper over ml-random-forest's classifier: train,
 * probability of the positive class, feature importances, JSON round trip.
 * Kept as the learner the project started with, measured beside
 * `GradientBoosting` in the learner benchmark (tests/bench).
 *
 * Labels are 0/1. The package's own `predictProbability` seeds its sum with the
 * first tree's vote, so the probability here is computed from
 * `predictionValues`: the fraction of trees voting 1.
 */
import { RandomForestClassifier } from 'ml-random-forest';

/** The package's model JSON (its typings do not export the type). */
type PackageModel = ReturnType<RandomForestClassifier['toJSON']>;

/** Forest hyper-parameters; every field has a default. */
export interface ForestOptions {
  /** Trees in the forest (50). */
  nEstimators?: number;
  /**
   * Share (0..1] of the features each tree sees, drawn without replacement
   * once per tree — the package samples features per tree, not per split (0.5).
   */
  maxFeatures?: number;
  /** Seed of the bagging and feature draws, a 32-bit integer (42). */
  seed?: number;
  /** Deepest split level of a tree (8). */
  maxDepth?: number;
  /** A node with this many samples or fewer becomes a leaf (5). */
  minNumSamples?: number;
  /** Bootstrap the rows for each tree (true). */
  useSampleBagging?: boolean;
}

/** ForestOptions with the defaults filled in. */
export type ResolvedForestOptions = Required<ForestOptions>;

/** The defaults of `ForestOptions`. */
export const FOREST_DEFAULTS: ResolvedForestOptions = {
  nEstimators: 50,
  maxFeatures: 0.5,
  seed: 42,
  maxDepth: 8,
  minNumSamples: 5,
  useSampleBagging: true,
};

/** A trained forest as JSON. */
export interface ForestJSON {
  format: 'ml-random-forest';
  options: ResolvedForestOptions;
  nFeatures: number;
  /** Impurity importance per feature, computed at training time. */
  impurity: number[];
  model: PackageModel;
}

/** Throws naming the row and column when X is not a finite rectangular matrix or y is not 0/1 of the same length. */
function checkData(X: number[][], y?: number[]): number {
  if (X.length === 0) throw new RangeError('forest: no rows');
  const width = X[0]!.length;
  X.forEach((row, i) => {
    if (row.length !== width) throw new RangeError(`forest: row ${i} has ${row.length} features, expected ${width}`);
    row.forEach((v, j) => {
      if (!Number.isFinite(v)) throw new RangeError(`forest: row ${i}, feature ${j} is ${v}; impute missing values first`);
    });
  });
  if (y) {
    if (y.length !== X.length) throw new RangeError(`forest: ${X.length} rows but ${y.length} labels`);
    y.forEach((v, i) => {
      if (v !== 0 && v !== 1) throw new RangeError(`forest: label ${i} is ${v}, expected 0 or 1`);
    });
  }
  return width;
}

/** A trained random forest for 0/1 labels. */
export class RandomForest {
  private constructor(
    private readonly rf: RandomForestClassifier,
    /** The options it was trained with. */
    readonly options: ResolvedForestOptions,
    /** Number of feature columns it expects. */
    readonly nFeatures: number,
    private readonly impurity: number[],
  ) {}

  /** Train on rows X (finite numbers) and labels y (0/1, both present); deterministic for a given seed. */
  static train(X: number[][], y: number[], options: ForestOptions = {}): RandomForest {
    const width = checkData(X, y);
    if (!y.includes(0) || !y.includes(1)) throw new RangeError('forest: training labels need both classes (0 and 1)');
    const o: ResolvedForestOptions = { ...FOREST_DEFAULTS, ...options };
    const rf = new RandomForestClassifier({
      nEstimators: o.nEstimators,
      // A whole count; the package reads 1 as "100 %", so at least 2 when there are 2 or more.
      maxFeatures: Math.min(width, Math.max(2, Math.floor(o.maxFeatures * width))),
      replacement: false,
      seed: o.seed,
      useSampleBagging: o.useSampleBagging,
      noOOB: true,
      treeOptions: { maxDepth: o.maxDepth, minNumSamples: o.minNumSamples },
    });
    rf.train(X, y);
    // Computed now: a reloaded model lacks the node sample counts this needs.
    const importance = (rf as unknown as { featureImportance(): number[] }).featureImportance();
    return new RandomForest(rf, o, width, importance.map((v) => (Number.isFinite(v) ? v : 0)));
  }

  /** Probability of class 1 for each row: the fraction of trees voting 1. */
  predictProba(X: number[][]): number[] {
    if (X.length === 0) return [];
    const width = checkData(X);
    if (width !== this.nFeatures) throw new RangeError(`forest: rows have ${width} features, the model expects ${this.nFeatures}`);
    const votes = this.rf.predictionValues(X);
    const out: number[] = [];
    for (let i = 0; i < votes.rows; i++) {
      const row = votes.getRow(i);
      let ones = 0;
      for (const v of row) if (v === 1) ones++;
      out.push(ones / row.length);
    }
    return out;
  }

  /**
   * The package's impurity importance: each split's gain × samples, summed per
   * feature within a tree, normalised, averaged over trees; sums to 1. Biased
   * towards features with many distinct values: prefer `permutationImportance`
   * on held-out rows for reporting.
   */
  impurityImportance(): number[] {
    return this.impurity.slice();
  }

  /** The trained model as plain JSON. */
  toJSON(): ForestJSON {
    return {
      format: 'ml-random-forest',
      options: this.options,
      nFeatures: this.nFeatures,
      impurity: this.impurity.slice(),
      model: JSON.parse(JSON.stringify(this.rf.toJSON())),
    };
  }

  /** A forest from `toJSON` output. */
  static fromJSON(json: ForestJSON): RandomForest {
    if (json?.format !== 'ml-random-forest') throw new RangeError('forest: not a forest JSON (format must be "ml-random-forest")');
    return new RandomForest(RandomForestClassifier.load(json.model), json.options, json.nFeatures, json.impurity ?? []);
  }
}
