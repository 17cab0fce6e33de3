import { describe, expect, it } from 'vitest';
import { deduplicate } from '../../lib/core/dedup/deduplicate.ts';
import { groups, rec, track } from './records.ts';

describe('tier 1: shared external ids', () => {
  it('collapses the same (source, external_id) given twice, keeping the better record', () => {
    const a = rec({ source: 'garmin', external_id: '101', start: '2024-03-02T06:00:00Z', duration_s: 3600, data_quality_score: 0.5 });
    const b = rec({ source: 'garmin', external_id: '101', start: '2024-03-02T06:00:00Z', duration_s: 3600, data_quality_score: 0.9, distance_m: 10_000 });
    const r = deduplicate([a, b]);
    expect(r.workouts).toHaveLength(1);
    expect(r.members).toHaveLength(1);
    expect(r.stats.duplicates).toBe(1);
    expect(r.workouts[0]!.distance_m).toBe(10_000);
    expect(r.workouts[0]!.data_quality_score).toBe(0.9);
  });

  it("links Strava's record of a Garmin upload by the garmin id even when times and distances disagree", () => {
    const g = rec({ source: 'garmin', external_id: '555', start: '2024-03-02T06:00:00Z', duration_s: 3600, distance_m: 10_000 });
    // Start 2 h off (a time-zone slip) and half the distance: only the id can tell.
    const s = rec({ source: 'strava', external_id: '9001', start: '2024-03-02T08:00:00Z', duration_s: 3600, distance_m: 5000, external_ids: { garmin: '555' } });
    const r = deduplicate([g, s]);
    expect(groups(r)).toEqual([['garmin:555', 'strava:9001']]);
    const m = r.members.find((x) => x.source === 'strava')!;
    expect(m.match_tier).toBe(1);
    expect(m.match_info.key).toBe('garmin=555');
    expect(m.match_info.start_gap_s).toBe(7200);
    expect(r.stats.links.tier1).toBe(1);
  });

  it('links a FIT file and the Strava export copy by the fit key, and a legacy CSV row by its strava id', () => {
    const fit = rec({ source: 'fit_file', external_id: 'a.fit', start: '2024-03-03T06:00:00Z', duration_s: 1800, external_ids: { fit: '3345-1709445600' } });
    const sx = rec({ source: 'strava_export', external_id: '77', start: '2024-03-03T06:00:03Z', duration_s: 1800, external_ids: { fit: '3345-1709445600', strava: '77' } });
    const csv = rec({ source: 'legacy_csv', external_id: 'row-4', start: '2024-03-03T16:00:00Z', duration_s: 1800, external_ids: { strava: '77' } });
    const r = deduplicate([csv, sx, fit]);
    expect(groups(r)).toEqual([['fit_file:a.fit', 'legacy_csv:row-4', 'strava_export:77']]);
    expect(r.members.filter((m) => m.match_tier === 1)).toHaveLength(2);
  });

  it('lets two records of one source join through a shared id only', () => {
    const api = rec({ source: 'garmin', external_id: '888', start: '2024-03-04T06:00:00Z', duration_s: 2400, external_ids: { fit: '1-2' } });
    const file = rec({ source: 'garmin', external_id: 'file:888.fit', start: '2024-03-04T06:00:00Z', duration_s: 2400, external_ids: { fit: '1-2' } });
    expect(groups(deduplicate([api, file]))).toEqual([['garmin:888', 'garmin:file:888.fit']]);
  });

  it('treats an id shared by records more than a day apart as a collision', () => {
    const a = rec({ source: 'fit_file', external_id: 'x', start: '2024-03-01T06:00:00Z', duration_s: 1800, external_ids: { file: 'activity.fit' } });
    const b = rec({ source: 'gpx_file', external_id: 'y', start: '2024-03-09T06:00:00Z', duration_s: 1800, external_ids: { file: 'activity.fit' } });
    expect(deduplicate([a, b]).workouts).toHaveLength(2);
  });

  it('keeps multisport legs apart although they share the file id, and matches them leg by leg', () => {
    const fitId = { fit: '99-1709700000' };
    const legs = [
      rec({ source: 'garmin', external_id: 'ms1-0', parent_external_id: 'ms1', sport: 'strength_training', start: '2024-03-06T05:00:00Z', duration_s: 1200, external_ids: fitId }),
      rec({ source: 'garmin', external_id: 'ms1-1', parent_external_id: 'ms1', sport: 'running', start: '2024-03-06T05:20:00Z', duration_s: 1800, external_ids: fitId }),
      rec({ source: 'garmin', external_id: 'ms1-2', parent_external_id: 'ms1', sport: 'strength_training', start: '2024-03-06T05:50:00Z', duration_s: 1200, external_ids: fitId }),
    ];
    const fileLegs = legs.map((l, i) =>
      rec({ source: 'fit_file', external_id: `f-${i}`, parent_external_id: 'f', sport: l.sport, start: l.start_time.toISOString(), duration_s: l.duration_s, external_ids: fitId }),
    );
    const whoopRun = rec({ source: 'whoop', external_id: 'w1', sport: 'running', start: '2024-03-06T05:21:00Z', duration_s: 1750 });
    const r = deduplicate([...legs, ...fileLegs, whoopRun]);
    expect(groups(r)).toEqual([
      ['fit_file:f-0', 'garmin:ms1-0'],
      ['fit_file:f-1', 'garmin:ms1-1', 'whoop:w1'],
      ['fit_file:f-2', 'garmin:ms1-2'],
    ]);
  });
});

