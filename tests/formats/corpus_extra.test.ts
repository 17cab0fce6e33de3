/**
 * More of the real-file corpus: GPX and TCX files copied byte for byte from
 * other projects' test data into tests/fixtures/real/ (where each came from,
 * its licence and the expected values are in tests/fixtures/MANIFEST.md).
 *
 * Every expected value here comes from the file itself (read with regular
 * expressions, independently of our XML reader) or from the assertions of
 * the project the file comes from; none is a copy of what our parsers return.
 * Tolerances: sums of the file's decimal values are compared to 1e-6; a
 * haversine length computed here may differ from our parser's by the choice
 * of Earth radius (6 371 008.8 m here, 2 ppm at most), so those compare to
 * 0.01 %; a device's own DistanceMeters (wheel or smoothed GPS) and the
 * straight-line length of its recorded positions agree within 1 %; averages
 * of integer heart rate or cadence compare within 1 unit (a device rounds
 * its lap averages and may weight them by time).
 *
 * A case where our parser disagrees with what the file's own project asserts
 * is kept as `it.fails`, with the disagreement stated beside it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceWorkout, type ParseResult, type SourceWorkoutInput } from '../../lib/core/models.ts';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { rebuildCanonical } from '../../lib/core/dedup/rebuild.ts';
import { importPaths, type ImportSummary } from '../../lib/ingest/importer.ts';
import { parseGpx } from '../../lib/formats/gpx.ts';
import { parseTcx, type TcxLap } from '../../lib/formats/tcx.ts';
import { ROOT } from '../helpers/shared.ts';

const REAL = join(ROOT, 'tests', 'fixtures', 'real');

const SWEAT_TCX = 'GoldenCheetah-sweatpy/activity_5039744860.tcx';
const SWEAT_GPX = 'GoldenCheetah-sweatpy/activity_5039744860.gpx';
const GARMIN_RUST_TCX = 'ddboline-garmin_rust/test.tcx';
const OT_NO_SPEED = 'OpenTracksApp-OpenTracks/gpx11_without_speed.gpx';
const OT_EXTENSIONS = 'OpenTracksApp-OpenTracks/legacy_gpx_trackpointextensions_incorrect.gpx';
const OT_PAUSE = 'OpenTracksApp-OpenTracks/legacy_gpx_pause_resume.gpx';
const OT_TIMEZONE = 'OpenTracksApp-OpenTracks/gpx_timezone.gpx';
const RWGPS = 'georust-gpx/wahoo_example.gpx';

const FILES = [SWEAT_TCX, SWEAT_GPX, GARMIN_RUST_TCX, OT_NO_SPEED, OT_EXTENSIONS, OT_PAUSE, OT_TIMEZONE, RWGPS];

const bytes = (rel: string) => readFileSync(join(REAL, rel));
const text = (rel: string) => bytes(rel).toString('utf8');
const parse = (rel: string): ParseResult => (rel.endsWith('.gpx') ? parseGpx(bytes(rel), rel) : parseTcx(bytes(rel), rel));
const ms = (d: SourceWorkoutInput['start_time']) => (d as Date).getTime();
const iso = (t: number) => new Date(t).toISOString();
const sum = (a: readonly number[]) => a.reduce((x, y) => x + y, 0);
const mean = (a: readonly number[]) => sum(a) / a.length;
/** Every first capture group of `re` in `s`. */
const all = (s: string, re: RegExp) => [...s.matchAll(re)].map((m) => m[1]!);
/** Values of a channel that are present (a missing sample is NaN). */
const present = (a: Float64Array | undefined) => [...(a ?? [])].filter((v) => v === v);

/** Great-circle distance on a sphere of the mean Earth radius (IUGG), metres. */
function haversine(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const h = Math.sin(((lat2 - lat1) * rad) / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.sqrt(h));
}
const pathLength = (pts: ReadonlyArray<readonly [number, number]>) => sum(pts.slice(1).map((p, i) => haversine(pts[i]![0], pts[i]![1], p[0], p[1])));

