/**
 * The real-file corpus: every FIT, GPX and TCX file of ../shared/fixtures
 * (files of several open-source projects' test suites and device examples;
 * see its MANIFEST.md) checked against the rules of the format modules;
 * corpus_extra.test.ts checks more, listed in tests/fixtures/MANIFEST.md.
 * Expected values come from each file's own content: the FIT SDK's
 * FitCSVTool dumps beside the Garmin examples, the reference CSVs of
 * python-fitparse, and the XML text of GPX and TCX files.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceWorkout, type ParseResult, type SourceWorkoutInput } from '../../lib/core/models.ts';
import { BOUNDS, speedBound, within } from '../../lib/core/plausibility.ts';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { rebuildCanonical } from '../../lib/core/dedup/rebuild.ts';
import { importPaths } from '../../lib/ingest/importer.ts';
import { parseFit } from '../../lib/formats/fit.ts';
import { parseGpx } from '../../lib/formats/gpx.ts';
import { parseTcx } from '../../lib/formats/tcx.ts';
import { fixturePath, readFixture } from '../helpers/shared.ts';
import { FIT_EPOCH_S, fitCsvRows, fitTimeMs, value } from './fitcsv.ts';

const ms = (d: SourceWorkoutInput['start_time']) => (d as Date).getTime();

function parse(rel: string): ParseResult {
  const bytes = readFixture(rel);
  if (/\.fit$/i.test(rel)) return parseFit(bytes, rel);
  if (/\.gpx(\.gz)?$/.test(rel)) return parseGpx(bytes, rel);
  return parseTcx(bytes, rel);
}

function corpus(): string[] {
  const out: string[] = [];
  for (const dir of ['fit', 'gpx', 'tcx']) {
    const root = fixturePath(dir);
    for (const f of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
      if (/\.(fit|gpx|gpx\.gz|tcx)$/i.test(f)) out.push(`${dir}/${f}`);
    }
  }
  return out.sort();
}

/** Median of the positive values of a channel (moving cadence). */
function positiveMedian(a: Float64Array): number {
  const v = [...a].filter((x) => x > 0).sort((x, y) => x - y);
  return v.length ? v[v.length >> 1]! : NaN;
}

describe('corpus: every real FIT, GPX and TCX file keeps the rules', () => {
  const files = corpus();
  it('finds the corpus', () => expect(files.length).toBeGreaterThan(110));

  for (const rel of files) {
    it(rel, () => {
      const r = parse(rel);
      for (const e of r.errors) expect(e.input).toBe(rel);
      r.workouts.forEach((w) => {
        const check = SourceWorkout.safeParse(w);
        expect(check.success, check.success ? '' : check.error.message).toBe(true);
        // duration_s is elapsed time: the span from start_time to end_time.
        expect(w.duration_s).toBeCloseTo((ms(w.end_time) - ms(w.start_time)) / 1000, 6);
        // moving_time_s is present for every recorded workout, never above the elapsed time.
        const s = r.streams.find((x) => x.external_id === w.external_id);
        if ((s?.time.length ?? 0) >= 2) {
          expect(w.moving_time_s, `${w.external_id} moving_time_s`).not.toBeNull();
          expect(w.moving_time_s!).toBeGreaterThanOrEqual(0);
          expect(w.moving_time_s!).toBeLessThanOrEqual(w.duration_s + 1e-6);
        }
        // The gate: no summary value outside its bound.
        for (const v of [w.avg_hr, w.max_hr]) if (v != null) expect(within(v, BOUNDS.hr)).toBe(true);
        if (w.calories_kcal != null) expect(w.calories_kcal / (Math.max(w.duration_s, 1) / 3600)).toBeLessThanOrEqual(BOUNDS.kcalPerHour.max);
        if (!s) return;
        // Samples never lie outside their workout's time range.
        for (const t of s.time) {
          expect(t).toBeGreaterThanOrEqual(ms(w.start_time));
          expect(t).toBeLessThanOrEqual(ms(w.end_time));
        }
        // The gate: no sample outside its bound, no (0, 0) position.
        const ch = s.channels;
        const speed = speedBound(w.sport);
        for (let k = 0; k < s.time.length; k++) {
          for (const [a, b] of [[ch.hr, BOUNDS.hr], [ch.altitude_m, BOUNDS.altitude], [ch.cadence, BOUNDS.cadence], [ch.power_w, BOUNDS.power], [ch.speed_mps, speed]] as const) {
            const v = a?.[k];
            if (v !== undefined && v === v) expect(within(v, b), `${rel} sample ${k}: ${v}`).toBe(true);
          }
          if (ch.lat && ch.lon) expect(ch.lat[k] === 0 && ch.lon[k] === 0).toBe(false);
        }
      });
    });
  }
});

