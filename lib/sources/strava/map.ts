/**
 * Strava's one mapping to canonical records. Every way a Strava activity
 * arrives is first put in the API's own shape, a SummaryActivity: the API's
 * list as it is, the predecessor's saved copy of that list, and an account
 * export's activities.csv row joined with its activity file (see export.ts).
 */
import { z } from 'zod';
import type { SourceWorkoutInput, WorkoutStream } from '../../core/models.ts';
import { isStepSport, mapSport } from '../../core/sports.ts';
import { parseRaw } from '../base.ts';
import { SOURCE } from './index.ts';

const num = z.number().finite();

/**
 * A SummaryActivity as `GET /athlete/activities` returns it (absent metrics
 * are omitted). `calories` and `perceived_exertion` come only with an
 * activity's detail and in the account export.
 */
export const StravaActivity = z.looseObject({
  id: z.union([z.number().int(), z.string().regex(/^\d+$/)]),
  name: z.string().nullish(),
  distance: num.nonnegative().nullish(),
  moving_time: num.nonnegative().nullish(),
  elapsed_time: num.nonnegative(),
  total_elevation_gain: num.nullish(),
  type: z.string().nullish(),
  sport_type: z.string().nullish(),
  start_date: z.iso.datetime({ offset: true }),
  start_date_local: z.string().nullish(),
  timezone: z.string().nullish(),
  utc_offset: num.nullish(),
  average_heartrate: num.nullish(),
  max_heartrate: num.nullish(),
  average_watts: num.nullish(),
  max_watts: num.nullish(),
  device_watts: z.boolean().nullish(),
  average_cadence: num.nullish(),
  calories: num.nullish(),
  perceived_exertion: num.nullish(),
  trainer: z.boolean().nullish(),
  manual: z.boolean().nullish(),
  external_id: z.string().nullish(),
  upload_id: z.union([z.number(), z.string()]).nullish(),
  start_latlng: z.array(num).nullish(),
  map: z.looseObject({ summary_polyline: z.string().nullish() }).nullish(),
});
/** @see StravaActivity */
export type StravaActivity = z.infer<typeof StravaActivity>;

/** Where a record came from: what its canonical row carries besides the activity's own fields. */
export interface StravaOrigin {
  /** Source to file the record under (default `strava`). */
  source?: string;
  athleteId?: string;
  /** File or URL the record was read from. */
  input?: string;
  /** The payload kept as raw_data, secrets already removed. */
  rawData: unknown;
  /** Ids of the same activity found beside the record (the id of an export's FIT file). */
  linkedIds?: Record<string, string>;
}

/** Cross-source ids from Strava's `external_id`: Garmin uploads are `garmin_ping_<n>`/`garmin_push_<n>`. */
export function stravaExternalIds(id: string, externalId: string | null | undefined): Record<string, string> {
  const ids: Record<string, string> = { strava: id };
  const m = externalId ? /^garmin_(?:ping|push)_(\d+)/.exec(externalId) : null;
  if (m) ids.garmin = m[1]!;
  else if (externalId) ids.upload = externalId;
  return ids;
}

/**
 * Map one SummaryActivity to a canonical workout.
 *
 * Where the ways in disagree, this trusts the API's reading: the start is
 * `start_date` (UTC) with `utc_offset`, never `start_date_local` (local wall
 * time written with a misleading `Z`) nor the `timezone` label (sometimes
 * wrong); the duration is `elapsed_time`; GPS is a polyline or a start
 * position; only `device_watts` makes power a power meter's (Strava estimates
 * the rest); a negative elevation gain is no measurement. Strava's Training
 * Load and Relative Effort use its own scales and stay in raw_data. Strava
 * counts the cadence of runs, walks and hikes in strides per minute: stored
 * doubled, as steps per minute, like every source.
 */
export function mapStravaActivity(a: StravaActivity, origin: StravaOrigin): SourceWorkoutInput {
  const id = String(a.id);
  const start = new Date(a.start_date);
  const sourceSport = a.sport_type ?? a.type ?? null;
  const { sport, category } = mapSport(sourceSport);
  return {
    athlete_id: origin.athleteId,
    source: origin.source ?? SOURCE,
    external_id: id,
    name: a.name ?? null,
    start_time: start,
    end_time: new Date(start.getTime() + a.elapsed_time * 1000),
    duration_s: a.elapsed_time,
    moving_time_s: a.moving_time ?? null,
    utc_offset_min: a.utc_offset != null ? Math.round(a.utc_offset / 60) : null,
    sport,
    source_sport: sourceSport,
    sport_category: category,
    distance_m: a.distance ?? null,
    calories_kcal: a.calories ?? null,
    avg_hr: a.average_heartrate ?? null,
    max_hr: a.max_heartrate ?? null,
    elevation_gain_m: a.total_elevation_gain != null && a.total_elevation_gain >= 0 ? a.total_elevation_gain : null,
    avg_power_w: a.average_watts ?? null,
    max_power_w: a.max_watts ?? null,
    avg_cadence: a.average_cadence == null ? null : a.average_cadence * (isStepSport(sport) ? 2 : 1),
    training_load: null,
    perceived_exertion: a.perceived_exertion ?? null,
    external_ids: { ...stravaExternalIds(id, a.external_id), ...origin.linkedIds },
    raw_data: origin.rawData,
    has_gps: Boolean(a.map?.summary_polyline) || (a.start_latlng?.length ?? 0) === 2,
    has_power: a.device_watts === true,
    input: origin.input,
  };
}

const StreamSet = z.record(z.string(), z.looseObject({ data: z.array(z.unknown()) }));

/**
 * Build a columnar stream from a `key_by_type=true` streams response; times are
 * offsets from `start`. Cadence of a step sport (`sport`, canonical) is doubled
 * from strides to steps per minute.
 */
export function stravaStreams(externalId: string, start: Date, raw: unknown, sport = 'other'): WorkoutStream {
  const s = parseRaw(StreamSet, raw, `strava streams of ${externalId}`);
  const t = s.time?.data ?? [];
  const n = t.length;
  const col = (key: string, pick: (v: unknown) => unknown = (v) => v): Float64Array | undefined => {
    const d = s[key]?.data;
    if (!d) return undefined;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = pick(d[i]);
      out[i] = typeof v === 'number' && Number.isFinite(v) ? v : NaN;
    }
    return out;
  };
  const time = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = t[i];
    time[i] = typeof v === 'number' ? start.getTime() + v * 1000 : NaN;
  }
  const channels: WorkoutStream['channels'] = {};
  const put = (name: keyof WorkoutStream['channels'], arr: Float64Array | undefined): void => {
    if (arr) channels[name] = arr;
  };
  put('lat', col('latlng', (v) => (Array.isArray(v) ? v[0] : undefined)));
  put('lon', col('latlng', (v) => (Array.isArray(v) ? v[1] : undefined)));
  put('altitude_m', col('altitude'));
  put('distance_m', col('distance'));
  put('speed_mps', col('velocity_smooth'));
  put('hr', col('heartrate'));
  put('power_w', col('watts'));
  const steps = isStepSport(sport) ? 2 : 1;
  put('cadence', col('cadence', (v) => (typeof v === 'number' ? v * steps : v)));
  return { source: SOURCE, external_id: externalId, time, channels };
}