/** A TCX file's trackpoints as written: time, position, and the values this test reads. */
interface TcxPoint {
  time: number;
  lat: number;
  lon: number;
  distance: number;
  hr: number;
  cadence: number;
  watts: number;
}
function tcxPoints(s: string): TcxPoint[] {
  const num = (block: string, re: RegExp) => {
    const m = re.exec(block);
    return m ? Number(m[1]) : NaN;
  };
  return all(s, /<Trackpoint>([\s\S]*?)<\/Trackpoint>/g).map((b) => ({
    time: Date.parse(/<Time>([^<]+)</.exec(b)![1]!),
    lat: num(b, /<LatitudeDegrees>([^<]+)</),
    lon: num(b, /<LongitudeDegrees>([^<]+)</),
    distance: num(b, /<\/Position>\s*<AltitudeMeters>[^<]*<\/AltitudeMeters>\s*<DistanceMeters>([^<]+)</),
    hr: num(b, /<HeartRateBpm>\s*<Value>(\d+)</),
    cadence: num(b, /<Cadence>(\d+)</),
    watts: num(b, /<ns3:Watts>(\d+)</),
  }));
}
/** The laps of a TCX file as written. */
function tcxLaps(s: string) {
  return all(s, /(<Lap StartTime="[\s\S]*?<\/Lap>)/g).map((b) => {
    const tail = b.replace(/<Track>[\s\S]*<\/Track>/, '');
    const num = (re: RegExp) => Number(re.exec(tail)?.[1] ?? NaN);
    return {
      start: Date.parse(/StartTime="([^"]+)"/.exec(b)![1]!),
      total: num(/<TotalTimeSeconds>([^<]+)</),
      distance: num(/<DistanceMeters>([^<]+)</),
      calories: num(/<Calories>([^<]+)</),
      avgHr: num(/<AverageHeartRateBpm>\s*<Value>(\d+)</),
      maxHr: num(/<MaximumHeartRateBpm>\s*<Value>(\d+)</),
      maxWatts: num(/<ns3:MaxWatts>(\d+)</),
    };
  });
}
/** A GPX file's track points as written. */
function gpxPoints(s: string) {
  return all(s, /(<trkpt [\s\S]*?<\/trkpt>)/g).map((b) => ({
    lat: Number(/lat="([^"]+)"/.exec(b)![1]),
    lon: Number(/lon="([^"]+)"/.exec(b)![1]),
    time: Date.parse(/<time>([^<]+)</.exec(b)![1]!),
    hr: Number(/:hr>(\d+)</.exec(b)?.[1] ?? NaN),
    cad: Number(/:cad>(\d+)</.exec(b)?.[1] ?? NaN),
    atemp: Number(/:atemp>([^<]+)</.exec(b)?.[1] ?? NaN),
  }));
}

describe('real files (tests/fixtures/real): every one keeps the rules', () => {
  for (const rel of FILES) {
    it(rel, () => {
      const r = parse(rel);
      expect(r.workouts).toHaveLength(1);
      for (const e of r.errors) expect(e.input).toBe(rel);
      const w = r.workouts[0]!;
      const check = SourceWorkout.safeParse(w);
      expect(check.success, check.success ? '' : check.error.message).toBe(true);
      expect(w.input).toBe(rel);
      expect(w.duration_s).toBeCloseTo((ms(w.end_time) - ms(w.start_time)) / 1000, 6);
      if (w.moving_time_s != null) expect(w.moving_time_s).toBeLessThanOrEqual(w.duration_s + 1e-6);
      const s = r.streams.find((x) => x.external_id === w.external_id)!;
      for (const t of s.time) {
        expect(t).toBeGreaterThanOrEqual(ms(w.start_time));
        expect(t).toBeLessThanOrEqual(ms(w.end_time));
      }
      for (let k = 1; k < s.time.length; k++) expect(s.time[k]!).toBeGreaterThan(s.time[k - 1]!);
      for (const v of present(s.channels.lat)) expect(Math.abs(v)).toBeLessThanOrEqual(90);
      for (const v of present(s.channels.lon)) expect(Math.abs(v)).toBeLessThanOrEqual(180);
    });
  }
});

