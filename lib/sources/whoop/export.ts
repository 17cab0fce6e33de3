/**
 * WHOOP account export CSVs: physiological_cycles.csv (recovery and strain),
 * sleeps.csv (nightly sleep) and workouts.csv. Which file it is comes from the
 * header, never the file name. Each row is put into the shape of the API's
 * record (map.ts) and mapped there.
 */
import {
  cyclePlacement,
  cycleReadings,
  recoveryReadings,
  sleepReadings,
  wakingOf,
  workoutRow,
  type CycleRecord,
  type Origin,
  type RecoveryRecord,
  type SleepRecord,
  type WorkoutRecord,
} from './map.ts';
import {
  BiometricReading,
  SourceWorkout,
  emptyResult,
  type BiometricReadingInput,
  type ParseResult,
  rejectionOf,
} from '../../core/models.ts';
import {
  bindColumns,
  bool,
  columnIndex,
  convertRow,
  num,
  readCsv,
  reported,
  text,
  utcOffset,
  wallTime,
  type CellConverter,
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

/** Cell converter: minutes, as the export gives durations, to whole milliseconds, as the API does. */
const minutesToMilli: CellConverter<number> = (cell) => Math.round(num(cell) * 60_000);

// Fields carry the API record's names (map.ts); the extra ones are the row's local times.
const CYCLE_COLUMNS: readonly ColumnSpec<string>[] = [
  { column: 'Cycle start time', field: 'cycle_start', convert: wallTime },
  { column: 'Cycle timezone', field: 'offset', convert: utcOffset },
  { column: 'Wake onset', field: 'wake', convert: wallTime },
  { column: 'Recovery score %', field: 'recovery_score', convert: num },
  { column: 'Resting heart rate (bpm)', field: 'resting_heart_rate', convert: num },
  { column: 'Heart rate variability (ms)', field: 'hrv_rmssd_milli', convert: num },
  { column: 'Skin temp (celsius)', field: 'skin_temp_celsius', convert: num },
  { column: 'Blood oxygen %', field: 'spo2_percentage', convert: num },
  { column: 'Day Strain', field: 'strain', convert: num },
];

const SLEEP_COLUMNS: readonly ColumnSpec<string>[] = [
  { column: 'Cycle timezone', field: 'offset', convert: utcOffset },
  { column: 'Wake onset', field: 'wake', convert: wallTime },
  { column: 'Nap', field: 'nap', convert: bool },
  { column: 'Asleep duration (min)', field: 'total_asleep_time_milli', convert: minutesToMilli },
  { column: 'In bed duration (min)', field: 'total_in_bed_time_milli', convert: minutesToMilli },
  { column: 'Deep (SWS) duration (min)', field: 'total_slow_wave_sleep_time_milli', convert: minutesToMilli },
  { column: 'REM duration (min)', field: 'total_rem_sleep_time_milli', convert: minutesToMilli },
  { column: 'Light sleep duration (min)', field: 'total_light_sleep_time_milli', convert: minutesToMilli },
  { column: 'Awake duration (min)', field: 'total_awake_time_milli', convert: minutesToMilli },
  { column: 'Sleep efficiency %', field: 'sleep_efficiency_percentage', convert: num },
  { column: 'Sleep performance %', field: 'sleep_performance_percentage', convert: num },
  { column: 'Respiratory rate (rpm)', field: 'respiratory_rate', convert: num },
];

const WORKOUT_COLUMNS: readonly ColumnSpec<string>[] = [
  { column: 'Cycle timezone', field: 'offset', convert: utcOffset },
  { column: 'Workout start time', field: 'start', convert: wallTime },
  { column: 'Workout end time', field: 'end', convert: wallTime },
  { column: 'Duration (min)', field: 'duration_min', convert: num },
  { column: 'Activity name', field: 'sport_name', convert: text },
  { column: 'Activity Strain', field: 'strain', convert: num },
  // WHOOP labels kilocalories "cal".
  { column: 'Energy burned (cal)', field: 'kilocalorie', convert: num },
  { column: 'Max HR (bpm)', field: 'max_heart_rate', convert: num },
  { column: 'Average HR (bpm)', field: 'average_heart_rate', convert: num },
  { column: 'GPS enabled', field: 'gps_enabled', convert: bool },
  { column: 'Distance (meters)', field: 'distance_meter', convert: num },
  { column: 'Altitude gain (meters)', field: 'altitude_gain_meter', convert: num },
  { column: 'Altitude change (meters)', field: 'altitude_change_meter', convert: num },
];

/**
 * Parse one WHOOP export CSV. Cycles give recovery, resting HR, HRV (RMSSD),
 * skin temperature and SpO2 at the waking of the cycle's sleep, and day
 * strain on the day the cycle is named for. Sleeps give nightly durations
 * (s), efficiency, sleep performance as sleep_score and respiratory rate;
 * naps are left out. Workouts become `whoop` source workouts with UTC times
 * from the `Cycle timezone` offset; strain stays in raw_data. Journal entries
 * carry nothing canonical and give an empty result.
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
  if (kind === 'cycles') eachRow(ctx, CYCLE_COLUMNS, cycleRow);
  else if (kind === 'sleeps') eachRow(ctx, SLEEP_COLUMNS, sleepRow);
  else if (kind === 'workouts') eachRow(ctx, WORKOUT_COLUMNS, workoutRowOf);
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

/** One data row: its converted cells, and how to report a problem with it. */
interface Row {
  v: Record<string, unknown>;
  cells: readonly string[];
  index: number;
  record: string;
  /** Report a problem with a column, unless its cell was already reported. */
  fail(column: string, reason: string): void;
}

function eachRow(ctx: Ctx, columns: readonly ColumnSpec<string>[], each: (ctx: Ctx, row: Row) => void): void {
  const { table, input, result } = ctx;
  const bound = bindColumns(table.header, columns);
  table.rows.forEach((cells, index) => {
    const record = `row ${index + 1}`;
    const v = convertRow(bound, cells, input, record, result.errors) as Record<string, unknown>;
    const fail = (column: string, reason: string) => {
      if (!reported(result.errors, record, column)) result.errors.push({ input, record, field: column, reason: `${reason} (line ${table.lines[index]})` });
    };
    each(ctx, { v, cells, index, record, fail });
  });
}

/** The offset as the API writes it ("+10:00", "-04:00"). */
function offsetText(min: number): string {
  const a = Math.abs(min);
  return `${min < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** The instant of a local wall time at an offset, as an ISO string. */
function instantOf(wall: WallTime, offsetMin: number): string {
  return new Date(wall.wallMs - offsetMin * 60_000).toISOString();
}

/** The row's Cycle timezone, or a reported problem. */
function offsetOf(row: Row): number | undefined {
  const offset = row.v.offset as number | undefined;
  if (offset == null) row.fail('Cycle timezone', 'no usable Cycle timezone to place the local times in UTC');
  return offset;
}

const n = (x: unknown): number | undefined => x as number | undefined;

function dailyOrigin(ctx: Ctx, row: Row): Origin {
  return { source: ctx.source, raw_data: { row: row.index + 1, cycle_start: row.cells[columnIndex(ctx.table.header, 'Cycle start time')] ?? null } };
}

function cycleRow(ctx: Ctx, row: Row): void {
  const { v } = row;
  const start = v.cycle_start as WallTime | undefined;
  if (!start) return row.fail('Cycle start time', 'no usable Cycle start time');
  const offset = offsetOf(row);
  if (offset == null) return;
  const timezone = offsetText(offset);
  const cycle: CycleRecord = { start: instantOf(start, offset), timezone_offset: timezone, score_state: 'SCORED', score: { strain: n(v.strain) } };
  const recovery: RecoveryRecord = {
    score_state: 'SCORED',
    score: {
      recovery_score: n(v.recovery_score),
      resting_heart_rate: n(v.resting_heart_rate),
      hrv_rmssd_milli: n(v.hrv_rmssd_milli),
      spo2_percentage: n(v.spo2_percentage),
      skin_temp_celsius: n(v.skin_temp_celsius),
    },
  };
  const wake = v.wake as WallTime | undefined;
  const at = wake ? wakingOf({ end: instantOf(wake, offset), timezone_offset: timezone }) : cyclePlacement(cycle);
  const o = dailyOrigin(ctx, row);
  keepReadings(ctx, row, [...recoveryReadings(recovery, at, o), ...cycleReadings(cycle, o)]);
}

function sleepRow(ctx: Ctx, row: Row): void {
  const { v } = row;
  const wake = v.wake as WallTime | undefined;
  if (!wake) return row.fail('Wake onset', 'no usable Wake onset to date the sleep by');
  const offset = offsetOf(row);
  if (offset == null) return;
  const sleep: SleepRecord = {
    end: instantOf(wake, offset),
    timezone_offset: offsetText(offset),
    nap: v.nap as boolean | undefined,
    score_state: 'SCORED',
    score: {
      stage_summary: {
        total_asleep_time_milli: n(v.total_asleep_time_milli),
        total_in_bed_time_milli: n(v.total_in_bed_time_milli),
        total_awake_time_milli: n(v.total_awake_time_milli),
        total_light_sleep_time_milli: n(v.total_light_sleep_time_milli),
        total_slow_wave_sleep_time_milli: n(v.total_slow_wave_sleep_time_milli),
        total_rem_sleep_time_milli: n(v.total_rem_sleep_time_milli),
      },
      respiratory_rate: n(v.respiratory_rate),
      sleep_performance_percentage: n(v.sleep_performance_percentage),
      sleep_efficiency_percentage: n(v.sleep_efficiency_percentage),
    },
  };
  keepReadings(ctx, row, sleepReadings(sleep, dailyOrigin(ctx, row)));
}

function keepReadings(ctx: Ctx, row: Row, readings: BiometricReadingInput[]): void {
  const { input, result } = ctx;
  for (const r of readings) {
    const reading: BiometricReadingInput = { ...r, athlete_id: ctx.athleteId, input };
    const problem = rejectionOf(BiometricReading, reading, input, row.record, r.metric_type);
    if (problem) result.errors.push(problem);
    else result.biometrics.push(reading);
  }
}

function workoutRowOf(ctx: Ctx, row: Row): void {
  const { table, input, result } = ctx;
  const { v, cells } = row;
  const start = v.start as WallTime | undefined;
  if (!start) return row.fail('Workout start time', 'no usable Workout start time');
  const offset = offsetOf(row);
  if (offset == null) return;
  const startIso = instantOf(start, offset);
  const end = v.end as WallTime | undefined;
  const minutes = n(v.duration_min);
  const endIso = end ? instantOf(end, offset) : minutes != null ? new Date(Date.parse(startIso) + minutes * 60_000).toISOString() : null;
  if (endIso == null) return row.fail('Workout end time', 'neither Workout end time nor Duration (min) is given');
  const workout: WorkoutRecord = {
    start: startIso,
    end: endIso,
    timezone_offset: offsetText(offset),
    sport_name: (v.sport_name as string | undefined) ?? null,
    score_state: 'SCORED',
    score: {
      average_heart_rate: n(v.average_heart_rate),
      max_heart_rate: n(v.max_heart_rate),
      kilocalorie: n(v.kilocalorie),
      distance_meter: n(v.distance_meter),
      altitude_gain_meter: n(v.altitude_gain_meter),
    },
    gps_enabled: v.gps_enabled as boolean | undefined,
  };
  const origin: Origin = {
    source: ctx.source,
    raw_data: {
      row: row.index + 1,
      strain: n(v.strain) ?? null,
      altitude_change_m: n(v.altitude_change_meter) ?? null,
      hr_zone_pct: [1, 2, 3, 4, 5].map((z) => cellNumber(table, cells, `HR Zone ${z} %`)),
    },
  };
  const w = { ...workoutRow(workout, origin), athlete_id: ctx.athleteId, input };
  const problem = rejectionOf(SourceWorkout, w, input, row.record);
  if (problem) result.errors.push(problem);
  else result.workouts.push(w);
}

function cellNumber(table: CsvTable, cells: readonly string[], column: string): number | null {
  const c = (cells[columnIndex(table.header, column)] ?? '').trim();
  const v = Number(c);
  return c === '' || !Number.isFinite(v) ? null : v;
}
