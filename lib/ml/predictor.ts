/**
 * The injury-risk predictor: a balanced-bagged random forest over the
 * features of `features.ts`, evaluated forward in time, explained per
 * prediction, saved as JSON with its lineage.
 *
 * Risk is the ensemble's probability with the undersampling prior shift
 * undone (`correctForUndersampling`), so it is on the scale of the training
 * data's base rate, not of the balanced bags.
 */
import { classBalance, forwardChainingSplits, prAuc, rocAuc } from './evaluate.ts';
import type { ClassBalance } from './evaluate.ts';
import { prepareFeatures } from './features.ts';
import type { DailyRow, FeatureSet, InjuryRecord, PrepareOptions } from './features.ts';
import { correctForUndersampling, ForestEnsemble, permutationImportance, trainBalancedEnsemble } from './forest.ts';
import type { BalancedOptions, ForestJSON } from './forest.ts';

/** Lineage tag of records fetched through the Strava API. */
export const STRAVA_API_TAG = 'strava_api';

/** Options of `InjuryPredictor`. */
export interface PredictorOptions extends BalancedOptions {
  /** Fewest injury events `train` accepts (5). */
  minInjuries?: number;
  /** Features listed by `predict` (5). */
  topK?: number;
}

/** What `train` records about its data. */
export interface TrainMeta {
  featureNames: string[];
  /** Lineage tags of the days trained on. */
  sources?: string[];
  /** Injury events behind the positives (`FeatureSet.injuryEvents`): positive rows are ~horizon per event, so y alone cannot tell. */
  injuryEvents: number;
  /** ISO instant of training (now). */
  trainedAt?: string;
  horizonDays?: number;
}

/** A saved model. */
export interface InjuryModelJSON {
  format: 'injury-predictor/1';
  featureNames: string[];
  trainedAt: string;
  sources: string[];
  samples: ClassBalance;
  injuryEvents: number;
  horizonDays: number | null;
  /** Training medians per feature, the reference for contributions. */
  medians: number[];
  /** Share of negatives each bag saw. */
  negativeRate: number;
  options: PredictorOptions;
  forests: ForestJSON[];
}

/** A prediction with the features that moved it most. */
export interface Prediction {
  risk: number;
  /** Largest |contribution| first; positive raises risk. */
  topFeatures: { name: string; value: number; contribution: number }[];
}

/** Metrics of one kind of score. */
export interface ScoreMetrics {
  rocAuc: number;
  prAuc: number;
}

/** Result of `evaluateTimeAware`. */
export interface TimeAwareReport extends ScoreMetrics {
  classBalance: ClassBalance;
  /** Each fold's dates and metrics on its test block. */
  folds: (ScoreMetrics & { trainEnd: string; testStart: string; testEnd: string; trainRows: number; testRows: number; testPositives: number })[];
  /** Permutation importance (drop in ROC AUC) on the test blocks, weighted by their positives; largest first. */
  importances: { name: string; importance: number }[];
  /** The same metrics for the ACWR (EWMA) value used directly as the risk score. */
  baseline: ScoreMetrics & { feature: string };
}

/** Thrown by `train` when there are too few injuries; the caller falls back to the cohort model. */
export class TooFewInjuriesError extends Error {
  constructor(readonly injuries: number) {
    super(`too few injuries to learn from: ${injuries}; falling back to the cohort model`);
    this.name = 'TooFewInjuriesError';
  }
}

function columnMedians(X: number[][]): number[] {
  const width = X[0]?.length ?? 0;
  const out: number[] = [];
  for (let j = 0; j < width; j++) {
    const col = X.map((r) => r[j]!).sort((a, b) => a - b);
    const m = col.length >> 1;
    out.push(col.length % 2 ? col[m]! : (col[m - 1]! + col[m]!) / 2);
  }
  return out;
}

/** Days that may be trained on, and the lineage tags of what was kept. */
export interface TrainableDays {
  days: DailyRow[];
  /** Days left out as Strava-API-only. */
  dropped: number;
  /** Sorted lineage tags over the kept days. */
  sources: string[];
}

/**
 * Drop days whose only records came through the Strava API (every source tag
 * is 'strava' or 'strava_api', and 'strava_api' is among them): Strava's API
 * agreement (Nov 2024) forbids training models on API data. Strava bulk-export
 * files ('strava' alone) and days with other sources stay. Dropped days become
 * gaps, which the features treat as days without recorded training.
 */