describe('GoldenCheetah/sweatpy activity_5039744860.tcx: Garmin Edge 1000 ride exported by Garmin Connect, 5 laps', () => {
  const s = text(SWEAT_TCX);
  const pts = tcxPoints(s);
  const laps = tcxLaps(s);
  const r = parse(SWEAT_TCX);
  const w = r.workouts[0]!;
  const st = r.streams[0]!;
  /** One value per instant: the file repeats each lap's last trackpoint as the next lap's first. */
  const distinct = [...new Map(pts.map((p) => [p.time, p])).values()];

  it('the file as counted: 100 trackpoints at 96 instants, the repeated ones identical', () => {
    expect(pts).toHaveLength(100);
    expect(distinct).toHaveLength(96);
    for (const p of pts) expect(distinct.find((q) => q.time === p.time)).toEqual(p);
  });

  it('5 laps (sweatpy sweat/examples/index.yml: laps 5), each with its start, timer time and distance', () => {
    expect(laps).toHaveLength(5);
    const mine = (w.raw_data as { laps: TcxLap[] }).laps;
    expect(mine).toHaveLength(5);
    mine.forEach((l, i) => {
      expect(Date.parse(l.start_time!)).toBe(laps[i]!.start);
      expect(l.total_time_s).toBeCloseTo(laps[i]!.total, 6);
      expect(l.distance_m).toBeCloseTo(laps[i]!.distance, 6);
    });
  });

  it('start at the first lap, end at the last trackpoint (= last lap start + its TotalTimeSeconds)', () => {
    expect(iso(ms(w.start_time))).toBe('2020-06-01T14:52:40.000Z');
    expect(ms(w.start_time)).toBe(Math.min(laps[0]!.start, pts[0]!.time));
    const lastLapEnd = laps.at(-1)!.start + laps.at(-1)!.total * 1000;
    expect(ms(w.end_time)).toBe(Math.max(pts.at(-1)!.time, lastLapEnd));
    expect(iso(ms(w.end_time))).toBe('2020-06-01T14:54:46.000Z');
  });

  it('moving time, distance and calories are the sums over the laps; the distance is also the last DistanceMeters', () => {
    expect(w.moving_time_s).toBeCloseTo(sum(laps.map((l) => l.total)), 6);
    expect(w.distance_m).toBeCloseTo(sum(laps.map((l) => l.distance)), 6);
    expect(Math.abs(w.distance_m! - pts.at(-1)!.distance)).toBeLessThan(1e-3);
    expect(w.calories_kcal).toBe(sum(laps.map((l) => l.calories)));
  });

  it('the channels sweatpy documents for this file (latitude, longitude, distance, speed, power, elevation, cadence, heartrate) are all there', () => {
    for (const ch of ['lat', 'lon', 'distance_m', 'speed_mps', 'power_w', 'altitude_m', 'cadence', 'hr'] as const) {
      expect(present(st.channels[ch]).length, ch).toBeGreaterThan(0);
    }
  });

  it('one sample per instant, with the file\'s position, heart rate, power and cadence (rpm, not doubled: Biking)', () => {
    expect([...st.time]).toEqual(distinct.map((p) => p.time));
    distinct.forEach((p, k) => {
      expect(st.channels.lat![k]).toBe(p.lat);
      expect(st.channels.lon![k]).toBe(p.lon);
      expect(st.channels.hr![k]).toBe(p.hr);
      expect(st.channels.cadence![k]).toBe(p.cadence);
      if (p.watts === p.watts) expect(st.channels.power_w![k]).toBe(p.watts);
      else expect(st.channels.power_w![k]).toBeNaN();
    });
  });

  it('heart rate and power summaries agree with the trackpoints and with the laps\' own maxima and averages', () => {
    const hr = distinct.map((p) => p.hr);
    expect(w.max_hr).toBe(Math.max(...hr));
    expect(w.max_hr).toBe(Math.max(...laps.map((l) => l.maxHr)));
    expect(Math.abs(w.avg_hr! - mean(hr))).toBeLessThanOrEqual(1);
    const lapWeighted = sum(laps.map((l) => l.avgHr * l.total)) / sum(laps.map((l) => l.total));
    expect(Math.abs(w.avg_hr! - lapWeighted)).toBeLessThanOrEqual(1);
    const watts = distinct.map((p) => p.watts).filter((v) => v === v);
    expect(w.max_power_w).toBe(Math.max(...watts));
    expect(w.max_power_w).toBe(Math.max(...laps.map((l) => l.maxWatts)));
    expect(Math.abs(w.avg_power_w! - mean(watts))).toBeLessThanOrEqual(1);
    const pedalling = distinct.map((p) => p.cadence).filter((c) => c > 0);
    expect(Math.abs(w.avg_cadence! - mean(pedalling))).toBeLessThanOrEqual(1);
  });

  it('written by Garmin Connect for a Garmin Edge 1000: a cycling workout from Garmin', () => {
    expect(s).toContain('<Name>Garmin Edge 1000</Name>');
    expect(w.source).toBe('garmin');
    expect(w.source_sport).toBe('Biking');
    expect(w.sport).toBe('cycling');
  });
});

