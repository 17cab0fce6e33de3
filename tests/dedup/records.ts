/** Builders of synthetic dedup inputs shared by the dedup tests. */
import { sourceRecordId } from '../../lib/core/ids.ts';
import { mapSport } from '../../lib/core/sports.ts';
import type { DedupRecord, DedupRoute } from '../../lib/core/dedup/deduplicate.ts';

/** The inputs a test cares about; everything else gets a neutral default. */
export interface RecordSpec extends Partial<Omit<DedupRecord, 'start_time' | 'end_time'>> {
  source: string;
  external_id: string;
  /** ISO instant with offset. */
  start: string;
  duration_s: number;
}

/** A DedupRecord with record_id = sourceRecordId(athlete, source, external_id). */
export function rec(spec: RecordSpec): DedupRecord {
  const { start, ...rest } = spec;
  const athlete = spec.athlete_id ?? 'me';
  const sport = spec.sport ?? 'running';
  const startTime = new Date(start);
  return {
    athlete_id: athlete,
    name: null,
    moving_time_s: null,
    utc_offset_min: null,
    source_sport: null,
    sport_category: mapSport(sport).category,
    distance_m: null,
    calories_kcal: null,
    avg_hr: null,
    max_hr: null,
    elevation_gain_m: null,
    avg_power_w: null,
    max_power_w: null,
    avg_cadence: null,
    training_load: null,
    perceived_exertion: null,
    external_ids: {},
    raw_data: null,
    has_gps: false,
    has_power: false,
    parent_external_id: null,
    input: null,
    data_quality_score: 0.8,
    ...rest,
    sport,
    start_time: startTime,
    end_time: new Date(startTime.getTime() + spec.duration_s * 1000),
    record_id: sourceRecordId(athlete, spec.source, spec.external_id),
  };
}

/**
 * A track along a winding path starting near (lat0, lon0): `n` points over
 * `lengthM` metres, shifted by (`offsetM` north); with `gap` the points with
 * index in [gap[0], gap[1]) are dropped, as when a watch loses GPS.
 */
export function track(
  lat0: number,
  lon0: number,
  opts: { n?: number; lengthM?: number; offsetM?: number; gap?: [number, number]; heading?: number } = {},
): DedupRoute {
  const n = opts.n ?? 150;
  const length = opts.lengthM ?? 8000;
  const mPerDegLat = 111_195;
  const mPerDegLon = mPerDegLat * Math.cos((lat0 * Math.PI) / 180);
  const lat: number[] = [];
  const lon: number[] = [];
  for (let i = 0; i < n; i++) {
    if (opts.gap && i >= opts.gap[0] && i < opts.gap[1]) continue;
    const s = (length * i) / (n - 1);
    // A meandering path: mostly in the heading's direction with sideways curves of 400 m.
    const h = opts.heading ?? 0;
    const along = s * 0.8;
    const side = 400 * Math.sin(s / 700);
    const north = along * Math.cos(h) - side * Math.sin(h) + (opts.offsetM ?? 0);
    const east = along * Math.sin(h) + side * Math.cos(h);
    lat.push(lat0 + north / mPerDegLat);
    lon.push(lon0 + east / mPerDegLon);
  }
  return { lat: Float64Array.from(lat), lon: Float64Array.from(lon) };
}

/** Record keys (`source:external_id`) grouped by workout, in output order. */
export function groups(result: { members: { workout_id: string; source: string; external_id: string }[] }): string[][] {
  const by = new Map<string, string[]>();
  for (const m of result.members) {
    const g = by.get(m.workout_id) ?? [];
    g.push(`${m.source}:${m.external_id}`);
    by.set(m.workout_id, g);
  }
  return [...by.values()].map((g) => [...g].sort()).sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}
