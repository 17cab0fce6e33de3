/**
 * A thin, deterministic wrapper over ml-random-forest's classifier: train,
 * probability of the positive class, feature importances, JSON round trip;
 * plus an ensemble of such forests (averaged probabilities) for balanced bagging.
 *
 * Labels are 0/1. The package's own `predictProbability` seeds its sum with the
 * first tree's vote, so the probability here is computed from
 * `predictionValues`: the fraction of trees voting 1.
 */
import { RandomForestClassifier } from 'ml-random-forest';
import { rocAuc } from './evaluate.ts';

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

/** Several forests whose probabilities are averaged (balanced bagging). */
export class ForestEnsemble {
  constructor(readonly forests: RandomForest[]) {
    if (forests.length === 0) throw new RangeError('forest ensemble: no forests');
  }

  /** Mean probability of class 1 over the forests. */
  predictProba(X: number[][]): number[] {
    const sums = new Array<number>(X.length).fill(0);
    for (const f of this.forests) f.predictProba(X).forEach((p, i) => (sums[i]! += p));
    return sums.map((s) => s / this.forests.length);
  }

  /** Mean impurity importance over the forests. */
  impurityImportance(): number[] {
    const all = this.forests.map((f) => f.impurityImportance());
    return all[0]!.map((_, j) => all.reduce((s, imp) => s + imp[j]!, 0) / all.length);
  }

  /** The forests as JSON. */
  toJSON(): ForestJSON[] {
    return this.forests.map((f) => f.toJSON());
  }

  /** An ensemble from `toJSON` output. */
  static fromJSON(json: ForestJSON[]): ForestEnsemble {
    if (!Array.isArray(json)) throw new RangeError('forest ensemble: JSON must be an array of forests');
    return new ForestEnsemble(json.map((f) => RandomForest.fromJSON(f)));
  }
}

/** Seeded uniform random numbers in [0, 1) (mulberry32), so resampling is reproducible. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Options of `trainBalancedEnsemble`. */
export interface BalancedOptions extends ForestOptions {
  /** Forests, each on its own balanced subsample (5). */
  bags?: number;
  /** Negatives drawn per positive in each bag, without replacement (1). */
  negativesPerPositive?: number;
}

/**
 * Balanced bagging for rare positives: each bag keeps every positive and a
 * random subset of `negativesPerPositive` × as many negatives, and trains one
 * forest; probabilities are averaged. Without it, trees on a few per cent of
 * positives rarely find a split worth making. Also returns the share of
 * negatives a bag sees, needed to undo the resampling (`correctForUndersampling`).
 */
export function trainBalancedEnsemble(
  X: number[][],
  y: number[],
  options: BalancedOptions = {},
): { ensemble: ForestEnsemble; negativeRate: number } {
  const { bags = 5, negativesPerPositive = 1, ...forest } = options;
  const seed = forest.seed ?? FOREST_DEFAULTS.seed;
  const pos: number[] = [];
  const neg: number[] = [];
  y.forEach((v, i) => (v === 1 ? pos : neg).push(i));
  if (pos.length === 0 || neg.length === 0) throw new RangeError('forest: training labels need both classes (0 and 1)');
  const take = Math.min(neg.length, Math.max(1, Math.round(pos.length * negativesPerPositive)));
  const random = seededRandom(seed);
  const forests: RandomForest[] = [];
  for (let b = 0; b < bags; b++) {
    // Partial Fisher–Yates: the first `take` entries become a uniform sample without replacement.
    const pool = neg.slice();
    for (let i = 0; i < take; i++) {
      const j = i + Math.floor(random() * (pool.length - i));
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    const idx = [...pos, ...pool.slice(0, take)];
    forests.push(
      RandomForest.train(
        idx.map((i) => X[i]!),
        idx.map((i) => y[i]!),
        { ...forest, seed: (seed + 7919 * (b + 1)) | 0 },
      ),
    );
  }
  return { ensemble: new ForestEnsemble(forests), negativeRate: take / neg.length };
}

/**
 * Undo the prior shift of training on undersampled negatives (Dal Pozzolo et
 * al. 2015, "Calibrating probability with undersampling for unbalanced
 * classification"): p = β·pₛ / (β·pₛ − pₛ + 1), β = share of negatives kept.
 */
export function correctForUndersampling(ps: number, negativeRate: number): number {
  const d = negativeRate * ps - ps + 1;
  return d > 0 ? Math.min(1, (negativeRate * ps) / d) : 1;
}

/** Options of `permutationImportance`. */
export interface PermutationOptions {
  /** Shuffles per feature, averaged (3). */
  repeats?: number;
  seed?: number;
}

/**
 * Permutation importance (Breiman 2001, "Random Forests", Machine Learning
 * 45:5): for each feature, the drop in ROC AUC on the given (held-out) rows
 * when that column is shuffled, averaged over `repeats` shuffles. Near 0 or
 * negative means the model does not rely on the feature. NaN when the rows
 * lack one of the classes.
 */
export function permutationImportance(
  predict: (X: number[][]) => number[],
  X: number[][],
  y: number[],
  options: PermutationOptions = {},
): number[] {
  const { repeats = 3, seed = 1 } = options;
  const base = rocAuc(y, predict(X));
  const width = X[0]?.length ?? 0;
  const random = seededRandom(seed);
  const out: number[] = [];
  for (let j = 0; j < width; j++) {
    let drop = 0;
    for (let r = 0; r < repeats; r++) {
      const column = X.map((row) => row[j]!);
      for (let i = column.length - 1; i > 0; i--) {
        const k = Math.floor(random() * (i + 1));
        [column[i], column[k]] = [column[k]!, column[i]!];
      }
      const shuffled = X.map((row, i) => {
        const copy = row.slice();
        copy[j] = column[i]!;
        return copy;
      });
      drop += base - rocAuc(y, predict(shuffled));
    }
    out.push(drop / repeats);
  }
  return out;
}
