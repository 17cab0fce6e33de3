/**
 * Scoring an athlete's latest days (`athlete predict`) with their own model
 * or the cohort's, into the `predictions` table.
 */
import { existsSync } from 'node:fs';
import type { Warehouse } from '../core/warehouse.ts';
import { cohortDayFeatures } from './cohort_map.ts';
import { featureRows } from './features.ts';
import { loadCohortWorkouts, loadDailyRows } from './history.ts';
import { loadInjuries } from './injuries.ts';
import { athleteModelPath, cohortModelPath, readModelFile } from './model_file.ts';
import { InjuryPredictor } from './predictor.ts';
import type { Prediction } from './predictor.ts';

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
