/**
 * The injury predictor's I/O edge: recording injuries, reading the daily
 * rows (with data lineage) from the warehouse, training and saving an
 * athlete's model, predicting into the `predictions` table, and evaluating
 * (and saving) a model of the public runners' cohort. What the CLI's
 * `athlete injuries add`, `train`, `predict` and `ml evaluate` call.
 *
 * Model files are JSON in a model folder: `<athlete>.model.json` (the athlete
 * id URI-encoded) and `cohort.model.json`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { dayNumber } from '../analysis/daily.ts';
import type { ImportError } from '../core/models.ts';
import type { SqlRunner, Warehouse } from '../core/warehouse.ts';
import { cohortFeatureColumns, evaluateCohort, readCohortCsv, zScoreByAthlete } from './cohort.ts';
import type { CohortApproach, CohortRepeat, CohortRow } from './cohort.ts';
import { cohortDayFeatures } from './cohort_map.ts';
import type { CohortWorkout } from './cohort_map.ts';
import type { ClassBalance } from './evaluate.ts';
import { featureRows, prepareFeatures } from './features.ts';
import type { DailyRow, InjuryRecord } from './features.ts';
import { seededRandom } from './forest.ts';
import type { ForestOptions } from './forest.ts';
import { filterTrainable, InjuryPredictor, STRAVA_API_TAG, TooFewInjuriesError } from './predictor.ts';
import type { InjuryModelJSON, Prediction, PredictorOptions, TimeAwareReport } from './predictor.ts';

// ---------------------------------------------------------------- injuries

/** Accepted severities; anything else belongs in the notes. */
export const INJURY_SEVERITIES = ['minor', 'moderate', 'severe'] as const;
export type InjurySeverity = (typeof INJURY_SEVERITIES)[number];

/** An injury as the user enters it. */
export interface InjuryInput {
  athleteId: string;
  /** Local date the injury began, YYYY-MM-DD. */
  date: string;
  /** Body area, e.g. "calf"; stored trimmed and lower-case. */
  area: string;
  /** minor | moderate | severe (any case); free text goes in `notes`. */
  severity?: string | null;
  notes?: string | null;
}

/** The stored injury row. */
export interface InjuryRow {
  athlete_id: string;
  date: string;
  area: string;
  severity: InjurySeverity | null;
  notes: string | null;
  source: 'manual';
  /** True when a row for the same athlete, date and area was already there and was replaced. */
  replaced: boolean;
}

/** The latest calendar date anywhere on Earth now (UTC+14), so an athlete's "today" is never refused. */
function latestLocalToday(now: Date): string {
  return new Date(now.getTime() + 14 * 3_600_000).toISOString().slice(0, 10);
}

/**
 * Record an injury (source 'manual'). Validates: athlete id and area
 * non-empty; date a real YYYY-MM-DD no later than today (in the
 * easternmost time zone, or `options.today`); severity one of
 * minor|moderate|severe. Throws a RangeError naming the field otherwise.
 * Idempotent: the same athlete, date and area replace the earlier row.
 */
export async function addInjury(wh: Warehouse, input: InjuryInput, options: { today?: string; now?: Date } = {}): Promise<InjuryRow> {
  const athleteId = input.athleteId?.trim() ?? '';
  if (!athleteId) throw new RangeError('injury athlete: must not be empty');
  const date = input.date?.trim() ?? '';
  dayNumber(date, 'injury date');
  const today = options.today ?? latestLocalToday(options.now ?? new Date());
  if (date > today) throw new RangeError(`injury date: ${date} is in the future (today is ${today})`);
  const area = input.area?.trim().toLowerCase() ?? '';
  if (!area) throw new RangeError('injury area: must not be empty (e.g. "calf", "knee", "achilles")');
  let severity: InjurySeverity | null = null;
  const sev = input.severity?.trim().toLowerCase();
  if (sev) {
    if (!(INJURY_SEVERITIES as readonly string[]).includes(sev)) {
      throw new RangeError(`injury severity: "${input.severity}" is not one of ${INJURY_SEVERITIES.join(', ')} (put free text in the notes)`);
    }
    severity = sev as InjurySeverity;
  }
  const notes = input.notes?.trim() || null;
  const before = await wh.all<{ n: number }>('SELECT count(*) AS n FROM injuries WHERE athlete_id = ? AND date = ? AND area = ?', [athleteId, date, area]);
  await wh.run('INSERT OR REPLACE INTO injuries VALUES (?, ?, ?, ?, ?, ?)', [athleteId, date, area, severity, notes, 'manual']);
  return { athlete_id: athleteId, date, area, severity, notes, source: 'manual', replaced: (before[0]?.n ?? 0) > 0 };
}