describe('GoldenCheetah/sweatpy activity_5039744860.gpx: the same ride exported by Garmin Connect as GPX', () => {
  const s = text(SWEAT_GPX);
  const pts = gpxPoints(s);
  const r = parse(SWEAT_GPX);
  const w = r.workouts[0]!;
  const st = r.streams[0]!;
  const tcx = [...new Map(tcxPoints(text(SWEAT_TCX)).map((p) => [p.time, p])).values()];

  it('96 points from 14:52:40 to 14:54:46, at the same instants and positions and with the same heart rate and cadence as the TCX export', () => {
    expect(pts).toHaveLength(96);
    expect(pts.map((p) => p.time)).toEqual(tcx.map((p) => p.time));
    pts.forEach((p, k) => {
      expect(p.lat).toBeCloseTo(tcx[k]!.lat, 9);
      expect(p.lon).toBeCloseTo(tcx[k]!.lon, 9);
      expect([p.hr, p.cad]).toEqual([tcx[k]!.hr, tcx[k]!.cadence]);
    });
    expect(ms(w.start_time)).toBe(pts[0]!.time);
    expect(ms(w.end_time)).toBe(pts.at(-1)!.time);
    expect(iso(ms(w.start_time))).toBe('2020-06-01T14:52:40.000Z');
  });

  it('the stream holds the file\'s values; cadence stays rpm for a <type>cycling</type> track', () => {
    expect([...st.time]).toEqual(pts.map((p) => p.time));
    expect([...st.channels.hr!]).toEqual(pts.map((p) => p.hr));
    expect([...st.channels.cadence!]).toEqual(pts.map((p) => p.cad));
    expect(w.sport).toBe('cycling');
    expect((w.raw_data as { cadence_doubled: boolean }).cadence_doubled).toBe(false);
  });

  it('distance is the haversine length of the one segment\'s points (0.01 %)', () => {
    const d = pathLength(pts.map((p) => [p.lat, p.lon] as const));
    expect(Math.abs(w.distance_m! / d - 1)).toBeLessThan(1e-4);
  });

  it('heart rate, cadence and air temperature (ns3:atemp) summaries come from the points', () => {
    expect(w.max_hr).toBe(Math.max(...pts.map((p) => p.hr)));
    expect(Math.abs(w.avg_hr! - mean(pts.map((p) => p.hr)))).toBeLessThanOrEqual(1);
    expect(Math.abs(w.avg_cadence! - mean(pts.map((p) => p.cad).filter((c) => c > 0)))).toBeLessThanOrEqual(1);
    const temp = (w.raw_data as { air_temp_c: { mean: number; max: number } }).air_temp_c;
    expect(temp.max).toBe(Math.max(...pts.map((p) => p.atemp)));
    expect(temp.mean).toBeCloseTo(mean(pts.map((p) => p.atemp)), 9);
  });

  it('creator "Garmin Connect": source garmin', () => {
    expect(w.source).toBe('garmin');
  });
});

