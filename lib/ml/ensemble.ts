/**
 * Balanced bagging for rare positives, over either tree learner: models
 * trained on resampled rows whose probabilities are averaged; the prior-shift
 * correction for undersampling; permutation importance.
 */
import { GradientBoosting } from './boosting.ts';
import type { BoostingJSON, BoostingOptions } from './boosting.ts';
import { rocAuc } from './evaluate.ts';
import { RandomForest } from './forest.ts';
import type { ForestJSON, ForestOptions } from './forest.ts';
import { seededRandom } from '../core/random.ts';

/**
 * Which tree learner: 'boosting' (`GradientBoosting`, the default, chosen by
 * the learner benchmark) or 'forest' (ml-random-forest).
 */
export type Learner = 'boosting' | 'forest';

/** A trained model of either learner as JSON. */
export type ModelJSON = BoostingJSON | ForestJSON;

/** What the ensemble needs of a trained model. */
export interface Classifier {
  predictProba(X: readonly (readonly number[])[]): number[];
  toJSON(): ModelJSON;
}

/** The learner and its settings. */
export interface LearnerOptions {
  learner?: Learner;
  /** Settings of `GradientBoosting` (its defaults otherwise). */
  boosting?: BoostingOptions;
  /** Settings of `RandomForest` (its defaults otherwise). */
  forest?: ForestOptions;
}

/** Train one model of the chosen learner; `seed` overrides the learner's own. */
export function trainClassifier(X: number[][], y: number[], options: LearnerOptions, seed: number): Classifier {
  return options.learner === 'forest'
    ? RandomForest.train(X, y, { ...options.forest, seed })
    : GradientBoosting.train(X, y, { ...options.boosting, seed });
}

/** A model from its JSON, whichever learner made it. */
export function classifierFromJSON(json: ModelJSON): Classifier {
  if (json?.format === 'gradient-boosting/1') return GradientBoosting.fromJSON(json);
  if (json?.format === 'ml-random-forest') return RandomForest.fromJSON(json);
  throw new RangeError('ensemble: a model must be "gradient-boosting/1" or "ml-random-forest" JSON');
}

/** Several models whose probabilities are averaged. */
export class Ensemble {
  constructor(readonly models: Classifier[]) {
    if (models.length === 0) throw new RangeError('ensemble: no models');
  }

  /** Mean probability of class 1 over the models. */
  predictProba(X: readonly (readonly number[])[]): number[] {
    const sums = new Array<number>(X.length).fill(0);
    for (const m of this.models) m.predictProba(X).forEach((p, i) => (sums[i]! += p));
    return sums.map((s) => s / this.models.length);
  }

  /** The models as JSON. */
  toJSON(): ModelJSON[] {
    return this.models.map((m) => m.toJSON());
  }

  /** An ensemble from `toJSON` output. */
  static fromJSON(json: ModelJSON[]): Ensemble {
    if (!Array.isArray(json)) throw new RangeError('ensemble: JSON must be an array of models');
    return new Ensemble(json.map(classifierFromJSON));
  }
}

/** Options of `trainBalancedEnsemble`. */
export interface BalancedOptions extends LearnerOptions {
  /** Models, each on its own balanced subsample (5). */
  bags?: number;
  /** Negatives drawn per positive in each bag, without replacement (1). */
  negativesPerPositive?: number;
  /** Seed of the draws and of each bag's model (42). */
  seed?: number;
}

/**
 * Balanced bagging for rare positives: each bag keeps every positive and a
 * random subset of `negativesPerPositive` × as many negatives, and trains one
 * model; probabilities are averaged. Without it, trees on a few per cent of
 * positives rarely find a split worth making. Also returns the share of
 * negatives a bag sees, needed to undo the resampling (`correctForUndersampling`).
 */
export function trainBalancedEnsemble(X: number[][], y: number[], options: BalancedOptions = {}): { ensemble: Ensemble; negativeRate: number } {
  const { bags = 5, negativesPerPositive = 1, seed = 42 } = options;
  const pos: number[] = [];
  const neg: number[] = [];
  y.forEach((v, i) => (v === 1 ? pos : neg).push(i));
  if (pos.length === 0 || neg.length === 0) throw new RangeError('ensemble: training labels need both classes (0 and 1)');
  const take = Math.min(neg.length, Math.max(1, Math.round(pos.length * negativesPerPositive)));
  const random = seededRandom(seed);
  const models: Classifier[] = [];
  for (let b = 0; b < bags; b++) {
    // Partial Fisher–Yates: the first `take` entries become a uniform sample without replacement.
    const pool = neg.slice();
    for (let i = 0; i < take; i++) {
      const j = i + Math.floor(random() * (pool.length - i));
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    const idx = [...pos, ...pool.slice(0, take)];
    models.push(
      trainClassifier(
        idx.map((i) => X[i]!),
        idx.map((i) => y[i]!),
        options,
        (seed + 7919 * (b + 1)) | 0,
      ),
    );
  }
  return { ensemble: new Ensemble(models), negativeRate: take / neg.length };
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