/** Injuries from the warehouse, oldest first. */
export async function loadInjuries(wh: SqlRunner, athleteId?: string): Promise<InjuryRecord[]> {
  const where = athleteId === undefined ? '' : 'WHERE athlete_id = ?';
  return wh.all<InjuryRecord>(`SELECT athlete_id, date, area, severity FROM injuries ${where} ORDER BY athlete_id, date, area`, athleteId === undefined ? [] : [athleteId]);
}

// ---------------------------------------------------------------- daily rows

interface DailyMetricsRow {
  athlete_id: string;
  date: string;
  load: number;
  sessions: number;
  high_intensity_min: number | null;
  acwr_rolling: number | null;
  acwr_ewma: number | null;
  ctl: number | null;
  atl: number | null;
  tsb: number | null;
  monotony: number | null;
  strain: number | null;
  sleep_s: number | null;
  sleep_efficiency: number | null;
  hrv_ln_rmssd_7d: number | null;
  hrv_baseline: number | null;
  resting_hr: number | null;
  rhr_baseline: number | null;
  diversity_28d: number | null;
  sources: string | null;
  tags: string | null;
}

const splitTags = (s: string | null): string[] => (s ? s.split(',').filter(Boolean) : []);

/**
 * The athlete's (or every athlete's) rows of daily_metrics as `DailyRow`s,
 * sorted by athlete and date. A day's `sources` are the lineage tags of the
 * source records behind its workouts: the source name, or 'strava_api' for a
 * record fetched through the Strava API (`raw_data.via`), so `filterTrainable`
 * can leave out API-only days. A day whose workouts are no longer in the
 * warehouse keeps daily_metrics' own source list.
 */
export async function loadDailyRows(wh: SqlRunner, athleteId?: string): Promise<DailyRow[]> {
  const rows = await wh.all<DailyMetricsRow>(
    `WITH records AS (
       SELECT w.athlete_id, w.local_date AS date,
              CASE WHEN sw.raw_data->>'via' = '${STRAVA_API_TAG}' THEN '${STRAVA_API_TAG}' ELSE ws.source END AS tag
       FROM workouts_local w
       JOIN workout_sources ws ON ws.workout_id = w.workout_id
       LEFT JOIN source_workouts sw ON sw.record_id = ws.record_id),
     tags AS (SELECT athlete_id, date, string_agg(DISTINCT tag, ',' ORDER BY tag) AS tags FROM records GROUP BY athlete_id, date)
     SELECT d.athlete_id, d.date, d.load, d.sessions, d.high_intensity_min, d.acwr_rolling, d.acwr_ewma, d.ctl, d.atl, d.tsb,
            d.monotony, d.strain, d.sleep_s, d.sleep_efficiency, d.hrv_ln_rmssd_7d, d.hrv_baseline, d.resting_hr, d.rhr_baseline,
            d.diversity_28d, d.sources, t.tags
     FROM daily_metrics d LEFT JOIN tags t ON t.athlete_id = d.athlete_id AND t.date = d.date
     ${athleteId === undefined ? '' : 'WHERE d.athlete_id = ?'}
     ORDER BY d.athlete_id, d.date`,
    athleteId === undefined ? [] : [athleteId],
  );
  return rows.map((r) => ({
    athlete_id: r.athlete_id,
    date: r.date,
    load: r.load,
    acwr_ewma: r.acwr_ewma,
    acwr_rolling: r.acwr_rolling,
    ctl: r.ctl,
    atl: r.atl,
    tsb: r.tsb,
    monotony: r.monotony,
    strain: r.strain,
    sleep_h: r.sleep_s === null ? null : r.sleep_s / 3600,
    sleep_efficiency: r.sleep_efficiency,
    hrv_ln_rmssd_7d: r.hrv_ln_rmssd_7d,
    hrv_baseline: r.hrv_baseline,
    resting_hr: r.resting_hr,
    rhr_baseline: r.rhr_baseline,
    diversity_28d: r.diversity_28d,
    high_intensity_min: r.high_intensity_min,
    sessions: r.sessions,
    sources: r.tags !== null ? splitTags(r.tags) : splitTags(r.sources),
  }));
}

