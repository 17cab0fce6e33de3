/**
 * The injury-risk predictor: balanced-bagged gradient-boosted trees over the
 * features of `features.ts`, evaluated forward in time, explained per
 * prediction, saved as JSON with its lineage.
 *
 * Risk is a probability of an injury beginning within the horizon. When the
 * forward-chaining evaluation could fit one, it is Platt-calibrated on that
 * evaluation's test days (scores from models that never saw those days,
 * the cross-validated calibration of scikit-learn's CalibratedClassifierCV
 * with ensemble=False); otherwise it is the ensemble's probability with the
 * undersampling prior shift undone (`correctForUndersampling`), which is on
 * the scale of the training data's base rate but not calibrated.
 */
import { applyPlatt, fitPlatt, type Platt } from './calibration.ts';
import { correctForUndersampling, Ensemble, permutationImportance, trainBalancedEnsemble } from './ensemble.ts';
import type { BalancedOptions, ModelJSON } from './ensemble.ts';
import { blockBootstrapAucs, classBalance, forwardChainingSplits, prAuc, rocAuc } from './evaluate.ts';
import type { BootstrapAucs, ClassBalance } from './evaluate.ts';
import { prepareFeatures } from './features.ts';
import type { DailyRow, FeatureSet, InjuryRecord, PrepareOptions } from './features.ts';
import { dayNumber } from '../analysis/daily.ts';

/** Lineage tag of records fetched through the Strava API. */
export const STRAVA_API_TAG = 'strava_api';

/**
 * Fewest injuries behind a personal model. With fewer, four forward-chaining
 * test blocks hold one injury or none each, so no fold can be scored and the
 * evaluation says nothing; below it predictions fall back to the cohort model
 * or to the ACWR bands.
 */
export const MIN_INJURIES = 8;

/**
 * The athlete model's learner: gradient-boosted trees, shallow and slowly
 * learning (a bag holds a few dozen positives), each tree on 80 % of the rows
 * and features so the bags differ beyond their negatives.
 */
export const ATHLETE_LEARNER: BalancedOptions = {
  learner: 'boosting',
  boosting: { nEstimators: 200, learningRate: 0.05, maxDepth: 3, subsample: 0.8, colsampleByTree: 0.8 },
};

