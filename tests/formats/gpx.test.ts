import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseGpx, sourceFromCreator } from '../../lib/formats/gpx.ts';
import { SourceWorkout, type SourceWorkoutInput } from '../../lib/core/models.ts';
import { fixturePath, readFixture } from '../helpers/shared.ts';

/** Haversine written out again here, so the parser's distances are checked against an independent sum. */
function greatCircle(a: [number, number], b: [number, number]): number {
  const r = Math.PI / 180;
  const h =
    Math.sin(((b[0] - a[0]) * r) / 2) ** 2 +
    Math.cos(a[0] * r) * Math.cos(b[0] * r) * Math.sin(((b[1] - a[1]) * r) / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.sqrt(h));
}

/** Coordinates of the `<trkpt>`s in one piece of GPX text, in file order (lat and lon in either order). */
function trackCoords(text: string): Array<[number, number]> {
  return [...text.matchAll(/<trkpt\b([^>]*)>/g)].map((m) => {
    const attrs = m[1]!;
    return [Number(/lat="([^"]+)"/.exec(attrs)![1]), Number(/lon="([^"]+)"/.exec(attrs)![1])];
  });
}

function pathLength(coords: Array<[number, number]>): number {
  let d = 0;
  for (let i = 1; i < coords.length; i++) d += greatCircle(coords[i - 1]!, coords[i]!);
  return d;
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const ms = (iso: string) => Date.parse(iso);
const startOf = (w: SourceWorkoutInput) => (w.start_time as Date).toISOString();

/** 0.001 degree of latitude on a 6,371 km sphere. */
const STEP_M = (6_371_000 * Math.PI * 0.001) / 180;

function generatedGpx(opts: { creator?: string; type?: string; time?: (i: number) => string } = {}): string {
  const eles = [100, 110, 105, 120, 120];
  const time = opts.time ?? ((i: number) => `2024-03-01T06:00:${String(i * 10).padStart(2, '0')}Z`);
  const pts = eles
    .map(
      (ele, i) => `<trkpt lat="${(45 + i * 0.001).toFixed(3)}" lon="7.000"><ele>${ele}</ele><time>${time(i)}</time>
        <extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>${140 + i}</gpxtpx:hr><gpxtpx:cad>${80 + i}</gpxtpx:cad></gpxtpx:TrackPointExtension>
        <power>${200 + 10 * i}</power></extensions></trkpt>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="${opts.creator ?? 'Test Generator'}" xmlns="http://www.topografix.com/GPX/1/1"
     xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v2">
  <trk><name>Generated climb</name>${opts.type ? `<type>${opts.type}</type>` : ''}<trkseg>
${pts}
  </trkseg></trk>
</gpx>`;
}

describe('parseGpx on generated GPX of known geometry', () => {
  it('measures 0.001 degree steps as 111.19 m each and counts climbs past the 3 m hysteresis', () => {
    const r = parseGpx(utf8(generatedGpx()), 'gen.gpx');
    expect(r.errors).toEqual([]);
    expect(r.workouts).toHaveLength(1);
    const w = r.workouts[0]!;
    expect(STEP_M).toBeCloseTo(111.19, 2);
    expect(w.distance_m).toBeCloseTo(4 * STEP_M, 6);
    // 100 -> 110 (+10), down to 105 (reference moves), -> 120 (+15)
    expect(w.elevation_gain_m).toBe(25);
    expect(startOf(w)).toBe('2024-03-01T06:00:00.000Z');
    expect(w.duration_s).toBe(40);
    expect(w.avg_hr).toBe(142);
    expect(w.max_hr).toBe(144);
    expect(w.avg_power_w).toBe(220);
    expect(w.max_power_w).toBe(240);
    expect(w.avg_cadence).toBe(82);
    expect(w.has_gps).toBe(true);
    expect(w.has_power).toBe(true);
    expect(w.name).toBe('Generated climb');
    expect(w.source).toBe('gpx');
    expect(w.external_id).toBe(`gpx:${ms('2024-03-01T06:00:00Z') / 1000}`);
    expect(w.utc_offset_min).toBeNull();

    const s = r.streams[0]!;
    expect(s.external_id).toBe(w.external_id);
    expect(Array.from(s.time)).toEqual([0, 10, 20, 30, 40].map((sec) => ms('2024-03-01T06:00:00Z') + sec * 1000));
    expect(Array.from(s.channels.altitude_m!)).toEqual([100, 110, 105, 120, 120]);
    expect(Array.from(s.channels.hr!)).toEqual([140, 141, 142, 143, 144]);
    expect(Array.from(s.channels.power_w!)).toEqual([200, 210, 220, 230, 240]);
    expect(s.channels.distance_m![4]).toBeCloseTo(4 * STEP_M, 6);
    expect(s.channels.lat![2]).toBe(45.002);
    expect(s.channels.speed_mps).toBeUndefined();
  });

  it('does not count the gap between segments as distance', () => {
    const text = `<gpx version="1.1" creator="x"><trk><trkseg>
      <trkpt lat="10.000" lon="0"><time>2024-01-01T00:00:00Z</time></trkpt>
      <trkpt lat="10.001" lon="0"><time>2024-01-01T00:00:10Z</time></trkpt></trkseg><trkseg>
      <trkpt lat="11.000" lon="0"><time>2024-01-01T00:10:00Z</time></trkpt>
      <trkpt lat="11.002" lon="0"><time>2024-01-01T00:10:20Z</time></trkpt></trkseg></trk></gpx>`;
    const w = parseGpx(utf8(text), 'segments.gpx').workouts[0]!;
    expect(w.distance_m).toBeCloseTo(3 * STEP_M, 6);
    expect(w.duration_s).toBe(620);
    expect(w.elevation_gain_m).toBeNull();
  });

  it('reads times with offsets and times without a zone as UTC, whatever the process zone', () => {
    expect(process.env.TZ).toBe('Australia/Brisbane');
    const withOffset = parseGpx(utf8(generatedGpx({ time: (i) => `2024-03-01T08:00:0${i}.500+02:00` })), 'o.gpx');
    expect(startOf(withOffset.workouts[0]!)).toBe('2024-03-01T06:00:00.500Z');
    const noZone = parseGpx(utf8(generatedGpx({ time: (i) => `2024-03-01T06:00:0${i}` })), 'z.gpx');
    expect(startOf(noZone.workouts[0]!)).toBe('2024-03-01T06:00:00.000Z');
  });

  it('maps Strava numeric and text track types and an explicit sport option', () => {
    expect(parseGpx(utf8(generatedGpx({ type: '9' })), 'a.gpx').workouts[0]!.sport).toBe('running');
    expect(parseGpx(utf8(generatedGpx({ type: '1' })), 'a.gpx').workouts[0]!.sport).toBe('cycling');
    const ride = parseGpx(utf8(generatedGpx({ type: 'cycling' })), 'a.gpx').workouts[0]!;
    expect([ride.sport, ride.sport_category, ride.source_sport]).toEqual(['cycling', 'ENDURANCE', 'cycling']);
    expect(parseGpx(utf8(generatedGpx({ type: 'running' })), 'a.gpx', { sport: 'Hike' }).workouts[0]!.sport).toBe('hiking');
  });

  it('takes the source from options, else from the creator', () => {
    expect(parseGpx(utf8(generatedGpx({ creator: 'StravaGPX Android' })), 'a.gpx').workouts[0]!.source).toBe('strava');
    expect(parseGpx(utf8(generatedGpx({ creator: 'StravaGPX' })), 'a.gpx', { source: 'mine' }).workouts[0]!.source).toBe('mine');
    expect(
      ['Garmin Connect', 'Apple Health Export', 'WahooFitness', 'Polar Flow', 'Suunto app', 'OsmAnd+'].map(sourceFromCreator),
    ).toEqual(['garmin', 'apple_health', 'wahoo', 'polar', 'suunto', 'gpx']);
  });

  it('decodes an ISO-8859-1 file by its declaration and a gzipped one by its magic bytes', () => {
    const text = generatedGpx().replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').replace('Generated climb', 'Königsee Straße');
    const latin1 = Buffer.from(text, 'latin1');
    expect(latin1.includes(Buffer.from([0xf6]))).toBe(true); // ö as one byte, not UTF-8
    expect(parseGpx(latin1, 'latin.gpx').workouts[0]!.name).toBe('Königsee Straße');
    const gz = parseGpx(gzipSync(latin1), 'latin.gpx.gz');
    expect(gz.workouts[0]!.name).toBe('Königsee Straße');
    expect(gz.workouts[0]!.distance_m).toBeCloseTo(4 * STEP_M, 6);
  });

  it('reads extensions without namespace prefixes and GPX 1.0 speed elements', () => {
    const text = `<gpx version="1.0"><trk><trkseg>
      <trkpt lat="1" lon="1"><time>2024-01-01T00:00:00Z</time><speed>2.5</speed>
        <extensions><TrackPointExtension><hr>99</hr><cad>70</cad></TrackPointExtension></extensions></trkpt>
      <trkpt lat="1.001" lon="1"><time>2024-01-01T00:00:01Z</time><speed>3.5</speed></trkpt></trkseg></trk></gpx>`;
    const r = parseGpx(utf8(text), 'plain.gpx');
    expect(Array.from(r.streams[0]!.channels.speed_mps!)).toEqual([2.5, 3.5]);
    expect(r.streams[0]!.channels.hr![0]).toBe(99);
    expect(r.workouts[0]!.avg_cadence).toBe(70);
  });

  it('reports unreadable and non-GPX input as one error', () => {
    const notXml = parseGpx(utf8('this is not xml'), 'junk.gpx');
    expect(notXml.workouts).toEqual([]);
    expect(notXml.errors).toHaveLength(1);
    expect(notXml.errors[0]!.input).toBe('junk.gpx');
    const wrongRoot = parseGpx(utf8('<kml><Document/></kml>'), 'map.gpx');
    expect(wrongRoot.errors[0]!.reason).toMatch(/root element is <kml>/);
    const badGz = parseGpx(new Uint8Array([0x1f, 0x8b, 1, 2, 3]), 'broken.gpx.gz');
    expect(badGz.errors).toHaveLength(1);
    expect(badGz.errors[0]!.reason).toMatch(/unreadable GPX/);
  });

  it('keeps the points read before a truncation and says the file is cut short', () => {
    const full = generatedGpx();
    const cut = full.slice(0, full.indexOf('<trkpt lat="45.003"'));
    const r = parseGpx(utf8(cut), 'cut.gpx');
    expect(r.workouts).toHaveLength(1);
    expect(r.streams[0]!.time.length).toBe(3);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.reason).toMatch(/not well-formed/);
  });
});

describe('parseGpx on real files', () => {
  it('reads the Strava export: hr, cadence, the <power> extension and air temperature', () => {
    const text = readFixture('gpx/togeojson/strava.gpx').toString('utf8');
    const r = parseGpx(readFixture('gpx/togeojson/strava.gpx'), 'strava.gpx');
    expect(r.errors).toEqual([]);
    const w = r.workouts[0]!;
    expect(w.source).toBe('strava');
    expect(w.name).toBe("120' moderate and hard");
    expect(startOf(w)).toBe('2018-05-14T14:54:21.000Z');
    expect((w.end_time as Date).toISOString()).toBe('2018-05-14T17:03:04.000Z');
    const s = r.streams[0]!;
    expect(Array.from(s.channels.hr!)).toEqual([117, 154, 160]);
    expect(Array.from(s.channels.cadence!)).toEqual([85, 79, 85]);
    expect(s.channels.power_w![0]).toBe(75);
    expect(Number.isNaN(s.channels.power_w![1]!)).toBe(true);
    expect(w.avg_power_w).toBe(75);
    expect(w.has_power).toBe(true);
    expect(w.avg_hr).toBeCloseTo((117 + 154 + 160) / 3, 9);
    expect(w.max_hr).toBe(160);
    // The second and third points repeat atemp; the first value of each point is used: 22, 11, 9.
    expect((w.raw_data as { air_temp_c: unknown }).air_temp_c).toEqual({ mean: 14, max: 22 });
    expect(w.distance_m).toBeCloseTo(pathLength(trackCoords(text)), 6);
    // 721.2 -> 1118.8 climbs 397.6 m; the descent to 592.2 adds nothing.
    expect(w.elevation_gain_m).toBeCloseTo(397.6, 6);
  });

  it('reads a Strava run with gpxtpx heart rate point by point', () => {
    const buf = readFixture('gpx/togeojson/run_gpxtpx.gpx');
    const text = buf.toString('utf8');
    const r = parseGpx(buf, 'run_gpxtpx.gpx');
    const w = r.workouts[0]!;
    const coords = trackCoords(text);
    expect(r.streams[0]!.time.length).toBe(coords.length);
    expect(coords.length).toBe(42);
    expect(startOf(w)).toBe('2015-01-19T21:24:20.000Z');
    expect(w.distance_m).toBeCloseTo(pathLength(coords), 6);
    const hrs = [...text.matchAll(/<gpxtpx:hr>(\d+)</g)].map((m) => Number(m[1]));
    expect(Array.from(r.streams[0]!.channels.hr!)).toEqual(hrs);
    expect(w.max_hr).toBe(Math.max(...hrs));
    expect(w.avg_hr).toBeCloseTo(hrs.reduce((a, b) => a + b, 0) / hrs.length, 9);
  });

  it('gives one workout per track of a multi-track file', () => {
    const buf = readFixture('gpx/togeojson/multitrackgpx.gpx');
    const tracks = buf.toString('utf8').split('<trk>').slice(1);
    const r = parseGpx(buf, 'multitrackgpx.gpx');
    expect(r.workouts.map((w) => w.name)).toEqual(['Tag 1', 'Tag 2', 'Tag 3']);
    expect(r.workouts.map((w) => w.external_id.split(':')[2])).toEqual(['1', '2', '3']);
    expect(new Set(r.workouts.map((w) => w.external_id)).size).toBe(3);
    expect(r.streams.map((s) => s.time.length)).toEqual(tracks.map((t) => trackCoords(t).length));
    r.workouts.forEach((w, i) => expect(w.distance_m).toBeCloseTo(pathLength(trackCoords(tracks[i]!)), 6));
    expect(startOf(r.workouts[0]!)).toBe('2008-07-12T09:58:23.000Z');
  });

  it('reads the Apple Watch run: three segments, PowerInWatts, cadence and the running type', () => {
    const buf = readFixture('gpx/togeojson/Friday-Evening-Run.gpx');
    const segments = buf.toString('utf8').split('<trkseg>').slice(1);
    const r = parseGpx(buf, 'Friday-Evening-Run.gpx');
    const w = r.workouts[0]!;
    expect(w.source).toBe('apple_health');
    expect(w.sport).toBe('running');
    expect(startOf(w)).toBe('2025-05-02T15:51:15.692Z');
    const s = r.streams[0]!;
    expect(s.channels.power_w![3]).toBe(170);
    // A run's cadence below 120 is strides per minute (cadence.ts): stored as steps.
    expect(s.channels.cadence![0]).toBe(128);
    expect(Number.isNaN(s.channels.hr![0]!)).toBe(true);
    expect(s.channels.hr![4]).toBe(121);
    const expected = segments.reduce((d, seg) => d + pathLength(trackCoords(seg)), 0);
    expect(w.distance_m).toBeCloseTo(expected, 6);
    expect((w.raw_data as { segments: number }).segments).toBe(3);
  });

  it('reads the Apple Health route with its speed extension', () => {
    const r = parseGpx(readFixture('gpx/togeojson/apple_watch_route.gpx'), 'route.gpx');
    expect(r.workouts[0]!.source).toBe('apple_health');
    expect(r.streams[0]!.channels.speed_mps![0]).toBe(1.310662);
    expect(r.streams[0]!.time.length).toBe(44);
  });

  it('skips points with bad coordinates and names the file, points and field', () => {
    const r = parseGpx(readFixture('gpx/togeojson/bad.gpx'), 'togeojson/bad.gpx');
    expect(r.workouts).toEqual([]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ input: 'togeojson/bad.gpx', record: 'trk 1 trkpt 1, 2', field: 'lat' });
    expect(r.errors[0]!.reason).toMatch(/"undefined"/);
  });

  it('keeps good points when some have bad values', () => {
    const text = generatedGpx().replace('<ele>110</ele>', '<ele>bad data</ele>').replace('lat="45.003"', 'lat="x"');
    const r = parseGpx(utf8(text), 'mixed.gpx');
    expect(r.streams[0]!.time.length).toBe(4);
    expect(r.errors.map((e) => [e.record, e.field])).toEqual([
      ['trk 1 trkpt 2', 'ele'],
      ['trk 1 trkpt 4', 'lat'],
    ]);
    expect(Number.isNaN(r.streams[0]!.channels.altitude_m![1]!)).toBe(true);
  });

  it('treats empty <ele/> as an absent altitude', () => {
    const r = parseGpx(readFixture('gpx/togeojson/empty_ele.gpx'), 'empty_ele.gpx');
    expect(r.errors).toEqual([]);
    // The two points share a timestamp: one sample.
    expect(r.streams[0]!.time.length).toBe(1);
    expect((r.workouts[0]!.raw_data as { merged_points: number }).merged_points).toBe(1);
    expect(r.streams[0]!.channels.altitude_m).toBeUndefined();
    expect(r.workouts[0]!.elevation_gain_m).toBeNull();
  });

  it('ignores a sudden 0 m altitude between real ones', () => {
    const r = parseGpx(readFixture('gpx/togeojson/zero_elevation.gpx'), 'zero_elevation.gpx');
    const w = r.workouts[0]!;
    expect(w.name).toBe('BIG LOOP');
    // 61.5696 -> (0, a dropout) -> 62.484: less than the 3 m threshold
    expect(w.elevation_gain_m).toBe(0);
    expect(Number.isNaN(r.streams[0]!.channels.altitude_m![1]!)).toBe(true);
  });

  it('gives no workout and one error for tracks without timestamps', () => {
    const r = parseGpx(readFixture('gpx/gpxpy/cerknicko-without-times.gpx'), 'cerknicko-without-times.gpx');
    expect(r.workouts).toEqual([]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.field).toBe('time');
    expect(r.errors[0]!.reason).toMatch(/no usable timestamps \(296 points\)/);
    expect(r.errors[0]!.input).toBe('cerknicko-without-times.gpx');
  });

  it('gives one workout per timed track of the same lake walk', () => {
    const r = parseGpx(readFixture('gpx/gpxpy/cerknicko-jezero.gpx'), 'cerknicko-jezero.gpx');
    expect(r.errors).toEqual([]);
    expect(r.workouts.map((w) => w.name)).toEqual(['ACTIVE LOG #2', 'ACTIVE LOG #3', 'ACTIVE LOG #4', 'ACTIVE LOG #5', 'ACTIVE LOG #6', 'ACTIVE LOG #7', 'ACTIVE LOG #8']);
    expect(startOf(r.workouts[0]!)).toBe('2010-08-05T14:23:59.000Z');
    expect(r.streams[0]!.time.length).toBe(173);
  });

  it('treats pre-1980 placeholder times as missing', () => {
    const r = parseGpx(readFixture('gpx/gpxpy/Mojstrovka.gpx'), 'Mojstrovka.gpx');
    expect(r.workouts).toEqual([]);
    expect(r.errors.map((e) => e.field)).toEqual(['time', 'time']);
    expect(r.errors[0]!.reason).toMatch(/1901-12-13/);
  });

  it('decodes the gzipped GraphHopper file; its track is a plan with a few stamped points', () => {
    const r = parseGpx(readFixture('gpx/gpxgo/graphhopper.gpx.gz'), 'graphhopper.gpx.gz');
    expect(r.workouts).toEqual([]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.reason).toMatch(/171 points/);
  });

  it('gives the same result for a gzipped copy of a real file', () => {
    const plain = parseGpx(readFixture('gpx/togeojson/run_gpxtpx.gpx'), 'run.gpx');
    const gz = parseGpx(gzipSync(readFixture('gpx/togeojson/run_gpxtpx.gpx')), 'run.gpx');
    expect(gz.workouts).toEqual(plain.workouts);
  });

  it('finds no workout in routes, waypoints and empty tracks, without errors', () => {
    for (const f of ['gpx/gpxpy/route.gpx', 'gpx/gpxgo/iso8859-1encoded.gpx', 'gpx/togeojson/empty_trk.gpx', 'gpx/gpxpy/unicode_with_bom.gpx', 'gpx/gpxpy/unicode2.gpx']) {
      const r = parseGpx(readFixture(f), f);
      expect([f, r.workouts.length, r.errors]).toEqual([f, 0, []]);
    }
  });

  it('reads sub-second times with an offset', () => {
    const r = parseGpx(readFixture('gpx/gpxpy/track-with-less-sec-time.gpx'), 'less-sec.gpx');
    const w = r.workouts[0]!;
    expect(startOf(w)).toBe('2015-12-11T14:43:13.000Z');
    expect(w.duration_s).toBeCloseTo(0.994, 9);
    expect(w.sport).toBe('running');
  });

  it('parses every fixture without throwing, and what it returns is valid', () => {
    const root = fixturePath('gpx');
    const files = readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => join(d.parentPath, d.name));
    expect(files.length).toBeGreaterThanOrEqual(40);
    let workouts = 0;
    for (const f of files) {
      const r = parseGpx(readFixture(f.slice(fixturePath('.').length + 1)), f);
      for (const w of r.workouts) expect(SourceWorkout.safeParse(w).success).toBe(true);
      r.streams.forEach((s, i) => {
        expect(s.external_id).toBe(r.workouts[i]!.external_id);
        for (const col of Object.values(s.channels)) expect(col.length).toBe(s.time.length);
      });
      for (const e of r.errors) expect(e.input).toBe(f);
      workouts += r.workouts.length;
    }
    expect(workouts).toBeGreaterThan(20);
  });
});

