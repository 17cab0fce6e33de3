import { describe, expect, it } from 'vitest';
import { parseLegacyActivitiesCsv, parseLegacyStravaJson } from '../../../lib/sources/legacy/export.ts';
import { matchLegacyCsvToJson } from '../../../lib/sources/legacy/map.ts';

/** SummaryActivity objects as the predecessor saved them. */
const ACTIVITIES = [
  {
    id: 11223344556, name: 'Morning Run', distance: 10021.3, moving_time: 2950, elapsed_time: 3012, total_elevation_gain: 54.2, type: 'Run',
    sport_type: 'TrailRun', start_date: '2024-06-01T11:05:00Z', start_date_local: '2024-06-01T07:05:00Z', timezone: '(GMT+00:00) Africa/Abidjan',
    utc_offset: -14400, average_heartrate: 151.2, max_heartrate: 176, external_id: 'garmin_ping_298765432100', device_watts: false,
    map: { id: 'a1', summary_polyline: 'abc~xyz', resource_state: 2 },
  },
  {
    id: 11223344999, name: 'Zwift', distance: 30120, moving_time: 3600, elapsed_time: 3600, total_elevation_gain: 300, type: 'VirtualRide',
    start_date: '2024-06-02T22:30:00Z', start_date_local: '2024-06-03T08:30:00Z', timezone: '(GMT+10:00) Australia/Brisbane', utc_offset: 36000,
    average_watts: 210.4, max_watts: 610, device_watts: true, kilojoules: 757.4, external_id: 'zwift-activity-123.fit', map: { summary_polyline: '' },
  },
  { id: 'oops', elapsed_time: 10, start_date: '2024-06-05T10:00:00Z' },
  { id: 12, elapsed_time: 10, start_date: '2024-06-05 10:00:00' },
];

describe('parseLegacyStravaJson', () => {
  it('takes UTC from start_date, the offset from utc_offset, and ids from external_id', () => {
    const r = parseLegacyStravaJson(JSON.stringify(ACTIVITIES), 'data/strava_activities.json');
    expect(r.workouts).toHaveLength(2);
    const run = r.workouts[0]!;
    // start_date_local says 07:05 "Z": it is local wall time, not UTC.
    expect(run.start_time).toEqual(new Date('2024-06-01T11:05:00Z'));
    expect(run.end_time).toEqual(new Date('2024-06-01T11:55:12Z'));
    expect(run).toMatchObject({
      source: 'strava', external_id: '11223344556', external_ids: { strava: '11223344556', garmin: '298765432100' }, utc_offset_min: -240,
      sport: 'trail_running', source_sport: 'TrailRun', distance_m: 10021.3, moving_time_s: 2950, duration_s: 3012, avg_hr: 151.2,
      max_hr: 176, elevation_gain_m: 54.2, has_gps: true, has_power: false,
    });
    expect(run.calories_kcal ?? null).toBeNull();
    const ride = r.workouts[1]!;
    expect(ride).toMatchObject({
      external_ids: { strava: '11223344999', upload: 'zwift-activity-123.fit' }, utc_offset_min: 600, sport: 'indoor_cycling',
      avg_power_w: 210.4, max_power_w: 610, has_gps: false, has_power: true,
    });
    expect(ride.start_time).toEqual(new Date('2024-06-02T22:30:00Z'));
    // kJ of work is not kcal: kept raw only.
    expect(ride.calories_kcal ?? null).toBeNull();
    expect(ride.raw_data).toMatchObject({ kilojoules: 757.4 });
    // Saved from Strava's API: the lineage stays, so the injury model leaves these days out of training.
    expect(r.workouts.map((w) => (w.raw_data as { via?: string }).via)).toEqual(['strava_api', 'strava_api']);
    expect(r.errors.map((e) => [e.input, e.record, e.field])).toEqual([
      ['data/strava_activities.json', 'activity 3', 'id'],
      ['data/strava_activities.json', 'activity 4', 'start_date'],
    ]);
  });

  it('recovers a missing utc_offset from start_date_local, whose Z is not UTC', () => {
    const base = { id: 5, elapsed_time: 600, start_date: '2024-06-01T11:05:00Z', timezone: '(GMT+00:00) Africa/Abidjan' };
    const items = [
      { ...base, start_date_local: '2024-06-01T07:05:00Z' },
      { ...base, id: 6, start_date_local: '2024-06-01T16:50:00Z' },
      // Two days away is no UTC offset: left unknown.
      { ...base, id: 7, start_date_local: '2024-06-03T11:05:00Z' },
      // A given utc_offset wins.
      { ...base, id: 8, start_date_local: '2024-06-01T07:05:00Z', utc_offset: 7200 },
    ];
    const r = parseLegacyStravaJson(JSON.stringify(items), 'j');
    expect(r.errors).toEqual([]);
    expect(r.workouts.map((w) => [w.external_id, w.utc_offset_min])).toEqual([['5', -240], ['6', 345], ['7', null], ['8', 120]]);
    expect(r.workouts.every((w) => (w.start_time as Date).toISOString() === '2024-06-01T11:05:00.000Z')).toBe(true);
    // raw_data keeps the item as saved, not the recovered offset.
    expect(r.workouts[0]!.raw_data).not.toHaveProperty('utc_offset');
  });

  it('refuses a document that is not an array', () => {
    expect(parseLegacyStravaJson('{"a":1}', 'x.json').errors).toEqual([{ input: 'x.json', reason: 'not a Strava activity list: expected a JSON array' }]);
  });
});