describe('corpus: FIT summaries against records (FitCSVTool dumps)', () => {
  it('moving_time_s is the session total_timer_time; duration_s its elapsed time up to the last whole-second record', () => {
    for (const name of ['Activity', 'activity_developerdata', 'activity_poolswim', 'activity_multisport', 'HrmPluginTestActivity']) {
      const rel = `fit/muktihari-fit/${name}`;
      const sessions = fitCsvRows(`${rel}.csv`, 'session');
      const r = parse(`${rel}.fit`);
      expect(r.workouts).toHaveLength(sessions.length);
      sessions.forEach((sess, i) => {
        const w = r.workouts[i]!;
        expect(ms(w.start_time)).toBe(fitTimeMs(sess.start_time));
        expect(w.moving_time_s).toBeCloseTo(value(sess.total_timer_time), 3);
        expect(w.duration_s).toBeGreaterThanOrEqual(value(sess.total_elapsed_time) - 1e-3);
        expect(w.duration_s).toBeLessThan(value(sess.total_elapsed_time) + 1);
      });
    }
  });

  it('what a session lacks comes from its records: distance and heart rate of the SDK Activity example', () => {
    const records = fitCsvRows('fit/muktihari-fit/Activity.csv', 'record');
    const session = fitCsvRows('fit/muktihari-fit/Activity.csv', 'session')[0]!;
    expect(session.total_distance).toBeUndefined();
    expect(session.avg_heart_rate).toBeUndefined();
    const r = parse('fit/muktihari-fit/Activity.fit');
    const w = r.workouts[0]!;
    expect(w.distance_m).toBe(value(records.at(-1)!.distance));
    // The SDK's synthetic heart rate runs to 255 bpm; above 250 is not a heartbeat (the gate), and is not averaged.
    const hr = records.map((x) => value(x.heart_rate)).filter((v) => v >= 25 && v <= 250);
    expect(w.avg_hr).toBeCloseTo(hr.reduce((a, b) => a + b, 0) / hr.length, 9);
    expect(w.max_hr).toBe(Math.max(...hr));
    const warning = r.errors.find((e) => e.field === 'hr')!;
    expect(warning).toMatchObject({ input: 'fit/muktihari-fit/Activity.fit', record: `stream of ${w.external_id}` });
    const outside = records.filter((x) => value(x.heart_rate) < 25 || value(x.heart_rate) > 250).length;
    expect(warning.reason).toContain(`implausible hr at ${outside} samples`);
  });

  it('heart rate stored only in hr messages (HRM-Pro) reaches the records that lack it', () => {
    const dump = 'fit/muktihari-fit/HrmPluginTestActivity.csv';
    // The hr messages' samples: anchor timestamp + fractional_timestamp, then event_timestamp deltas (1/1024 s).
    const samples: Array<[number, number]> = [];
    let anchorT = NaN;
    let anchorE = NaN;
    for (const m of fitCsvRows(dump, 'hr')) {
      const events = (m.event_timestamp ?? '').split('|').filter(Boolean).map(Number);
      const bpm = (m.filtered_bpm ?? '').split('|').filter(Boolean).map(Number);
      if (m.timestamp !== undefined) {
        anchorT = value(m.timestamp) + FIT_EPOCH_S + (value(m.fractional_timestamp) || 0);
        anchorE = events[0]!;
      }
      events.forEach((e, k) => samples.push([anchorT + (e - anchorE), bpm[k]!]));
    }
    expect(samples.length).toBe(891);
    const records = fitCsvRows(dump, 'record');
    const s = parse('fit/muktihari-fit/HrmPluginTestActivity.fit').streams[0]!;
    expect(s.time.length).toBe(records.length);
    let filled = 0;
    records.forEach((rec, k) => {
      const t = fitTimeMs(rec.timestamp) / 1000;
      if (rec.heart_rate !== undefined) {
        expect(s.channels.hr![k]).toBe(value(rec.heart_rate));
        return;
      }
      // The mean of the samples since the previous record (the first record: the second before it).
      const from = k === 0 ? t - 1 : fitTimeMs(records[k - 1]!.timestamp) / 1000;
      const within = samples.filter(([st]) => st > from && st <= t).map(([, b]) => b);
      if (within.length === 0) return;
      filled++;
      expect(s.channels.hr![k]).toBe(Math.round(within.reduce((a, b) => a + b, 0) / within.length));
    });
    expect(filled).toBeGreaterThan(200);
  });

  it('trail running stays trail running (sport 1, sub_sport 3 = trail in the FIT profile)', () => {
    const legs = fitCsvRows('fit/muktihari-fit/activity_multisport.csv', 'session');
    expect([legs[1]!.sport, legs[1]!.sub_sport]).toEqual(['1', '3']);
    const r = parse('fit/muktihari-fit/activity_multisport.fit');
    expect(r.workouts[1]!.sport).toBe('trail_running');
    expect(r.workouts[1]!.source_sport).toBe('running/trail');
  });

  it('running cadence is doubled from the strides the FIT records hold (python-fitparse reference)', () => {
    const lines = readFixture('fit/fitparse/garmin-fenix-5-run-records.csv').toString('utf8').trim().split(/\r?\n/);
    const header = lines[0]!.split(',');
    const cadence = lines.slice(1).map((l) => Number(l.split(',')[header.indexOf('cadence')]));
    const s = parse('fit/fitparse/garmin-fenix-5-run.fit').streams[0]!;
    expect(Math.floor(s.channels.cadence![s.time.length - 1]! / 2)).toBe(cadence.at(-1));
    expect(positiveMedian(s.channels.cadence!)).toBeGreaterThan(2 * 60);
  });

  it('a record whose clock jumped decades ahead is left out and reported (Strava app file)', () => {
    const r = parse('fit/fitparse/strava-android-app-201.10-b1218918.fit');
    const w = r.workouts[0]!;
    const jump = r.errors.find((e) => e.field === 'record.timestamp')!;
    expect(jump.record).toBe('session 1');
    expect(jump.reason).toMatch(/1 record at 2085-12-21T16:46:58\.000Z lie [\d.]+ days after the session/);
    expect(Math.max(...r.streams[0]!.time)).toBeLessThan(Date.UTC(2022, 0, 1));
    expect(w.duration_s).toBeGreaterThanOrEqual(3558);
  });

  it('a session start_time its records and its own timestamp contradict gives way, with a warning (fenix 2 multisport)', () => {
    const r = parse('fit/fitparse/activity-large-fenxi2-multisport.fit');
    const warning = r.errors.find((e) => e.field === 'start_time')!;
    expect(warning.reason).toMatch(/session start_time 2015-08-29T08:00:01\.000Z but its records begin 2717 s earlier/);
    expect(new Date(ms(r.workouts[0]!.start_time)).toISOString()).toBe('2015-08-29T07:14:44.000Z');
    // The first leg no longer overlaps the second.
    expect(ms(r.workouts[0]!.end_time)).toBeLessThanOrEqual(ms(r.workouts[1]!.start_time));
  });
});