/** The athlete's workouts on their local days, in the shape `cohortDayFeatures` takes. */
export async function loadCohortWorkouts(wh: SqlRunner, athleteId: string): Promise<CohortWorkout[]> {
  return wh.all<CohortWorkout>(
    `SELECT local_date AS date, sport, sport_category, duration_s, distance_m, avg_hr, perceived_exertion
     FROM workouts_local WHERE athlete_id = ? ORDER BY start_time, workout_id`,
    [athleteId],
  );
}

// ---------------------------------------------------------------- model files

/** A model file as saved by `trainAthleteModel` or `evaluateCohortFile`. */
export interface SavedModel {
  format: 'athlete-injury-model/1';
  kind: 'athlete' | 'cohort';
  /** The athlete the model was trained on; null for the cohort. */
  athleteId: string | null;
  trainedAt: string;
  /** An injury beginning within this many days after the scored day is what the risk is of. */
  horizonDays: number;
  featureNames: string[];
  /** Lineage tags of the training data. */
  sources: string[];
  counts: Record<string, number>;
  /** Athlete: the time-aware report (NaN saved as null); cohort: the protocol's result; null when it could not run. */
  evaluation: TimeAwareReport | CohortEvaluation | null;
  /** Cohort models: how an athlete's data is mapped to the cohort's features. */
  featureMapping?: string;
  predictor: InjuryModelJSON;
}

/** The athlete model's path: `<modelDir>/<athlete id, URI-encoded>.model.json`. */
export function athleteModelPath(modelDir: string, athleteId: string): string {
  return join(modelDir, `${encodeURIComponent(athleteId)}.model.json`);
}

/** The cohort model's path: `<modelDir>/cohort.model.json`. */
export function cohortModelPath(modelDir: string): string {
  return join(modelDir, 'cohort.model.json');
}

function saveModel(path: string, dir: string, model: SavedModel): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path, JSON.stringify(model));
}

/** Read a saved model file; throws naming the file when it is not one. */
export function readModelFile(path: string): SavedModel {
  let json: SavedModel;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as SavedModel;
  } catch (e) {
    throw new Error(`${path}: cannot read the model file: ${(e as Error).message}`);
  }
  if (json?.format !== 'athlete-injury-model/1' || !json.predictor) {
    throw new Error(`${path}: not a saved injury model (format must be "athlete-injury-model/1")`);
  }
  return json;
}

// ---------------------------------------------------------------- train

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

// ---------------------------------------------------------------- predict

/** Options of `predictRisk`. */
export interface PredictOptions {
  athleteId: string;
  modelDir: string;
  /**
   * How many of the latest days to score, each from its own features (7): the
   * latest day is "today", the others show the trend. Nothing is forecast
   * beyond the latest day: its risk already covers the model's horizon.
   */
  days?: number;
  /** Which model: the athlete's when present, else the cohort's ('auto', the default). */
  model?: 'auto' | 'athlete' | 'cohort';
  now?: Date;
}

/** A row written to `predictions`. */
export interface PredictionRow {
  athlete_id: string;
  /** The day whose features were scored. */
  date: string;
  /** The risk is of an injury beginning within this many days after `date`. */
  horizon_days: number;
  risk: number;
  model: 'athlete' | 'cohort';
  top_features: Prediction['topFeatures'];
  computed_at: Date;
}