export function filterTrainable(days: DailyRow[], options: { allowStravaApi?: boolean } = {}): TrainableDays {
  const { allowStravaApi = false } = options;
  const kept = allowStravaApi
    ? days
    : days.filter((d) => !(d.sources.includes(STRAVA_API_TAG) && d.sources.every((s) => s === 'strava' || s === STRAVA_API_TAG)));
  const sources = new Set(kept.flatMap((d) => d.sources));
  return { days: kept, dropped: days.length - kept.length, sources: [...sources].sort() };
}

/** Injury-risk model: train, evaluate forward in time, predict with explanations, save and load. */
export class InjuryPredictor {
  private ensemble: ForestEnsemble | null = null;
  private model: Omit<InjuryModelJSON, 'forests' | 'format' | 'options'> | null = null;
  readonly options: PredictorOptions;

  constructor(options: PredictorOptions = {}) {
    this.options = { ...options };
  }

  /** Features and labels from daily rows (see `features.ts`). */
  prepareFeatures(days: DailyRow[], injuries: InjuryRecord[], options: PrepareOptions = {}): FeatureSet {
    return prepareFeatures(days, injuries, options);
  }

  /**
   * Lineage filter, features, then `train`: the usual path from the
   * orchestrator's daily rows. Throws `TooFewInjuriesError` like `train`.
   */
  fit(days: DailyRow[], injuries: InjuryRecord[], options: PrepareOptions & { allowStravaApi?: boolean; trainedAt?: string } = {}): FeatureSet {
    const { allowStravaApi, trainedAt, ...prep } = options;
    const trainable = filterTrainable(days, { allowStravaApi });
    const set = prepareFeatures(trainable.days, injuries, prep);
    this.train(set.X, set.y, {
      featureNames: set.featureNames,
      sources: set.sources,
      injuryEvents: set.injuryEvents,
      trainedAt,
      horizonDays: prep.horizonDays ?? 7,
    });
    return set;
  }

  /** Train on X, y (0/1); refuses with `TooFewInjuriesError` below `minInjuries` injury events. */
  train(X: number[][], y: number[], meta: TrainMeta): this {
    const { minInjuries = 5, topK: _topK, ...forest } = this.options;
    if (X.length !== y.length) throw new RangeError(`train: ${X.length} rows but ${y.length} labels`);
    if (X[0] && X[0].length !== meta.featureNames.length) {
      throw new RangeError(`train: rows have ${X[0].length} features but ${meta.featureNames.length} feature names`);
    }
    const events = meta.injuryEvents;
    if (events < minInjuries) throw new TooFewInjuriesError(events);
    if (!y.includes(0) || !y.includes(1)) throw new RangeError('train: labels need both injury-free (0) and pre-injury (1) days');
    const { ensemble, negativeRate } = trainBalancedEnsemble(X, y, forest);
    this.ensemble = ensemble;
    this.model = {
      featureNames: [...meta.featureNames],
      trainedAt: meta.trainedAt ?? new Date().toISOString(),
      sources: [...(meta.sources ?? [])].sort(),
      samples: classBalance(y),
      injuryEvents: events,
      horizonDays: meta.horizonDays ?? null,
      medians: columnMedians(X),
      negativeRate,
    };
    return this;
  }