describe('corpus: GPX and TCX fields from their own text', () => {
  it('TCX (Garmin Connect ride): start at the first lap, moving time and distance the laps\' sums', () => {
    const text = readFixture('tcx/togeojson/garmin_connect.tcx').toString('utf8');
    const lapStarts = [...text.matchAll(/<Lap StartTime="([^"]+)"/g)].map((m) => Date.parse(m[1]!));
    const lapTimes = [...text.matchAll(/<Lap [^>]*>\s*<TotalTimeSeconds>([^<]+)</g)].map((m) => Number(m[1]));
    const lapDistances = [...text.matchAll(/<\/TotalTimeSeconds>\s*<DistanceMeters>([^<]+)</g)].map((m) => Number(m[1]));
    const times = [...text.matchAll(/<Time>([^<]+)</g)].map((m) => Date.parse(m[1]!));
    const w = parse('tcx/togeojson/garmin_connect.tcx').workouts[0]!;
    expect(ms(w.start_time)).toBe(Math.min(lapStarts[0]!, times[0]!));
    expect(ms(w.end_time)).toBe(Math.max(times.at(-1)!, lapStarts.at(-1)! + lapTimes.at(-1)! * 1000));
    const timer = lapTimes.reduce((a, b) => a + b, 0);
    expect(w.moving_time_s).toBeCloseTo(Math.min(timer, w.duration_s), 6);
    expect(w.distance_m).toBeCloseTo(lapDistances.reduce((a, b) => a + b, 0), 6);
  });

  it('GPX (Apple Watch run): cadence written as strides is stored as steps; moving time by the speed rule', () => {
    const text = readFixture('gpx/togeojson/Friday-Evening-Run.gpx').toString('utf8');
    const cad = [...text.matchAll(/<gpxtpx:cad>(\d+)</g)].map((m) => Number(m[1]));
    const r = parse('gpx/togeojson/Friday-Evening-Run.gpx');
    const s = r.streams[0]!;
    expect([...s.channels.cadence!].filter((x) => x === x)).toEqual(cad.map((c) => c * 2));
    expect(r.workouts[0]!.moving_time_s).not.toBeNull();
    expect((r.workouts[0]!.raw_data as { cadence_doubled: boolean }).cadence_doubled).toBe(true);
  });

  it('TCX with 0/0 positions (togeojson bad.tcx) stores none of them', () => {
    const r = parse('tcx/togeojson/bad.tcx');
    expect(r.errors.some((e) => e.field === 'Position')).toBe(true);
    for (const s of r.streams) for (let k = 0; k < s.time.length; k++) expect(s.channels.lat?.[k] === 0 && s.channels.lon?.[k] === 0).toBe(false);
  });
});

