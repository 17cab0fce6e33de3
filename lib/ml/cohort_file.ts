/**
 * The published runners' cohort file (`athlete ml evaluate`): read it, run the
 * paper's evaluation protocol, and optionally train and save the cohort model
 * that predictions fall back to for an athlete without a model of their own.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { ImportError } from '../core/models.ts';
import { fitPlatt } from './calibration.ts';
import { cohortFeatureColumns, evaluateCohort, readCohortCsv, trainCohortBags, zScoreByAthlete } from './cohort.ts';
import type { CohortApproach, CohortRow } from './cohort.ts';
import type { LearnerOptions } from './ensemble.ts';
import { cohortModelPath, saveModel, type CohortEvaluation } from './model_file.ts';
import { InjuryPredictor } from './predictor.ts';
import { seededRandom } from '../core/random.ts';

/**
 * Options of `evaluateCohortFile`; the defaults are the paper's protocol (5
 * repeats, 9 bags of 2,048 rows per class, 10 test athletes, XGBoost's
 * settings on `GradientBoosting`).
 */
export interface CohortFileOptions extends LearnerOptions {
  /** Which published file; detected from the header when absent. */
  approach?: CohortApproach;
  /** Repeated experiments (5). */
  repeats?: number;
  seed?: number;
  /** Rows drawn per class for each bag (2,048). */
  samplesPerClass?: number;
  /** Bagged models (9). */
  bags?: number;
  /** Athletes held out for testing (10). */
  testAthletes?: number;
  /** A model folder: also train a model on every athlete and save it as `cohort.model.json` (day approach only). */
  save?: string;
  now?: Date;
}

/** What `evaluateCohortFile` did. */
export interface CohortFileResult extends CohortEvaluation {
  input: string;
  rows: number;
  athletes: number;
  positives: number;
  /** Rows skipped as unreadable (the first 20 are listed). */
  skipped: number;
  errors: ImportError[];
  options: { repeats: number; seed: number; samplesPerClass: number; bags: number; testAthletes: number; learner: string };
  /** Wall-clock seconds of the evaluation (and of training the saved model). */
  seconds: { evaluate: number; train?: number };
  savedModel?: string;
}

/** How a saved cohort model reads an athlete's data. */
export const COHORT_FEATURE_MAPPING =
  'Day approach, 7 days × 10 features, block ".6" = the latest day. From workouts: nr. sessions = workouts; total km = running km; ' +
  'km Z3-4 / km Z5-T1-T2 = a run\'s km by its average HR (70–90 % / ≥ 90 % of HRmax, Edwards zones), 0 without HRmax; km sprinting = 0; ' +
  'strength training = any STRENGTH workout; hours alternative = hours of other non-running workouts; perceived exertion = mean RPE/10 ' +
  '(0.5 unrecorded), trainingSuccess and recovery = 0.5; perceived fields −0.01 on rest days. Z-scored per athlete against their own ' +
  'windows not followed by an injury the next day. Risk: an injury beginning the next day.';

function detectApproach(header: string): CohortApproach | null {
  if (header.includes('total kms')) return 'week';
  if (header.includes('km Z3-4')) return 'day';
  return null;
}

/** Share of the athletes held out to calibrate the saved cohort model. */
const CALIBRATION_SHARE = 0.2;

/**
 * A predictor of every cohort athlete's rows, as the protocol trains one:
 * `bags` models on balanced draws spread evenly over the athletes (z-scored
 * per athlete), Platt-calibrated on a fifth of the athletes held out (at
 * least one with an injury), so its risk is a calibrated probability of an
 * injury the next day.
 */
