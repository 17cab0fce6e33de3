/**
 * Training the athlete's own injury model on their history (`athlete train`):
 * lineage filter, features and labels, a time-aware evaluation, the model
 * saved with it, and the evaluation stored in model_evaluations, which the
 * report and the notebooks read.
 */
import { existsSync, rmSync } from 'node:fs';
import type { Warehouse } from '../core/warehouse.ts';
import type { ClassBalance } from './evaluate.ts';
import { prepareFeatures } from './features.ts';
import { loadDailyRows } from './history.ts';
import { loadInjuries } from './injuries.ts';
import { athleteModelPath, saveModel } from './model_file.ts';
import { filterTrainable, InjuryPredictor, MIN_INJURIES, TooFewInjuriesError } from './predictor.ts';
import type { Calibration, PredictorOptions, TimeAwareReport } from './predictor.ts';

/** Options of `trainAthleteModel`. */
export interface TrainOptions {
  athleteId: string;
  modelDir: string;
  /** Days ahead an injury must begin in to label a day (7). */
  horizonDays?: number;
  /** Train on days that only Strava-API records make up too (false: Strava's API terms forbid it). */
  allowStravaApi?: boolean;
  /** Seed of the forests (1). */
  seed?: number;
  /** Forward-chaining folds of the evaluation (4). */
  nFolds?: number;
  /** Learner, bagging and minimum-injury settings (the predictor's defaults otherwise). */
  predictor?: PredictorOptions;
  /** Training instant (now). */
  now?: Date;
}

/** What `trainAthleteModel` did. */
export type TrainSummary =
  | {
      status: 'trained';
      athleteId: string;
      modelPath: string;
      trainedAt: string;
      horizonDays: number;
      /** Daily rows read, and how many were left out as Strava-API-only. */
      days: number;
      droppedStravaApiDays: number;
      sources: string[];
      injuryEvents: number;
      samples: ClassBalance;
      evaluation: TimeAwareReport | null;
      /** Why the evaluation could not run, when it could not. */
      evaluationNote?: string;
      calibration: Calibration;
    }
  | { status: 'too_few_injuries'; athleteId: string; injuries: number; recorded: number; message: string }
  | { status: 'no_data'; athleteId: string; message: string };

/** What one row of model_evaluations holds. */
interface EvaluationRow {
  athleteId: string;
  status: 'trained' | 'too_few_injuries' | 'no_data';
  message: string | null;
  trainedAt: string;
  horizonDays: number;
  injuriesRecorded: number;
  injuryEvents: number;
  minInjuries: number;
  evaluation: TimeAwareReport | null;
  calibration: Calibration | null;
}