describe('corpus: moving_time_s reaches the canonical workouts', () => {
  let dir = '';
  let wh: Warehouse;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'app-corpus-'));
    wh = await Warehouse.open(join(dir, 'w.duckdb'));
  });
  afterAll(() => {
    wh?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports real FIT, GPX and TCX files and carries each moving time into workouts', async () => {
    const files = ['fit/muktihari-fit/HrmPluginTestActivity.fit', 'gpx/togeojson/run_gpxtpx.gpx', 'tcx/togeojson/tour_hr.tcx'];
    await importPaths(wh, files.map(fixturePath), { athleteId: 'me', workers: 0 });
    await rebuildCanonical(wh);
    const rows = await wh.all<{ source_moving: number; moving: number; duration: number }>(
      `SELECT s.moving_time_s AS source_moving, w.moving_time_s AS moving, w.duration_s AS duration
       FROM workouts w JOIN workout_sources ws USING (workout_id) JOIN source_workouts s USING (record_id) ORDER BY w.start_time`,
    );
    expect(rows).toHaveLength(3);
    expect(rows.find((x) => Math.abs(x.source_moving - 308.545) < 1e-9)).toBeDefined();
    for (const row of rows) {
      expect(row.moving).toBe(row.source_moving);
      expect(row.moving).toBeLessThanOrEqual(row.duration);
    }
  });
});

describe("corpus: what the files' own projects assert (alenrajsp/tcxreader tests/test_reader.py, commit 9fbabfb)", () => {
  it('mapmyride_biking.tcx: 458 kcal (the file writes 457.99999973619197)', () => {
    expect(Math.round(parse('tcx/tcxreader/mapmyride_biking.tcx').workouts[0]!.calories_kcal!)).toBe(458);
  });

  it('sup_activity_1.tcx: written by "Connect Api", a Garmin application', () => {
    expect(parse('tcx/tcxreader/sup_activity_1.tcx').workouts[0]!.source).toBe('garmin');
  });

  it('cross-country-skiing_activity_1.tcx: two laps, the first with AvgRunCadence 38; every trackpoint belongs to a lap', () => {
    const r = parse('tcx/tcxreader/cross-country-skiing_activity_1.tcx');
    const laps = (r.workouts[0]!.raw_data as { laps: Array<{ cadence: number | null }> }).laps;
    expect(laps).toHaveLength(2);
    expect(laps[0]!.cadence).toBe(38);
    const text = readFixture('tcx/tcxreader/cross-country-skiing_activity_1.tcx').toString('utf8');
    expect(r.streams[0]!.time.length).toBe(new Set([...text.matchAll(/<Time>([^<]+)</g)].map((m) => m[1])).size);
  });
});