describe('tier 2: time, sport and distance', () => {
  const garmin = rec({ source: 'garmin', external_id: 'g1', start: '2024-04-01T06:00:00Z', duration_s: 3000, distance_m: 10_000 });

  it('matches a WHOOP strap recording of the same run', () => {
    const whoop = rec({ source: 'whoop', external_id: 'w1', start: '2024-04-01T06:01:30Z', duration_s: 2900, distance_m: 9_700 });
    const r = deduplicate([garmin, whoop]);
    expect(groups(r)).toEqual([['garmin:g1', 'whoop:w1']]);
    const m = r.members.find((x) => x.source === 'whoop')!;
    expect(m.match_tier).toBe(2);
    expect(m.match_info).toMatchObject({ tier: 2, with: 'garmin:g1', start_gap_s: 90, overlap: 1, distance_diff: 0.03 });
  });

  it('accepts small absolute distance differences on short sessions', () => {
    const g = rec({ source: 'garmin', external_id: 'g2', start: '2024-04-02T06:00:00Z', duration_s: 600, distance_m: 1000 });
    const s = rec({ source: 'strava', external_id: 's2', start: '2024-04-02T06:00:20Z', duration_s: 600, distance_m: 1150 });
    expect(deduplicate([g, s]).workouts).toHaveLength(1);
  });

  it('rejects a start outside the tolerance, too little overlap, or distances too far apart', () => {
    const late = rec({ source: 'whoop', external_id: 'late', start: '2024-04-01T06:06:00Z', duration_s: 3000, distance_m: 10_000 });
    const short = rec({ source: 'oura', external_id: 'short', start: '2024-04-01T06:00:00Z', duration_s: 3000, distance_m: 5000 });
    const strict = { containedOverlap: 1.01 };
    expect(deduplicate([garmin, late], strict).workouts).toHaveLength(2);
    expect(deduplicate([garmin, short]).workouts).toHaveLength(2);
    expect(deduplicate([garmin, late], { ...strict, startToleranceS: 600 }).workouts).toHaveLength(1);
    expect(deduplicate([garmin, short], { distanceTolerance: 0.6 }).workouts).toHaveLength(1);
  });

  it('matches a late-detected copy that lies inside the other record, but not one that merely overlaps', () => {
    // Oura's auto-detection starts minutes into a workout: 6 min late, wholly inside garmin's 50 min.
    const inside = rec({ source: 'oura', external_id: 'in', start: '2024-04-01T06:06:00Z', duration_s: 3000, distance_m: 10_000 });
    expect(deduplicate([garmin, inside]).workouts).toHaveLength(1);
    // 15 min late and running 25 min past the end: 35 of 50 min overlap (70 %), outside the start tolerance.
    const past = rec({ source: 'oura', external_id: 'past', start: '2024-04-01T06:15:00Z', duration_s: 3600, distance_m: 10_000 });
    expect(deduplicate([garmin, past]).workouts).toHaveLength(2);
  });

  it('matches when one record has no distance', () => {
    const w = rec({ source: 'whoop', external_id: 'w3', start: '2024-04-01T06:02:00Z', duration_s: 3000 });
    expect(deduplicate([garmin, w]).workouts).toHaveLength(1);
  });
});

