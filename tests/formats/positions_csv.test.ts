import { describe, expect, it } from 'vitest';
import { parsePositionsCsv, parsePositionsCsvStream } from '../../lib/formats/positions_csv.ts';
import { SourceWorkout } from '../../lib/core/models.ts';
import { readFixture } from '../helpers/shared.ts';

describe('parsePositionsCsv on Catapult 10 Hz exports (Excel serial days)', () => {
  const res = parsePositionsCsv(readFixture('tracking/soccer_gnss_10hz/U18_ID1.csv'), 'U18_ID1.csv');

  it('reads every row into one soccer workout and a stream at the file rate', () => {
    expect(res.errors).toEqual([]);
    expect(res.workouts).toHaveLength(1);
    const w = SourceWorkout.parse(res.workouts[0]);
    // First Timestamp 44519.71565509259 days after 1899-12-30 is 2021-11-19 17:10:32.6.
    expect(w.start_time.toISOString()).toBe('2021-11-19T17:10:32.600Z');
    // Last Timestamp 44519.76201388889.
    expect(w.end_time.toISOString()).toBe('2021-11-19T18:17:18.000Z');
    expect(w.duration_s).toBeCloseTo(4005.4, 1);
    expect(w.sport).toBe('soccer');
    expect(w.sport_category).toBe('BALL_SPORT');
    expect(w.source).toBe('gnss');
    expect(w.external_id).toBe('U18_ID1.csv@2021-11-19T17:10:32.600Z');
    expect(w.has_gps).toBe(true);
    expect(w.utc_offset_min).toBeNull();
    expect(w.distance_m!).toBeGreaterThan(2000);
    expect(w.distance_m!).toBeLessThan(3000);
    expect((w.raw_data as { sample_rate_hz: number }).sample_rate_hz).toBe(10);
    const s = res.streams[0]!;
    expect(s.external_id).toBe(w.external_id);
    expect(s.time).toHaveLength(35_128);
    expect(s.time[1]! - s.time[0]!).toBe(100);
    expect(s.channels.lat![0]).toBe(41.72609520324996);
    expect(s.channels.lon![0]).toBe(-9.123676221696329);
    expect(s.channels.lat![35_127]).toBe(41.72599613901044);
    expect(s.channels.lon![35_127]).toBe(-9.123813093299402);
  });

  it('applies a given source, sport and UTC offset', () => {
    const r = parsePositionsCsv(readFixture('tracking/soccer_gnss_10hz/U18_ID2.csv'), 'U18_ID2.csv', {
      source: 'catapult',
      sport: 'rugby',
      utcOffsetMin: 60,
      athleteId: 'p2',
    });
    const w = r.workouts[0]!;
    expect(w.source).toBe('catapult');
    expect(w.sport).toBe('rugby');
    expect(w.athlete_id).toBe('p2');
    expect(w.utc_offset_min).toBe(60);
    // Wall clock 17:11:10.5 at UTC+1 is 16:11:10.5 UTC.
    expect((w.start_time as Date).toISOString()).toBe('2021-11-19T16:11:10.500Z');
  });
});

describe('parsePositionsCsv on other layouts', () => {
  it('reads ISO times with offsets, km/h speed and heart rate', () => {
    const csv = [
      'time,lat,lng,Speed (km/h),Heart Rate',
      '2024-03-10T10:00:00+10:00,-27.5,153.0,0,120',
      '2024-03-10T10:00:01+10:00,-27.50001,153.0,18,125',
      '2024-03-10T10:00:02+10:00,-27.50002,153.0,36,130',
    ].join('\n');
    const r = parsePositionsCsv(csv, 'session.csv', { sport: 'hockey' });
    expect(r.errors).toEqual([]);
    const s = r.streams[0]!;
    expect(s.time[0]).toBe(Date.UTC(2024, 2, 10, 0, 0, 0));
    expect(Array.from(s.channels.speed_mps!)).toEqual([0, 5, 10]);
    expect(Array.from(s.channels.hr!)).toEqual([120, 125, 130]);
    expect(r.workouts[0]!.avg_hr).toBe(125);
    expect(r.workouts[0]!.max_hr).toBe(130);
    expect(r.workouts[0]!.sport).toBe('hockey');
  });

  it('reads epoch seconds and seconds from a given start', () => {
    const epoch = parsePositionsCsv('timestamp,latitude,longitude\n1700000000,51.5,-0.1\n1700000000.5,51.5,-0.1\n', 'e.csv');
    expect(Array.from(epoch.streams[0]!.time)).toEqual([1_700_000_000_000, 1_700_000_000_500]);
    const start = new Date(Date.UTC(2024, 0, 1, 12));
    const rel = parsePositionsCsv('time,lat,lon\n0,51.5,-0.1\n0.1,51.5,-0.1\n', 'r.csv', { startTime: start });
    expect(Array.from(rel.streams[0]!.time)).toEqual([start.getTime(), start.getTime() + 100]);
    const noStart = parsePositionsCsv('time,lat,lon\n0,51.5,-0.1\n', 'r.csv');
    expect(noStart.workouts).toHaveLength(0);
    expect(noStart.errors[0]!.reason).toMatch(/cannot tell the time format/);
  });

  it('reports bad cells by row and column and keeps the rest', () => {
    const csv = [
      'Timestamp, Longitude, Latitude',
      '45000.5,-9.1,41.7',
      '45000.50001,-9.1,x',
      'soon,-9.1,41.7',
      '45000.50002,-9.1,95',
      '45000.50001,-9.1,41.7',
      '45000.50003,-9.1,41.7',
    ].join('\r\n');
    const r = parsePositionsCsv(csv, 'bad.csv');
    expect(r.streams[0]!.time).toHaveLength(4);
    expect(Number.isNaN(r.streams[0]!.channels.lat![1]!)).toBe(true);
    expect(r.errors).toEqual([
      { input: 'bad.csv', record: 'row 3', field: 'Latitude', reason: 'latitude "x" is not a number in [-90, 90]' },
      { input: 'bad.csv', record: 'row 4', field: 'Timestamp', reason: 'not a number: "soon"' },
      { input: 'bad.csv', record: 'row 5', field: 'Latitude', reason: 'latitude "95" is not a number in [-90, 90]' },
      {
        input: 'bad.csv',
        record: 'row 6',
        field: 'Timestamp',
        reason: `time ${new Date(Math.round((45000.50001 - 25569) * 86_400_000)).toISOString()} is not after the previous row's`,
      },
    ]);
  });

  it('gives one clear error for a file that is not a position CSV', () => {
    const r = parsePositionsCsv('date,weight\n2024-01-01,70\n', 'weights.csv');
    expect(r.workouts).toHaveLength(0);
    expect(r.errors).toEqual([{ input: 'weights.csv', reason: 'not a position CSV: no lat, lon column (header: date, weight)' }]);
    const bin = parsePositionsCsv(new Uint8Array([0xff, 0xfe, 0x00, 0x41]), 'x.csv');
    expect(bin.errors[0]!.reason).toMatch(/unreadable CSV/);
  });
});

describe('parsePositionsCsvStream', () => {
  it('gives what parsing the whole file gives', async () => {
    const bytes = readFixture('tracking/soccer_gnss_10hz/U18_ID3.csv');
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += 65_537) yield bytes.subarray(i, i + 65_537);
    }
    expect(await parsePositionsCsvStream(chunks(), 'U18_ID3.csv')).toEqual(parsePositionsCsv(bytes, 'U18_ID3.csv'));
  });
});
