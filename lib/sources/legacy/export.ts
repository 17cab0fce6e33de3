/**
 * The predecessor's files: `strava_activities.json` (Strava SummaryActivity
 * objects) and `activities.csv` (local times, miles, no ids), and the match
 * between the two so the CSV adds only what the JSON lacks.
 */
import { z } from 'zod';
import {
  SourceWorkout,
  emptyResult,
  formatZodError,
  type ParseResult,
  type SourceWorkoutInput,
  rejectionOf,
} from '../../core/models.ts';
import { mapSport } from '../../core/sports.ts';
import {
  bindColumns,
  columnIndex,
  convertRow,
  isoInstant,
  num,
  readCsv,
  text,
  wallTime,
  type CellConverter,
  type ColumnSpec,
  type CsvTable,
  type ExportOptions,
  type WallTime,
} from '../../formats/csv.ts';

/** Metres per mile as the predecessor used it (its CSV wrote miles = metres / 1609.34). */
const METRES_PER_MILE = 1609.34;
/** Miles are written to 2 places; 0.006 allows for that rounding plus float noise. */
const MILES_TOLERANCE = 0.006;
/** Wall times match within a minute. */
const TIME_TOLERANCE_MS = 60_000;

const optNum = z.number().finite().nullish();

/** Strava SummaryActivity as the predecessor saved it: only the fields read here; the rest pass through. */
const SummaryActivity = z.looseObject({
  id: z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]),
  name: z.string().nullish(),
  distance: optNum,
  moving_time: optNum,
  elapsed_time: z.number().finite().nonnegative(),
  type: z.string().nullish(),
  sport_type: z.string().nullish(),
  start_date: z.string(),
  start_date_local: z.string().nullish(),
  timezone: z.string().nullish(),
  utc_offset: optNum,
  average_heartrate: optNum,
  max_heartrate: optNum,
  average_watts: optNum,
  max_watts: optNum,
  device_watts: z.boolean().nullish(),
  average_cadence: optNum,
  total_elevation_gain: optNum,
  external_id: z.string().nullish(),
  map: z.object({ summary_polyline: z.string().nullish() }).loose().nullish(),
});

/**
 * Parse the predecessor's strava_activities.json. start_time comes from
 * `start_date` (UTC), never `start_date_local` (local wall time written with
 * a misleading `Z`); utc_offset_min is `utc_offset` / 60, trusted over the
 * `timezone` label. A Garmin `external_id` (`garmin_ping_<n>`/`garmin_push_<n>`)
 * gives external_ids.garmin so dedup links the Garmin copy; any other
 * upload id is kept as external_ids.upload. `kilojoules` is not calories and
 * stays in raw_data only.
 */
export function parseLegacyStravaJson(jsonText: string, input: string, opts: ExportOptions = {}): ParseResult {
  const result = emptyResult();
  let doc: unknown;
  try {
    doc = JSON.parse(jsonText.replace(/^\uFEFF/, ''));
  } catch (e) {
    result.errors.push({ input, reason: `unreadable JSON: ${(e as Error).message}` });
    return result;
  }
  if (!Array.isArray(doc)) {
    result.errors.push({ input, reason: 'not a Strava activity list: expected a JSON array' });
    return result;
  }
  doc.forEach((item, i) => {
    const record = `activity ${i + 1}`;
    const parsed = SummaryActivity.safeParse(item);
    if (!parsed.success) {
      result.errors.push({ input, record, field: parsed.error.issues[0]?.path.join('.'), reason: formatZodError(parsed.error) });
      return;
    }
    const a = parsed.data;
    let start;
    try {
      start = isoInstant(a.start_date);
    } catch (e) {
      result.errors.push({ input, record, field: 'start_date', reason: `${(e as Error).message} (got "${a.start_date}")` });
      return;
    }
    const id = String(a.id);
    const externalIds: Record<string, string> = { strava: id };
    if (a.external_id) {
      const garmin = /^garmin_(?:ping|push)_(\d+)$/.exec(a.external_id);
      if (garmin) externalIds.garmin = garmin[1]!;
      else externalIds.upload = a.external_id;
    }
    const sourceSport = a.sport_type ?? a.type ?? null;
    const { sport, category } = mapSport(sourceSport);
    const workout: SourceWorkoutInput = {
      athlete_id: opts.athleteId ?? 'me',
      source: opts.source ?? 'strava',
      external_id: id,
      name: a.name ?? null,
      start_time: start.time,
      end_time: new Date(start.time.getTime() + a.elapsed_time * 1000),
      duration_s: a.elapsed_time,
      moving_time_s: a.moving_time ?? null,
      utc_offset_min: a.utc_offset != null ? Math.round(a.utc_offset / 60) : null,
      sport,
      source_sport: sourceSport,
      sport_category: category,
      distance_m: a.distance ?? null,
      avg_hr: a.average_heartrate ?? null,
      max_hr: a.max_heartrate ?? null,
      elevation_gain_m: a.total_elevation_gain ?? null,
      avg_power_w: a.average_watts ?? null,
      max_power_w: a.max_watts ?? null,
      avg_cadence: a.average_cadence ?? null,
      external_ids: externalIds,
      raw_data: a,
      has_gps: (a.map?.summary_polyline ?? '') !== '',
      has_power: a.device_watts === true,
      input,
    };
    accept(workout, input, record, result);
  });
  return result;
}

