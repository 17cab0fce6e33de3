/**
 * Strava account export: reads `activities.csv` rows and joins each with its
 * original activity file, into the API's SummaryActivity shape; map.ts turns
 * that into canonical records, as it does for the API.
 */
import { SourceWorkout, type ImportError, type ParseResult, type SourceWorkoutInput, type WorkoutStream, emptyResult, rejectionOf } from '../../core/models.ts';
import {
  bindColumns,
  columnIndex,
  convertRow,
  num,
  readCsv,
  reported,
  scaled,
  text,
  type CellConverter,
  type ColumnSpec,
  type CsvTable,
  type ExportOptions,
} from '../../formats/csv.ts';
import { mapStravaActivity, type StravaActivity, type StravaOrigin } from './map.ts';
import { isStepSport, mapSport } from '../../core/sports.ts';

/** One activities.csv row: the activity it holds, the workout it gives and where its original file is. */
export interface StravaCsvRow {
  /** `row N`, 1-based among data rows. */
  record: string;
  activityId: string;
  /** Path inside the export (`activities/123.fit.gz`), null for manual activities. */
  filename: string | null;
  /** The row in the API's SummaryActivity shape. */
  activity: StravaActivity;
  /** Where it came from, with the export's own columns that have no place in a SummaryActivity as raw data. */
  origin: StravaOrigin & { rawData: Record<string, unknown> };
  workout: SourceWorkoutInput;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** `Oct 6, 2022, 11:19:20 PM` (UTC, English month names) to a Date. */
const stravaDate: CellConverter<Date> = (cell) => {
  const m = /^([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2}),\s*(\d{4}),?\s+(\d{1,2}):(\d{2}):(\d{2})\s*([AP]M)$/i.exec(cell);
  if (!m) throw new Error('not a date like "Oct 6, 2022, 11:19:20 PM"');
  const month = MONTHS.indexOf(m[1]!.toLowerCase());
  let hour = Number(m[4]);
  if (month < 0 || hour < 1 || hour > 12) throw new Error('not a valid date');
  if (m[7]!.toUpperCase() === 'PM' && hour !== 12) hour += 12;
  if (m[7]!.toUpperCase() === 'AM' && hour === 12) hour = 0;
  const ms = Date.UTC(Number(m[3]), month, Number(m[2]), hour, Number(m[5]), Number(m[6]));
  if (new Date(ms).getUTCDate() !== Number(m[2])) throw new Error('not a valid date');
  return new Date(ms);
};

/** SummaryActivity fields the CSV fills, and the export's own columns kept as raw data. */
type Field =
  | 'id' | 'start_date' | 'name' | 'sport_type' | 'elapsed_time' | 'moving_time' | 'distance' | 'max_heartrate'
  | 'average_heartrate' | 'average_watts' | 'max_watts' | 'calories' | 'total_elevation_gain' | 'perceived_exertion'
  | 'average_cadence' | 'description' | 'training_load' | 'relative_effort' | 'filename' | 'gear' | 'commute' | 'intensity';

/**
 * Column map, from the export's columns to the API's field names and units.
 * Where a name repeats, the later column carries the precise value (metres,
 * float seconds), so it is listed first and the earlier one is the fallback:
 * `convertRow` keeps the first non-empty value per field.
 */
const COLUMNS: readonly ColumnSpec<Field>[] = [
  { column: 'Activity ID', field: 'id', convert: text },
  { column: 'Activity Date', field: 'start_date', convert: stravaDate },
  { column: 'Activity Name', field: 'name', convert: text },
  { column: 'Activity Type', field: 'sport_type', convert: text },
  { column: 'Activity Description', field: 'description', convert: text },
  { column: 'Elapsed Time', occurrence: 1, field: 'elapsed_time', convert: num },
  { column: 'Elapsed Time', field: 'elapsed_time', convert: num },
  { column: 'Moving Time', field: 'moving_time', convert: num },
  { column: 'Distance', occurrence: 1, field: 'distance', convert: num },
  { column: 'Distance', field: 'distance', convert: scaled(1000) },
  { column: 'Max Heart Rate', occurrence: 1, field: 'max_heartrate', convert: num },
  { column: 'Max Heart Rate', field: 'max_heartrate', convert: num },
  { column: 'Average Heart Rate', field: 'average_heartrate', convert: num },
  { column: 'Average Watts', field: 'average_watts', convert: num },
  { column: 'Max Watts', field: 'max_watts', convert: num },
  { column: 'Calories', field: 'calories', convert: num },
  { column: 'Elevation Gain', field: 'total_elevation_gain', convert: num },
  { column: 'Perceived Exertion', field: 'perceived_exertion', convert: num },
  { column: 'Training Load', field: 'training_load', convert: num },
  { column: 'Relative Effort', occurrence: 1, field: 'relative_effort', convert: num },
  { column: 'Relative Effort', field: 'relative_effort', convert: num },
  { column: 'Intensity', field: 'intensity', convert: num },
  { column: 'Average Cadence', field: 'average_cadence', convert: num },
  { column: 'Filename', field: 'filename', convert: text },
  { column: 'Activity Gear', field: 'gear', convert: text },
  { column: 'Commute', occurrence: 1, field: 'commute', convert: text },
  { column: 'Commute', field: 'commute', convert: text },
];

const REQUIRED = ['Activity ID', 'Activity Date', 'Activity Type'];

/**
 * Parse a Strava export's activities.csv. Each row becomes a `strava` source
 * workout keyed by its Activity ID. The Activity Type label (`Virtual Ride`)
 * is kept as written; it maps to the same sport as the API's `VirtualRide`.
 * The CSV has no UTC offset, so utc_offset_min is null until the row is
 * joined with its activity file.
 */
export function parseStravaActivitiesCsv(
  textIn: string,
  input: string,
  opts: ExportOptions = {},
): { rows: StravaCsvRow[]; result: ParseResult } {
  const result = emptyResult();
  const rows: StravaCsvRow[] = [];
  let table: CsvTable;
  try {
    table = readCsv(textIn);
  } catch (e) {
    result.errors.push({ input, reason: `unreadable CSV: ${(e as Error).message}` });
    return { rows, result };
  }
  const missing = REQUIRED.filter((c) => columnIndex(table.header, c) < 0);
  if (missing.length) {
    result.errors.push({
      input,
      field: missing.join(', '),
      reason: `not a Strava activities.csv: missing required column(s) ${missing.map((c) => `"${c}"`).join(', ')} (localised exports are not supported)`,
    });
    return { rows, result };
  }
  const bound = bindColumns(table.header, COLUMNS);
  table.rows.forEach((cells, i) => {
    const record = `row ${i + 1}`;
    const v = convertRow(bound, cells, input, record, result.errors);
    const fail = (field: string, reason: string) => {
      if (!reported(result.errors, record, field)) result.errors.push({ input, record, field, reason: `${reason} (line ${table.lines[i]})` });
    };
    const id = v.id as string | undefined;
    const start = v.start_date as Date | undefined;
    if (!id) return fail('Activity ID', 'Activity ID is empty');
    if (!start) return fail('Activity Date', 'Activity Date is empty');
    const elapsed = (v.elapsed_time as number | undefined) ?? (v.moving_time as number | undefined);
    if (elapsed == null) return fail('Elapsed Time', 'neither Elapsed Time nor Moving Time is given');
    const filename = (v.filename as string | undefined) ?? null;
    const activity: StravaActivity = {
      id,
      name: v.name as string | undefined,
      sport_type: v.sport_type as string | undefined,
      start_date: start.toISOString(),
      elapsed_time: elapsed,
      moving_time: v.moving_time as number | undefined,
      distance: v.distance as number | undefined,
      calories: v.calories as number | undefined,
      average_heartrate: v.average_heartrate as number | undefined,
      max_heartrate: v.max_heartrate as number | undefined,
      total_elevation_gain: v.total_elevation_gain as number | undefined,
      average_watts: v.average_watts as number | undefined,
      max_watts: v.max_watts as number | undefined,
      average_cadence: v.average_cadence as number | undefined,
      perceived_exertion: v.perceived_exertion as number | undefined,
    };
    const origin = {
      source: opts.source,
      athleteId: opts.athleteId ?? 'me',
      input,
      rawData: {
        filename,
        training_load: (v.training_load as number | undefined) ?? null,
        relative_effort: (v.relative_effort as number | undefined) ?? null,
        intensity: (v.intensity as number | undefined) ?? null,
        description: (v.description as string | undefined) ?? null,
        gear: (v.gear as string | undefined) ?? null,
        commute: (v.commute as string | undefined) ?? null,
        row: i + 1,
      },
    };
    const workout = mapStravaActivity(activity, origin);
    if (!accept(workout, input, record, result.errors)) return;
    result.workouts.push(workout);
    rows.push({ record, activityId: id, filename, activity, origin, workout });
  });
  return { rows, result };
}

function accept(w: SourceWorkoutInput, input: string, record: string, errors: ImportError[]): boolean {
  const problem = rejectionOf(SourceWorkout, w, input, record);
  if (problem) errors.push(problem);
  return problem === null;
}

/** The first position of a stream, as Strava's `start_latlng`. */
function firstPosition(stream: WorkoutStream | undefined): [number, number] | null {
  const lat = stream?.channels.lat;
  const lon = stream?.channels.lon;
  if (!lat || !lon) return null;
  for (let i = 0; i < lat.length; i++) if (Number.isFinite(lat[i]) && Number.isFinite(lon[i])) return [lat[i]!, lon[i]!];
  return null;
}

/** Metrics of the activity its file may supply when the CSV lacks them. */
type FillableField =
  | 'moving_time' | 'utc_offset' | 'distance' | 'calories' | 'average_heartrate' | 'max_heartrate' | 'total_elevation_gain'
  | 'average_watts' | 'max_watts' | 'average_cadence';

/**
 * The row's activity completed from its file's workout, in the API's field
 * names and units: the file fills metrics the CSV left empty and gives the UTC
 * offset, the start position (GPS) and whether power came from a power meter.
 */
function withFile(a: StravaActivity, fw: SourceWorkoutInput, stream: WorkoutStream | undefined): StravaActivity {
  const filled: StravaActivity = { ...a };
  const fill = (field: FillableField, value: number | null | undefined): void => {
    if (filled[field] == null && value != null) filled[field] = value;
  };
  fill('moving_time', fw.moving_time_s);
  fill('utc_offset', fw.utc_offset_min != null ? fw.utc_offset_min * 60 : null);
  fill('distance', fw.distance_m);
  fill('calories', fw.calories_kcal);
  fill('average_heartrate', fw.avg_hr);
  fill('max_heartrate', fw.max_hr);
  fill('total_elevation_gain', fw.elevation_gain_m);
  fill('average_watts', fw.avg_power_w);
  fill('max_watts', fw.max_power_w);
  // The file's cadence is in steps per minute for step sports; the API's shape holds strides.
  const strides = isStepSport(mapSport(a.sport_type ?? a.type ?? null).sport) ? 2 : 1;
  fill('average_cadence', fw.avg_cadence == null ? null : fw.avg_cadence / strides);
  const position = fw.has_gps ? firstPosition(stream) : null;
  if (position) filled.start_latlng = position;
  filled.device_watts = fw.has_power ?? false;
  return filled;
}

/**
 * Join an activities.csv row with the parse of its original file
 * (`activities/123.fit.gz`...). The CSV's identity, name, sport and times win;
 * the file completes the activity (see `withFile`) and its streams are
 * re-keyed to the Strava record. A FIT file's `external_ids.fit` is carried
 * over so dedup can link the Garmin copy.
 */
export function mergeStravaFile(row: StravaCsvRow, file: ParseResult): ParseResult {
  const out = emptyResult();
  out.errors.push(...file.errors);
  const fw = file.workouts.find((w) => w.parent_external_id == null) ?? file.workouts[0];
  if (!fw) {
    out.workouts.push(row.workout);
    return out;
  }
  const own = file.streams.filter((s) => s.external_id === fw.external_id);
  const streams = own.length ? own : file.streams;
  const fit = fw.external_ids?.fit;
  const workout = mapStravaActivity(withFile(row.activity, fw, streams[0]), {
    ...row.origin,
    rawData: { ...row.origin.rawData, file: { source: fw.source, external_id: fw.external_id, input: fw.input ?? null } },
    linkedIds: fit ? { fit } : undefined,
  });
  out.workouts.push(workout);
  for (const s of streams) out.streams.push({ ...s, source: workout.source, external_id: workout.external_id });
  return out;
}
