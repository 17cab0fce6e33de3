/**
 * Strava account export: `activities.csv` rows to source workouts, and the
 * join of a row with the parse of its original activity file.
 */
import { SourceWorkout, type ImportError, type ParseResult, type SourceWorkoutInput, emptyResult, rejectionOf } from '../../core/models.ts';
import { mapSport } from '../../core/sports.ts';
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

/** One activities.csv row: the workout it gives and where its original file is. */
export interface StravaCsvRow {
  /** `row N`, 1-based among data rows. */
  record: string;
  activityId: string;
  /** Path inside the export (`activities/123.fit.gz`), null for manual activities. */
  filename: string | null;
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

type Field =
  | 'id' | 'date' | 'name' | 'type' | 'description' | 'elapsed' | 'moving' | 'distance' | 'max_hr' | 'avg_hr'
  | 'avg_watts' | 'max_watts' | 'calories' | 'elevation_gain' | 'rpe' | 'training_load' | 'relative_effort'
  | 'filename' | 'avg_cadence' | 'gear' | 'commute' | 'intensity';

/**
 * Column map. Where a name repeats, the later column carries the precise
 * value (metres, float seconds), so it is listed first and the earlier one is
 * the fallback: `convertRow` keeps the first non-empty value per field.
 */
const COLUMNS: readonly ColumnSpec<Field>[] = [
  { column: 'Activity ID', field: 'id', convert: text },
  { column: 'Activity Date', field: 'date', convert: stravaDate },
  { column: 'Activity Name', field: 'name', convert: text },
  { column: 'Activity Type', field: 'type', convert: text },
  { column: 'Activity Description', field: 'description', convert: text },
  { column: 'Elapsed Time', occurrence: 1, field: 'elapsed', convert: num },
  { column: 'Elapsed Time', field: 'elapsed', convert: num },
  { column: 'Moving Time', field: 'moving', convert: num },
  { column: 'Distance', occurrence: 1, field: 'distance', convert: num },
  { column: 'Distance', field: 'distance', convert: scaled(1000) },
  { column: 'Max Heart Rate', occurrence: 1, field: 'max_hr', convert: num },
  { column: 'Max Heart Rate', field: 'max_hr', convert: num },
  { column: 'Average Heart Rate', field: 'avg_hr', convert: num },
  { column: 'Average Watts', field: 'avg_watts', convert: num },
  { column: 'Max Watts', field: 'max_watts', convert: num },
  { column: 'Calories', field: 'calories', convert: num },
  { column: 'Elevation Gain', field: 'elevation_gain', convert: num },
  { column: 'Perceived Exertion', field: 'rpe', convert: num },
  { column: 'Training Load', field: 'training_load', convert: num },
  { column: 'Relative Effort', occurrence: 1, field: 'relative_effort', convert: num },
  { column: 'Relative Effort', field: 'relative_effort', convert: num },
  { column: 'Intensity', field: 'intensity', convert: num },
  { column: 'Average Cadence', field: 'avg_cadence', convert: num },
  { column: 'Filename', field: 'filename', convert: text },
  { column: 'Activity Gear', field: 'gear', convert: text },
  { column: 'Commute', occurrence: 1, field: 'commute', convert: text },
  { column: 'Commute', field: 'commute', convert: text },
];

const REQUIRED = ['Activity ID', 'Activity Date', 'Activity Type'];

/**
 * Parse a Strava export's activities.csv. Each row becomes a `strava` source
 * workout keyed by its Activity ID. Strava's `Training Load` (its own,
 * undocumented scale) is kept in raw_data only; the canonical training_load
 * stays null so it is never mixed with our TRIMP-style loads. The CSV has no
 * UTC offset, so utc_offset_min is null until joined with the activity file.
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
  const source = opts.source ?? 'strava';
  table.rows.forEach((cells, i) => {
    const record = `row ${i + 1}`;
    const v = convertRow(bound, cells, input, record, result.errors);
    const fail = (field: string, reason: string) => {
      if (!reported(result.errors, record, field)) result.errors.push({ input, record, field, reason: `${reason} (line ${table.lines[i]})` });
    };
    const id = v.id as string | undefined;
    const start = v.date as Date | undefined;
    if (!id) return fail('Activity ID', 'Activity ID is empty');
    if (!start) return fail('Activity Date', 'Activity Date is empty');
    const elapsed = (v.elapsed as number | undefined) ?? (v.moving as number | undefined);
    if (elapsed == null) return fail('Elapsed Time', 'neither Elapsed Time nor Moving Time is given');
    const type = (v.type as string | undefined) ?? null;
    const { sport, category } = mapSport(type);
    const filename = (v.filename as string | undefined) ?? null;
    const workout: SourceWorkoutInput = {
      athlete_id: opts.athleteId ?? 'me',
      source,
      external_id: id,
      external_ids: { strava: id },
      name: (v.name as string | undefined) ?? null,
      start_time: start,
      end_time: new Date(start.getTime() + elapsed * 1000),
      duration_s: elapsed,
      moving_time_s: (v.moving as number | undefined) ?? null,
      utc_offset_min: null,
      sport,
      source_sport: type,
      sport_category: category,
      distance_m: (v.distance as number | undefined) ?? null,
      calories_kcal: (v.calories as number | undefined) ?? null,
      avg_hr: (v.avg_hr as number | undefined) ?? null,
      max_hr: (v.max_hr as number | undefined) ?? null,
      elevation_gain_m: (v.elevation_gain as number | undefined) ?? null,
      avg_power_w: (v.avg_watts as number | undefined) ?? null,
      max_power_w: (v.max_watts as number | undefined) ?? null,
      avg_cadence: (v.avg_cadence as number | undefined) ?? null,
      training_load: null,
      perceived_exertion: (v.rpe as number | undefined) ?? null,
      raw_data: {
        filename,
        training_load: (v.training_load as number | undefined) ?? null,
        relative_effort: (v.relative_effort as number | undefined) ?? null,
        intensity: (v.intensity as number | undefined) ?? null,
        description: (v.description as string | undefined) ?? null,
        gear: (v.gear as string | undefined) ?? null,
        commute: (v.commute as string | undefined) ?? null,
        row: i + 1,
      },
      has_gps: false,
      has_power: false,
      input,
    };
    if (!accept(workout, input, record, result.errors)) return;
    result.workouts.push(workout);
    rows.push({ record, activityId: id, filename, workout });
  });
  return { rows, result };
}

function accept(w: SourceWorkoutInput, input: string, record: string, errors: ImportError[]): boolean {
  const problem = rejectionOf(SourceWorkout, w, input, record);
  if (problem) errors.push(problem);
  return problem === null;
}

/** Metric fields the CSV supplies and the activity file may fill when the CSV lacks them. */
const FILLABLE = [
  'moving_time_s', 'utc_offset_min', 'distance_m', 'calories_kcal', 'avg_hr', 'max_hr', 'elevation_gain_m',
  'avg_power_w', 'max_power_w', 'avg_cadence',
] as const;

/**
 * Join an activities.csv row with the parse of its original file
 * (`activities/123.fit.gz`...). The CSV's identity, name, sport and times win;
 * the file fills metrics the CSV lacks (and the UTC offset), decides has_gps
 * and has_power, and its streams are re-keyed to the Strava record. A FIT
 * file's `external_ids.fit` is carried over so dedup can link the Garmin copy.
 */
export function mergeStravaFile(row: SourceWorkoutInput, file: ParseResult): ParseResult {
  const out = emptyResult();
  out.errors.push(...file.errors);
  const fw = file.workouts.find((w) => w.parent_external_id == null) ?? file.workouts[0];
  if (!fw) {
    out.workouts.push(row);
    return out;
  }
  const merged: SourceWorkoutInput = { ...row, external_ids: { ...(row.external_ids ?? {}) } };
  for (const k of FILLABLE) {
    if (merged[k] == null && fw[k] != null) (merged as Record<string, unknown>)[k] = fw[k];
  }
  merged.has_gps = fw.has_gps ?? false;
  merged.has_power = fw.has_power ?? false;
  const fit = fw.external_ids?.fit;
  if (fit) merged.external_ids!.fit = fit;
  merged.raw_data = {
    ...(typeof row.raw_data === 'object' && row.raw_data !== null ? row.raw_data : {}),
    file: { source: fw.source, external_id: fw.external_id, input: fw.input ?? null },
  };
  out.workouts.push(merged);
  const own = file.streams.filter((s) => s.external_id === fw.external_id);
  for (const s of own.length ? own : file.streams) out.streams.push({ ...s, source: row.source, external_id: row.external_id });
  return out;
}
