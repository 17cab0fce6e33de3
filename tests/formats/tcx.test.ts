import { readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseTcx, sourceFromTcxNames, type TcxLap } from '../../lib/formats/tcx.ts';
import { SourceWorkout, type SourceWorkoutInput } from '../../lib/core/models.ts';
import { fixturePath, readFixture } from '../helpers/shared.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);
const startOf = (w: SourceWorkoutInput) => (w.start_time as Date).toISOString();
const laps = (w: SourceWorkoutInput) => (w.raw_data as { laps: TcxLap[] }).laps;
/** Every number inside `<tag>` elements of a file, in order (prefix optional). */
const values = (text: string, tag: string) =>
  [...text.matchAll(new RegExp(`<(?:\\w+:)?${tag}>([^<]*)<`, 'g'))].map((m) => Number(m[1]));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function generatedTcx(trackpoints: string, lapExtra = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
    xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">
  <Activities><Activity Sport="Running"><Id>2024-05-01T05:30:00.000Z</Id>
    <Lap StartTime="2024-05-01T05:30:00.000Z"><TotalTimeSeconds>600</TotalTimeSeconds><DistanceMeters>2000</DistanceMeters>
      <Calories>150</Calories><AverageHeartRateBpm><Value>150</Value></AverageHeartRateBpm>
      <MaximumHeartRateBpm><Value>170</Value></MaximumHeartRateBpm>${lapExtra}<Track>${trackpoints}</Track></Lap>
    <Lap StartTime="2024-05-01T05:40:00.000Z"><TotalTimeSeconds>300</TotalTimeSeconds><DistanceMeters>1000.5</DistanceMeters>
      <Calories>80</Calories><AverageHeartRateBpm><Value>160</Value></AverageHeartRateBpm>
      <MaximumHeartRateBpm><Value>175</Value></MaximumHeartRateBpm></Lap>
    <Creator><Name>Forerunner 965</Name></Creator>
  </Activity></Activities>
</TrainingCenterDatabase>`;
}

describe('parseTcx on generated TCX', () => {
  it('caps laps whose timers add up beyond the elapsed time (overlapping laps) at it, with a warning giving both', () => {
    // Two laps of 600 s and 300 s, the second restarting at the first's start: 900 s of timer in a 600 s recording.
    const text = generatedTcx('').replace('<Lap StartTime="2024-05-01T05:40:00.000Z">', '<Lap StartTime="2024-05-01T05:30:00.000Z">');
    const r = parseTcx(utf8(text), 'overlap.tcx');
    const w = r.workouts[0]!;
    expect(w.duration_s).toBe(600);
    expect(w.moving_time_s).toBe(600);
    const row = r.errors.find((e) => e.field === 'TotalTimeSeconds');
    expect(row?.reason).toMatch(/add up to 900 s, more than the 600 s/);
    expect(parseTcx(utf8(generatedTcx('')), 'laps.tcx').errors.filter((e) => e.field === 'TotalTimeSeconds')).toEqual([]);
  });

  it('builds a workout from laps alone, with lap sums and time-weighted averages', () => {
    const r = parseTcx(utf8(generatedTcx('')), 'laps.tcx');
    expect(r.errors).toEqual([]);
    const w = r.workouts[0]!;
    expect(startOf(w)).toBe('2024-05-01T05:30:00.000Z');
    expect(w.duration_s).toBe(900);
    expect((w.end_time as Date).toISOString()).toBe('2024-05-01T05:45:00.000Z');
    expect(w.distance_m).toBe(3000.5);
    expect(w.calories_kcal).toBe(230);
    expect(w.avg_hr).toBeCloseTo((150 * 600 + 160 * 300) / 900, 9);
    expect(w.max_hr).toBe(175);
    expect(w.source).toBe('garmin');
    expect(w.sport).toBe('running');
    expect(w.external_id).toBe(`tcx:${Date.parse('2024-05-01T05:30:00Z') / 1000}`);
    expect(laps(w).map((l) => l.total_time_s)).toEqual([600, 300]);
    expect(r.streams).toEqual([]);
  });

  it('reads trackpoints with TPX speed, watts and run cadence and uses the haversine distance when points carry none', () => {
    const pts = [0, 1, 2]
      .map(
        (i) => `<Trackpoint><Time>2024-05-01T05:30:0${i}Z</Time>
          <Position><LatitudeDegrees>${50 + i * 0.001}</LatitudeDegrees><LongitudeDegrees>8</LongitudeDegrees></Position>
          <AltitudeMeters>${200 + i * 5}</AltitudeMeters><HeartRateBpm><Value>${120 + i}</Value></HeartRateBpm>
          <Extensions><ns3:TPX><ns3:Speed>${3 + i}</ns3:Speed><ns3:Watts>${250 + i}</ns3:Watts><ns3:RunCadence>${85 + i}</ns3:RunCadence></ns3:TPX></Extensions></Trackpoint>`,
      )
      .join('');
    const r = parseTcx(utf8(generatedTcx(pts)), 'points.tcx');
    expect(r.errors).toEqual([]);
    const s = r.streams[0]!;
    expect(Array.from(s.channels.speed_mps!)).toEqual([3, 4, 5]);
    expect(Array.from(s.channels.power_w!)).toEqual([250, 251, 252]);
    // A run's RunCadence below 120 is strides per minute (cadence.ts): stored as steps.
    expect(Array.from(s.channels.cadence!)).toEqual([170, 172, 174]);
    expect(Array.from(s.channels.hr!)).toEqual([120, 121, 122]);
    const step = (6_371_000 * Math.PI * 0.001) / 180;
    expect(s.channels.distance_m![2]).toBeCloseTo(2 * step, 6);
    const w = r.workouts[0]!;
    // Point values win over lap summaries.
    expect(w.avg_hr).toBe(121);
    expect(w.max_hr).toBe(175); // the laps saw a higher maximum than the few points
    expect(w.avg_power_w).toBe(251);
    expect(w.avg_cadence).toBe(172);
    expect(w.elevation_gain_m).toBe(10);
    expect(w.has_gps).toBe(true);
    expect(w.has_power).toBe(true);
  });

  it('reads a gzipped TCX', () => {
    const r = parseTcx(gzipSync(utf8(generatedTcx(''))), 'laps.tcx.gz');
    expect(r.workouts[0]!.distance_m).toBe(3000.5);
  });

  it('reports non-TCX and unreadable input as one error', () => {
    const gpx = parseTcx(utf8('<gpx version="1.1"></gpx>'), 'wrong.tcx');
    expect(gpx.errors).toHaveLength(1);
    expect(gpx.errors[0]!.reason).toMatch(/root element is <gpx>/);
    const junk = parseTcx(utf8('%%%'), 'junk.tcx');
    expect(junk.errors).toHaveLength(1);
    expect(junk.errors[0]!.input).toBe('junk.tcx');
  });

  it('skips trackpoints without a usable time and names them', () => {
    const pts = `<Trackpoint><Time>2024-05-01T05:30:00Z</Time><HeartRateBpm><Value>100</Value></HeartRateBpm></Trackpoint>
      <Trackpoint><Time>yesterday</Time><HeartRateBpm><Value>101</Value></HeartRateBpm></Trackpoint>
      <Trackpoint><HeartRateBpm><Value>abc</Value></HeartRateBpm><Time>2024-05-01T05:30:02Z</Time></Trackpoint>`;
    const r = parseTcx(utf8(generatedTcx(pts)), 'times.tcx');
    expect(r.streams[0]!.time.length).toBe(2);
    expect(r.errors.map((e) => [e.record, e.field])).toEqual([
      ['Activity 1 Trackpoint 2', 'Time'],
      ['Activity 1 Trackpoint 3', 'HeartRateBpm'],
    ]);
  });

  it('names the source from device and author names', () => {
    expect(sourceFromTcxNames('Edge 520', 'Connect Api')).toBe('garmin');
    expect(sourceFromTcxNames('', 'MapMyRide')).toBe('mapmyride');
    expect(sourceFromTcxNames('Fitbit Versa', '')).toBe('fitbit');
    expect(sourceFromTcxNames('', '')).toBe('tcx');
  });
});

describe('parseTcx on real files', () => {
  it('reads the Garmin Forerunner sample', () => {
    const text = readFixture('tcx/togeojson/sample.tcx').toString('utf8');
    const r = parseTcx(readFixture('tcx/togeojson/sample.tcx'), 'sample.tcx');
    expect(r.errors).toEqual([]);
    const w = r.workouts[0]!;
    expect(startOf(w)).toBe('2007-08-07T02:42:41.000Z');
    expect(w.duration_s).toBe(2325.02);
    expect(w.distance_m).toBe(8348.5039063);
    expect(w.calories_kcal).toBe(285);
    expect(w.sport).toBe('running');
    expect(w.source).toBe('garmin');
    const s = r.streams[0]!;
    expect(s.time.length).toBe((text.match(/<Trackpoint>/g) ?? []).length);
    expect(s.channels.power_w![0]).toBe(118);
    expect(s.channels.speed_mps![0]).toBe(6.008999824523926);
    expect(Array.from(s.channels.distance_m!.slice(0, 3))).toEqual([0, 6.3073034, 7.5551758]);
    expect(s.channels.altitude_m![1]).toBe(4.4632568);
    expect(laps(w)).toHaveLength(1);
    expect(laps(w)[0]!.max_speed_mps).toBe(18.6828499);
  });

  it('reads the Garmin Connect ride: power and cadence averaged from the points', () => {
    const text = readFixture('tcx/togeojson/garmin_connect.tcx').toString('utf8');
    const r = parseTcx(readFixture('tcx/togeojson/garmin_connect.tcx'), 'garmin_connect.tcx');
    const w = r.workouts[0]!;
    expect(startOf(w)).toBe('2020-03-06T00:23:46.000Z');
    expect(w.sport).toBe('cycling');
    expect(r.streams[0]!.time.length).toBe(317);
    const watts = values(text, 'Watts');
    expect(watts).toHaveLength(313);
    expect(w.avg_power_w).toBeCloseTo(mean(watts), 9);
    expect(w.max_power_w).toBe(Math.max(...watts));
    const cadence = values(text.slice(text.indexOf('<Trackpoint>')), 'Cadence').filter((c) => c > 0);
    expect(w.avg_cadence).toBeCloseTo(mean(cadence), 9);
    expect(laps(w)[0]).toMatchObject({ avg_power_w: 178, max_power_w: 552, cadence: 106, distance_m: 1691.68 });
    expect(w.distance_m).toBe(1691.68);
  });

  it('reads the Fitbit ride: heart rate per point and the local offset of its Id', () => {
    const text = readFixture('tcx/togeojson/tour_hr.tcx').toString('utf8');
    const r = parseTcx(readFixture('tcx/togeojson/tour_hr.tcx'), 'tour_hr.tcx');
    const w = r.workouts[0]!;
    expect(startOf(w)).toBe('2020-12-27T14:43:49.000Z');
    expect(w.utc_offset_min).toBe(60);
    expect(w.source).toBe('fitbit');
    const hrs = values(text, 'Value');
    expect(Array.from(r.streams[0]!.channels.hr!)).toEqual(hrs);
    expect(w.avg_hr).toBeCloseTo(mean(hrs), 9);
    expect(r.streams[0]!.time[0]).toBe(Date.parse('2020-12-27T14:59:36Z'));
    expect(r.streams[0]!.time.length).toBe(465);
  });

  it('treats 0/0 and unreadable positions as absent, names the points, and keeps them', () => {
    const r = parseTcx(readFixture('tcx/togeojson/bad.tcx'), 'togeojson/bad.tcx');
    expect(r.workouts).toHaveLength(1);
    expect(r.errors).toEqual([
      expect.objectContaining({ input: 'togeojson/bad.tcx', record: 'Activity 1 Trackpoint 1', field: 'Position' }),
      expect.objectContaining({ input: 'togeojson/bad.tcx', record: 'Activity 1 Trackpoint 3, 4', field: 'LatitudeDegrees' }),
      // Its two laps both start at 15:43:49 and last 2283 s each.
      expect.objectContaining({ input: 'togeojson/bad.tcx', record: 'Activity 1', field: 'TotalTimeSeconds' }),
    ]);
    const s = r.streams[0]!;
    expect(s.time.length).toBe(4);
    expect(Number.isNaN(s.channels.lat![0]!)).toBe(true);
    expect([s.channels.lat![1], s.channels.lon![1]]).toEqual([0, 10]);
    expect(Array.from(s.channels.hr!)).toEqual([121, 122, 121, 122]);
  });

  it('recognises a Courses file: no workout and no error', () => {
    const r = parseTcx(readFixture('tcx/togeojson/tcx-courses.tcx'), 'tcx-courses.tcx');
    expect(r).toEqual({ workouts: [], biometrics: [], streams: [], errors: [] });
  });

  it('reads the MapMyRide export: microsecond times, points before the first fix', () => {
    const r = parseTcx(readFixture('tcx/tcxreader/mapmyride_biking.tcx'), 'mapmyride_biking.tcx');
    expect(r.errors).toEqual([]);
    const w = r.workouts[0]!;
    // The file carries no Creator or Author, so nothing names MapMyRide.
    expect(w.source).toBe('tcx');
    expect(w.distance_m).toBe(15350.42196864);
    // Elapsed from the lap's StartTime (15:58:25) to the last trackpoint (16:50:16.526, instants are kept to the millisecond); the lap timer says 3111 s.
    expect(w.duration_s).toBeCloseTo(3111.526, 6);
    expect(w.moving_time_s).toBe(3111);
    expect(w.utc_offset_min).toBeNull();
    const s = r.streams[0]!;
    expect(s.time.length).toBe(3112);
    expect(s.time[0]).toBe(Date.parse('2022-11-12T15:58:25.850Z'));
    expect(Number.isNaN(s.channels.lat![5]!)).toBe(true);
    expect(s.channels.lat![6]).toBe(35.23101844067633);
    expect(s.channels.distance_m![s.time.length - 1]).toBe(15350.4296);
  });

  it('reads the cross-country ski file: two laps, run cadence, Other sport', () => {
    const r = parseTcx(readFixture('tcx/tcxreader/cross-country-skiing_activity_1.tcx'), 'xc.tcx');
    const w = r.workouts[0]!;
    expect(laps(w).map((l) => l.distance_m)).toEqual([5000, 692.01]);
    expect(w.distance_m).toBeCloseTo(5692.01, 9);
    // Elapsed to the second lap's end (15:50:22 + 240.828 s); its timers sum to the moving time.
    expect(w.duration_s).toBeCloseTo(2401.828, 9);
    expect(w.moving_time_s).toBeCloseTo(2160.432 + 240.828, 9);
    expect(w.calories_kcal).toBe(532);
    expect([w.sport, w.source_sport]).toEqual(['other', 'Other']);
    expect(r.streams[0]!.channels.hr![0]).toBe(83);
    expect(r.streams[0]!.channels.altitude_m![0]).toBe(1257.5999755859375);
    // The barometer settles from 1257 m to 2250 m in the first seconds; that is not climbing.
    expect(w.elevation_gain_m!).toBeLessThan(200);
  });

  it('parses every fixture without throwing, and what it returns is valid', () => {
    const dir = fixturePath('tcx');
    const files = readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => `tcx/${d.parentPath.slice(dir.length + 1)}/${d.name}`);
    expect(files).toHaveLength(8);
    let workouts = 0;
    for (const f of files) {
      const r = parseTcx(readFixture(f), f);
      for (const w of r.workouts) expect(SourceWorkout.safeParse(w).success).toBe(true);
      for (const s of r.streams) for (const col of Object.values(s.channels)) expect(col.length).toBe(s.time.length);
      for (const e of r.errors) expect(e.input).toBe(f);
      workouts += r.workouts.length;
    }
    expect(workouts).toBe(7);
  });
});

/** A multisport session as Garmin writes it (TrainingCenterDatabase v2: MultiSportSession > FirstSport/NextSport). */
function multisportTcx(legs: Array<{ kind: 'Activity' | 'Transition'; sport?: string; start: string; seconds: number; metres: number }>, sessionId = legs[0]!.start): string {
  const lap = (l: (typeof legs)[number]) => {
    const t0 = Date.parse(l.start);
    const pts = [0, 1, 2]
      .map((k) => {
        const t = new Date(t0 + (k * l.seconds * 1000) / 2).toISOString();
        return `<Trackpoint><Time>${t}</Time><DistanceMeters>${(k * l.metres) / 2}</DistanceMeters><HeartRateBpm><Value>${130 + k}</Value></HeartRateBpm></Trackpoint>`;
      })
      .join('');
    return `<TotalTimeSeconds>${l.seconds}</TotalTimeSeconds><DistanceMeters>${l.metres}</DistanceMeters><Calories>10</Calories><Intensity>Active</Intensity><TriggerMethod>Manual</TriggerMethod><Track>${pts}</Track>`;
  };
  const leg = (l: (typeof legs)[number]) =>
    l.kind === 'Transition'
      ? `<Transition StartTime="${l.start}">${lap(l)}</Transition>`
      : `<Activity Sport="${l.sport}"><Id>${l.start}</Id><Lap StartTime="${l.start}">${lap(l)}</Lap></Activity>`;
  let body = `<FirstSport>${leg(legs[0]!)}</FirstSport>`;
  for (let i = 1; i < legs.length; i++) {
    const l = legs[i]!;
    if (l.kind === 'Transition') {
      body += `<NextSport>${leg(l)}${leg(legs[i + 1]!)}</NextSport>`;
      i++;
    } else body += `<NextSport>${leg(l)}</NextSport>`;
  }
  return `<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">
  <Activities><MultiSportSession><Id>${sessionId}</Id>${body}</MultiSportSession></Activities>
</TrainingCenterDatabase>`;
}

describe('parseTcx multisport sessions', () => {
  it('gives one workout per leg, transitions included, linked to the session like FIT legs', () => {
    const tri = multisportTcx([
      { kind: 'Activity', sport: 'Other', start: '2024-06-01T07:00:00Z', seconds: 1800, metres: 1500 },
      { kind: 'Transition', start: '2024-06-01T07:30:00Z', seconds: 120, metres: 200 },
      { kind: 'Activity', sport: 'Biking', start: '2024-06-01T07:32:00Z', seconds: 3600, metres: 40000 },
      { kind: 'Transition', start: '2024-06-01T08:32:00Z', seconds: 60, metres: 100 },
      { kind: 'Activity', sport: 'Running', start: '2024-06-01T08:33:00Z', seconds: 2400, metres: 10000 },
    ]);
    const r = parseTcx(utf8(tri), 'tri.tcx');
    expect(r.errors).toEqual([]);
    const parent = `tcx:${Date.parse('2024-06-01T07:00:00Z') / 1000}`;
    expect(r.workouts.map((w) => [w.external_id, w.parent_external_id, w.sport, w.source_sport])).toEqual([
      [`${parent}#0`, parent, 'other', 'Other'],
      [`${parent}#1`, parent, 'other', 'Transition'],
      [`${parent}#2`, parent, 'cycling', 'Biking'],
      [`${parent}#3`, parent, 'other', 'Transition'],
      [`${parent}#4`, parent, 'running', 'Running'],
    ]);
    expect(r.workouts.map((w) => w.external_ids)).toEqual([0, 1, 2, 3, 4].map((i) => ({ tcx: parent, tcx_leg: String(i) })));
    expect(r.workouts.map((w) => w.distance_m)).toEqual([1500, 200, 40000, 100, 10000]);
    expect(r.workouts.map((w) => w.moving_time_s)).toEqual([1800, 120, 3600, 60, 2400]);
    expect(r.streams.map((s) => s.external_id)).toEqual(r.workouts.map((w) => w.external_id));
  });

  it('reads a four-activity session that has no transitions', () => {
    const legs = ['Running', 'Biking', 'Running', 'Biking'].map((sport, i) => ({
      kind: 'Activity' as const,
      sport,
      start: new Date(Date.UTC(2024, 5, 2, 7) + i * 1200_000).toISOString(),
      seconds: 1100,
      metres: sport === 'Running' ? 3000 : 9000,
    }));
    const r = parseTcx(utf8(multisportTcx(legs)), 'duathlon.tcx');
    expect(r.errors).toEqual([]);
    expect(r.workouts.map((w) => w.sport)).toEqual(['running', 'cycling', 'running', 'cycling']);
    expect(new Set(r.workouts.map((w) => w.parent_external_id)).size).toBe(1);
  });
});