/** What `predictRisk` did. */
export type PredictSummary =
  | { status: 'ok'; athleteId: string; model: 'athlete' | 'cohort'; modelPath: string; latestDate: string; horizonDays: number; predictions: PredictionRow[] }
  | { status: 'no_model' | 'no_data'; athleteId: string; message: string };

/**
 * Score the athlete's latest `days` days with their own model, or the cohort
 * model when they have none (see `PredictOptions.model`), write the rows to
 * `predictions` (replacing rows of the same athlete, date and model) and
 * return them, oldest first. Prediction uses every day, Strava-API ones
 * included: the terms forbid training on them, not showing an athlete a
 * score. The athlete model's risk is of an injury within its training horizon;
 * the cohort model's within one day (the cohort's label: an injury the next day).
 */
export async function predictRisk(wh: Warehouse, options: PredictOptions): Promise<PredictSummary> {
  const { athleteId, modelDir, days = 7, model = 'auto' } = options;
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`predict days: must be a positive whole number, got ${days}`);
  const own = athleteModelPath(modelDir, athleteId);
  const cohort = cohortModelPath(modelDir);
  const path = model === 'athlete' || (model === 'auto' && existsSync(own)) ? own : cohort;
  if (!existsSync(path)) {
    const message =
      model === 'athlete'
        ? `${athleteId}: no athlete model at ${own}; run \`athlete train\``
        : `${athleteId}: no model: neither ${own} nor ${cohort} exists; run \`athlete train\` (needs 5 or more recorded injuries) ` +
          'or `athlete ml evaluate --cohort PATH --save` to build the cohort model';
    return { status: 'no_model', athleteId, message };
  }
  const saved = readModelFile(path);
  const predictor = InjuryPredictor.fromJSON(saved.predictor);
  const daily = await loadDailyRows(wh, athleteId);
  if (daily.length === 0) {
    return { status: 'no_data', athleteId, message: `${athleteId}: no rows in daily_metrics; run \`athlete analyze\` first` };
  }
  const latestDate = daily[daily.length - 1]!.date;
  let scored: { date: string; values: number[] }[];
  if (saved.kind === 'athlete') {
    scored = featureRows(daily).slice(-days);
  } else {
    const workouts = await loadCohortWorkouts(wh, athleteId);
    const profile = await wh.all<{ max_hr: number | null }>('SELECT max_hr FROM athlete_profile WHERE athlete_id = ?', [athleteId]);
    const injuries = (await loadInjuries(wh, athleteId)).map((i) => i.date);
    const mapped = cohortDayFeatures(daily, workouts, { maxHr: profile[0]?.max_hr ?? null, injuries });
    scored = mapped.dates.map((date, i) => ({ date, values: mapped.X[i]! })).slice(-days);
  }
  const computedAt = options.now ?? new Date();
  const predictions: PredictionRow[] = scored.map((s) => {
    const p = predictor.predict(s.values);
    return { athlete_id: athleteId, date: s.date, horizon_days: saved.horizonDays, risk: p.risk, model: saved.kind, top_features: p.topFeatures, computed_at: computedAt };
  });
  await wh.run(
    `INSERT OR REPLACE INTO predictions VALUES ${predictions.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
    predictions.flatMap((p) => [p.athlete_id, p.date, p.horizon_days, p.risk, p.model, JSON.stringify(p.top_features), p.computed_at]),
  );
  return { status: 'ok', athleteId, model: saved.kind, modelPath: path, latestDate, horizonDays: saved.horizonDays, predictions };
}

// ---------------------------------------------------------------- cohort

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

/** The protocol's result as saved with a cohort model. */
export interface CohortEvaluation {
  approach: CohortApproach;
  repeats: Omit<CohortRepeat, 'calibration' | 'calibrationAthletes'>[];
  meanRocAuc: number;
  meanPrAuc: number;
  testAthletes: number[];
  testRows: number;
  testPositives: number;
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