describe("ddboline/garmin_rust tests/data/test.tcx: a 2012 Garmin ride (ANT Agent), as the project's tests/test_garmin_parse_tcx.rs asserts", () => {
  const s = text(GARMIN_RUST_TCX);
  const pts = tcxPoints(s);
  const r = parse(GARMIN_RUST_TCX);
  const w = r.workouts[0]!;
  const st = r.streams[0]!;

  it('sport biking, begin 2012-11-05T11:52:21Z, 285 kcal, 1 lap', () => {
    expect(w.sport).toBe('cycling');
    expect(w.source_sport).toBe('Biking');
    expect(iso(ms(w.start_time))).toBe('2012-11-05T11:52:21.000Z');
    expect(w.calories_kcal).toBe(285);
    expect((w.raw_data as { laps: TcxLap[] }).laps).toHaveLength(1);
  });

  it('182 points, total distance 5981.9423828 m, total duration 1037.53 s (the lap timer), no heart rate', () => {
    expect(present(st.channels.lat)).toHaveLength(182);
    expect(w.distance_m).toBeCloseTo(5981.9423828, 7);
    expect(w.moving_time_s).toBeCloseTo(1037.53, 6);
    expect(w.avg_hr).toBeNull();
    expect(present(st.channels.hr)).toHaveLength(0);
  });

  it('the file as counted: 183 trackpoints, the last holding only its time, which the stream keeps without a position', () => {
    expect(pts).toHaveLength(183);
    expect(pts.filter((p) => p.lat === p.lat)).toHaveLength(182);
    expect(st.time).toHaveLength(183);
    expect(st.time.at(-1)).toBe(Date.parse('2012-11-05T12:09:38Z'));
    expect(st.channels.lat![182]).toBeNaN();
  });

  it('ends at the later of the last trackpoint and the lap start + TotalTimeSeconds', () => {
    expect(ms(w.end_time)).toBe(Math.max(pts.at(-1)!.time, Date.parse('2012-11-05T11:52:21Z') + 1037.53 * 1000));
  });

  it('the positions\' haversine length is within 1 % of the device\'s DistanceMeters', () => {
    const d = pathLength(pts.filter((p) => p.lat === p.lat).map((p) => [p.lat, p.lon] as const));
    expect(Math.abs(d / 5981.9423828 - 1)).toBeLessThan(0.01);
  });
});