/** Options of `InjuryPredictor`. */
export interface PredictorOptions extends BalancedOptions {
  /** Fewest injury events `train` accepts (`MIN_INJURIES`). */
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

/** How a predictor's risk is calibrated (see the module comment). */
export type Calibration = 'platt_forward_chaining' | 'platt_calibration_athletes' | 'uncalibrated';

/** A saved model. */
export interface InjuryModelJSON {
  format: 'injury-predictor/2';
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
  /** Platt fit of the ensemble's probability, and where it was fitted; null when uncalibrated. */
  platt: Platt | null;
  calibration: Calibration;
  options: PredictorOptions;
  models: ModelJSON[];
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

/** One fold of the forward-chaining evaluation: its dates, sizes, and the model's and the baseline's scores on its test block. */
export interface FoldReport extends ScoreMetrics {
  trainEnd: string;
  testStart: string;
  testEnd: string;
  trainRows: number;
  testRows: number;
  testPositives: number;
  /** Injuries whose label window falls in the test block. */
  testInjuries: number;
  baseline: ScoreMetrics;
}

/** One test day of the evaluation: its label, the model's out-of-fold probability and the baseline's value. */
export interface TestScore {
  date: string;
  label: number;
  /** The ensemble's probability (balanced scale, before calibration). */
  score: number;
  baseline: number;
}

/** Result of `evaluateTimeAware`. */
export interface TimeAwareReport extends ScoreMetrics {
  classBalance: ClassBalance;
  /** Each fold's dates and metrics on its test block (NaN where a block holds no injury). */
  folds: FoldReport[];
  /** Permutation importance (drop in ROC AUC) on the test blocks, weighted by their positives; largest first. */
  importances: { name: string; importance: number }[];
  /** The same metrics for the ACWR (EWMA) value used directly as the risk score. */
  baseline: ScoreMetrics & { feature: string };
  /** 95 % block-bootstrap intervals (weeks resampled); null without both classes in the test days. */
  bootstrap: BootstrapAucs | null;
  /**
   * True when the model ranks better than the baseline beyond chance (the
   * interval of its ROC AUC gain lies above 0) and its PR AUC is not lower.
   */
  beatsBaseline: boolean;
  /** Platt fit of the out-of-fold probabilities; null when the test days lack a class. */
  platt: Platt | null;
  /** Every test day, oldest first. */
  scores: TestScore[];
}

/** Thrown by `train` when there are too few injuries; the caller falls back to the cohort model. */
export class TooFewInjuriesError extends Error {
  constructor(
    readonly injuries: number,
    readonly needed: number,
  ) {
    super(`too few injuries to learn from: ${injuries} (a personal model needs ${needed}); falling back to the cohort model`);
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
  private ensemble: Ensemble | null = null;
  private model: Omit<InjuryModelJSON, 'models' | 'format' | 'options'> | null = null;
  readonly options: PredictorOptions;

  /** Options over the athlete defaults (`ATHLETE_LEARNER`, `MIN_INJURIES`). */
  constructor(options: PredictorOptions = {}) {
    this.options = { ...ATHLETE_LEARNER, ...options };
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
    const { minInjuries = MIN_INJURIES, topK: _topK, ...learner } = this.options;
    if (X.length !== y.length) throw new RangeError(`train: ${X.length} rows but ${y.length} labels`);
    if (X[0] && X[0].length !== meta.featureNames.length) {
      throw new RangeError(`train: rows have ${X[0].length} features but ${meta.featureNames.length} feature names`);
    }
    const events = meta.injuryEvents;
    if (events < minInjuries) throw new TooFewInjuriesError(events, minInjuries);
    if (!y.includes(0) || !y.includes(1)) throw new RangeError('train: labels need both injury-free (0) and pre-injury (1) days');
    const { ensemble, negativeRate } = trainBalancedEnsemble(X, y, learner);
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
      platt: null,
      calibration: 'uncalibrated',
    };
    return this;
  }

  /** Calibrate the trained model's risk with a Platt fit made on rows it was not trained on (`calibration` says which). */
  calibrate(platt: Platt, calibration: Exclude<Calibration, 'uncalibrated'>): this {
    const { model } = this.trained();
    model.platt = { ...platt };
    model.calibration = calibration;
    return this;
  }