const CSV = [
  'date,name,type,distance_miles,duration_min,pace_per_mile',
  '2024-06-01 07:05:30,Morning Run,Run,6.23,50.2,"8:03 per mile"',
  '2024-06-03 08:30:00,Zwift,VirtualRide,18.72,60.0,N/A',
  '2024-06-04 18:00:00,"Evening walk, with dog",Walk,2.00,45.0,"22:30 per mile"',
  '2024-06-05 18:00:00,Bad,Run,far,30,N/A',
  'not a date,Bad,Run,1,30,N/A',
].join('\n');

describe('parseLegacyActivitiesCsv', () => {
  it('converts miles to metres and minutes to seconds, keeping local wall time', () => {
    const { rows, result } = parseLegacyActivitiesCsv(CSV, 'data/activities.csv');
    expect(rows).toHaveLength(4);
    const walk = rows[2]!.workout;
    expect(walk).toMatchObject({
      source: 'strava_legacy', external_id: 'legacy:2024-06-04 18:00:00', name: 'Evening walk, with dog', sport: 'walking', duration_s: 2700,
      utc_offset_min: null,
    });
    expect(walk.distance_m).toBeCloseTo(3218.68, 9);
    expect(walk.start_time).toEqual(new Date('2024-06-04T18:00:00Z'));
    expect(rows[3]!.workout.distance_m).toBeNull();
    // Written by the predecessor from the API's activities: the same lineage.
    expect(rows.every((r) => (r.workout.raw_data as { via?: string }).via === 'strava_api')).toBe(true);
    expect(result.errors).toEqual([
      { input: 'data/activities.csv', record: 'row 4', field: 'distance_miles', reason: 'not a number (got "far")' },
      { input: 'data/activities.csv', record: 'row 5', field: 'date', reason: 'not a date-time of the form YYYY-MM-DD HH:MM:SS (got "not a date")' },
    ]);
  });
});

describe('matchLegacyCsvToJson', () => {
  it('links rows the JSON already has by its Strava id, and places the rest with the nearest offset', () => {
    const json = parseLegacyStravaJson(JSON.stringify(ACTIVITIES), 'j').workouts;
    const { rows } = parseLegacyActivitiesCsv(CSV, 'c');
    const { pairs, unmatched } = matchLegacyCsvToJson(rows, json);
    // 10021.3 m = 6.2270 mi and 30120 m = 18.7157 mi: within 0.006 mi of 6.23 and 18.72.
    expect(pairs.map((p) => [p.csv.dateText, p.json.external_id])).toEqual([
      ['2024-06-01 07:05:30', '11223344556'],
      ['2024-06-03 08:30:00', '11223344999'],
    ]);
    // A matched row is placed in UTC by its activity's offset and carries its Strava id, so dedup joins the two by id.
    expect(pairs[0]!.linked).toMatchObject({ external_id: 'legacy:2024-06-01 07:05:30', external_ids: { strava: '11223344556' }, utc_offset_min: -240 });
    expect(pairs[0]!.linked.start_time).toEqual(new Date('2024-06-01T11:05:30Z'));
    expect(unmatched.map((w) => w.external_id)).toEqual(['legacy:2024-06-04 18:00:00', 'legacy:2024-06-05 18:00:00']);
    // Nearest JSON activity (2024-06-03 local) is at UTC+10.
    expect(unmatched[0]!.start_time).toEqual(new Date('2024-06-04T08:00:00Z'));
    expect(unmatched[0]!.end_time).toEqual(new Date('2024-06-04T08:45:00Z'));
    expect(unmatched[0]!.utc_offset_min).toBe(600);
    expect(String((unmatched[0]!.raw_data as { time_basis: string }).time_basis)).toContain('11223344999');
  });

  it('does not match outside the time or distance tolerance', () => {
    const json = parseLegacyStravaJson(JSON.stringify(ACTIVITIES.slice(0, 1)), 'j').workouts;
    const csv = 'date,name,type,distance_miles,duration_min,pace_per_mile\n2024-06-01 07:06:01,R,Run,6.23,50,N/A\n2024-06-01 07:05:00,R,Run,6.24,50,N/A\n';
    const { pairs, unmatched } = matchLegacyCsvToJson(parseLegacyActivitiesCsv(csv, 'c').rows, json);
    expect(pairs).toEqual([]);
    expect(unmatched).toHaveLength(2);
    expect(unmatched[1]!.start_time).toEqual(new Date('2024-06-01T11:05:00Z'));
  });
});
