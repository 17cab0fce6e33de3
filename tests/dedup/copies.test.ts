import { describe, expect, it } from 'vitest';
import { deduplicate } from '../../lib/core/dedup/deduplicate.ts';
import { groups, rec, track, type RecordSpec } from './records.ts';

/** One run recorded once and exported three ways by the same service. */
const route = track(47.37, 8.54);
const run = { start: '2024-09-01T17:30:00Z', duration_s: 3000, has_gps: true };
const fit = rec({ ...run, source: 'garmin', external_id: '3345-1725211800', distance_m: 10_012, avg_hr: 151, max_hr: 178, utc_offset_min: 120, route, data_quality_score: 0.95 });
const gpx = rec({ ...run, source: 'garmin', external_id: 'gpx:1725211800', distance_m: 9_968, avg_hr: 150, max_hr: 178, route: track(47.37, 8.54, { n: 120, offsetM: 3 }), data_quality_score: 0.8 });
// A TCX a second late and ending 2 min early (its last trackpoint before the watch was stopped).
const tcx = rec({ ...run, source: 'garmin', external_id: 'tcx:1725211801', start: '2024-09-01T17:30:01Z', duration_s: 2880, distance_m: 10_012, avg_hr: 151, route, data_quality_score: 0.85 });

describe('copies of one recording from one source', () => {
  it('joins a FIT, its GPX and its TCX export into one workout, as tier-2 copy links', () => {
    const r = deduplicate([tcx, gpx, fit]);
    expect(groups(r)).toEqual([['garmin:3345-1725211800', 'garmin:gpx:1725211800', 'garmin:tcx:1725211801']]);
    expect(r.stats.copies).toBe(2);
    expect(r.stats.conflicts).toBe(0);
    const w = r.workouts[0]!;
    // The most complete copy is the base; one activity's load and HR, not three.
    expect(w.external_ids).toMatchObject({ garmin: '3345-1725211800' });
    expect([w.avg_hr, w.max_hr, w.distance_m, w.utc_offset_min]).toEqual([151, 178, 10_012, 120]);
    const joined = r.members.filter((m) => m.match_tier !== null);
    expect(joined.map((m) => [m.match_tier, m.match_info.copy])).toEqual([
      [2, true],
      [2, true],
    ]);
  });

  it('is a no-op to add another format of a workout already there (one workout, same base)', () => {
    const before = deduplicate([fit]);
    const after = deduplicate([fit, gpx, tcx]);
    expect(after.workouts.map((w) => w.workout_id)).toEqual(before.workouts.map((w) => w.workout_id));
    expect(after.workouts[0]!.duration_s).toBe(before.workouts[0]!.duration_s);
  });

  it('joins the copies and another source of the same run without a conflict', () => {
    const strava = rec({ ...run, source: 'strava', external_id: '9001', start: '2024-09-01T17:30:04Z', distance_m: 10_050, route });
    const r = deduplicate([fit, gpx, tcx, strava]);
    expect(r.workouts).toHaveLength(1);
    expect(r.members).toHaveLength(4);
    expect(r.stats.conflicts).toBe(0);
  });

  it('joins the multisport legs of a FIT and of its TCX export leg by leg', () => {
    const legs = (prefix: string, parent: string) => [
      rec({ source: 'garmin', external_id: `${prefix}0`, parent_external_id: parent, sport: 'cycling', start: '2024-09-02T06:00:00Z', duration_s: 5400, distance_m: 40_000 }),
      rec({ source: 'garmin', external_id: `${prefix}1`, parent_external_id: parent, sport: 'running', start: '2024-09-02T07:31:00Z', duration_s: 1800, distance_m: 5000 }),
    ];
    const r = deduplicate([...legs('fit#', 'fit'), ...legs('tcx:', 'tcx')]);
    expect(groups(r)).toEqual([
      ['garmin:fit#0', 'garmin:tcx:0'],
      ['garmin:fit#1', 'garmin:tcx:1'],
    ]);
  });
});