describe('parseTcx start and span', () => {
  it('starts at the first lap, not at an <Id> cut to the minute or 45 minutes late; no sample lies outside', () => {
    for (const id of ['2024-05-01T05:30:00Z', '2024-05-01T06:15:42Z']) {
      const doc = generatedTcx(
        `<Trackpoint><Time>2024-05-01T05:30:42Z</Time><HeartRateBpm><Value>120</Value></HeartRateBpm></Trackpoint>
         <Trackpoint><Time>2024-05-01T05:44:00Z</Time><HeartRateBpm><Value>130</Value></HeartRateBpm></Trackpoint>`,
      )
        .replace('<Id>2024-05-01T05:30:00.000Z</Id>', `<Id>${id}</Id>`)
        .replace('<Lap StartTime="2024-05-01T05:30:00.000Z">', '<Lap StartTime="2024-05-01T05:30:42Z">');
      const r = parseTcx(utf8(doc), 'late-id.tcx');
      const w = r.workouts[0]!;
      expect(startOf(w)).toBe('2024-05-01T05:30:42.000Z');
      // The second lap starts 05:40:00 and runs 300 s: the workout ends at 05:45:00.
      expect((w.end_time as Date).toISOString()).toBe('2024-05-01T05:45:00.000Z');
      expect(w.duration_s).toBe(858);
      expect(w.moving_time_s).toBe(858);
      for (const t of r.streams[0]!.time) {
        expect(t).toBeGreaterThanOrEqual((w.start_time as Date).getTime());
        expect(t).toBeLessThanOrEqual((w.end_time as Date).getTime());
      }
    }
  });
});
