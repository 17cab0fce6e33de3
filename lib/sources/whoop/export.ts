/**
 * WHOOP account export CSVs: physiological_cycles.csv (recovery and strain),
 * sleeps.csv (nightly sleep) and workouts.csv. Which file it is comes from the
 * header, never the file name.
 */
import {
  BiometricReading,
  METRIC_UNITS,
  SourceWorkout,
  emptyResult,
  type BiometricReadingInput,
  type ImportError,
  type MetricType,
  type ParseResult,
  type SourceWorkoutInput,
  rejectionOf,
} from '../../core/models.ts';
import { mapSport } from '../../core/sports.ts';
import {
  bindColumns,
  bool,
  columnIndex,
  convertRow,
  num,
  readCsv,
  reported,
  scaled,
  text,
  utcOffset,
  wallTime,
  type ColumnSpec,
  type CsvTable,
  type ExportOptions,
  type WallTime,
} from '../../formats/csv.ts';

/** Which WHOOP export file a header belongs to. */
export type WhoopFile = 'cycles' | 'sleeps' | 'workouts' | 'journal';

/** Recognise a WHOOP export file from its header; null when it is not one. */
export function whoopFileKind(header: readonly string[]): WhoopFile | null {
  const has = (c: string) => columnIndex(header, c) >= 0;
  if (!has('Cycle start time')) return null;
  if (has('Workout start time')) return 'workouts';
  if (has('Question text')) return 'journal';
  if (has('Nap')) return 'sleeps';
  if (has('Recovery score %') || has('Day Strain')) return 'cycles';
  return null;
}

type CycleField = 'cycle_start' | 'tz' | 'wake' | MetricType;

const CYCLE_COLUMNS: readonly ColumnSpec<CycleField>[] = [
  { column: 'Cycle start time', field: 'cycle_start', convert: wallTime },
  { column: 'Cycle timezone', field: 'tz', convert: utcOffset },
  { column: 'Wake onset', field: 'wake', convert: wallTime },
  { column: 'Recovery score %', field: 'recovery_score', convert: num },
  { column: 'Resting heart rate (bpm)', field: 'resting_hr', convert: num },
  { column: 'Heart rate variability (ms)', field: 'hrv_rmssd', convert: num },
  { column: 'Skin temp (celsius)', field: 'skin_temp', convert: num },
  { column: 'Blood oxygen %', field: 'spo2', convert: num },
  { column: 'Respiratory rate (rpm)', field: 'respiratory_rate', convert: num },
  { column: 'Day Strain', field: 'day_strain', convert: num },
];
const CYCLE_METRICS: MetricType[] = ['recovery_score', 'resting_hr', 'hrv_rmssd', 'skin_temp', 'spo2', 'respiratory_rate', 'day_strain'];

type SleepField = 'cycle_start' | 'tz' | 'wake' | 'nap' | MetricType;

const SLEEP_COLUMNS: readonly ColumnSpec<SleepField>[] = [
  { column: 'Cycle start time', field: 'cycle_start', convert: wallTime },
  { column: 'Cycle timezone', field: 'tz', convert: utcOffset },
  { column: 'Wake onset', field: 'wake', convert: wallTime },
  { column: 'Nap', field: 'nap', convert: bool },
  { column: 'Asleep duration (min)', field: 'sleep_duration', convert: scaled(60) },
  { column: 'In bed duration (min)', field: 'sleep_in_bed', convert: scaled(60) },
  { column: 'Deep (SWS) duration (min)', field: 'sleep_deep', convert: scaled(60) },
  { column: 'REM duration (min)', field: 'sleep_rem', convert: scaled(60) },
  { column: 'Light sleep duration (min)', field: 'sleep_light', convert: scaled(60) },
  { column: 'Awake duration (min)', field: 'sleep_awake', convert: scaled(60) },
  { column: 'Sleep efficiency %', field: 'sleep_efficiency', convert: num },
  { column: 'Sleep performance %', field: 'sleep_score', convert: num },
];
const SLEEP_METRICS: MetricType[] = [
  'sleep_duration', 'sleep_in_bed', 'sleep_deep', 'sleep_rem', 'sleep_light', 'sleep_awake', 'sleep_efficiency', 'sleep_score',
];