describe('OpenTracks androidTest files, as GPXTrackImporterTest (OpenTracksApp/OpenTracks) asserts', () => {
  it('gpx11_without_speed.gpx (written by "Cruiser"): 3 points 22:10:19-22:12:00, moving time 101 s', () => {
    const r = parse(OT_NO_SPEED);
    const w = r.workouts[0]!;
    const st = r.streams[0]!;
    expect([...st.time].map(iso)).toEqual(['2021-09-07T22:10:19.000Z', '2021-09-07T22:11:07.000Z', '2021-09-07T22:12:00.000Z']);
    expect([...st.channels.lat!]).toEqual([30.14185982, 30.14184657, 30.14185982]);
    expect([...st.channels.lon!]).toEqual([-40.3863038, -40.38670089, -40.3863038]);
    expect([...st.channels.altitude_m!]).toEqual([-5, -5, -5]);
    expect(w.name).toBe('20210907_213924.gpx');
    expect(w.moving_time_s).toBe(101);
    // Out to the second point and back: twice the same great-circle leg.
    expect(w.distance_m! / (2 * haversine(30.14185982, -40.3863038, 30.14184657, -40.38670089)) - 1).toBeCloseTo(0, 4);
  });

  it('legacy_gpx_trackpointextensions_incorrect.gpx: times with +01:00 read as UTC 02:02:03Z.., speed, heart rate, cadence and power of the points', () => {
    const r = parse(OT_EXTENSIONS);
    const w = r.workouts[0]!;
    const st = r.streams[0]!;
    expect([...st.time].map(iso)).toEqual([
      '2020-02-02T02:02:03.000Z', '2020-02-02T02:02:17.000Z', '2020-02-02T02:03:21.000Z', '2020-02-02T02:03:22.000Z', '2020-02-02T02:03:50.000Z',
    ]);
    expect([...st.channels.lon!]).toEqual([14, 14.001, 14.002, 16, 16.001]);
    expect([...st.channels.speed_mps!]).toEqual([15, 5, 15, 15, 15]);
    expect(present(st.channels.hr)).toEqual([69]);
    expect(st.channels.hr![1]).toBe(69);
    // <type>mountain biking</type>: cadence in rpm, as written.
    expect(st.channels.cadence![1]).toBe(3);
    expect(st.channels.power_w![1]).toBe(50);
    expect(w.source_sport).toBe('mountain biking');
    expect(w.sport).toBe('mountain_biking');
  });

  it('legacy_gpx_trackpointextensions_incorrect.gpx: 3 segments; distance and moving time only inside them', () => {
    const w = parse(OT_EXTENSIONS).workouts[0]!;
    expect((w.raw_data as { segments: number }).segments).toBe(3);
    // Segment 1: (3,14)->(3,14.001) over 14 s; segment 2: one point; segment 3: (3,16)->(3,16.001) over 28 s.
    // The 222 km hop from 14.002 to 16 lies between segments (the file's own TrackStatsExtension, written by a
    // version whose extensions its project calls incorrect, counts it: 222125.5 m in 56 s; not used here).
    const leg = haversine(3, 14, 3, 14.001);
    expect(w.distance_m! / (leg + haversine(3, 16, 3, 16.001)) - 1).toBeCloseTo(0, 4);
    expect(w.moving_time_s!).toBeLessThanOrEqual(14 + 28);
    expect(w.moving_time_s!).toBeGreaterThan(0);
  });

  it('legacy_gpx_pause_resume.gpx: the four valid points keep their times and positions; the lat 100 / lat 200 markers are no position', () => {
    const r = parse(OT_PAUSE);
    const w = r.workouts[0]!;
    const st = r.streams[0]!;
    expect(iso(ms(w.start_time))).toBe('2021-01-07T21:51:59.179Z');
    expect(iso(ms(w.end_time))).toBe('2021-01-07T21:52:04.103Z');
    const valid = ['2021-01-07T21:51:59.179Z', '2021-01-07T21:52:00.653Z', '2021-01-07T21:52:01.010Z', '2021-01-07T21:52:04.103Z'];
    for (const [k, t] of valid.entries()) {
      const i = [...st.time].indexOf(Date.parse(t));
      expect(i, t).toBeGreaterThanOrEqual(0);
      expect([st.channels.lat![i], st.channels.lon![i]]).toEqual([3, [14, 14.001, 14.002, 14.003][k]]);
    }
    expect(present(st.channels.lat).every((v) => v === 3)).toBe(true);
    // The markers are read as what they mean, not reported as bad coordinates.
    expect(r.errors.filter((e) => e.field === 'lat' || e.field === 'lon')).toEqual([]);
    expect(w.raw_data).toMatchObject({ pause_markers: 2, paused_s: 1.215 });
  });

  // OpenTracks reads a point at lat=100 as "pause" and one at lat=200 as "resume" (its test gpx_with_pause_resume
  // expects SEGMENT_END_MANUAL at 21:52:02.658 and SEGMENT_START_MANUAL at 21:52:03.873): of the 4.924 s from
  // 21:51:59.179 to 21:52:04.103, 1.215 s are paused, so at most 3.709 s are moving.
  it('legacy_gpx_pause_resume.gpx: the pause from 21:52:02.658 to 21:52:03.873 is not moving time', () => {
    const w = parse(OT_PAUSE).workouts[0]!;
    const paused = (Date.parse('2021-01-07T21:52:03.873Z') - Date.parse('2021-01-07T21:52:02.658Z')) / 1000;
    expect(w.duration_s).toBeCloseTo(4.924, 9);
    expect(w.moving_time_s!).toBeLessThanOrEqual(w.duration_s - paused + 1e-9);
    expect(w.moving_time_s!).toBeGreaterThan(0);
  });

  it('gpx_timezone.gpx: 21:51:59.179+01:15 is 20:36:59.179Z; one point, so start = end', () => {
    const r = parse(OT_TIMEZONE);
    const w = r.workouts[0]!;
    expect(iso(ms(w.start_time))).toBe('2021-01-07T20:36:59.179Z');
    expect(ms(w.end_time)).toBe(ms(w.start_time));
    expect(w.duration_s).toBe(0);
    expect(r.streams[0]!.time).toHaveLength(1);
  });

  // importExportTest_timezone expects the track to export again with its times written at +01:15: the file's local
  // offset is part of what it records, and it is kept (lib/formats/gpx.ts, utc_offset_min).
  it('gpx_timezone.gpx: the offset the file writes (+01:15) is kept as utc_offset_min 75', () => {
    expect(parse(OT_TIMEZONE).workouts[0]!.utc_offset_min).toBe(75);
  });
});

