import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fitFileType, parseFit } from '../../lib/formats/fit.ts';
import { BiometricReading, SourceWorkout } from '../../lib/core/models.ts';
import { BOUNDS, within, type Bound } from '../../lib/core/plausibility.ts';
import type { ParseResult, SourceWorkoutInput } from '../../lib/core/models.ts';
import { fixturePath, readFixture } from '../helpers/shared.ts';
import { FIT_EPOCH_S, fitCsvRows } from './fitcsv.ts';

const DEG = 180 / 2 ** 31;

function parse(rel: string): ParseResult {
  return parseFit(readFixture(rel), rel);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** "Sun Sep 25 06:00:22 PDT 2011" to epoch ms (the python-fitparse reference CSVs). */
function pacificTime(s: string): number {
  const m = /^\w+ (\w+) (\d+) (\d+):(\d+):(\d+) (PDT|PST) (\d+)$/.exec(s);
  if (!m) throw new Error(`unexpected time ${s}`);
  const offsetH = m[6] === 'PDT' ? 7 : 8;
  return Date.UTC(Number(m[7]), MONTHS.indexOf(m[1]!), Number(m[2]), Number(m[3]) + offsetH, Number(m[4]), Number(m[5]));
}

/** Reference rows keyed by time, the last row of a timestamp winning (as the stream merges them). */
function lastByTime<T extends { time: number }>(rows: T[]): Map<number, T> {
  const m = new Map<number, T>();
  for (const r of rows) m.set(r.time, r);
  return m;
}

function value(s: string | undefined): number {
  return s === undefined || s === '' || s === 'null' || s === 'None' ? NaN : Number(s);
}

function expectClose(actual: number | undefined, expected: number, digits = 6): void {
  if (Number.isNaN(expected)) return;
  expect(actual).toBeCloseTo(expected, digits);
}

/** Like expectClose for a reference value the gate may null: `expected` NaN where the reference holds one out of bounds. */
function expectCloseOrNaN(actual: number | undefined, expected: number, reference = expected): void {
  if (Number.isNaN(reference)) return;
  if (Number.isNaN(expected)) expect(actual ?? NaN).toBeNaN();
  else expect(actual).toBeCloseTo(expected, 6);
}

describe('parseFit against python-fitparse reference records', () => {
  for (const name of ['garmin-edge-500-activity', 'garmin-fenix-5-bike', 'garmin-fenix-5-run', 'garmin-fenix-5-walk', 'garmin-edge-820-bike']) {
    it(`${name}: every record matches the reference CSV`, () => {
      const lines = readFixture(`fit/fitparse/${name}-records.csv`).toString('utf8').trim().split(/\r?\n/);
      const header = lines[0]!.split(',');
      const col = (row: string[], f: string) => value(row[header.indexOf(f)]);
      const ref = lastByTime(lines.slice(1).map((l) => {
        const row = l.split(',');
        return { time: pacificTime(row[0]!), row };
      }));
      const r = parse(`fit/fitparse/${name}.fit`);
      expect(r.errors).toEqual([]);
      expect(r.workouts).toHaveLength(1);
      const s = r.streams[0]!;
      expect(s.time.length).toBe(ref.size);
      const times = [...ref.keys()];
      expect(s.time[0]).toBe(times[0]);
      expect(s.time[s.time.length - 1]).toBe(times[times.length - 1]);
      let prev: string[] = [];
      for (let k = 0; k < s.time.length; k++) {
        const row = ref.get(s.time[k]!)!.row;
        if (Number.isNaN(s.channels.lat![k]!)) {
          // The device wrote no position here; the reference CSV repeats the previous one.
          expect(col(row, 'position_lat')).toBe(col(prev, 'position_lat'));
        } else {
          expectClose(s.channels.lat?.[k], col(row, 'position_lat') * DEG);
          expectClose(s.channels.lon?.[k], col(row, 'position_long') * DEG);
        }
        prev = row;
        expectClose(s.channels.hr?.[k], col(row, 'heart_rate'));
        expectClose(s.channels.speed_mps?.[k], col(row, 'speed'));
        expectClose(s.channels.distance_m?.[k], col(row, 'distance'));
        expectClose(s.channels.altitude_m?.[k], col(row, 'altitude'));
        // FIT stores strides per minute for running and walking; the stream holds steps per minute.
        const strides = name.endsWith('-run') || name.endsWith('-walk') ? 2 : 1;
        if (name !== 'garmin-edge-500-activity') expectClose(Math.floor((s.channels.cadence?.[k] ?? NaN) / strides), col(row, 'cadence'));
      }
    });
  }

  it('garmin-edge-500-activity: session totals', () => {
    const w = parse('fit/fitparse/garmin-edge-500-activity.fit').workouts[0]!;
    expect(w.source).toBe('garmin');
    expect(w.sport).toBe('cycling');
    expect((w.start_time as Date).toISOString()).toBe('2011-09-25T13:00:21.000Z');
    // total_elapsed_time is 12691.28 s; the last record, stamped in whole seconds, lies 0.72 s later.
    expect(w.duration_s).toBe(12692);
    expect(w.moving_time_s).toBeCloseTo(10641.06, 3);
    expect(w.distance_m).toBeCloseTo(92622.34, 2);
    expect(w.avg_hr).toBe(162);
    expect(w.max_hr).toBe(189);
    expect(w.has_gps).toBe(true);
    expect(w.external_id).toBe('3820987521-1316955621');
    expect(w.external_ids).toEqual({ fit: '3820987521-1316955621' });
  });

  it('compressed-speed-distance: decodes the 12-bit speed and accumulated distance', () => {
    const lines = readFixture('fit/fitparse/compressed-speed-distance-records.csv').toString('utf8').trim().split(/\r?\n/).slice(1);
    const ref = lastByTime(lines.map((l) => {
      const [t, hr, speed, dist, cad] = l.split(',').map((x) => value(x.trim()));
      return { time: (t! + FIT_EPOCH_S) * 1000, hr: hr!, speed: speed!, dist: dist!, cad: cad! };
    }));
    const r = parse('fit/fitparse/compressed-speed-distance.fit');
    expect(r.errors).toHaveLength(1);
    const s = r.streams[0]!;
    expect(s.time.length).toBe(ref.size);
    for (let k = 0; k < s.time.length; k++) {
      const e = ref.get(s.time[k]!)!;
      expectClose(s.channels.hr?.[k], e.hr);
      expectClose(s.channels.speed_mps?.[k], e.speed);
      expectClose(s.channels.distance_m?.[k], e.dist);
      expectClose(s.channels.cadence?.[k], e.cad * 2);
    }
    expect(s.channels.distance_m![s.time.length - 1]).toBeCloseTo(10248.6875, 6);
  });
});

describe('parseFit against FitCSVTool dumps (Garmin SDK examples)', () => {
  for (const name of ['Activity', 'activity_developerdata', 'activity_multisport', 'activity_poolswim', 'HrmPluginTestActivity']) {
    it(`${name}: records and session totals match the dump`, () => {
      const rel = `fit/muktihari-fit/${name}`;
      const r = parse(`${rel}.fit`);
      // The SDK's synthetic heart rate reaches 255 bpm: the plausibility gate nulls what lies above 250.
      expect(r.errors.filter((e) => !e.reason.startsWith('implausible '))).toEqual([]);
      const ref = lastByTime(fitCsvRows(`${rel}.csv`, 'record').map((row) => ({ time: (value(row.timestamp) + FIT_EPOCH_S) * 1000, row })));
      const samples = r.streams.reduce((n, s) => n + s.time.length, 0);
      expect(samples).toBe(ref.size);
      for (const s of r.streams) {
        // The SDK's synthetic values run past the plausibility bounds; those samples are stored as null.
        const gated = (v: number, b: Bound) => (Number.isNaN(v) || within(v, b) ? v : NaN);
        for (let k = 0; k < s.time.length; k++) {
          const row = ref.get(s.time[k]!)!.row;
          const noFix = value(row.position_lat) === 0 && value(row.position_long) === 0;
          expectCloseOrNaN(s.channels.lat?.[k], noFix ? NaN : value(row.position_lat) * DEG, value(row.position_lat));
          expectCloseOrNaN(s.channels.lon?.[k], noFix ? NaN : value(row.position_long) * DEG, value(row.position_long));
          expectCloseOrNaN(s.channels.hr?.[k], gated(value(row.heart_rate), BOUNDS.hr), value(row.heart_rate));
          expectClose(s.channels.power_w?.[k], value(row.power));
          expectClose(s.channels.speed_mps?.[k], value(row.enhanced_speed ?? row.speed));
          expectClose(s.channels.distance_m?.[k], value(row.distance));
          const alt = value(row.enhanced_altitude ?? row.altitude);
          expectCloseOrNaN(s.channels.altitude_m?.[k], gated(alt, BOUNDS.altitude), alt);
        }
      }
      const sessions = fitCsvRows(`${rel}.csv`, 'session');
      expect(r.workouts).toHaveLength(sessions.length);
      sessions.forEach((sess, i) => {
        const w = r.workouts[i]!;
        expect((w.start_time as Date).getTime()).toBe((value(sess.start_time) + FIT_EPOCH_S) * 1000);
        // Elapsed time, reaching the last record (stamped in whole seconds) when that lies later.
        expect(w.duration_s).toBeGreaterThanOrEqual(value(sess.total_elapsed_time) - 1e-3);
        expect(w.duration_s).toBeLessThan(value(sess.total_elapsed_time) + 1);
        expect(w.moving_time_s).toBeCloseTo(value(sess.total_timer_time), 3);
        if (sess.total_distance !== undefined) expect(w.distance_m).toBeCloseTo(value(sess.total_distance), 2);
        if (sess.avg_heart_rate !== undefined) expect(w.avg_hr).toBe(value(sess.avg_heart_rate));
      });
    });
  }

  it('HrmPluginTestActivity: records without heart rate get it from the hr messages', () => {
    const rows = fitCsvRows('fit/muktihari-fit/HrmPluginTestActivity.csv', 'record');
    const missing = rows.filter((r) => r.heart_rate === undefined).map((r) => (value(r.timestamp) + FIT_EPOCH_S) * 1000);
    expect(missing.length).toBeGreaterThan(50);
    const s = parse('fit/muktihari-fit/HrmPluginTestActivity.fit').streams[0]!;
    const hrMsgBpm = fitCsvRows('fit/muktihari-fit/HrmPluginTestActivity.csv', 'hr')
      .flatMap((r) => (r.filtered_bpm ?? '').split('|').map(Number));
    const lo = Math.min(...hrMsgBpm);
    const hi = Math.max(...hrMsgBpm);
    let filled = 0;
    for (const t of missing) {
      const k = s.time.indexOf(t);
      const hr = s.channels.hr![k]!;
      if (!Number.isNaN(hr)) {
        filled++;
        expect(hr).toBeGreaterThanOrEqual(lo);
        expect(hr).toBeLessThanOrEqual(hi);
      }
    }
    expect(filled).toBeGreaterThan(missing.length * 0.9);
  });

  it('activity_developerdata: developer field descriptions and values are summarised', () => {
    const w = parse('fit/muktihari-fit/activity_developerdata.fit').workouts[0]!;
    const raw = w.raw_data as { developer_fields: { name: string; first: number; mean: number; count: number }[] };
    const hr = raw.developer_fields.find((d) => d.name === 'Heart Rate')!;
    const ref = fitCsvRows('fit/muktihari-fit/activity_developerdata.csv', 'record').map((r) => value(r['Heart Rate'])).filter((v) => !Number.isNaN(v));
    expect(hr.count).toBe(ref.length);
    expect(hr.first).toBe(ref[0]);
    expect(hr.mean).toBeCloseTo(ref.reduce((a, b) => a + b, 0) / ref.length, 6);
    expect(raw.developer_fields.some((d) => d.name === 'Doughnuts Earned')).toBe(true);
  });
});

describe('multisport files give one workout per leg', () => {
  const cases: [string, string[]][] = [
    ['fit/muktihari-fit/activity_multisport.fit', ['mountain_biking', 'trail_running']],
    ['fit/fitparse/activity-large-fenxi2-multisport.fit', ['workout', 'other', 'running', 'other', 'running', 'other', 'cycling']],
    ['fit/muktihari-fit/triathlon_summary_first.fit', ['open_water_swimming', 'other', 'cycling', 'other', 'running']],
    ['fit/muktihari-fit/triathlon_summary_last.fit', ['open_water_swimming', 'other', 'cycling', 'other', 'running']],
    ['fit/fit-analyzer/20555050352_ACTIVITY.fit', ['strength_training', 'running', 'strength_training']],
    ['fit/fitparse/sample_mulitple_header.fit', ['open_water_swimming', 'other', 'cycling', 'other', 'running']],
  ];
  for (const [rel, sports] of cases) {
    it(`${rel}: ${sports.length} legs`, () => {
      const r = parse(rel);
      expect(r.workouts.map((w) => w.sport)).toEqual(sports);
      const fileId = r.workouts[0]!.external_ids!.fit!;
      expect(fileId).toMatch(/^\d+-\d+$/);
      r.workouts.forEach((w, i) => {
        expect(w.external_id).toBe(`${fileId}#${i}`);
        expect(w.parent_external_id).toBe(fileId);
        expect(w.external_ids).toEqual({ fit: fileId, fit_leg: String(i) });
        expect(r.streams[i]!.external_id).toBe(w.external_id);
        if (i > 0) expect((w.start_time as Date).getTime()).toBeGreaterThanOrEqual((r.workouts[i - 1]!.start_time as Date).getTime());
      });
      if (sports.includes('other')) expect(r.workouts.find((w) => w.sport === 'other')!.source_sport).toBe('transition');
    });
  }

  it('summary-first and summary-last triathlons decode to the same workouts and streams', () => {
    const a = parse('fit/muktihari-fit/triathlon_summary_first.fit');
    const b = parse('fit/muktihari-fit/triathlon_summary_last.fit');
    const strip = (w: SourceWorkoutInput) => ({ ...w, raw_data: null, input: null });
    expect(a.workouts.map(strip)).toEqual(b.workouts.map(strip));
    expect(a.streams.map((s) => s.time.length)).toEqual(b.streams.map((s) => s.time.length));
    expect(a.streams.reduce((n, s) => n + s.time.length, 0)).toBe(4043);
  });

  it('20555050352_ACTIVITY: legs carry their strength sets', () => {
    const r = parse('fit/fit-analyzer/20555050352_ACTIVITY.fit');
    const sets = r.workouts.map((w) => (w.raw_data as { sets: { count: number; rest_count: number } | null }).sets);
    expect(sets[1]).toBeNull();
    expect(sets[0]!.count + sets[0]!.rest_count).toBe(8);
    expect((sets[0]?.count ?? 0) + (sets[0]?.rest_count ?? 0) + (sets[2]?.count ?? 0) + (sets[2]?.rest_count ?? 0)).toBe(41);
    expect(r.workouts[1]!.has_gps).toBe(true);
  });
});

describe('encoding features', () => {
  it('garmin-fr935-cr: compressed-timestamp records are decoded', () => {
    const r = parse('fit/fitdecode/garmin-fr935-cr.fit');
    expect(r.errors).toEqual([]);
    const w = r.workouts[0]!;
    const s = r.streams[0]!;
    expect(s.time.length).toBe(7515);
    for (let k = 1; k < s.time.length; k++) expect(s.time[k]!).toBeGreaterThan(s.time[k - 1]!);
    const start = (w.start_time as Date).getTime();
    expect(Math.abs(s.time[0]! - start)).toBeLessThanOrEqual(2000);
    expect(Math.abs(s.time[s.time.length - 1]! - (start + w.duration_s * 1000))).toBeLessThanOrEqual(5000);
    expect(s.channels.hr!.filter((v) => v >= 40 && v <= 220).length).toBeGreaterThan(7000);
  });

  it('20474406937_ACTIVITY: strength sets are summarised', () => {
    const w = parse('fit/fit-analyzer/20474406937_ACTIVITY.fit').workouts[0]!;
    const sets = (w.raw_data as { sets: { count: number; rest_count: number; total_reps: number } }).sets;
    expect(sets.count + sets.rest_count).toBe(76);
    expect(sets.total_reps).toBeGreaterThan(0);
    expect(w.sport).toBe('strength_training');
    expect(w.utc_offset_min).toBe(180);
  });

  it('gzipped input decodes identically', () => {
    const bytes = readFixture('fit/muktihari-fit/activity_multisport.fit');
    const plain = parseFit(bytes, 'a.fit');
    const gz = parseFit(gzipSync(bytes), 'a.fit');
    expect(gz).toEqual(plain);
    expect(fitFileType(gzipSync(bytes))).toBe('activity');
  });

  it('chained files are all read', () => {
    const r = parse('fit/fitparse/activity-settings.fit');
    expect(r.errors).toEqual([]);
    expect(r.workouts).toHaveLength(1);
    expect(r.streams[0]!.time.length).toBe(14);
  });
});

describe('non-activity files', () => {
  it('fitFileType tells the file types apart', () => {
    expect(fitFileType(readFixture('fit/fitparse/Settings.fit'))).toBe('settings');
    expect(fitFileType(readFixture('fit/fitparse/WorkoutRepeatSteps.fit'))).toBe('workout');
    expect(fitFileType(readFixture('fit/fitparse/MonitoringFile.fit'))).toBe('monitoring');
    expect(fitFileType(readFixture('fit/fitparse/WeightScaleSingleUser.fit'))).toBe('weight');
    expect(fitFileType(readFixture('fit/fitparse/garmin-edge-500-activity.fit'))).toBe('activity');
    expect(fitFileType(new Uint8Array([1, 2, 3]))).toBe('invalid');
  });

  for (const rel of ['fit/fitparse/Settings.fit', 'fit/fitparse/Settings2.fit', 'fit/fitparse/nametest.FIT', 'fit/fitparse/MonitoringFile.fit', 'fit/fitparse/WorkoutCustomTargetValues.fit', 'fit/fitparse/WorkoutIndividualSteps.fit']) {
    it(`${rel} gives nothing and no error`, () => {
      const r = parse(rel);
      expect(r).toMatchObject({ workouts: [], biometrics: [], streams: [], errors: [] });
    });
  }

  it('weight scale files give weight and body fat readings', () => {
    const single = parse('fit/fitparse/WeightScaleSingleUser.fit');
    expect(single.workouts).toEqual([]);
    expect(single.biometrics.map((b) => [b.date, b.metric_type, b.value, b.unit])).toEqual([
      ['2009-09-09', 'weight', 75.8, 'kg'],
      ['2009-09-09', 'body_fat_pct', 22.3, '%'],
      ['2009-09-09', 'weight', 76.09, 'kg'],
      ['2009-09-09', 'body_fat_pct', 25.1, '%'],
    ]);
    for (const b of single.biometrics) expect(BiometricReading.safeParse(b).success).toBe(true);
    const multi = parse('fit/fitparse/WeightScaleMultiUser.fit');
    expect(multi.biometrics.filter((b) => b.metric_type === 'weight').map((b) => b.value)).toEqual([75.8, 58.2]);
  });
});

describe('broken files keep what they can', () => {
  it('activity-unexpected-eof: truncated, records kept', () => {
    const r = parse('fit/fitparse/activity-unexpected-eof.fit');
    expect(r.errors.map((e) => e.reason)).toEqual(['truncated at byte 768 of 771: kept 14 records']);
    expect(r.errors[0]!.input).toBe('fit/fitparse/activity-unexpected-eof.fit');
    expect(r.workouts).toHaveLength(1);
    expect(r.streams[0]!.time.length).toBe(14);
  });

  it('activity_truncated: no session, one workout synthesised from the records', () => {
    const r = parse('fit/muktihari-fit/activity_truncated.fit');
    expect(r.errors.map((e) => e.reason)).toEqual(['activity truncated: no session message, workout synthesised from 14 records']);
    const rows = fitCsvRows('fit/muktihari-fit/activity_truncated.csv', 'record');
    const w = r.workouts[0]!;
    expect((w.start_time as Date).getTime()).toBe((value(rows[0]!.timestamp) + FIT_EPOCH_S) * 1000);
    expect(w.duration_s).toBe(value(rows[rows.length - 1]!.timestamp) - value(rows[0]!.timestamp));
    expect((w.raw_data as { synthesised_from_records: boolean }).synthesised_from_records).toBe(true);
    expect(r.streams[0]!.channels.distance_m![13]).toBeCloseTo(value(rows[13]!.distance), 6);
  });

  for (const rel of ['fit/fitparse/activity-filecrc.fit', 'fit/fitparse/activity-activity-filecrc.fit']) {
    it(`${rel}: file CRC mismatch reported, data kept`, () => {
      const r = parse(rel);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]!.reason).toMatch(/^file CRC mismatch \(data kept\)/);
      expect(r.workouts).toHaveLength(1);
      expect(r.streams[0]!.time.length).toBe(14);
      expect(r.workouts[0]!.distance_m).toBeCloseTo(5.73, 2);
    });
  }

  it('activity-settings-corruptheader: the corrupt chained header is named', () => {
    const r = parse('fit/fitparse/activity-settings-corruptheader.fit');
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ input: 'fit/fitparse/activity-settings-corruptheader.fit', record: 'byte 771' });
    expect(r.errors[0]!.reason).toMatch(/corrupt header of chained FIT file 2 at byte 771/);
  });

  it('activity-settings-nodata: the empty chained file is reported', () => {
    const r = parse('fit/fitparse/activity-settings-nodata.fit');
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.reason).toMatch(/^truncated at byte 15 of 82/);
  });

  it('garbage and empty input give one error and nothing else', () => {
    const r = parseFit(new TextEncoder().encode('not a fit file at all'), 'x.fit');
    expect(r.workouts).toEqual([]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.reason).toMatch(/corrupt FIT header at byte 0/);
    expect(parseFit(new Uint8Array(0), 'empty.fit').errors).toEqual([]);
    const bad = parseFit(new Uint8Array([0x1f, 0x8b, 1, 2]), 'x.fit.gz');
    expect(bad.errors[0]!.reason).toMatch(/gzip/);
  });
});

