/**
 * The one mapping from WHOOP's records to canonical rows. The shapes are the
 * API v2 records; export.ts puts each CSV row into the same shape, so a
 * workout, a night or a cycle gives the same rows whichever way it arrived.
 */
import { z } from 'zod';
import { SOURCE } from './index.ts';
import { METRIC_UNITS, type BiometricReadingInput, type MetricType, type SourceWorkoutInput } from '../../core/models.ts';
import { redact } from '../../core/redact.ts';
import { mapSport } from '../../core/sports.ts';
import { localDay, parseOffset } from '../base.ts';

const num = z.number().finite();
const instant = z.iso.datetime({ offset: true });
const scoreState = z.enum(['SCORED', 'PENDING_SCORE', 'UNSCORABLE']);
type ScoreState = z.infer<typeof scoreState>;
type Maybe<T> = T | null | undefined;

/** A v2 workout record. */
export const WhoopWorkout = z.object({
  id: z.string().min(1),
  start: instant,
  end: instant,
  timezone_offset: z.string().nullish(),
  sport_name: z.string().nullish(),
  score_state: scoreState,
  score: z
    .object({
      strain: num.nullish(),
      average_heart_rate: num.nullish(),
      max_heart_rate: num.nullish(),
      kilojoule: num.nonnegative().nullish(),
      distance_meter: num.nonnegative().nullish(),
      altitude_gain_meter: num.nullish(),
    })
    .nullish(),
});

/** A v2 sleep record. */
export const WhoopSleep = z.object({
  id: z.string().min(1),
  start: instant,
  end: instant,
  timezone_offset: z.string().nullish(),
  nap: z.boolean().nullish(),
  score_state: scoreState,
  score: z
    .object({
      stage_summary: z.object({
        total_in_bed_time_milli: num,
        total_awake_time_milli: num,
        total_light_sleep_time_milli: num,
        total_slow_wave_sleep_time_milli: num,
        total_rem_sleep_time_milli: num,
      }),
      respiratory_rate: num.nullish(),
      sleep_performance_percentage: num.nullish(),
      sleep_efficiency_percentage: num.nullish(),
    })
    .nullish(),
});

/** A v2 recovery record: the scores of one cycle, computed from one sleep. */
export const WhoopRecovery = z.object({
  cycle_id: z.union([z.number(), z.string()]),
  sleep_id: z.string().min(1),
  score_state: scoreState,
  score: z
    .object({
      user_calibrating: z.boolean().nullish(),
      recovery_score: num,
      resting_heart_rate: num,
      hrv_rmssd_milli: num,
      spo2_percentage: num.nullish(),
      skin_temp_celsius: num.nullish(),
    })
    .nullish(),
});

/** A v2 physiological cycle: from one sleep onset to the next. */
export const WhoopCycle = z.object({
  id: z.union([z.number(), z.string()]),
  start: instant,
  end: instant.nullish(),
  timezone_offset: z.string().nullish(),
  score_state: scoreState,
  score: z.object({ strain: num }).nullish(),
});

/** A workout as the mapping reads it: a v2 record, or a workouts.csv row in its shape. */
export interface WorkoutRecord {
  /** WHOOP's id; the export has none. */
  id?: Maybe<string>;
  start: string;
  end: string;
  timezone_offset?: Maybe<string>;
  sport_name?: Maybe<string>;
  score_state: ScoreState;
  score?: Maybe<{
    average_heart_rate?: Maybe<number>;
    max_heart_rate?: Maybe<number>;
    kilojoule?: Maybe<number>;
    /** The export's energy, which it states in kcal. */
    kilocalorie?: Maybe<number>;
    distance_meter?: Maybe<number>;
    altitude_gain_meter?: Maybe<number>;
  }>;
  /** The export's "GPS enabled"; the API does not say. */
  gps_enabled?: Maybe<boolean>;
}