type WorkoutField =
  | 'tz' | 'start' | 'end' | 'duration_min' | 'activity' | 'strain' | 'calories' | 'max_hr' | 'avg_hr' | 'gps'
  | 'distance' | 'altitude_gain' | 'altitude_change';

const WORKOUT_COLUMNS: readonly ColumnSpec<WorkoutField>[] = [
  { column: 'Cycle timezone', field: 'tz', convert: utcOffset },
  { column: 'Workout start time', field: 'start', convert: wallTime },
  { column: 'Workout end time', field: 'end', convert: wallTime },
  { column: 'Duration (min)', field: 'duration_min', convert: num },
  { column: 'Activity name', field: 'activity', convert: text },
  { column: 'Activity Strain', field: 'strain', convert: num },
  // WHOOP labels kilocalories "cal".
  { column: 'Energy burned (cal)', field: 'calories', convert: num },
  { column: 'Max HR (bpm)', field: 'max_hr', convert: num },
  { column: 'Average HR (bpm)', field: 'avg_hr', convert: num },
  { column: 'GPS enabled', field: 'gps', convert: bool },
  { column: 'Distance (meters)', field: 'distance', convert: num },
  { column: 'Altitude gain (meters)', field: 'altitude_gain', convert: num },
  { column: 'Altitude change (meters)', field: 'altitude_change', convert: num },
];

/**
 * Parse one WHOOP export CSV. Cycles give recovery, resting HR, HRV (RMSSD),
 * skin temperature, SpO2, respiratory rate and day strain, dated on the local
 * day the cycle's sleep ended (Wake onset), else the cycle's start day.
 * Sleeps give nightly durations (s), efficiency and sleep performance as
 * sleep_score; naps are left out. Workouts become `whoop` source workouts
 * with UTC times from the `Cycle timezone` offset; strain stays in raw_data.
 * Journal entries carry nothing canonical and give an empty result.
 */
export function parseWhoopCsv(csvText: string, input: string, opts: ExportOptions = {}): ParseResult {
  const result = emptyResult();
  let table: CsvTable;
  try {
    table = readCsv(csvText);
  } catch (e) {
    result.errors.push({ input, reason: `unreadable CSV: ${(e as Error).message}` });
    return result;
  }
  const kind = whoopFileKind(table.header);
  const ctx: Ctx = { table, input, source: opts.source ?? 'whoop', athleteId: opts.athleteId ?? 'me', result };
  if (kind === 'cycles') parseDaily(ctx, CYCLE_COLUMNS, CYCLE_METRICS, false);
  else if (kind === 'sleeps') parseDaily(ctx, SLEEP_COLUMNS, SLEEP_METRICS, true);
  else if (kind === 'workouts') parseWorkouts(ctx);
  else if (kind === null) {
    result.errors.push({ input, reason: 'not a WHOOP export CSV: the header has no "Cycle start time" column of a known file' });
  }
  return result;
}

interface Ctx {
  table: CsvTable;
  input: string;
  source: string;
  athleteId: string;
  result: ParseResult;
}