  /**
   * Forward-chaining evaluation (see `forwardChainingSplits`): per fold a
   * fresh model on the earlier days only, training rows within `gapDays` of
   * the test block purged (default 7, the label horizon). ROC and PR AUC are
   * over the pooled test predictions; folds without a positive in training
   * are skipped. Does not change the trained model.
   */
  evaluateTimeAware(
    X: number[][],
    y: number[],
    rows: { date: string }[],
    options: { nFolds?: number; gapDays?: number; featureNames?: string[]; baselineFeature?: string } = {},
  ): TimeAwareReport {
    const { nFolds = 4, gapDays = 7, baselineFeature = 'acwr_ewma' } = options;
    const names = options.featureNames ?? this.model?.featureNames;
    if (!names) throw new RangeError('evaluateTimeAware: pass featureNames (or train first)');
    const baseCol = names.indexOf(baselineFeature);
    if (baseCol < 0) throw new RangeError(`evaluateTimeAware: baseline feature "${baselineFeature}" is not among the features`);
    const { minInjuries: _m, topK: _t, ...forest } = this.options;
    const pooledY: number[] = [];
    const pooledP: number[] = [];
    const pooledBase: number[] = [];
    const importance = new Array<number>(names.length).fill(0);
    let importanceWeight = 0;
    const folds: TimeAwareReport['folds'] = [];
    for (const split of forwardChainingSplits(rows.map((r) => r.date), nFolds, { gapDays })) {
      const yTrain = split.train.map((i) => y[i]!);
      if (!yTrain.includes(1) || !yTrain.includes(0)) continue;
      const { ensemble } = trainBalancedEnsemble(
        split.train.map((i) => X[i]!),
        yTrain,
        forest,
      );
      const XTest = split.test.map((i) => X[i]!);
      const yTest = split.test.map((i) => y[i]!);
      const p = ensemble.predictProba(XTest);
      const base = XTest.map((r) => r[baseCol]!);
      pooledY.push(...yTest);
      pooledP.push(...p);
      pooledBase.push(...base);
      const positives = yTest.filter((v) => v === 1).length;
      if (positives > 0 && positives < yTest.length) {
        permutationImportance((m) => ensemble.predictProba(m), XTest, yTest, { seed: folds.length + 1 }).forEach(
          (v, j) => (importance[j]! += v * positives),
        );
        importanceWeight += positives;
      }
      folds.push({
        trainEnd: split.trainEnd,
        testStart: split.testStart,
        testEnd: split.testEnd,
        trainRows: split.train.length,
        testRows: split.test.length,
        testPositives: positives,
        rocAuc: rocAuc(yTest, p),
        prAuc: prAuc(yTest, p),
      });
    }
    return {
      rocAuc: rocAuc(pooledY, pooledP),
      prAuc: prAuc(pooledY, pooledP),
      classBalance: classBalance(y),
      folds,
      importances: names
        .map((name, j) => ({ name, importance: importanceWeight ? importance[j]! / importanceWeight : NaN }))
        .sort((a, b) => (b.importance || 0) - (a.importance || 0)),
      baseline: { feature: baselineFeature, rocAuc: rocAuc(pooledY, pooledBase), prAuc: prAuc(pooledY, pooledBase) },
    };
  }

  /**
   * Risk for one feature row, and the features that moved it: a feature's
   * contribution is risk(row) − risk(row with that feature at its training
   * median), so it reads "how much this value, compared with a typical one,
   * adds". Contributions need not sum to the risk (features interact).
   */
  predict(featuresRow: number[]): Prediction {
    const { ensemble, model } = this.trained();
    if (featuresRow.length !== model.featureNames.length) {
      throw new RangeError(`predict: ${featuresRow.length} values but the model has ${model.featureNames.length} features`);
    }
    const variants = [featuresRow, ...model.medians.map((m, j) => featuresRow.map((v, k) => (k === j ? m : v)))];
    const risks = ensemble.predictProba(variants).map((p) => correctForUndersampling(p, model.negativeRate));
    const risk = risks[0]!;
    const topFeatures = model.featureNames
      .map((name, j) => ({ name, value: featuresRow[j]!, contribution: risk - risks[j + 1]! }))
      .filter((f) => f.contribution !== 0)
      .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
      .slice(0, this.options.topK ?? 5);
    return { risk, topFeatures };
  }

  /** Training metadata: features, date, sources, sample counts. */
  get metadata(): Omit<InjuryModelJSON, 'forests' | 'format' | 'options'> {
    return structuredClone(this.trained().model);
  }

  /** The trained model as JSON. */
  toJSON(): InjuryModelJSON {
    const { ensemble, model } = this.trained();
    return { format: 'injury-predictor/1', ...structuredClone(model), options: { ...this.options }, forests: ensemble.toJSON() };
  }

  /** A predictor from `toJSON` output. */
  static fromJSON(json: InjuryModelJSON): InjuryPredictor {
    if (json?.format !== 'injury-predictor/1') throw new RangeError('InjuryPredictor.fromJSON: not an injury model (format must be "injury-predictor/1")');
    const p = new InjuryPredictor(json.options);
    const { forests, format: _f, options: _o, ...model } = json;
    p.ensemble = ForestEnsemble.fromJSON(forests);
    p.model = structuredClone(model);
    return p;
  }

  private trained(): { ensemble: ForestEnsemble; model: NonNullable<InjuryPredictor['model']> } {
    if (!this.ensemble || !this.model) throw new Error('InjuryPredictor: not trained (call train or fromJSON first)');
    return { ensemble: this.ensemble, model: this.model };
  }
}