/** A sleep as the mapping reads it: a v2 record, or a sleeps.csv row in its shape. */
export interface SleepRecord {
  end: string;
  timezone_offset?: Maybe<string>;
  nap?: Maybe<boolean>;
  score_state: ScoreState;
  score?: Maybe<{
    stage_summary: {
      total_in_bed_time_milli?: Maybe<number>;
      total_awake_time_milli?: Maybe<number>;
      total_light_sleep_time_milli?: Maybe<number>;
      total_slow_wave_sleep_time_milli?: Maybe<number>;
      total_rem_sleep_time_milli?: Maybe<number>;
      /** The export's "Asleep duration"; the API has no such total. */
      total_asleep_time_milli?: Maybe<number>;
    };
    respiratory_rate?: Maybe<number>;
    sleep_performance_percentage?: Maybe<number>;
    sleep_efficiency_percentage?: Maybe<number>;
  }>;
}

/** A recovery as the mapping reads it: a v2 record, or the recovery columns of a physiological_cycles.csv row. */
export interface RecoveryRecord {
  score_state: ScoreState;
  score?: Maybe<{
    user_calibrating?: Maybe<boolean>;
    recovery_score?: Maybe<number>;
    resting_heart_rate?: Maybe<number>;
    hrv_rmssd_milli?: Maybe<number>;
    spo2_percentage?: Maybe<number>;
    skin_temp_celsius?: Maybe<number>;
  }>;
}

/** A cycle as the mapping reads it: a v2 record, or the cycle columns of a physiological_cycles.csv row. */
export interface CycleRecord {
  start: string;
  timezone_offset?: Maybe<string>;
  score_state: ScoreState;
  score?: Maybe<{ strain?: Maybe<number> }>;
}

/** What a row keeps of where it came from: the source name and the payload it was read from. */
export interface Origin {
  source: string;
  raw_data: unknown;
}

/** Where a day-level reading sits: the athlete's local day, and the instant when one is known. */
export interface Placement {
  day: string;
  time: Date | null;
}

/** kJ to kcal: 1 kcal = 4.184 kJ (thermochemical calorie). */
const KJ_PER_KCAL = 4.184;

/** The origin of a record fetched from the API: its payload, secrets removed. */
export function apiOrigin(raw: unknown): Origin {
  return { source: SOURCE, raw_data: redact(raw) };
}

/** Whether a record carries a score (only SCORED ones do). */
export function isScored(r: { score_state: ScoreState; score?: unknown }): boolean {
  return r.score_state === 'SCORED' && r.score != null;
}

/** The workout's key: WHOOP's id, or (the export has none) `whoop:` + its start in UTC without milliseconds. */
function workoutKey(w: WorkoutRecord, start: Date): string {
  return `whoop:${w.id ?? start.toISOString().replace(/\.\d{3}Z$/, 'Z')}`;
}

/** One workout as a canonical workout; its metrics only when it is scored. */
export function workoutRow(w: WorkoutRecord, o: Origin): SourceWorkoutInput {
  const start = new Date(w.start);
  const end = new Date(w.end);
  const s = isScored(w) ? w.score : null;
  const { sport, category } = mapSport(w.sport_name ?? null);
  // Energy: the API's kJ converted; the export's kcal kept as stated (kcal→kJ→kcal would not round-trip exactly).
  const kcal = s?.kilojoule != null ? s.kilojoule / KJ_PER_KCAL : (s?.kilocalorie ?? null);
  return {
    source: o.source,
    external_id: workoutKey(w, start),
    name: w.sport_name ?? null,
    start_time: start,
    end_time: end,
    duration_s: Math.max(0, (end.getTime() - start.getTime()) / 1000),
    utc_offset_min: parseOffset(w.timezone_offset),
    sport,
    source_sport: w.sport_name ?? null,
    sport_category: category,
    distance_m: s?.distance_meter ?? null,
    calories_kcal: kcal,
    avg_hr: s?.average_heart_rate ?? null,
    max_hr: s?.max_heart_rate ?? null,
    // A negative gain is a sensor artefact, not a climb: absent rather than a rejected workout.
    elevation_gain_m: s?.altitude_gain_meter != null && s.altitude_gain_meter >= 0 ? s.altitude_gain_meter : null,
    // Strain is WHOOP's own scale, not a training load; it stays in raw_data.
    training_load: null,
    // The start instant: what the export, which has no id, keys the same workout by.
    external_ids: w.id ? { whoop: w.id, whoop_start: start.toISOString() } : {},
    raw_data: o.raw_data,
    has_gps: w.gps_enabled ?? false,
    has_power: false,
  };
}