function accept(w: SourceWorkoutInput, input: string, record: string, result: ParseResult): boolean {
  const problem = rejectionOf(SourceWorkout, w, input, record);
  if (problem) result.errors.push(problem);
  else result.workouts.push(w);
  return problem === null;
}

/** One row of the predecessor's activities.csv. */
export interface LegacyCsvRow {
  record: string;
  /** The `date` cell as written (the row's id: `legacy:` + this). */
  dateText: string;
  /** Local wall time of the start; its UTC offset is unknown. */
  wall: WallTime;
  miles: number | null;
  /**
   * The provisional workout: start_time is the wall time taken as UTC and
   * utc_offset_min is null until `matchLegacyCsvToJson` supplies an offset.
   */
  workout: SourceWorkoutInput;
}

/** The predecessor wrote local times, sometimes with a stray `Z`: the zone is never meaningful. */
const legacyWallTime: CellConverter<WallTime> = (cell) => wallTime(cell.replace(/Z$/i, ''));

type CsvField = 'date' | 'name' | 'type' | 'miles' | 'duration_min' | 'pace';

const CSV_COLUMNS: readonly ColumnSpec<CsvField>[] = [
  { column: 'date', field: 'date', convert: legacyWallTime },
  { column: 'name', field: 'name', convert: text },
  { column: 'type', field: 'type', convert: text },
  { column: 'distance_miles', field: 'miles', convert: num },
  { column: 'duration_min', field: 'duration_min', convert: num },
  { column: 'pace_per_mile', field: 'pace', convert: text },
];

/**
 * Parse the predecessor's activities.csv
 * (`date,name,type,distance_miles,duration_min,pace_per_mile`): miles to
 * metres, elapsed minutes to seconds, source `strava_legacy`, external id
 * `legacy:` + the date text. Times are local with no zone: see LegacyCsvRow.
 */
export function parseLegacyActivitiesCsv(
  csvText: string,
  input: string,
  opts: ExportOptions = {},
): { rows: LegacyCsvRow[]; result: ParseResult } {
  const result = emptyResult();
  const rows: LegacyCsvRow[] = [];
  let table: CsvTable;
  try {
    table = readCsv(csvText);
  } catch (e) {
    result.errors.push({ input, reason: `unreadable CSV: ${(e as Error).message}` });
    return { rows, result };
  }
  const missing = ['date', 'distance_miles', 'duration_min'].filter((c) => columnIndex(table.header, c) < 0);
  if (missing.length) {
    result.errors.push({ input, field: missing.join(', '), reason: `not the predecessor's activities.csv: missing column(s) ${missing.join(', ')}` });
    return { rows, result };
  }
  const bound = bindColumns(table.header, CSV_COLUMNS);
  table.rows.forEach((cells, i) => {
    const record = `row ${i + 1}`;
    const v = convertRow(bound, cells, input, record, result.errors);
    const fail = (field: string, reason: string) => result.errors.push({ input, record, field, reason: `${reason} (line ${table.lines[i]})` });
    const wall = v.date as WallTime | undefined;
    const dateText = (cells[columnIndex(table.header, 'date')] ?? '').trim();
    if (!wall) {
      if (dateText === '') fail('date', 'date is empty');
      return;
    }
    const minutes = v.duration_min as number | undefined;
    if (minutes == null) {
      if ((cells[columnIndex(table.header, 'duration_min')] ?? '').trim() === '') fail('duration_min', 'duration_min is empty');
      return;
    }
    const miles = (v.miles as number | undefined) ?? null;
    const type = (v.type as string | undefined) ?? null;
    const { sport, category } = mapSport(type);
    const workout: SourceWorkoutInput = {
      athlete_id: opts.athleteId ?? 'me',
      source: opts.source ?? 'strava_legacy',
      external_id: `legacy:${dateText}`,
      name: (v.name as string | undefined) ?? null,
      start_time: new Date(wall.wallMs),
      end_time: new Date(wall.wallMs + minutes * 60_000),
      duration_s: minutes * 60,
      utc_offset_min: null,
      sport,
      source_sport: type,
      sport_category: category,
      distance_m: miles != null ? miles * METRES_PER_MILE : null,
      raw_data: {
        date: dateText,
        distance_miles: miles,
        duration_min: minutes,
        pace_per_mile: (v.pace as string | undefined) ?? null,
        time_basis: 'local wall time stored as UTC: the CSV has no UTC offset',
      },
      input,
    };
    if (accept(workout, input, record, result)) rows.push({ record, dateText, wall, miles, workout });
  });
  return { rows, result };
}

