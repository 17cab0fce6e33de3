/**
 * Scoring an athlete's latest days (`athlete predict`) with their own model
 * or the cohort's, into the `predictions` table: the one place a risk is
 * computed; the CLI, the report and the notebooks read those rows.
 */
import { existsSync } from 'node:fs';
import { acwrBand, type AcwrBand } from '../analysis/daily.ts';
import type { Warehouse } from '../core/warehouse.ts';
import { cohortDayFeatures } from './cohort_map.ts';
import { FEATURE_NAMES, featureRows } from './features.ts';
import { loadCohortWorkouts, loadDailyRows } from './history.ts';
import { loadInjuries } from './injuries.ts';
import { riskMeaning } from './meaning.ts';
import { athleteModelPath, cohortModelPath, readModelFile } from './model_file.ts';
import { InjuryPredictor } from './predictor.ts';
import type { Calibration, Prediction } from './predictor.ts';

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
  calibration: Calibration;
}

/** The rule of thumb shown when there is no model: the latest EWMA ACWR and its band (Gabbett 2016). */
export interface AcwrFallback {
  date: string;
  acwrEwma: number | null;
  band: AcwrBand | null;
}

/** What `predictRisk` did. */
export type PredictSummary =
  | {
      status: 'ok';
      athleteId: string;
      model: 'athlete' | 'cohort';
      modelPath: string;
      latestDate: string;
      horizonDays: number;
      predictions: PredictionRow[];
      /** The latest prediction in words (`riskMeaning`). */
      meaning: string;
    }
  | { status: 'no_model'; athleteId: string; message: string; fallback: AcwrFallback | null }
  | { status: 'no_data'; athleteId: string; message: string };

/** The athlete's latest day with an EWMA ACWR, and its band; null before any. */
async function acwrFallback(wh: Warehouse, athleteId: string): Promise<AcwrFallback | null> {
  const [row] = await wh.all<{ date: string; acwr_ewma: number | null }>(
    'SELECT CAST(date AS VARCHAR) AS date, acwr_ewma FROM daily_metrics WHERE athlete_id = ? ORDER BY date DESC LIMIT 1',
    [athleteId],
  );
  return row ? { date: row.date, acwrEwma: row.acwr_ewma, band: acwrBand(row.acwr_ewma) } : null;
}

/** Why the athlete has no model of their own, as `athlete train` stored it; null when it never ran. */
async function trainVerdict(wh: Warehouse, athleteId: string): Promise<string | null> {
  const [row] = await wh.all<{ status: string; message: string | null }>(
    "SELECT status, message FROM model_evaluations WHERE athlete_id = ? AND model = 'athlete'",
    [athleteId],
  );
  return row && row.status !== 'trained' ? row.message : null;
}

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
    const why = await trainVerdict(wh, athleteId);
    const message =
      model === 'athlete'
        ? `${athleteId}: no athlete model at ${own}; ${why ?? 'run `athlete train`'}`
        : `${athleteId}: no model. ${why ?? `Neither ${own} nor ${cohort} exists; run \`athlete train\`.`} ` +
          'A cohort model is built by `athlete ml evaluate --cohort PATH --save`.';
    return { status: 'no_model', athleteId, message, fallback: await acwrFallback(wh, athleteId) };
  }
  const saved = readModelFile(path);
  let predictor: InjuryPredictor;
  try {
    predictor = InjuryPredictor.fromJSON(saved.predictor);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  if (saved.kind === 'athlete' && saved.featureNames.join() !== FEATURE_NAMES.join()) {
    throw new Error(`${path}: the model was trained on other features than this version computes; run \`athlete train\` again`);
  }
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
  const calibration = predictor.metadata.calibration;
  const predictions: PredictionRow[] = scored.map((s) => {
    const p = predictor.predict(s.values);
    return {
      athlete_id: athleteId,
      date: s.date,
      horizon_days: saved.horizonDays,
      risk: p.risk,
      model: saved.kind,
      top_features: p.topFeatures,
      computed_at: computedAt,
      calibration,
    };
  });
  await wh.run(
    `INSERT OR REPLACE INTO predictions (athlete_id, date, horizon_days, risk, model, top_features, computed_at, calibration)
     VALUES ${predictions.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
    predictions.flatMap((p) => [p.athlete_id, p.date, p.horizon_days, p.risk, p.model, JSON.stringify(p.top_features), p.computed_at, p.calibration]),
  );
  const last = predictions[predictions.length - 1]!;
  const meaning = riskMeaning({ date: last.date, horizonDays: last.horizon_days, risk: last.risk, model: last.model, calibration });
  return { status: 'ok', athleteId, model: saved.kind, modelPath: path, latestDate, horizonDays: saved.horizonDays, predictions, meaning };
}
