/**
 * The predecessor's activities.csv rows to canonical workouts, and their match
 * with the activities of its strava_activities.json (which map.ts of Strava
 * maps, as it maps the API's).
 */
import type { SourceWorkoutInput } from '../../core/models.ts';
import { mapSport } from '../../core/sports.ts';
import type { WallTime } from '../../formats/csv.ts';
import { SOURCE } from './index.ts';
import { viaStravaApi } from './lineage.ts';

/** Metres per mile as the predecessor used it (its CSV wrote miles = metres / 1609.34). */
const METRES_PER_MILE = 1609.34;
/** Miles are written to 2 places; 0.006 allows for that rounding plus float noise. */
const MILES_TOLERANCE = 0.006;
/** Wall times match within a minute. */
const TIME_TOLERANCE_MS = 60_000;

/** One row of the predecessor's activities.csv, in its own column names. */
export interface LegacyCsvRecord {
  /** The `date` cell as written (the row's id: `legacy:` + this). */
  date: string;
  /** That cell read as a local wall time; its UTC offset is unknown. */
  wall: WallTime;
  name: string | null;
  type: string | null;
  distance_miles: number | null;
  /** Elapsed time. */
  duration_min: number;
  pace_per_mile: string | null;
}

/** One mapped row of the predecessor's activities.csv. */
export interface LegacyCsvRow {
  record: string;
  /** The `date` cell as written. */
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

/**
 * Map one activities.csv row: miles to metres, elapsed minutes to seconds,
 * source `strava_legacy`, external id `legacy:` + the date text, tagged as
 * Strava-API data (the predecessor wrote the CSV from the API's activities).
 * Times are local with no zone: see LegacyCsvRow.
 */
export function mapLegacyCsvRow(
  record: string,
  r: LegacyCsvRecord,
  origin: { source?: string; athleteId?: string; input: string },
): LegacyCsvRow {
  const { sport, category } = mapSport(r.type);
  const workout: SourceWorkoutInput = {
    athlete_id: origin.athleteId ?? 'me',
    source: origin.source ?? SOURCE,
    external_id: `legacy:${r.date}`,
    name: r.name,
    start_time: new Date(r.wall.wallMs),
    end_time: new Date(r.wall.wallMs + r.duration_min * 60_000),
    duration_s: r.duration_min * 60,
    utc_offset_min: null,
    sport,
    source_sport: r.type,
    sport_category: category,
    distance_m: r.distance_miles != null ? r.distance_miles * METRES_PER_MILE : null,
    raw_data: viaStravaApi({
      date: r.date,
      distance_miles: r.distance_miles,
      duration_min: r.duration_min,
      pace_per_mile: r.pace_per_mile,
      time_basis: 'local wall time stored as UTC: the CSV has no UTC offset',
    }),
    input: origin.input,
  };
  return { record, dateText: r.date, wall: r.wall, miles: r.distance_miles, workout };
}

/** A CSV row and the JSON activity it duplicates. */
export interface LegacyMatch {
  csv: LegacyCsvRow;
  json: SourceWorkoutInput;
  /**
   * The CSV row's workout placed in UTC by the activity's offset and carrying
   * its Strava id, so dedup joins the two by id (tier 1).
   */
  linked: SourceWorkoutInput;
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
 * in time. Matched rows come with the activity (and, linked, carrying its
 * Strava id); unmatched rows are returned with their UTC time placed by the
 * offset of the JSON activity nearest in time, noted in raw_data (left as-is
 * when no JSON has an offset).
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
      pairs.push({ csv: row, json: match.w, linked: linkTo(row, match.w) });
      continue;
    }
    unmatched.push(placeByNearest(row, json));
  }
  return { pairs, unmatched };
}

function linkTo(row: LegacyCsvRow, json: SourceWorkoutInput): SourceWorkoutInput {
  const offset = json.utc_offset_min!;
  const strava = json.external_ids?.strava;
  return {
    ...placeAt(row, offset, `UTC offset ${offset} min of the Strava activity it matches (${strava ?? json.external_id}); the CSV has none`),
    external_ids: strava ? { strava } : {},
  };
}

function placeAt(row: LegacyCsvRow, offset: number, basis: string): SourceWorkoutInput {
  const shift = offset * 60_000;
  return {
    ...row.workout,
    start_time: new Date(row.wall.wallMs - shift),
    end_time: new Date(new Date(row.workout.end_time).getTime() - shift),
    utc_offset_min: offset,
    raw_data: { ...(row.workout.raw_data as object), time_basis: basis },
  };
}

function placeByNearest(row: LegacyCsvRow, json: readonly { w: SourceWorkoutInput; wall: number }[]): SourceWorkoutInput {
  let nearest: { w: SourceWorkoutInput; wall: number } | undefined;
  for (const j of json) if (!nearest || Math.abs(j.wall - row.wall.wallMs) < Math.abs(nearest.wall - row.wall.wallMs)) nearest = j;
  if (!nearest) return row.workout;
  const offset = nearest.w.utc_offset_min!;
  return placeAt(row, offset, `UTC offset ${offset} min assumed from the nearest JSON activity in time (${nearest.w.external_id}); the CSV has none`);
}