function reading(at: Placement, metric: MetricType, value: Maybe<number>, o: Origin, confidence = 1): BiometricReadingInput[] {
  if (value == null || !Number.isFinite(value)) return [];
  return [{ date: at.day, time: at.time, metric_type: metric, value, unit: METRIC_UNITS[metric], source: o.source, confidence, raw_data: o.raw_data }];
}

const seconds = (ms: Maybe<number>): number | null => (ms == null ? null : ms / 1000);

/** When a sleep ended and on which local day: where a night's readings, and its cycle's recovery, are placed. */
export function wakingOf(s: Pick<SleepRecord, 'end' | 'timezone_offset'>): Placement {
  const end = new Date(s.end);
  return { day: localDay(end, parseOffset(s.timezone_offset) ?? 0), time: end };
}

/**
 * The day a cycle is named for: it starts at sleep onset, usually the evening
 * before, so its start + 12 h lands on that day. Stamped at its start, from the
 * cycle's own fields (the API's reading: its cycle record does not know the waking
 * the export's row stamps it with).
 */
export function cyclePlacement(c: CycleRecord): Placement {
  const start = new Date(c.start);
  return { day: localDay(new Date(start.getTime() + 12 * 3_600_000), parseOffset(c.timezone_offset) ?? 0), time: start };
}

/** Sleep metrics of one scored night (naps are left out), at its waking; stage durations ms → s. */
export function sleepReadings(s: SleepRecord, o: Origin): BiometricReadingInput[] {
  if (!isScored(s) || s.nap || !s.score) return [];
  const sc = s.score;
  const st = sc.stage_summary;
  const at = wakingOf(s);
  const stages = [st.total_light_sleep_time_milli, st.total_slow_wave_sleep_time_milli, st.total_rem_sleep_time_milli];
  // Asleep: the export's stated total (rounded once) when given, else the sum of the stages as the API leaves it.
  const asleep = st.total_asleep_time_milli ?? (stages.every((x) => x != null) ? stages.reduce((a, b) => a! + b!, 0) : null);
  return [
    ...reading(at, 'sleep_duration', seconds(asleep), o),
    ...reading(at, 'sleep_in_bed', seconds(st.total_in_bed_time_milli), o),
    ...reading(at, 'sleep_awake', seconds(st.total_awake_time_milli), o),
    ...reading(at, 'sleep_light', seconds(st.total_light_sleep_time_milli), o),
    ...reading(at, 'sleep_deep', seconds(st.total_slow_wave_sleep_time_milli), o),
    ...reading(at, 'sleep_rem', seconds(st.total_rem_sleep_time_milli), o),
    ...reading(at, 'sleep_efficiency', sc.sleep_efficiency_percentage, o),
    ...reading(at, 'sleep_score', sc.sleep_performance_percentage, o),
    // A sleep measurement (the API's reading): the export's copy in physiological_cycles.csv is not read.
    ...reading(at, 'respiratory_rate', sc.respiratory_rate, o),
  ];
}

/** Recovery metrics of one scored recovery, placed at the waking of the sleep they were computed from. */
export function recoveryReadings(r: RecoveryRecord, at: Placement, o: Origin): BiometricReadingInput[] {
  if (!isScored(r) || !r.score) return [];
  const sc = r.score;
  // Scores are provisional while WHOOP is still calibrating to the user.
  const conf = sc.user_calibrating ? 0.5 : 1;
  return [
    ...reading(at, 'recovery_score', sc.recovery_score, o, conf),
    ...reading(at, 'resting_hr', sc.resting_heart_rate, o, conf),
    ...reading(at, 'hrv_rmssd', sc.hrv_rmssd_milli, o, conf),
    ...reading(at, 'spo2', sc.spo2_percentage, o, conf),
    ...reading(at, 'skin_temp', sc.skin_temp_celsius, o, conf),
  ];
}

/** The day strain of one scored cycle, on the day the cycle is named for. */
export function cycleReadings(c: CycleRecord, o: Origin): BiometricReadingInput[] {
  if (!isScored(c) || !c.score) return [];
  return reading(cyclePlacement(c), 'day_strain', c.score.strain, o);
}