function parseDaily<F extends string>(ctx: Ctx, columns: readonly ColumnSpec<F>[], metrics: MetricType[], skipNaps: boolean): void {
  const { table, input, result } = ctx;
  const bound = bindColumns(table.header, columns);
  table.rows.forEach((cells, i) => {
    const record = `row ${i + 1}`;
    const v = convertRow(bound, cells, input, record, result.errors) as Record<string, unknown>;
    if (skipNaps && v.nap === true) return;
    const wake = v.wake as WallTime | undefined;
    const cycleStart = v.cycle_start as WallTime | undefined;
    const day = wake?.day ?? cycleStart?.day;
    if (!day) {
      result.errors.push({ input, record, field: 'Cycle start time', reason: `no Wake onset or Cycle start time to date the row by (line ${table.lines[i]})` });
      return;
    }
    const offset = v.tz as number | undefined;
    const time = wake && offset != null ? new Date(wake.wallMs - offset * 60_000) : null;
    for (const metric of metrics) {
      const value = v[metric] as number | undefined;
      if (value == null) continue;
      const reading: BiometricReadingInput = {
        athlete_id: ctx.athleteId,
        date: day,
        time,
        metric_type: metric,
        value,
        unit: METRIC_UNITS[metric],
        source: ctx.source,
        raw_data: { row: i + 1, cycle_start: cells[columnIndex(table.header, 'Cycle start time')] ?? null },
        input,
      };
      const problem = rejectionOf(BiometricReading, reading, input, record, metric);
      if (problem) result.errors.push(problem);
      else result.biometrics.push(reading);
    }
  });
}

function parseWorkouts(ctx: Ctx): void {
  const { table, input, result } = ctx;
  const bound = bindColumns(table.header, WORKOUT_COLUMNS);
  table.rows.forEach((cells, i) => {
    const record = `row ${i + 1}`;
    const v = convertRow(bound, cells, input, record, result.errors);
    const fail = (field: string, reason: string) => {
      if (!reported(result.errors, record, field)) result.errors.push({ input, record, field, reason: `${reason} (line ${table.lines[i]})` });
    };
    const start = v.start as WallTime | undefined;
    const offset = v.tz as number | undefined;
    if (!start) return fail('Workout start time', 'no usable Workout start time');
    if (offset == null) return fail('Cycle timezone', 'no usable Cycle timezone to place the local times in UTC');
    const startTime = new Date(start.wallMs - offset * 60_000);
    const end = v.end as WallTime | undefined;
    const minutes = v.duration_min as number | undefined;
    const endMs = end ? end.wallMs - offset * 60_000 : minutes != null ? startTime.getTime() + minutes * 60_000 : null;
    if (endMs == null) return fail('Workout end time', 'neither Workout end time nor Duration (min) is given');
    const activity = (v.activity as string | undefined) ?? null;
    const { sport, category } = mapSport(activity);
    const externalId = `whoop:${startTime.toISOString().replace(/\.\d{3}Z$/, 'Z')}`;
    const workout: SourceWorkoutInput = {
      athlete_id: ctx.athleteId,
      source: ctx.source,
      external_id: externalId,
      name: activity,
      start_time: startTime,
      end_time: new Date(endMs),
      duration_s: (endMs - startTime.getTime()) / 1000,
      utc_offset_min: offset,
      sport,
      source_sport: activity,
      sport_category: category,
      distance_m: (v.distance as number | undefined) ?? null,
      calories_kcal: (v.calories as number | undefined) ?? null,
      avg_hr: (v.avg_hr as number | undefined) ?? null,
      max_hr: (v.max_hr as number | undefined) ?? null,
      elevation_gain_m: (v.altitude_gain as number | undefined) ?? null,
      training_load: null,
      raw_data: {
        row: i + 1,
        strain: (v.strain as number | undefined) ?? null,
        altitude_change_m: (v.altitude_change as number | undefined) ?? null,
        hr_zone_pct: [1, 2, 3, 4, 5].map((z) => cellNumber(table, cells, `HR Zone ${z} %`)),
      },
      has_gps: (v.gps as boolean | undefined) ?? false,
      has_power: false,
      input,
    };
    acceptWorkout(workout, input, record, result.errors, result.workouts);
  });
}

function cellNumber(table: CsvTable, cells: readonly string[], column: string): number | null {
  const c = (cells[columnIndex(table.header, column)] ?? '').trim();
  const v = Number(c);
  return c === '' || !Number.isFinite(v) ? null : v;
}

function acceptWorkout(w: SourceWorkoutInput, input: string, record: string, errors: ImportError[], into: SourceWorkoutInput[]): void {
  const problem = rejectionOf(SourceWorkout, w, input, record);
  if (problem) errors.push(problem);
  else into.push(w);
}