/** Replace the athlete's row of model_evaluations (model 'athlete'). */
async function saveEvaluation(wh: Warehouse, r: EvaluationRow): Promise<void> {
  const e = r.evaluation;
  const b = e?.bootstrap ?? null;
  const finite = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) ? v : null);
  await wh.run(
    `INSERT OR REPLACE INTO model_evaluations (athlete_id, model, status, message, trained_at, horizon_days, injuries_recorded, injury_events,
       min_injuries, roc_auc, roc_auc_low, roc_auc_high, pr_auc, pr_auc_low, pr_auc_high, prevalence, baseline_feature, baseline_roc_auc,
       baseline_pr_auc, beats_baseline, calibration, report)
     VALUES (?, 'athlete', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      r.athleteId,
      r.status,
      r.message,
      new Date(r.trainedAt),
      r.horizonDays,
      r.injuriesRecorded,
      r.injuryEvents,
      r.minInjuries,
      finite(e?.rocAuc),
      finite(b?.rocAuc.low),
      finite(b?.rocAuc.high),
      finite(e?.prAuc),
      finite(b?.prAuc.low),
      finite(b?.prAuc.high),
      finite(e?.classBalance.prevalence),
      e?.baseline.feature ?? null,
      finite(e?.baseline.rocAuc),
      finite(e?.baseline.prAuc),
      e ? e.beatsBaseline : null,
      r.calibration,
      e ? JSON.stringify(e) : null,
    ],
  );
}

/**
 * Train the athlete's model on their history in daily_metrics and injuries:
 * lineage filter, features and labels, the time-aware evaluation (forward
 * chaining, ROC and PR AUC with bootstrap intervals, per fold, class
 * balance, permutation importances, the ACWR-only baseline), then a model on
 * all of it, Platt-calibrated on the evaluation's test days, saved with its
 * lineage and evaluation. The outcome, also when there are too few injuries
 * for a personal model (a status, not an exception; a model saved earlier is
 * then removed, so no prediction comes from it), is stored in model_evaluations.
 */
export async function trainAthleteModel(wh: Warehouse, options: TrainOptions): Promise<TrainSummary> {
  const { athleteId, modelDir, horizonDays = 7, allowStravaApi = false, seed = 1, nFolds = 4 } = options;
  const trainedAt = (options.now ?? new Date()).toISOString();
  const minInjuries = options.predictor?.minInjuries ?? MIN_INJURIES;
  const all = await loadDailyRows(wh, athleteId);
  const injuries = await loadInjuries(wh, athleteId);
  const base = { athleteId, trainedAt, horizonDays, injuriesRecorded: injuries.length, minInjuries, evaluation: null, calibration: null };
  if (all.length === 0) {
    const message = `${athleteId}: no rows in daily_metrics; run \`athlete analyze\` first`;
    await saveEvaluation(wh, { ...base, status: 'no_data', message, injuryEvents: 0 });
    return { status: 'no_data', athleteId, message };
  }
  const trainable = filterTrainable(all, { allowStravaApi });
  const set = prepareFeatures(trainable.days, injuries, { horizonDays });
  const predictor = new InjuryPredictor({ ...options.predictor, seed });
  const modelPath = athleteModelPath(modelDir, athleteId);
  try {
    predictor.train(set.X, set.y, { featureNames: set.featureNames, sources: set.sources, injuryEvents: set.injuryEvents, trainedAt, horizonDays });
  } catch (e) {
    if (!(e instanceof TooFewInjuriesError)) throw e;
    const message =
      `${athleteId}: ${e.injuries} injur${e.injuries === 1 ? 'y' : 'ies'} usable for training (${injuries.length} recorded); ` +
      `a personal model needs ${e.needed}, as fewer leave the forward-in-time evaluation without injuries to score. ` +
      'Predictions use the cohort model when there is one (`athlete ml evaluate --cohort PATH --save`), else the ACWR bands.';
    if (existsSync(modelPath)) rmSync(modelPath);
    await saveEvaluation(wh, { ...base, status: 'too_few_injuries', message, injuryEvents: e.injuries });
    return { status: 'too_few_injuries', athleteId, injuries: e.injuries, recorded: injuries.length, message };
  }
  let evaluation: TimeAwareReport | null = null;
  let evaluationNote: string | undefined;
  try {
    evaluation = new InjuryPredictor({ ...options.predictor, seed }).evaluateTimeAware(set.X, set.y, set.rows, {
      nFolds,
      gapDays: horizonDays,
      featureNames: set.featureNames,
    });
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    evaluationNote = e.message;
  }
  if (evaluation?.platt) predictor.calibrate(evaluation.platt, 'platt_forward_chaining');
  const meta = predictor.metadata;
  saveModel(modelPath, modelDir, {
    format: 'athlete-injury-model/1',
    kind: 'athlete',
    athleteId,
    trainedAt,
    horizonDays,
    featureNames: meta.featureNames,
    sources: meta.sources,
    counts: {
      days: all.length,
      droppedStravaApiDays: trainable.dropped,
      injuriesRecorded: injuries.length,
      injuryEvents: set.injuryEvents,
      samples: set.y.length,
      positives: meta.samples.positives,
    },
    evaluation,
    predictor: predictor.toJSON(),
  });
  await saveEvaluation(wh, { ...base, status: 'trained', message: evaluationNote ?? null, injuryEvents: set.injuryEvents, evaluation, calibration: meta.calibration });
  return {
    status: 'trained',
    athleteId,
    modelPath,
    trainedAt,
    horizonDays,
    days: all.length,
    droppedStravaApiDays: trainable.dropped,
    sources: meta.sources,
    injuryEvents: set.injuryEvents,
    samples: meta.samples,
    evaluation,
    ...(evaluationNote === undefined ? {} : { evaluationNote }),
    calibration: meta.calibration,
  };
}