describe('sport compatibility', () => {
  const at = (source: string, id: string, sport: string) =>
    rec({ source, external_id: id, sport, start: '2024-05-01T17:00:00Z', duration_s: 2400 });

  it('matches running with treadmill running and a generic workout with anything', () => {
    expect(deduplicate([at('garmin', 'a', 'running'), at('strava', 'b', 'treadmill_running')]).workouts).toHaveLength(1);
    expect(deduplicate([at('garmin', 'a', 'cycling'), at('whoop', 'b', 'workout')]).workouts).toHaveLength(1);
    expect(deduplicate([at('garmin', 'a', 'strength_training'), at('apple_health', 'b', 'other')]).workouts).toHaveLength(1);
  });

  it('keeps a ride and a run apart even at the same time', () => {
    expect(deduplicate([at('garmin', 'a', 'cycling'), at('strava', 'b', 'running')]).workouts).toHaveLength(2);
  });

  it('takes the specific sport when the base record only knows a generic one', () => {
    const r = deduplicate([at('whoop', 'w', 'workout'), at('strava', 's', 'treadmill_running')]);
    expect(r.workouts[0]!.source).toBe('whoop');
    expect(r.workouts[0]!.sport).toBe('treadmill_running');
    expect(r.workouts[0]!.provenance.sport).toBe('strava');
  });
});

describe('tier 3 and route checks', () => {
  const base = { start: '2024-06-01T05:30:00Z', duration_s: 2700, has_gps: true };

  it('matches a track that lost GPS for a stretch although the distances disagree', () => {
    const full = rec({ ...base, source: 'garmin', external_id: 'g', distance_m: 8000, route: track(-27.47, 153.02) });
    const lost = rec({ ...base, source: 'strava', external_id: 's', start: '2024-06-01T05:30:05Z', distance_m: 6300, route: track(-27.47, 153.02, { offsetM: 8, gap: [40, 75] }) });
    const r = deduplicate([full, lost]);
    expect(groups(r)).toEqual([['garmin:g', 'strava:s']]);
    const m = r.members.find((x) => x.source === 'strava')!;
    expect(m.match_tier).toBe(3);
    // A shift of 8 m north shows as at most 8 m across the track; the lost stretch is outvoted by the median.
    expect(m.match_info.route_m).toBeGreaterThan(1);
    expect(m.match_info.route_m).toBeLessThanOrEqual(8.05);
    expect(m.match_info.distance_diff).toBe(0.213);
  });

  it('matches when a device started late, beyond the tier-2 start tolerance', () => {
    const full = rec({ ...base, source: 'garmin', external_id: 'g', route: track(-27.47, 153.02) });
    const late = rec({ ...base, source: 'oura', external_id: 'o', start: '2024-06-01T05:38:00Z', duration_s: 2220, route: track(-27.47, 153.02, { gap: [0, 20] }) });
    const r = deduplicate([full, late], { containedOverlap: 1.01 });
    expect(r.workouts).toHaveLength(1);
    expect(r.members.find((x) => x.source === 'oura')!.match_tier).toBe(3);
  });

  it('confirms a tier-2 match by the route and records its distance', () => {
    const a = rec({ ...base, source: 'garmin', external_id: 'g', distance_m: 8000, route: track(-27.47, 153.02) });
    const b = rec({ ...base, source: 'strava', external_id: 's', distance_m: 8050, route: track(-27.47, 153.02, { n: 90, offsetM: 5 }) });
    const r = deduplicate([a, b]);
    const m = r.members.find((x) => x.source === 'strava')!;
    expect(m.match_tier).toBe(2);
    expect(m.match_info.route_m).toBeGreaterThan(1);
    expect(m.match_info.route_m).toBeLessThanOrEqual(5.05);
    expect(r.stats.routeComparisons).toBe(1);
  });

  it('rejects a tier-2 candidate whose route is elsewhere (two people, two devices, one account)', () => {
    const a = rec({ ...base, source: 'garmin', external_id: 'g', distance_m: 8000, route: track(-27.47, 153.02) });
    const b = rec({ ...base, source: 'strava', external_id: 's', distance_m: 8000, route: track(-27.47, 153.02, { heading: Math.PI / 2 }) });
    const r = deduplicate([a, b]);
    expect(r.workouts).toHaveLength(2);
    expect(r.stats.routeRejections).toBe(1);
  });
});

