/** Types and defaults shared by the deduplication engine's modules. */
import type { SourceWorkout, Workout } from '../models.ts';

/** A downsampled GPS track (degrees), e.g. at most 200 points; NaN points are ignored. */
export interface DedupRoute {
  lat: Float64Array;
  lon: Float64Array;
}

/** One `source_workouts` row as the engine sees it. */
export interface DedupRecord extends SourceWorkout {
  /** stableHash(athlete_id, source, external_id). */
  record_id: string;
  /** 0-1, how complete and plausible the record is. */
  data_quality_score: number;
  route?: DedupRoute;
}

/** Tuning of the matcher; every field is optional and defaults to {@link DEFAULT_DEDUP_OPTIONS}. */
export interface DedupOptions {
  /** Sources from most to least trusted; unlisted sources follow, alphabetically. Default garmin, whoop, strava, google_health, oura. */
  precedence?: string[];
  /** Tier 2: the largest difference between start times, seconds. Default 300. */
  startToleranceS?: number;
  /** Tiers 2 and 3: overlap of the time ranges as a fraction of the shorter one. Default 0.5. */
  minOverlap?: number;
  /** Tier 2: overlap above which a start gap up to `routeStartToleranceS` is accepted (late auto-detection). */
  containedOverlap?: number;
  /** Tier 2: the largest relative difference of distances (of the longer one). Default 0.1. */
  distanceTolerance?: number;
  /** Tier 2: distances this close in metres always agree (short or GPS-less sessions). Default 200. */
  distanceFloorM?: number;
  /** Tiers 2 and 3: the route distance (metres) under which two tracks are the same route. Default 50. */
  routeMatchM?: number;
  /** Tier 3: the largest difference between start times, seconds, when routes decide. Default 900. */
  routeStartToleranceS?: number;
  /** Points each route is resampled to before comparing. Default 100. */
  routePoints?: number;
  /** Tier 1: ids shared by records whose starts are further apart than this (s) are taken as a collision. Default 86400. */
  idLinkMaxGapS?: number;
  /** Copies (two records of one source): the largest difference between start times, seconds. Default 60. */
  copyStartToleranceS?: number;
  /** Copies: the least overlap of the time ranges as a fraction of the longer one (they coincide). Default 0.9. */
  copyOverlap?: number;
  /** IANA zone giving the local offset of workouts that no record, overlapping record or track start places. Default none. */
  homeTimeZone?: string | null;
  /** Per athlete id, the home zone used instead of `homeTimeZone` for that athlete's workouts. Default none. */
  homeTimeZones?: Readonly<Record<string, string>>;
}

/** The defaults of {@link DedupOptions}. */
export const DEFAULT_DEDUP_OPTIONS: Required<DedupOptions> = {
  // google_health (Fitbit, Pixel Watch) after strava: its wrist heart rate is good, but without GPS its distance is a step-count estimate.
  precedence: ['garmin', 'whoop', 'strava', 'google_health', 'oura'],
  startToleranceS: 300,
  minOverlap: 0.5,
  containedOverlap: 0.8,
  distanceTolerance: 0.1,
  distanceFloorM: 200,
  routeMatchM: 50,
  routeStartToleranceS: 900,
  routePoints: 100,
  // A day: tolerates sources that got the time zone wrong, rejects a reused file name weeks apart.
  idLinkMaxGapS: 86_400,
  // One device cannot record two activities at once, so one source's records that coincide are copies:
  // a FIT and its GPX or TCX export start and end within seconds of each other.
  copyStartToleranceS: 60,
  copyOverlap: 0.9,
  homeTimeZone: null,
  homeTimeZones: {},
};

/** 1 = shared external id, 2 = time + sport + distance (also copies within one source), 3 = time + sport + route. */
export type MatchTier = 1 | 2 | 3;

/** Why a member joined its workout. Empty for the base record. */
export interface MatchInfo {
  tier?: MatchTier;
  /** `source:external_id` of the record it was matched with. */
  with?: string;
  with_record_id?: string;
  /** Tier 1: the shared `key=value`. */
  key?: string;
  start_gap_s?: number;
  /** Overlap of the time ranges over the shorter duration. */
  overlap?: number;
  /** Relative distance difference, when both had one. */
  distance_diff?: number;
  /** Route distance in metres, when both had a route. */
  route_m?: number;
  /** Tier 2 between two records of one source: the same recording in two files or uploads. */
  copy?: true;
}

/** One `workout_sources` row. */
export interface DedupMember {
  workout_id: string;
  record_id: string;
  source: string;
  external_id: string;
  match_tier: MatchTier | null;
  match_info: MatchInfo;
}

/** Counters of one run, for tests and logs. */
export interface DedupStats {
  records: number;
  /** Inputs dropped because another input had the same record_id. */
  duplicates: number;
  /** Pairs the sweep examined. */
  comparisons: number;
  /** Route comparisons computed. */
  routeComparisons: number;
  /** Links accepted per tier. */
  links: { tier1: number; tier2: number; tier3: number };
  /** Tier-2/3 links skipped because they would put two records of one source that are not copies in a workout. */
  conflicts: number;
  /** Tier-2 links between copies: two records of one source of the same recording. */
  copies: number;
  /** Tier-2 candidates whose routes disagreed. */
  routeRejections: number;
}

/** What {@link deduplicate} returns. */
export interface DedupResult {
  workouts: Workout[];
  members: DedupMember[];
  stats: DedupStats;
}