/** A CSV row and the JSON activity it duplicates. */
export interface LegacyMatch {
  csv: LegacyCsvRow;
  json: SourceWorkoutInput;
}

/** Local wall time of a workout that knows its offset, as ms-taken-as-UTC. */
function wallMsOf(w: SourceWorkoutInput): number | null {
  return w.utc_offset_min == null ? null : new Date(w.start_time).getTime() + w.utc_offset_min * 60_000;
}

function distanceMatches(miles: number | null, metres: number | null | undefined): boolean {
  if (miles == null || metres == null) return (miles ?? 0) === 0 && (metres ?? 0) === 0;
  return Math.abs(miles * METRES_PER_MILE - metres) <= MILES_TOLERANCE * METRES_PER_MILE;
}

/**
 * Match legacy CSV rows to the JSON activities they duplicate: same local
 * wall time within 60 s (the JSON's start plus its utc_offset) and distance
 * within 0.006 mile. Each JSON activity matches at most one row, the closest
 * in time. Matched rows are dropped (the JSON has the id); unmatched rows are
 * returned with their UTC time placed by the offset of the JSON activity
 * nearest in time, noted in raw_data (left as-is when no JSON has an offset).
 */
export function matchLegacyCsvToJson(
  csvRows: readonly LegacyCsvRow[],
  jsonRows: readonly SourceWorkoutInput[],
): { pairs: LegacyMatch[]; unmatched: SourceWorkoutInput[] } {
  const json = jsonRows.flatMap((w) => {
    const wall = wallMsOf(w);
    return wall == null ? [] : [{ w, wall }];
  });
  const used = new Set<number>();
  const pairs: LegacyMatch[] = [];
  const unmatched: SourceWorkoutInput[] = [];
  for (const row of csvRows) {
    let best = -1;
    let bestGap = Infinity;
    json.forEach((j, k) => {
      const gap = Math.abs(j.wall - row.wall.wallMs);
      if (!used.has(k) && gap <= TIME_TOLERANCE_MS && gap < bestGap && distanceMatches(row.miles, j.w.distance_m)) {
        best = k;
        bestGap = gap;
      }
    });
    const match = json[best];
    if (match) {
      used.add(best);
      pairs.push({ csv: row, json: match.w });
      continue;
    }
    unmatched.push(placeByNearest(row, json));
  }
  return { pairs, unmatched };
}

function placeByNearest(row: LegacyCsvRow, json: readonly { w: SourceWorkoutInput; wall: number }[]): SourceWorkoutInput {
  let nearest: { w: SourceWorkoutInput; wall: number } | undefined;
  for (const j of json) if (!nearest || Math.abs(j.wall - row.wall.wallMs) < Math.abs(nearest.wall - row.wall.wallMs)) nearest = j;
  if (!nearest) return row.workout;
  const offset = nearest.w.utc_offset_min!;
  const shift = offset * 60_000;
  return {
    ...row.workout,
    start_time: new Date(row.wall.wallMs - shift),
    end_time: new Date(new Date(row.workout.end_time).getTime() - shift),
    utc_offset_min: offset,
    raw_data: {
      ...(row.workout.raw_data as object),
      time_basis: `UTC offset ${offset} min assumed from the nearest JSON activity in time (${nearest.w.external_id}); the CSV has none`,
    },
  };
}