describe('pause and resume markers (OpenTracks: a point at lat 100 pauses, one at lat 200 resumes)', () => {
  /** A walk east at latitude 46°, one point every 2 s, 0.00002° (1.5 m) apart, with `extra` points spliced in before their index. */
  function walk(creator: string, extra: Record<number, string> = {}): string {
    const pts: string[] = [];
    for (let i = 0; i <= 30; i++) {
      if (extra[i]) pts.push(extra[i]!);
      const t = new Date(Date.UTC(2024, 4, 1, 8, 0, i * 2)).toISOString();
      pts.push(`<trkpt lat="46" lon="${(7 + i * 0.00002).toFixed(5)}"><time>${t}</time></trkpt>`);
    }
    return `<?xml version="1.0"?><gpx version="1.1" creator="${creator}"><trk><type>walking</type><trkseg>${pts.join('')}</trkseg></trk></gpx>`;
  }
  const marker = (lat: number, iso: string) => `<trkpt lat="${lat}" lon="0"><time>${iso}</time></trkpt>`;
  // Between the points at 20 s and 22 s (index 11 follows): paused from 20.5 s to 21.5 s.
  const paused = { 11: marker(100, '2024-05-01T08:00:20.500Z') + marker(200, '2024-05-01T08:00:21.500Z') };

  it('an OpenTracks file: the marked pause is not moving time, the way across it is not distance, and no error is reported', () => {
    const plain = parseGpx(utf8(walk('OpenTracks')), 'plain.gpx').workouts[0]!;
    const r = parseGpx(utf8(walk('OpenTracks', paused)), 'paused.gpx');
    const w = r.workouts[0]!;
    expect(r.errors).toEqual([]);
    expect(r.streams[0]!.time).toHaveLength(31);
    expect(w.duration_s).toBe(60);
    expect(plain.moving_time_s).toBe(60);
    // The 2 s leg across the pause still moves (judged over the 10 s window), less its paused second.
    expect(w.moving_time_s).toBeCloseTo(59, 9);
    // Thirty legs of 0.00002° before; the leg from 20 s to 22 s spans the pause and no longer counts.
    expect(plain.distance_m! - w.distance_m!).toBeCloseTo(greatCircle([46, 7.0002], [46, 7.00022]), 6);
    expect(w.raw_data).toMatchObject({ pause_markers: 2, paused_s: 1 });
  });

  it('a pause never resumed takes nothing off; a resume without a pause is ignored', () => {
    const open = parseGpx(utf8(walk('OpenTracks', { 11: marker(100, '2024-05-01T08:00:20.500Z') })), 'open.gpx').workouts[0]!;
    expect(open.moving_time_s).toBe(60);
    const stray = parseGpx(utf8(walk('OpenTracks', { 11: marker(200, '2024-05-01T08:00:21.500Z') })), 'stray.gpx').workouts[0]!;
    expect(stray.moving_time_s).toBe(60);
    expect(stray.raw_data).toMatchObject({ pause_markers: 1, paused_s: 0 });
  });

  it('in a file another app wrote, a point at lat 100 is a bad position, reported and skipped', () => {
    const r = parseGpx(utf8(walk('SomeTracker 1.0', paused)), 'other.gpx');
    expect(r.workouts[0]!.moving_time_s).toBe(60);
    expect(r.workouts[0]!.raw_data).not.toHaveProperty('pause_markers');
    expect(r.errors).toEqual([expect.objectContaining({ field: 'lat', record: 'trk 1 trkpt 12, 13' })]);
  });
});