  /**
   * Forward-chaining evaluation (see `forwardChainingSplits`): per fold a
   * fresh model on the earlier days only, training rows within `gapDays` of
   * the test block purged (default 7, the label horizon). ROC and PR AUC are
   * over the pooled test predictions, with 95 % intervals from a bootstrap of
   * whole weeks and per fold; the ACWR-only baseline is scored on the same
   * days; the pooled out-of-fold probabilities get a Platt fit. Folds without
   * a positive in training are skipped. Does not change the trained model.
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
    const { minInjuries: _m, topK: _t, ...learner } = this.options;
    const pooledY: number[] = [];
    const pooledP: number[] = [];
    const pooledBase: number[] = [];
    const importance = new Array<number>(names.length).fill(0);
    let importanceWeight = 0;
    const folds: TimeAwareReport['folds'] = [];
    const scores: TestScore[] = [];
    for (const split of forwardChainingSplits(rows.map((r) => r.date), nFolds, { gapDays })) {
      const yTrain = split.train.map((i) => y[i]!);
      if (!yTrain.includes(1) || !yTrain.includes(0)) continue;
      const { ensemble } = trainBalancedEnsemble(
        split.train.map((i) => X[i]!),
        yTrain,
        learner,
      );
      const XTest = split.test.map((i) => X[i]!);
      const yTest = split.test.map((i) => y[i]!);
      const p = ensemble.predictProba(XTest);
      const base = XTest.map((r) => r[baseCol]!);
      pooledY.push(...yTest);
      pooledP.push(...p);
      pooledBase.push(...base);
      split.test.forEach((i, k) => scores.push({ date: rows[i]!.date, label: yTest[k]!, score: p[k]!, baseline: base[k]! }));
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
        // A run of positive days is one injury's label window.
        testInjuries: yTest.filter((v, k) => v === 1 && (k === 0 || yTest[k - 1] === 0)).length,
        rocAuc: rocAuc(yTest, p),
        prAuc: prAuc(yTest, p),
        baseline: { rocAuc: rocAuc(yTest, base), prAuc: prAuc(yTest, base) },
      });
    }
    const both = pooledY.includes(0) && pooledY.includes(1);
    const bootstrap = both
      ? blockBootstrapAucs(pooledY, pooledP, pooledBase, scores.map((s) => Math.floor(dayNumber(s.date) / 7)), { seed: this.options.seed ?? 1 })
      : null;
    const roc = rocAuc(pooledY, pooledP);
    const pr = prAuc(pooledY, pooledP);
    const baseline = { feature: baselineFeature, rocAuc: rocAuc(pooledY, pooledBase), prAuc: prAuc(pooledY, pooledBase) };
    return {
      rocAuc: roc,
      prAuc: pr,
      classBalance: classBalance(y),
      folds,
      importances: names
        .map((name, j) => ({ name, importance: importanceWeight ? importance[j]! / importanceWeight : NaN }))
        .sort((a, b) => (b.importance || 0) - (a.importance || 0)),
      baseline,
      bootstrap,
      beatsBaseline: bootstrap !== null && bootstrap.rocAucGain.low > 0 && pr >= baseline.prAuc,
      platt: both ? fitPlatt(pooledP, pooledY) : null,
      scores,
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
    const platt = model.platt;
    const risks = ensemble.predictProba(variants).map((p) => (platt ? applyPlatt(platt, p) : correctForUndersampling(p, model.negativeRate)));
    const risk = risks[0]!;
    const topFeatures = model.featureNames
      .map((name, j) => ({ name, value: featuresRow[j]!, contribution: risk - risks[j + 1]! }))
      .filter((f) => f.contribution !== 0)
      .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
      .slice(0, this.options.topK ?? 5);
    return { risk, topFeatures };
  }

  /** Training metadata: features, date, sources, sample counts, calibration. */
  get metadata(): Omit<InjuryModelJSON, 'models' | 'format' | 'options'> {
    return structuredClone(this.trained().model);
  }

  /** The ensemble's probability for rows (balanced scale, before calibration or prior correction). */
  rawScores(X: number[][]): number[] {
    return this.trained().ensemble.predictProba(X);
  }

  /** The trained model as JSON. */
  toJSON(): InjuryModelJSON {
    const { ensemble, model } = this.trained();
    return { format: 'injury-predictor/2', ...structuredClone(model), options: { ...this.options }, models: ensemble.toJSON() };
  }

  /** A predictor from `toJSON` output; a model saved by an earlier version is refused with what to do. */
  static fromJSON(json: InjuryModelJSON): InjuryPredictor {
    if (json?.format !== 'injury-predictor/2') {
      throw new RangeError('InjuryPredictor.fromJSON: not an injury model of this version (format must be "injury-predictor/2"): train it again');
    }
    const p = new InjuryPredictor(json.options);
    const { models, format: _f, options: _o, ...model } = json;
    p.ensemble = Ensemble.fromJSON(models);
    p.model = structuredClone(model);
    return p;
  }

  private trained(): { ensemble: Ensemble; model: NonNullable<InjuryPredictor['model']> } {
    if (!this.ensemble || !this.model) throw new Error('InjuryPredictor: not trained (call train or fromJSON first)');
    return { ensemble: this.ensemble, model: this.model };
  }
}