describe('every FIT fixture', () => {
  const root = dirname(fixturePath('fit/fitparse/Settings.fit')).replace(/fitparse$/, '');
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => /\.fit$/i.test(f)).sort();
  const notActivities = /(Settings|Workout|Monitoring|WeightScale|nametest|DeveloperData|valid_only_contain_fileid)/;

  it('finds the fixtures', () => expect(files.length).toBeGreaterThan(70));

  for (const f of files) {
    it(`${f} parses into sane records`, () => {
      const r = parse(`fit/${f}`);
      if (notActivities.test(f)) {
        expect(r.workouts).toEqual([]);
        return;
      }
      expect(r.workouts.length).toBeGreaterThanOrEqual(1);
      expect(r.streams).toHaveLength(r.workouts.length);
      for (const w of r.workouts) {
        const parsed = SourceWorkout.safeParse(w);
        expect(parsed.success, parsed.success ? '' : parsed.error.message).toBe(true);
        const year = (w.start_time as Date).getUTCFullYear();
        // Two old files carry device-relative time only; they are imported with a warning.
        const relative = f.includes('antfs') || f.includes('compressed-speed');
        expect(year).toBeGreaterThanOrEqual(relative ? 1989 : 2000);
        if (relative) expect(r.errors.map((e) => e.reason).join()).toMatch(/device-relative/);
        expect(year).toBeLessThanOrEqual(2030);
        expect(w.duration_s).toBeGreaterThan(0);
      }
    });
  }
});
