/**
 * Training the athlete's own injury model on their history (`athlete train`):
 * lineage filter, features and labels, a time-aware evaluation, and the model
 * saved with both.
 */
import type { SqlRunner } from '../core/warehouse.ts';
import type { ClassBalance } from './evaluate.ts';
import { prepareFeatures } from './features.ts';
import { loadDailyRows } from './history.ts';
import { loadInjuries } from './injuries.ts';
import { athleteModelPath, saveModel } from './model_file.ts';
import { filterTrainable, InjuryPredictor, TooFewInjuriesError } from './predictor.ts';
import type { PredictorOptions, TimeAwareReport } from './predictor.ts';

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
  /** Forest and bagging settings (the predictor's defaults otherwise). */
  forest?: PredictorOptions;
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
    }
  | { status: 'too_few_injuries'; athleteId: string; injuries: number; recorded: number; message: string }
  | { status: 'no_data'; athleteId: string; message: string };

/**
 * Train the athlete's model on their history in daily_metrics and injuries:
 * lineage filter, features and labels, the time-aware evaluation (forward
 * chaining, ROC and PR AUC, class balance, permutation importances, the
 * ACWR-only baseline), then a model on all of it, saved with its lineage and
 * evaluation. Too few injuries is a status, not an exception.
 */
export async function trainAthleteModel(wh: SqlRunner, options: TrainOptions): Promise<TrainSummary> {
  const { athleteId, modelDir, horizonDays = 7, allowStravaApi = false, seed = 1, nFolds = 4 } = options;
  const all = await loadDailyRows(wh, athleteId);
  if (all.length === 0) {
    return { status: 'no_data', athleteId, message: `${athleteId}: no rows in daily_metrics; run \`athlete analyze\` first` };
  }
  const injuries = await loadInjuries(wh, athleteId);
  const trainable = filterTrainable(all, { allowStravaApi });
  const set = prepareFeatures(trainable.days, injuries, { horizonDays });
  const trainedAt = (options.now ?? new Date()).toISOString();
  const predictor = new InjuryPredictor({ ...options.forest, seed });
  try {
    predictor.train(set.X, set.y, { featureNames: set.featureNames, sources: set.sources, injuryEvents: set.injuryEvents, trainedAt, horizonDays });
  } catch (e) {
    if (!(e instanceof TooFewInjuriesError)) throw e;
    const need = predictor.options.minInjuries ?? 5;
    return {
      status: 'too_few_injuries',
      athleteId,
      injuries: e.injuries,
      recorded: injuries.length,
      message:
        `${athleteId}: ${e.injuries} injur${e.injuries === 1 ? 'y' : 'ies'} usable for training (${injuries.length} recorded; need ${need}). ` +
        'Predictions fall back to the cohort model (`athlete ml evaluate --cohort PATH --save`).',
    };
  }
  let evaluation: TimeAwareReport | null = null;
  let evaluationNote: string | undefined;
  try {
    evaluation = new InjuryPredictor({ ...options.forest, seed }).evaluateTimeAware(set.X, set.y, set.rows, {
      nFolds,
      gapDays: horizonDays,
      featureNames: set.featureNames,
    });
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    evaluationNote = e.message;
  }
  const modelPath = athleteModelPath(modelDir, athleteId);
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
  };
}