describe('near misses stay apart', () => {
  it('two runs on one day, six hours apart', () => {
    const am = rec({ source: 'garmin', external_id: 'am', start: '2024-07-01T06:00:00Z', duration_s: 2400, distance_m: 8000 });
    const pm = rec({ source: 'strava', external_id: 'pm', start: '2024-07-01T12:00:00Z', duration_s: 2400, distance_m: 8000 });
    expect(deduplicate([am, pm]).workouts).toHaveLength(2);
  });

  it('a brick: ride then run straight after, each matched with its own copy', () => {
    const ride = rec({ source: 'garmin', external_id: 'ride', sport: 'cycling', start: '2024-07-02T06:00:00Z', duration_s: 5400, distance_m: 40_000 });
    const run = rec({ source: 'garmin', external_id: 'run', sport: 'running', start: '2024-07-02T07:30:00Z', duration_s: 1800, distance_m: 5000 });
    const sRide = rec({ source: 'strava', external_id: 's-ride', sport: 'cycling', start: '2024-07-02T06:00:00Z', duration_s: 5400, distance_m: 40_100 });
    const sRun = rec({ source: 'strava', external_id: 's-run', sport: 'running', start: '2024-07-02T07:30:00Z', duration_s: 1800, distance_m: 5020 });
    expect(groups(deduplicate([ride, run, sRide, sRun]))).toEqual([
      ['garmin:ride', 'strava:s-ride'],
      ['garmin:run', 'strava:s-run'],
    ]);
  });

  it('a run then a strength session right after', () => {
    const run = rec({ source: 'garmin', external_id: 'run', start: '2024-07-03T06:00:00Z', duration_s: 1800 });
    const gym = rec({ source: 'whoop', external_id: 'gym', sport: 'strength_training', start: '2024-07-03T06:31:00Z', duration_s: 2700 });
    expect(deduplicate([run, gym]).workouts).toHaveLength(2);
  });

  it('two Garmin records overlapping in time without coinciding (not copies of one recording)', () => {
    // 10 min apart: 50 of 60 min overlap passes the cross-source test but not the copy test.
    const a = rec({ source: 'garmin', external_id: 'a', start: '2024-07-04T06:00:00Z', duration_s: 3600, distance_m: 10_000 });
    const b = rec({ source: 'garmin', external_id: 'b', start: '2024-07-04T06:10:00Z', duration_s: 3600, distance_m: 10_000 });
    expect(deduplicate([a, b]).workouts).toHaveLength(2);
  });

  it('a generic strap workout spanning a brick joins one leg only, never both Garmin legs', () => {
    const ride = rec({ source: 'garmin', external_id: 'ride', sport: 'cycling', start: '2024-07-05T06:00:00Z', duration_s: 1800 });
    const run = rec({ source: 'garmin', external_id: 'run', sport: 'running', start: '2024-07-05T06:30:00Z', duration_s: 1800 });
    // Overlaps the ride fully (ride is the shorter) and the run half: both pass the time test.
    const strap = rec({ source: 'whoop', external_id: 'w', sport: 'workout', start: '2024-07-05T06:01:00Z', duration_s: 3540 });
    const r = deduplicate([ride, run, strap], { startToleranceS: 1800 });
    expect(groups(r)).toEqual([['garmin:ride', 'whoop:w'], ['garmin:run']]);
    expect(r.stats.conflicts).toBe(1);
  });

  it('different athletes never match', () => {
    const a = rec({ source: 'garmin', external_id: '1', athlete_id: 'ann', start: '2024-07-06T06:00:00Z', duration_s: 3600 });
    const b = rec({ source: 'strava', external_id: '2', athlete_id: 'bob', start: '2024-07-06T06:00:00Z', duration_s: 3600, external_ids: { garmin: '1' } });
    expect(deduplicate([a, b]).workouts).toHaveLength(2);
  });
});

describe('bad input', () => {
  it('names the record and field of an invalid time', () => {
    const bad = { ...rec({ source: 'strava', external_id: '42', start: '2024-07-07T06:00:00Z', duration_s: 60 }), end_time: new Date(NaN) };
    expect(() => deduplicate([bad])).toThrow(/strava:42 .*end_time is not a valid date/);
  });

  it('ignores options given as undefined', () => {
    const a = rec({ source: 'garmin', external_id: 'a', start: '2024-07-08T06:00:00Z', duration_s: 3600 });
    const b = rec({ source: 'whoop', external_id: 'b', start: '2024-07-08T06:04:00Z', duration_s: 3600 });
    expect(deduplicate([a, b], { startToleranceS: undefined }).workouts).toHaveLength(1);
  });
});
