/**
 * Reads the predecessor's files: `strava_activities.json` (Strava
 * SummaryActivity objects, mapped by Strava's map.ts as the API's are) and
 * `activities.csv` (local times, miles, no ids; mapped by map.ts here). Both
 * came from Strava's API and keep that lineage (see lineage.ts).
 */
import { SourceWorkout, emptyResult, type ParseResult, type SourceWorkoutInput, rejectionOf } from '../../core/models.ts';
import { redact } from '../../core/redact.ts';
import {
  bindColumns,
  columnIndex,
  convertRow,
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
import { itemError, parseRaw } from '../base.ts';
import { mapStravaActivity, StravaActivity } from '../strava/map.ts';
import { viaStravaApi } from './lineage.ts';
import { mapLegacyCsvRow, type LegacyCsvRow } from './map.ts';

/** Largest UTC offsets in use, in seconds (UTC-12 to UTC+14). */
const MIN_OFFSET_S = -12 * 3600;
const MAX_OFFSET_S = 14 * 3600;

/**
 * The activity with `utc_offset` recovered when missing, from
 * `start_date_local`: local wall time written with a misleading `Z`, so its
 * clock reading minus `start_date` is the offset. The `timezone` label is not
 * used: it can be wrong while the times are right.
 */
export function withUtcOffset(a: StravaActivity): StravaActivity {
  if (a.utc_offset != null || !a.start_date_local) return a;
  const wall = Date.parse(`${a.start_date_local.trim().replace(/(Z|[+-]\d{2}:?\d{2})$/i, '')}Z`);
  const offset = (wall - Date.parse(a.start_date)) / 1000;
  return Number.isFinite(offset) && offset >= MIN_OFFSET_S && offset <= MAX_OFFSET_S ? { ...a, utc_offset: offset } : a;
}

/**
 * Parse the predecessor's strava_activities.json, a JSON array exactly as
 * `GET /athlete/activities` returns it. Each item is checked against the API's
 * schema and mapped by the same mapping as the API's (see strava/map.ts);
 * raw_data keeps the item as saved, secrets removed, tagged as API data.
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
    let activity: StravaActivity;
    try {
      activity = parseRaw(StravaActivity, item, 'strava activity');
    } catch (e) {
      result.errors.push(itemError(input, record, e));
      return;
    }
    const workout = mapStravaActivity(withUtcOffset(activity), { source: opts.source, athleteId: opts.athleteId ?? 'me', input, rawData: viaStravaApi(redact(item) as object) });
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
 * (`date,name,type,distance_miles,duration_min,pace_per_mile`), each row
 * mapped by `mapLegacyCsvRow`. Times are local with no zone: see LegacyCsvRow.
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
    const row = mapLegacyCsvRow(
      record,
      {
        date: dateText,
        wall,
        name: (v.name as string | undefined) ?? null,
        type: (v.type as string | undefined) ?? null,
        distance_miles: (v.miles as number | undefined) ?? null,
        duration_min: minutes,
        pace_per_mile: (v.pace as string | undefined) ?? null,
      },
      { source: opts.source, athleteId: opts.athleteId, input },
    );
    if (accept(row.workout, input, record, result)) rows.push(row);
  });
  return { rows, result };
}

