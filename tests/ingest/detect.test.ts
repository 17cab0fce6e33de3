import { describe, expect, it } from 'vitest';
import { gzipSync } from 'fflate';
import { detectFormat } from '../../lib/ingest/detect.ts';
import { readFixture } from '../helpers/shared.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const head = (b: Uint8Array, n = 4096) => b.subarray(0, n);

describe('detectFormat on real files', () => {
  it.each([
    ['fit/fitparse/garmin-fenix-5-run.fit', 'fit'],
    ['fit/fitparse/nametest.FIT', 'fit'],
    ['gpx/togeojson/strava.gpx', 'gpx'],
    ['gpx/gpxgo/gpx-without-xml-declaration.gpx', 'gpx'],
    ['gpx/gpxgo/graphhopper.gpx.gz', 'gpx'],
    ['tcx/togeojson/garmin_connect.tcx', 'tcx'],
    ['health/apple/export_real_trimmed_alxdrcirilo.xml', 'apple_health_xml'],
    ['health/garmin_connect_api/activity_21482825013.json', 'garmin_json'],
    ['health/garmin_connect_api/hrv_2023-07-20.json', 'garmin_json'],
  ] as const)('%s is %s', (rel, format) => {
    const bytes = readFixture(rel);
    // A neutral name, so content decides (except the .gz case, which keeps its name).
    const name = rel.endsWith('.gz') ? 'route.gpx.gz' : 'upload.bin';
    expect(detectFormat(name, head(new Uint8Array(bytes)))).toBe(format);
  });
});

describe('detectFormat on generated heads', () => {
  it('recognises CSV exports by their headers', () => {
    expect(detectFormat('a.csv', enc('Activity ID,Activity Date,Activity Name,Activity Type\n1,"Oct 6, 2022, 11:19:20 PM",x,Run\n'))).toBe('strava_activities_csv');
    expect(detectFormat('a.csv', enc('\uFEFFCycle start time,Cycle end time,Cycle timezone,Recovery score %\n'))).toBe('whoop_csv');
    expect(detectFormat('a.csv', enc('Time,Weight(kg),Body Fat(%),BMI,Muscle Mass(kg)\n'))).toBe('scale_csv');
    expect(detectFormat('a.csv', enc('date,name,type,distance_miles,duration_min,pace_per_mile\n'))).toBe('legacy_activities_csv');
    expect(detectFormat('a.csv', enc('id,day,type,bedtime_start,bedtime_end,average_hrv\n'))).toBe('oura_csv');
    expect(detectFormat('a.csv', enc('foo,bar\n1,2\n'))).toBe('unknown');
  });

  it('recognises JSON by structure, and by keys when the head is cut short', () => {
    const legacy = JSON.stringify([{ id: 1, start_date: '2024-01-01T00:00:00Z', start_date_local: '2024-01-01T10:00:00Z' }]);
    expect(detectFormat('x.json', enc(legacy))).toBe('legacy_strava_json');
    expect(detectFormat('x.json', enc(legacy.slice(0, 80)))).toBe('legacy_strava_json');
    expect(detectFormat('x.json', enc(JSON.stringify({ data: [{ id: 'a', day: '2024-01-01', steps: 5 }], next_token: null })))).toBe('oura_json');
    expect(detectFormat('x.json', enc(JSON.stringify({ sleep: [], daily_readiness: [] })))).toBe('oura_json');
    expect(detectFormat('x.json', enc('{"data":[{"id":"a","day":"2024-01-01","bedtime_start":"2024-01-01T'))).toBe('oura_json');
    expect(detectFormat('x.json', enc('{"hello":1}'))).toBe('unknown');
  });

  it('reads the root element past the prolog and a DOCTYPE', () => {
    const apple = '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE HealthData [\n<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout)*)>\n';
    expect(detectFormat('export.xml', enc(apple))).toBe('apple_health_xml');
    expect(detectFormat('x.xml', enc('<?xml version="1.0"?><!-- made by hand --><TrainingCenterDatabase xmlns="x">'))).toBe('tcx');
    expect(detectFormat('x.xml', enc('<?xml version="1.0"?><kml>'))).toBe('unknown');
  });

  it('looks inside gzip, falling back to the inner name when the head is too short', () => {
    const tcx = gzipSync(enc(`<?xml version="1.0"?>\n<TrainingCenterDatabase>${'<Trackpoint/>'.repeat(5000)}</TrainingCenterDatabase>`));
    expect(detectFormat('activities/1.tcx.gz', head(tcx, 200))).toBe('tcx');
    expect(detectFormat('activities/1.tcx.gz', head(tcx, 12))).toBe('tcx');
    expect(detectFormat('activities/1.bin.gz', head(tcx, 12))).toBe('unknown');
    const csv = gzipSync(enc('Activity ID,Activity Date,Activity Name\n'));
    expect(detectFormat('blob.gz', csv)).toBe('strava_activities_csv');
  });
});
