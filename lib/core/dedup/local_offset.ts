/**
 * The local UTC offset of a merged workout whose records carry none (GPX
 * files, Strava export rows), from the best evidence there is:
 *  1. the record's own offset, else another member's (set by the merge);
 *  2. the offset of an overlapping record from another source (the athlete was
 *     in one place: a WHOOP or Garmin record of the same hour knows it);
 *  3. the time zone at the track's first usable point;
 *  4. the athlete's home zone (`ATHLETE_TIME_ZONE`).
 * Which one was used is recorded in the workout's provenance as
 * `utc_offset_source`; `utc_offset_min` names the source it came from (or
 * `home`), and `utc_offset_zone` the zone for 3 and 4.
 */
import { zoneAt, zoneOffsetMin } from '../time_zone.ts';
import type { Workout } from '../models.ts';
import type { DedupRecord, DedupRoute } from './types.ts';

/** Which evidence gave a workout its local offset. */
export type UtcOffsetSource = 'record' | 'overlap' | 'coordinates' | 'home';

/** The zone at a track's first point that is a place (finite, in range, not (0, 0)). */
function trackStartZone(route: DedupRoute): string | null {
  for (let i = 0; i < route.lat.length; i++) {
    const zone = zoneAt(route.lat[i]!, route.lon[i]!);
    if (zone !== null) return zone;
  }
  return null;
}

/**
 * Give `workout` (built from `members`, base first) a local offset when it has
 * none. `overlapping` are records of other sources overlapping it in time,
 * most overlap first. Returns the workout with offset and provenance set, or
 * unchanged when no evidence applies.
 */
export function placeLocalOffset(
  workout: Workout,
  members: readonly DedupRecord[],
  overlapping: readonly DedupRecord[],
  homeTimeZone: string | null,
): Workout {
  if (workout.utc_offset_min != null) return workout;
  const set = (offset: number, via: UtcOffsetSource, from: string, zone?: string): Workout => {
    const provenance: Record<string, string> = { ...workout.provenance, utc_offset_min: from, utc_offset_source: via };
    if (zone) provenance.utc_offset_zone = zone;
    return { ...workout, utc_offset_min: offset, provenance };
  };
  const near = overlapping.find((r) => r.utc_offset_min != null);
  if (near) return set(near.utc_offset_min!, 'overlap', near.source);
  for (const m of members) {
    const zone = m.route ? trackStartZone(m.route) : null;
    if (zone) return set(zoneOffsetMin(zone, workout.start_time), 'coordinates', m.source, zone);
  }
  if (homeTimeZone) return set(zoneOffsetMin(homeTimeZone, workout.start_time), 'home', 'home', homeTimeZone);
  return workout;
}
