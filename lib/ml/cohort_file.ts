/**
 * The published runners' cohort file (`athlete ml evaluate`): read it, run the
 * paper's evaluation protocol, and optionally train and save the cohort model
 * that predictions fall back to for an athlete without a model of their own.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { ImportError } from '../core/models.ts';
import { cohortFeatureColumns, evaluateCohort, readCohortCsv, zScoreByAthlete } from './cohort.ts';
import type { CohortApproach, CohortRow } from './cohort.ts';
import { seededRandom } from './forest.ts';
import type { ForestOptions } from './forest.ts';
import { cohortModelPath, saveModel, type CohortEvaluation } from './model_file.ts';
import { InjuryPredictor } from './predictor.ts';

/**
 * Options of `evaluateCohortFile`. With the defaults a generated 43k-row day
 * file took about 2 minutes to evaluate and 30 s more to save a model, on two
 * shared cores.
 */
export interface CohortFileOptions {
  /** Which published file; detected from the header when absent. */
  approach?: CohortApproach;
  /** Repeated experiments (5). */
  repeats?: number;
  seed?: number;
  /** Rows drawn per class for each bag (256; the paper used 2,048). */
  samplesPerClass?: number;
  /** Bagged forests (5; the paper used 9). */
  bags?: number;
  /** Athletes held out for testing (10). */
  testAthletes?: number;
  /** Forest per bag (10 trees, 30 % of features, depth 6, leaves of 10). */
  forest?: ForestOptions;
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
  options: { repeats: number; seed: number; samplesPerClass: number; bags: number; testAthletes: number; forest: ForestOptions };
  /** Wall-clock seconds of the evaluation (and of training the saved model). */
  seconds: { evaluate: number; train?: number };
  savedModel?: string;
}

/** Cohort forest defaults: the paper's shape with fewer trees, since ml-random-forest's split search is quadratic in a node's rows. */
export const COHORT_FOREST: ForestOptions = { nEstimators: 10, maxFeatures: 0.3, maxDepth: 6, minNumSamples: 10 };

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

/** `count` row indices, athletes chosen uniformly, then a row within the athlete (as the paper's bags are drawn). */
function drawEvenly(groups: number[][], count: number, random: () => number): number[] {
  const out: number[] = [];
  for (let k = 0; k < count; k++) {
    const rows = groups[Math.floor(random() * groups.length)]!;
    out.push(rows[Math.floor(random() * rows.length)]!);
  }
  return out;
}

/**
 * A predictor of every cohort athlete's rows: positives and negatives drawn
 * evenly over athletes (`samplesPerClass` positives, `bags` × as many
 * negatives, so each balanced bag sees different negatives), z-scored per
 * athlete. The undersampling correction gets the true ratio of sampling rates
 * (positives / negatives of the file), so the risk is on the cohort's base rate.
 */
function trainCohortPredictor(rows: CohortRow[], o: { samplesPerClass: number; bags: number; seed: number; forest: ForestOptions; trainedAt: string }): InjuryPredictor {
  const X = zScoreByAthlete(rows);
  const pos = new Map<number, number[]>();
  const neg = new Map<number, number[]>();
  rows.forEach((r, i) => {
    const m = r.injury ? pos : neg;
    const list = m.get(r.athleteId);
    if (list) list.push(i);
    else m.set(r.athleteId, [i]);
  });
  const random = seededRandom(o.seed);
  const idx = [...drawEvenly([...pos.values()], o.samplesPerClass, random), ...drawEvenly([...neg.values()], o.samplesPerClass * o.bags, random)];
  const y = idx.map((i) => rows[i]!.injury as number);
  const predictor = new InjuryPredictor({ ...o.forest, bags: o.bags, seed: o.seed });
  predictor.train(
    idx.map((i) => X[i]!),
    y,
    {
      featureNames: cohortFeatureColumns('day'),
      sources: ['lovdal2021_runners_cohort'],
      injuryEvents: rows.filter((r) => r.injury === 1).length,
      trainedAt: o.trainedAt,
      horizonDays: 1,
    },
  );
  const json = predictor.toJSON();
  const positives = rows.filter((r) => r.injury === 1).length;
  // Within the drawn rows a bag keeps 1/bags of the negatives; the draw itself sampled negatives at positives/negatives the rate of positives.
  json.negativeRate = json.negativeRate * (positives / (rows.length - positives));
  return InjuryPredictor.fromJSON(json);
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
  const { repeats = 5, seed = 1, samplesPerClass = 256, bags = 5, testAthletes = 10 } = options;
  const forest = { ...COHORT_FOREST, ...options.forest };
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
  const result = evaluateCohort(data.rows, { repeats, seed, samplesPerClass, bags, testAthletes, forest });
  const evaluateSeconds = (performance.now() - t0) / 1000;
  const evaluation: CohortEvaluation = {
    approach,
    repeats: result.repeats.map(({ calibration: _c, calibrationAthletes: _a, ...r }) => r),
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
    options: { repeats, seed, samplesPerClass, bags, testAthletes, forest },
    seconds: { evaluate: evaluateSeconds },
  };
  if (options.save) {
    const t1 = performance.now();
    const trainedAt = (options.now ?? new Date()).toISOString();
    const predictor = trainCohortPredictor(data.rows, { samplesPerClass, bags, seed, forest, trainedAt });
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
      counts: { rows: out.rows, athletes: out.athletes, positives, drawnPerClass: samplesPerClass },
      evaluation,
      featureMapping: COHORT_FEATURE_MAPPING,
      predictor: predictor.toJSON(),
    });
    out.savedModel = modelPath;
  }
  return out;
}
