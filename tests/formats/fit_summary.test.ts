/**
 * A FIT session (the summary) against its records (the samples): the
 * contradictions seen in real files, rebuilt with the Garmin FIT SDK's encoder
 * so that each case is exact. Expected values follow from the messages written.
 */
import { Encoder, Profile, type Mesg } from '@garmin/fitsdk';
import { describe, expect, it } from 'vitest';
import { parseFit } from '../../lib/formats/fit.ts';
import type { ParseResult, SourceWorkoutInput } from '../../lib/core/models.ts';

const T0 = Date.UTC(2024, 4, 1, 6, 0, 0);
const SEMI = 2 ** 31 / 180;
const MESG = Profile.MesgNum as Record<string, number>;

interface RecordSpec {
  t: number;
  distance?: number;
  hr?: number;
  cadence?: number;
  altitude?: number;
  lat?: number;
  lon?: number;
  devDistance?: number;
}

interface FileSpec {
  sport?: string;
  subSport?: string;
  session?: Record<string, unknown> | null;
  records: RecordSpec[];
  laps?: Record<string, unknown>[];
  events?: Record<string, unknown>[];
  /** Declare a developer field "Distance" (metres) that the records' devDistance fills. */
  devDistance?: boolean;
}

const at = (s: number) => new Date(T0 + s * 1000);

function encode(spec: FileSpec): Uint8Array {
  const dev = {
    developerDataIdMesg: { developerDataIndex: 0, applicationVersion: 1 },
    fieldDescriptionMesg: { developerDataIndex: 0, fieldDefinitionNumber: 0, fitBaseTypeId: 134, fieldName: 'Distance', units: 'm', scale: 1, offset: 0 },
  };
  const enc = new Encoder(spec.devDistance ? { fieldDescriptions: { 0: dev } } : {});
  const put = (name: string, fields: Record<string, unknown>) => enc.onMesg(MESG[name]!, fields as Mesg);
  put('FILE_ID', { type: 'activity', manufacturer: 'garmin', product: 3113, serialNumber: 1234, timeCreated: at(0) });
  if (spec.devDistance) {
    put('DEVELOPER_DATA_ID', dev.developerDataIdMesg);
    put('FIELD_DESCRIPTION', dev.fieldDescriptionMesg);
  }
  for (const e of spec.events ?? []) put('EVENT', e);
  for (const r of spec.records) {
    put('RECORD', {
      timestamp: at(r.t),
      distance: r.distance,
      heartRate: r.hr,
      cadence: r.cadence,
      enhancedAltitude: r.altitude,
      positionLat: r.lat === undefined ? undefined : Math.round(r.lat * SEMI),
      positionLong: r.lon === undefined ? undefined : Math.round(r.lon * SEMI),
      ...(r.devDistance === undefined ? {} : { developerFields: { 0: r.devDistance } }),
    });
  }
  for (const l of spec.laps ?? []) put('LAP', l);
  if (spec.session !== null) {
    put('SESSION', { timestamp: at(spec.records.at(-1)!.t), sport: spec.sport ?? 'running', subSport: spec.subSport ?? 'generic', ...spec.session });
  }
  return enc.close();
}

/** A steady run: one record a second for `n` seconds at 3 m/s, HR 140-149, 85 strides/min, altitude rising 1 m a minute. */
function run(n: number, from = 0): RecordSpec[] {
  return Array.from({ length: n }, (_, i) => ({
    t: from + i,
    distance: (from + i) * 3,
    hr: 140 + (i % 10),
    cadence: 85,
    altitude: 100 + Math.floor((from + i) / 60),
    lat: 47 + (from + i) * 3e-5,
    lon: 8,
  }));
}

function only(r: ParseResult): SourceWorkoutInput {
  expect(r.workouts).toHaveLength(1);
  return r.workouts[0]!;
}

function span(w: SourceWorkoutInput): [number, number] {
  return [(w.start_time as Date).getTime(), (w.end_time as Date).getTime()];
}

/** Every stream sample lies within its workout's [start, end]. */
function expectSamplesInside(r: ParseResult): void {
  r.streams.forEach((s, i) => {
    const [start, end] = span(r.workouts[i]!);
    for (const t of s.time) {
      expect(t).toBeGreaterThanOrEqual(start);
      expect(t).toBeLessThanOrEqual(end);
    }
  });
}