function trainCohortPredictor(
  rows: CohortRow[],
  o: LearnerOptions & { samplesPerClass: number; bags: number; seed: number; trainedAt: string },
): InjuryPredictor {
  const X = zScoreByAthlete(rows);
  const y = rows.map((r) => r.injury as number);
  const byAthlete = new Map<number, { pos: number[]; neg: number[] }>();
  rows.forEach((r, i) => {
    const g = byAthlete.get(r.athleteId) ?? { pos: [], neg: [] };
    (r.injury ? g.pos : g.neg).push(i);
    byAthlete.set(r.athleteId, g);
  });
  const ids = [...byAthlete.keys()].sort((a, b) => a - b);
  const random = seededRandom(o.seed);
  const shuffled = ids.slice();
  for (let i = shuffled.length - 1; i > 0; i--) {
    const k = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[k]] = [shuffled[k]!, shuffled[i]!];
  }
  const calIds = shuffled.slice(0, Math.max(1, Math.round(CALIBRATION_SHARE * ids.length)));
  if (!calIds.some((id) => byAthlete.get(id)!.pos.length)) calIds[0] = shuffled.find((id) => byAthlete.get(id)!.pos.length && !calIds.includes(id))!;
  const fitIds = ids.filter((id) => !calIds.includes(id));
  const ensemble = trainCohortBags({ X, y, byAthlete }, fitIds, o);
  const cal = rows.flatMap((r, i) => (calIds.includes(r.athleteId) ? [i] : []));
  const platt = fitPlatt(ensemble.predictProba(cal.map((i) => X[i]!)), cal.map((i) => y[i]!));
  const featureNames = cohortFeatureColumns('day');
  const positives = y.filter((v) => v === 1).length;
  return InjuryPredictor.fromJSON({
    format: 'injury-predictor/2',
    featureNames,
    trainedAt: o.trainedAt,
    sources: ['lovdal2021_runners_cohort'],
    samples: { n: y.length, positives, negatives: y.length - positives, prevalence: positives / y.length },
    injuryEvents: positives,
    horizonDays: 1,
    // Z-scores: an athlete's typical value is 0.
    medians: featureNames.map(() => 0),
    negativeRate: 1,
    platt,
    calibration: 'platt_calibration_athletes',
    options: { learner: o.learner, boosting: o.boosting, forest: o.forest, bags: o.bags, seed: o.seed },
    models: ensemble.toJSON(),
  });
}

/**
 * Read a published cohort CSV (day or week approach, detected from the
 * header), run the paper's protocol (`evaluateCohort`) and return per-repeat
 * and mean AUCs. With `save`, also train a day-approach model on every athlete
 * and save it as the cohort model that `predictRisk` falls back to. Throws
 * naming the file when it cannot be read at all, or when `save` is asked of a
 * week file (an athlete's data is mapped to the day features only).
 */
export async function evaluateCohortFile(path: string, options: CohortFileOptions = {}): Promise<CohortFileResult> {
  const { repeats = 5, seed = 1, samplesPerClass = 2048, bags = 9, testAthletes = 10 } = options;
  const learner: LearnerOptions = { learner: options.learner, boosting: options.boosting, forest: options.forest };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`${path}: cannot read the cohort file: ${(e as Error).message}`);
  }
  const header = text.split('\n', 1)[0] ?? '';
  const approach = options.approach ?? detectApproach(header);
  if (!approach) throw new Error(`${path}: not a runners' cohort file: the header has neither the day-approach nor the week-approach columns`);
  if (options.save && approach !== 'day') {
    throw new Error(`${path}: --save needs the day-approach file: an athlete's data is mapped to the day-approach features only`);
  }
  const data = readCohortCsv(text, approach, basename(path));
  if (data.rows.length === 0) {
    throw new Error(`${path}: ${data.errors[0]?.reason ?? 'no data rows'}`);
  }
  const t0 = performance.now();
  const result = evaluateCohort(data.rows, { repeats, seed, samplesPerClass, bags, testAthletes, ...learner });
  const evaluateSeconds = (performance.now() - t0) / 1000;
  const evaluation: CohortEvaluation = {
    approach,
    repeats: result.repeats.map(({ calibration: _c, calibrationAthletes: _a, ...r }) => r),
    learner: learner.learner ?? 'boosting',
    bags,
    samplesPerClass,
    meanRocAuc: result.meanRocAuc,
    meanPrAuc: result.meanPrAuc,
    testAthletes: result.testAthletes,
    testRows: result.testRows,
    testPositives: result.testPositives,
  };
  const positives = data.rows.filter((r) => r.injury === 1).length;
  const out: CohortFileResult = {
    input: path,
    ...evaluation,
    rows: data.rows.length,
    athletes: new Set(data.rows.map((r) => r.athleteId)).size,
    positives,
    skipped: data.errors.length,
    errors: data.errors.slice(0, 20),
    options: { repeats, seed, samplesPerClass, bags, testAthletes, learner: learner.learner ?? 'boosting' },
    seconds: { evaluate: evaluateSeconds },
  };
  if (options.save) {
    const t1 = performance.now();
    const trainedAt = (options.now ?? new Date()).toISOString();
    const predictor = trainCohortPredictor(data.rows, { samplesPerClass, bags, seed, ...learner, trainedAt });
    out.seconds.train = (performance.now() - t1) / 1000;
    const modelPath = cohortModelPath(options.save);
    saveModel(modelPath, options.save, {
      format: 'athlete-injury-model/1',
      kind: 'cohort',
      athleteId: null,
      trainedAt,
      horizonDays: 1,
      featureNames: cohortFeatureColumns('day'),
      sources: predictor.metadata.sources,
      counts: { rows: out.rows, athletes: out.athletes, positives, drawnPerClass: samplesPerClass, bags },
      evaluation,
      featureMapping: COHORT_FEATURE_MAPPING,
      predictor: predictor.toJSON(),
    });
    out.savedModel = modelPath;
  }
  return out;
}