describe('records of one source that are not copies stay apart', () => {
  const at = (id: string, start: string, duration_s: number, extra: Partial<RecordSpec> = {}) =>
    rec({ source: 'strava', external_id: id, start, duration_s, distance_m: 8000, ...extra });

  it('a double session: one run straight after another', () => {
    const r = deduplicate([at('am1', '2024-09-03T06:00:00Z', 2400), at('am2', '2024-09-03T06:40:30Z', 2400)]);
    expect(r.workouts).toHaveLength(2);
  });

  it('a run then strength straight after, and a brick, from one source', () => {
    const runThenGym = [at('run', '2024-09-04T06:00:00Z', 1800), at('gym', '2024-09-04T06:30:00Z', 2700, { sport: 'strength_training', distance_m: null })];
    expect(deduplicate(runThenGym).workouts).toHaveLength(2);
    const brick = [
      at('ride', '2024-09-05T06:00:00Z', 5400, { sport: 'cycling', distance_m: 40_000 }),
      at('run', '2024-09-05T07:30:00Z', 1800, { distance_m: 5000 }),
    ];
    expect(deduplicate(brick).workouts).toHaveLength(2);
  });

  it('coinciding in time but with distances that disagree', () => {
    expect(deduplicate([at('a', '2024-09-06T06:00:00Z', 3600), at('b', '2024-09-06T06:00:05Z', 3600, { distance_m: 4000 })]).workouts).toHaveLength(2);
  });

  it('coinciding in time on different routes (two people on one account)', () => {
    const a = at('a', '2024-09-07T06:00:00Z', 2700, { route: track(-27.47, 153.02) });
    const b = at('b', '2024-09-07T06:00:03Z', 2700, { route: track(-27.47, 153.02, { heading: Math.PI / 2 }) });
    const r = deduplicate([a, b]);
    expect(r.workouts).toHaveLength(2);
    expect(r.stats.routeRejections).toBe(1);
  });

  it('starting further apart than the copy tolerance, or not coinciding', () => {
    expect(deduplicate([at('a', '2024-09-08T06:00:00Z', 3600), at('b', '2024-09-08T06:02:00Z', 3600)]).workouts).toHaveLength(2);
    // One hour inside two hours from the same start: they overlap fully but cover half of the longer one.
    expect(deduplicate([at('c', '2024-09-09T06:00:00Z', 3600), at('d', '2024-09-09T06:00:30Z', 7200, { distance_m: 8500 })]).workouts).toHaveLength(2);
    // 30 s apart over 10 min: 95 % coincide, enough by default, not with a stricter threshold.
    expect(deduplicate([at('e', '2024-09-10T06:00:00Z', 600), at('f', '2024-09-10T06:00:30Z', 600)]).workouts).toHaveLength(1);
    expect(deduplicate([at('e', '2024-09-10T06:00:00Z', 600), at('f', '2024-09-10T06:00:30Z', 600)], { copyOverlap: 0.96 }).workouts).toHaveLength(2);
  });

  it('a generic record of another source spanning two copies and a distinct run joins one workout only', () => {
    const copyA = at('x', '2024-09-11T06:00:00Z', 1800);
    const copyB = at('x.gpx', '2024-09-11T06:00:02Z', 1800);
    const later = at('y', '2024-09-11T06:30:30Z', 1800);
    const strap = rec({ source: 'whoop', external_id: 'w', sport: 'workout', start: '2024-09-11T06:01:00Z', duration_s: 3540 });
    const r = deduplicate([copyA, copyB, later, strap], { startToleranceS: 1800 });
    expect(groups(r)).toEqual([['strava:x', 'strava:x.gpx', 'whoop:w'], ['strava:y']]);
    expect(r.stats.conflicts).toBeGreaterThanOrEqual(1);
  });
});