describe('georust/gpx tests/fixtures/wahoo_example.gpx: a ridewithgps.com trip with empty <ele/> elements', () => {
  const r = parse(RWGPS);
  const w = r.workouts[0]!;
  const st = r.streams[0]!;

  it('three points one second apart at one position: 2 s elapsed, no distance, no elevation', () => {
    expect([...st.time].map(iso)).toEqual(['2022-04-24T20:54:33.000Z', '2022-04-24T20:54:34.000Z', '2022-04-24T20:54:35.000Z']);
    expect(w.duration_s).toBe(2);
    expect(w.distance_m).toBe(0);
    expect(present(st.channels.altitude_m)).toHaveLength(0);
    expect(w.elevation_gain_m).toBeNull();
    expect(w.name).toBe('04/24/22');
    expect(r.errors).toEqual([]);
  });
});

describe('real files through importPaths', () => {
  let dir = '';
  let wh: Warehouse;
  let summary: ImportSummary;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'app-corpus-extra-'));
    wh = await Warehouse.open(join(dir, 'w.duckdb'));
    summary = await importPaths(wh, FILES.map((f) => join(REAL, f)), { athleteId: 'me', workers: 0 });
    await rebuildCanonical(wh);
  });
  afterAll(() => {
    wh?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores a workout for every file, none refused or skipped', async () => {
    expect(summary.files).toBe(FILES.length);
    expect(summary.skipped).toBe(0);
    expect(summary.invalid).toBe(0);
    const rows = await wh.all<{ input: string }>('SELECT input FROM source_workouts');
    for (const f of FILES) expect(rows.filter((x) => x.input.endsWith(f)), f).toHaveLength(1);
    expect(rows).toHaveLength(FILES.length);
  });

  it('no import_errors row but value warnings', async () => {
    const rows = await wh.all<{ input: string; record: string | null; field: string | null; reason: string }>(
      'SELECT input, record, field, reason FROM import_errors ORDER BY input, record',
    );
    // A value warning ends in "stored as null": the value is dropped, its record kept (lib/ingest/store.ts).
    const errors = rows.filter((e) => !e.reason.endsWith('stored as null'));
    expect(errors.map((e) => [e.input.slice(e.input.lastIndexOf('/') + 1), e.field, e.reason])).toEqual([]);
    expect(summary.problems).toBe(0);
  });

  it('no stream sample lies outside its workout\'s start and end', async () => {
    const [c] = await wh.all<{ samples: number; outside: number }>(
      `SELECT count(*) AS samples, count(*) FILTER (WHERE p.time < w.start_time OR p.time > w.end_time) AS outside
       FROM stream_points p JOIN streams s USING (stream_id) JOIN source_workouts w USING (record_id)`,
    );
    expect(Number(c!.outside)).toBe(0);
    // The instants of the files' points (TCX: 96 distinct of 100, and 183; GPX: 96, 3, 5, 1, 3), and the 4 of
    // legacy_gpx_pause_resume.gpx's 6 that are not its lat 100 / lat 200 markers (see above).
    expect(Number(c!.samples)).toBe(96 + 96 + 183 + 3 + 5 + 4 + 1 + 3);
  });

  // sweatpy's sweat/examples/index.yml documents both files as the same ride ("Same as 2020-06-01-16-52-40.fit but
  // exported from Garmin Connect as gpx" / "as tcx"). Their distances disagree by more than copies' tolerance (10 %,
  // or 200 m): the TCX carries the device's distance, 668.19 m (its laps' DistanceMeters); the GPX has none, so ours
  // is the haversine length of its points, 899.26 m, which includes the 246 m straight line between 14:53:33 and
  // 14:54:05, a 32 s stretch the device paused (its DistanceMeters moves 7.7 m there). Coinciding in time with the
  // same route, they are one recording all the same (lib/core/dedup/deduplicate.ts, copies at tier 3).
  it('the GPX and TCX exports of one ride (sweatpy index.yml: both "Same as 2020-06-01-16-52-40.fit") become one workout', async () => {
    const rows = await wh.all<{ workout_id: string; input: string }>(
      `SELECT ws.workout_id, s.input FROM workout_sources ws JOIN source_workouts s USING (record_id)
       WHERE s.input LIKE '%activity_5039744860%'`,
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]!.workout_id).toBe(rows[1]!.workout_id);
  });
});