describe('FIT session against records', () => {
  it('a session of 1632 s whose records span 2759 s keeps the records span, with a warning giving both', () => {
    const records = run(2760);
    const r = parseFit(encode({ records, session: { startTime: at(0), totalElapsedTime: 1632, totalTimerTime: 1632, totalDistance: 8277 } }), 'long.fit');
    const w = only(r);
    expect(span(w)).toEqual([T0, T0 + 2759_000]);
    expect(w.duration_s).toBe(2759);
    expect(w.moving_time_s).toBe(1632);
    const warn = r.errors.find((e) => e.field === 'total_elapsed_time')!;
    expect(warn).toMatchObject({ input: 'long.fit', record: 'session 1' });
    expect(warn.reason).toContain('1632 s');
    expect(warn.reason).toContain('2759 s');
    expect(r.streams[0]!.time.length).toBe(2760);
    expectSamplesInside(r);
  });

  it('an inverted timer/elapsed pair is read swapped, with a warning', () => {
    const records = run(1801);
    const r = parseFit(encode({ records, session: { startTime: at(0), totalElapsedTime: 1200, totalTimerTime: 1800 } }), 'inv.fit');
    const w = only(r);
    expect(w.duration_s).toBe(1800);
    expect(w.moving_time_s).toBe(1200);
    const warn = r.errors.find((e) => e.field === 'total_timer_time')!;
    expect(warn.reason).toContain('total_timer_time 1800 s exceeds total_elapsed_time 1200 s');
    expectSamplesInside(r);
  });

  it('a timer a fraction of a second above the elapsed time is capped without a warning', () => {
    const r = parseFit(encode({ records: run(600), session: { startTime: at(0), totalElapsedTime: 599, totalTimerTime: 599.4 } }), 'x.fit');
    expect(only(r).moving_time_s).toBe(599);
    expect(r.errors).toEqual([]);
  });

  it('records that jump 20 days ahead are left out of the stream and reported; the workout keeps its span', () => {
    const jumped = run(5, 20 * 86_400);
    const records = [...run(600), ...jumped];
    const r = parseFit(encode({ records, session: { startTime: at(0), totalElapsedTime: 599, totalTimerTime: 599, totalDistance: 1797 } }), 'jump.fit');
    const w = only(r);
    expect(span(w)).toEqual([T0, T0 + 599_000]);
    expect(r.streams[0]!.time.length).toBe(600);
    const warn = r.errors.find((e) => e.field === 'record.timestamp')!;
    expect(warn.record).toBe('session 1');
    expect(warn.reason).toContain('5 records at 2024-05-21T06:00:00.000Z to 2024-05-21T06:00:04.000Z');
    expect(warn.reason).toMatch(/lie 19\.99\d* days after the session/);
    expectSamplesInside(r);
  });

  it('a session without start_time keeps its sport, ascent and distance, dated by its first lap', () => {
    const records = run(900, 0);
    const r = parseFit(
      encode({
        records,
        sport: 'running',
        subSport: 'trail',
        laps: [{ messageIndex: 0, startTime: at(0), timestamp: at(899), totalElapsedTime: 899, totalTimerTime: 899 }],
        session: { firstLapIndex: 0, numLaps: 1, totalElapsedTime: 899, totalTimerTime: 899, totalAscent: 321, totalDistance: 2697 },
      }),
      'nostart.fit',
    );
    const w = only(r);
    expect(w.sport).toBe('trail_running');
    expect(w.elevation_gain_m).toBe(321);
    expect(w.distance_m).toBe(2697);
    expect(span(w)).toEqual([T0, T0 + 899_000]);
    expect(r.errors.find((e) => e.field === 'start_time')!.reason).toContain('start taken from its first lap');
  });

  it('what the session lacks is derived from the records: HR, ascent, distance, moving time', () => {
    const records = run(1200);
    const r = parseFit(encode({ records, session: { startTime: at(0), totalElapsedTime: 1199 } }), 'bare.fit');
    const w = only(r);
    const hrs = records.map((x) => x.hr!);
    expect(w.avg_hr).toBeCloseTo(hrs.reduce((a, b) => a + b, 0) / hrs.length, 9);
    expect(w.max_hr).toBe(149);
    expect(w.distance_m).toBe(1199 * 3);
    // Altitude rises 1 m a minute from 100 to 119: 19 m, counted in 3 m steps of the hysteresis.
    expect(w.elevation_gain_m).toBe(18);
    // Moving all the time at 3 m/s: the speed rule counts every second.
    expect(w.moving_time_s).toBe(1199);
    expect((w.raw_data as { derived_from_records: string[] }).derived_from_records).toEqual(['distance_m', 'avg_hr', 'max_hr', 'elevation_gain_m', 'moving_time_s']);
  });

  it('a distance only in a Connect IQ developer field becomes the distance', () => {
    const records = run(600).map(({ distance, ...r }) => ({ ...r, devDistance: distance }));
    const r = parseFit(encode({ records, devDistance: true, session: { startTime: at(0), totalElapsedTime: 599, totalTimerTime: 599 } }), 'ciq.fit');
    const w = only(r);
    expect(w.distance_m).toBe(599 * 3);
    expect(r.streams[0]!.channels.distance_m![599]).toBe(599 * 3);
  });

  it('a session that says 0 m against records that moved keeps the records, with a warning', () => {
    const r = parseFit(encode({ records: run(600), session: { startTime: at(0), totalElapsedTime: 599, totalTimerTime: 599, totalDistance: 0 } }), 'zero.fit');
    expect(only(r).distance_m).toBe(1797);
    expect(r.errors.find((e) => e.field === 'total_distance')!.reason).toContain('session total_distance 0 m but its records cover 1797 m');
  });

  it('without a session timer and without a final lap, the laps plus the moving records after them make the moving time', () => {
    // 600 s moving, 300 s standing, 300 s moving; one lap covers the first 600 s only.
    const records = [...run(600), ...Array.from({ length: 300 }, (_, i) => ({ t: 600 + i, distance: 1800, hr: 120 })), ...run(300, 900).map((x) => ({ ...x, distance: 1800 + (x.t - 900) * 3 }))];
    const r = parseFit(
      encode({ records, laps: [{ startTime: at(0), timestamp: at(599), totalElapsedTime: 600, totalTimerTime: 600 }], session: { startTime: at(0), totalElapsedTime: 1199 } }),
      'nolap.fit',
    );
    const w = only(r);
    expect(w.duration_s).toBe(1199);
    // The standing 300 s do not count; the moving window needs 10 s to see the restart.
    expect(w.moving_time_s).toBeGreaterThan(600 + 280);
    expect(w.moving_time_s).toBeLessThanOrEqual(600 + 300);
  });

  it('without a session, timer start/stop events give the moving time', () => {
    const records = run(1000);
    const events = [
      { timestamp: at(0), event: 'timer', eventType: 'start' },
      { timestamp: at(400), event: 'timer', eventType: 'stopAll' },
      { timestamp: at(500), event: 'timer', eventType: 'start' },
    ];
    const r = parseFit(encode({ records, events, session: null }), 'events.fit');
    const w = only(r);
    expect(w.duration_s).toBe(999);
    expect(w.moving_time_s).toBe(400 + 499);
  });

  it('running cadence becomes steps per minute; cycling cadence stays rpm', () => {
    const records = run(300);
    const runW = only(parseFit(encode({ records, session: { startTime: at(0), totalElapsedTime: 299, avgCadence: 85, avgFractionalCadence: 0.5 } }), 'r.fit'));
    expect(runW.avg_cadence).toBe(171);
    const ride = parseFit(encode({ records, sport: 'cycling', session: { startTime: at(0), totalElapsedTime: 299, avgCadence: 85 } }), 'b.fit');
    expect(only(ride).avg_cadence).toBe(85);
    expect(ride.streams[0]!.channels.cadence![0]).toBe(85);
    const walk = parseFit(encode({ records, sport: 'walking', session: { startTime: at(0), totalElapsedTime: 299 } }), 'w.fit');
    expect(walk.streams[0]!.channels.cadence![0]).toBe(170);
    expect(only(walk).avg_cadence).toBe(170);
  });
});
