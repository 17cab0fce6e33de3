import { describe, expect, it } from 'vitest';
import { deduplicate } from '../../lib/core/dedup/deduplicate.ts';
import { isTimeZone, zoneAt, zoneOffsetMin } from '../../lib/core/time_zone.ts';
import { loadConfig } from '../../lib/core/config.ts';
import { rec, track } from './records.ts';

/** Local day of a workout as the warehouse views compute it. */
const localDay = (w: { start_time: Date; utc_offset_min: number | null }) =>
  new Date(w.start_time.getTime() + (w.utc_offset_min ?? 0) * 60_000).toISOString().slice(0, 10);

// An evening run in Denver: 20:30 local on 30 June is 02:30 UTC on 1 July.
const evening = '2024-07-01T02:30:00Z';
const denver = track(39.74, -104.99);
const gpxRun = rec({ source: 'strava', external_id: 'gpx:1', start: evening, duration_s: 2700, distance_m: 8000, has_gps: true, route: denver });

describe('time zones', () => {
  it('knows IANA zones and their offsets at an instant, DST included', () => {
    expect(isTimeZone('America/Denver')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isTimeZone('')).toBe(false);
    expect(zoneOffsetMin('America/Denver', new Date('2024-07-01T02:30:00Z'))).toBe(-360);
    expect(zoneOffsetMin('America/Denver', new Date('2024-01-15T02:30:00Z'))).toBe(-420);
    expect(zoneOffsetMin('Asia/Kolkata', new Date('2024-01-15T02:30:00Z'))).toBe(330);
    expect(zoneOffsetMin('UTC', new Date('2024-01-15T02:30:00Z'))).toBe(0);
  });

  it('finds the zone at a place, and none at (0, 0) or out-of-range coordinates', () => {
    expect(zoneAt(39.74, -104.99)).toBe('America/Denver');
    expect(zoneAt(47.37, 8.54)).toBe('Europe/Zurich');
    expect(zoneAt(-27.47, 153.02)).toBe('Australia/Brisbane');
    expect(zoneAt(0, 0)).toBeNull();
    expect(zoneAt(91, 0)).toBeNull();
    expect(zoneAt(Number.NaN, 3)).toBeNull();
  });
});

describe('local offset from the best evidence', () => {
  it('1. keeps the record’s own offset', () => {
    const w = deduplicate([{ ...gpxRun, utc_offset_min: -300 }]).workouts[0]!;
    expect(w.utc_offset_min).toBe(-300);
    expect(w.provenance.utc_offset_source).toBe('record');
  });

  it('2. takes a merged member’s offset, then an overlapping record’s of another source, before the coordinates', () => {
    // Oura ranks below Strava, so the GPX stays the base and Oura's offset is another member's.
    const ouraSame = rec({ source: 'oura', external_id: 'o', start: '2024-07-01T02:31:00Z', duration_s: 2600, utc_offset_min: -360 });
    const merged = deduplicate([gpxRun, ouraSame]).workouts;
    expect(merged).toHaveLength(1);
    expect(merged[0]!.utc_offset_min).toBe(-360);
    expect(merged[0]!.source).toBe('strava');
    expect(merged[0]!.provenance).toMatchObject({ utc_offset_min: 'oura', utc_offset_source: 'overlap' });

    // A yoga session overlapping the run (not the same workout) knows where the athlete was: -300 wins over Denver's -360.
    const yoga = rec({ source: 'garmin', external_id: 'y', sport: 'yoga', start: '2024-07-01T03:00:00Z', duration_s: 3600, utc_offset_min: -300 });
    const apart = deduplicate([gpxRun, yoga]).workouts;
    expect(apart).toHaveLength(2);
    const run = apart.find((w) => w.source === 'strava')!;
    expect(run.utc_offset_min).toBe(-300);
    expect(run.provenance).toMatchObject({ utc_offset_min: 'garmin', utc_offset_source: 'overlap' });
  });

  it('3. uses the zone at the track’s first usable point, so an evening run west of UTC stays on its day', () => {
    const w = deduplicate([gpxRun], { homeTimeZone: 'Europe/Zurich' }).workouts[0]!;
    expect(w.utc_offset_min).toBe(-360);
    expect(w.provenance).toMatchObject({ utc_offset_min: 'strava', utc_offset_source: 'coordinates', utc_offset_zone: 'America/Denver' });
    expect(localDay(w)).toBe('2024-06-30');
    // Winter: Mountain Standard Time.
    const jan = deduplicate([{ ...gpxRun, start_time: new Date('2024-01-16T03:00:00Z'), end_time: new Date('2024-01-16T03:45:00Z') }]).workouts[0]!;
    expect(jan.utc_offset_min).toBe(-420);
    // A (0, 0) "no fix" point before the first real one is skipped.
    const lat = Float64Array.from([0, ...denver.lat]);
    const lon = Float64Array.from([0, ...denver.lon]);
    expect(deduplicate([{ ...gpxRun, route: { lat, lon } }]).workouts[0]!.provenance.utc_offset_zone).toBe('America/Denver');
  });

  it('4. falls back to the home zone, and leaves the offset unknown without one', () => {
    const indoor = rec({ source: 'strava', external_id: 'row', sport: 'indoor_cycling', start: '2024-07-01T02:30:00Z', duration_s: 3600 });
    const home = deduplicate([indoor], { homeTimeZone: 'America/New_York' }).workouts[0]!;
    expect(home.utc_offset_min).toBe(-240);
    expect(home.provenance).toMatchObject({ utc_offset_min: 'home', utc_offset_source: 'home', utc_offset_zone: 'America/New_York' });
    expect(localDay(home)).toBe('2024-06-30');
    const none = deduplicate([indoor]).workouts[0]!;
    expect(none.utc_offset_min).toBeNull();
    expect(none.provenance.utc_offset_source).toBeUndefined();
  });

  it('rejects a home zone that is not an IANA zone, naming it', () => {
    expect(() => deduplicate([gpxRun], { homeTimeZone: 'Europe/Zurichh' })).toThrow(/homeTimeZone "Europe\/Zurichh" is not an IANA time zone/);
  });
});

describe('ATHLETE_TIME_ZONE', () => {
  it('is validated as an IANA zone, naming the key', () => {
    expect(loadConfig({ ATHLETE_TIME_ZONE: 'America/Denver' }).ATHLETE_TIME_ZONE).toBe('America/Denver');
    expect(loadConfig({}).ATHLETE_TIME_ZONE).toBeUndefined();
    expect(() => loadConfig({ ATHLETE_TIME_ZONE: 'Mountain Time' })).toThrow(/ATHLETE_TIME_ZONE: expected an IANA time zone/);
  });
});
