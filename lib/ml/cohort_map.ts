/**
 * An athlete's own days as the runners' cohort's day-approach features
 * (`DAY_FEATURES` × 7 days, see `cohort.ts`), so a model trained on the
 * cohort can score an athlete who has too few injuries for a model of their own.
 *
 * The cohort's fields come from a training diary; ours from workouts. The
 * mapping, per local day:
 * - nr. sessions: workouts that day (0 = rest day).
 * - total km: running distance (the running family: road, trail, treadmill, track).
 * - km Z3-4 / km Z5-T1-T2: a run's whole distance goes to the zone of its
 *   average heart rate as a share of HRmax (five %HRmax zones, Edwards 1993,
 *   "The Heart Rate Monitor Book": Z3-4 = 70–90 %, Z5 ≥ 90 %); 0 without
 *   HRmax or average HR. Interval structure inside a run is not seen.
 * - km sprinting: 0 (no source records sprints).
 * - strength training: 1 when any workout is in the STRENGTH category.
 * - hours alternative: hours of workouts that are neither running nor strength.
 * - perceived exertion: mean RPE/10 of the day's workouts, 0.5 when none is
 *   recorded; perceived trainingSuccess and recovery: 0.5 (not recorded
 *   anywhere); all three −0.01 on rest days, as in the cohort.
 *
 * Block order: the block suffixed `.6` is the window's latest day and the
 * unsuffixed block its earliest (the reading later analyses of the data found;
 * see `cohort.ts`). Days before the athlete's history count as rest days.
 *
 * Like the cohort, the features are z-scored per athlete against their own
 * windows not followed by an injury the next day (`zScoreByAthlete`), so a
 * model sees "more than usual for this athlete", not absolute mileage.
 */
import { addDays, dayNumber } from '../analysis/daily.ts';
import type { SportCategory } from '../core/models.ts';
import { sportFamily } from '../core/sports.ts';
import { cohortFeatureColumns, zScoreByAthlete } from './cohort.ts';
import type { CohortRow } from './cohort.ts';

/** A workout as the mapping needs it. */
export interface CohortWorkout {
  /** Local date, YYYY-MM-DD. */
  date: string;
  /** Canonical sport (`running`, `cycling`, ...). */
  sport: string;
  sport_category: SportCategory;
  duration_s: number;
  distance_m: number | null;
  avg_hr: number | null;
  /** RPE 0–10. */
  perceived_exertion: number | null;
}

/** Options of `cohortDayFeatures`. */
export interface CohortMapOptions {
  /** The athlete's maximum heart rate, for the zone split; without it zone km are 0. */
  maxHr?: number | null;
  /** Local dates injuries began: windows followed by one the next day are left out of the z-score reference. */
  injuries?: readonly string[];
}

/** Day-approach features of each requested date. */
export interface CohortDayFeatures {
  /** The requested dates, ascending and distinct. */
  dates: string[];
  /** In `cohortFeatureColumns('day')` order. */
  featureNames: string[];
  /** Unscaled values, one row per date. */
  raw: number[][];
  /** Per-athlete z-scored values: what a cohort model takes. */
  X: number[][];
}

/** Lower bound of Edwards' zone 3 and of zone 5, as a share of HRmax. */
const Z3_SHARE = 0.7;
const Z5_SHARE = 0.9;
/** Rest-day value of the perceived-* fields in the cohort files. */
const REST_PERCEIVED = -0.01;
/** Mid-scale stand-in for perceived fields nobody recorded. */
const UNKNOWN_PERCEIVED = 0.5;

/** The ten daily values of one local day, in `DAY_FEATURES` order. */
function dayValues(workouts: CohortWorkout[], maxHr: number | null): number[] {
  if (workouts.length === 0) return [0, 0, 0, 0, 0, 0, 0, REST_PERCEIVED, REST_PERCEIVED, REST_PERCEIVED];
  let km = 0;
  let kmZ34 = 0;
  let kmZ5 = 0;
  let strength = 0;
  let altHours = 0;
  let rpeSum = 0;
  let rpeN = 0;
  for (const w of workouts) {
    const running = sportFamily(w.sport) === 'running';
    if (running) {
      const k = Math.max(0, w.distance_m ?? 0) / 1000;
      km += k;
      if (maxHr && w.avg_hr !== null && w.avg_hr > 0) {
        const share = w.avg_hr / maxHr;
        if (share >= Z5_SHARE) kmZ5 += k;
        else if (share >= Z3_SHARE) kmZ34 += k;
      }
    } else if (w.sport_category === 'STRENGTH') strength = 1;
    else altHours += Math.max(0, w.duration_s) / 3600;
    if (w.perceived_exertion !== null && Number.isFinite(w.perceived_exertion)) {
      rpeSum += w.perceived_exertion / 10;
      rpeN++;
    }
  }
  const exertion = rpeN ? rpeSum / rpeN : UNKNOWN_PERCEIVED;
  return [workouts.length, km, kmZ34, kmZ5, 0, strength, altHours, exertion, UNKNOWN_PERCEIVED, UNKNOWN_PERCEIVED];
}

/**
 * The cohort's day-approach features (70 columns) for each of `days`: the
 * window of that day and the six before it, mapped as the module comment says,
 * then z-scored over all the given days. Workouts outside the windows are ignored.
 */
export function cohortDayFeatures(
  days: readonly { date: string }[],
  workouts: readonly CohortWorkout[],
  options: CohortMapOptions = {},
): CohortDayFeatures {
  const maxHr = options.maxHr && options.maxHr > 0 ? options.maxHr : null;
  days.forEach((d, i) => dayNumber(d.date, `days[${i}].date`));
  const dates = [...new Set(days.map((d) => d.date))].sort();
  const featureNames = cohortFeatureColumns('day');
  if (dates.length === 0) return { dates, featureNames, raw: [], X: [] };
  const byDate = new Map<string, CohortWorkout[]>();
  workouts.forEach((w, i) => {
    dayNumber(w.date, `workouts[${i}].date`);
    const list = byDate.get(w.date) ?? [];
    list.push(w);
    byDate.set(w.date, list);
  });
  const perDay = new Map<string, number[]>();
  const valuesOf = (date: string): number[] => {
    let v = perDay.get(date);
    if (!v) {
      v = dayValues(byDate.get(date) ?? [], maxHr);
      perDay.set(date, v);
    }
    return v;
  };
  const injuryStarts = new Set(options.injuries ?? []);
  const rows: CohortRow[] = dates.map((date) => {
    const features: number[] = [];
    // Block b holds day date − (6 − b): `.6` is the latest day.
    for (let b = 0; b < 7; b++) features.push(...valuesOf(addDays(date, b - 6)));
    return { athleteId: 0, injury: injuryStarts.has(addDays(date, 1)) ? 1 : 0, date: dayNumber(date), features };
  });
  return { dates, featureNames, raw: rows.map((r) => r.features), X: zScoreByAthlete(rows) };
}
