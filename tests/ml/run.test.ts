import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { cohortFeatureColumns } from '../../lib/ml/cohort.ts';
import { cohortDayFeatures } from '../../lib/ml/cohort_map.ts';
import type { CohortWorkout } from '../../lib/ml/cohort_map.ts';
import { FEATURE_NAMES, prepareFeatures } from '../../lib/ml/features.ts';
import type { DailyRow, InjuryRecord } from '../../lib/ml/features.ts';
import { filterTrainable, InjuryPredictor } from '../../lib/ml/predictor.ts';
import {
  addInjury,
  athleteModelPath,
  cohortModelPath,
  evaluateCohortFile,
  loadDailyRows,
  predictRisk,
  readModelFile,
  trainAthleteModel,
} from '../../lib/ml/run.ts';
import { cohortCsv, dateOf, day, squad } from './synthetic.ts';

const small = { nEstimators: 12, bags: 3, maxDepth: 5 };

/** A daily_metrics row (table column order) from a DailyRow. */
function metricsRow(d: DailyRow, sources: string | null = d.sources.join(',') || null): unknown[] {
  return [
    d.athlete_id, d.date, d.load, d.sessions, d.load, d.high_intensity_min ?? 0, null, null, d.acwr_rolling, d.acwr_ewma, null,
    d.ctl, d.atl, d.tsb, d.monotony, d.strain, null, d.sleep_h === null ? null : d.sleep_h * 3600, d.sleep_efficiency, null,
    d.hrv_ln_rmssd_7d, d.hrv_baseline, null, null, null, d.resting_hr, d.rhr_baseline, null, null, d.diversity_28d, sources,
  ];
}

interface Rec {
  id: string;
  athlete: string;
  start: string;
  offsetMin?: number;
  source: string;
  via?: string;
  sport?: string;
  category?: string;
  durationS?: number;
  distanceM?: number | null;
  avgHr?: number | null;
  rpe?: number | null;
}

/** Rows for source_workouts, workouts and workout_sources: each workout made of the given records (the first is the base). */
function workoutRows(workouts: { id: string; records: Rec[] }[]): { sw: unknown[][]; w: unknown[][]; ws: unknown[][] } {
  const sw: unknown[][] = [];
  const w: unknown[][] = [];
  const ws: unknown[][] = [];
  const now = new Date(Date.UTC(2024, 0, 1));
  for (const wo of workouts) {
    for (const [k, r] of wo.records.entries()) {
      const start = new Date(r.start);
      const dur = r.durationS ?? 3600;
      const end = new Date(start.getTime() + dur * 1000);
      const raw = r.via ? { id: r.id, via: r.via } : { id: r.id };
      sw.push([
        r.id, r.athlete, r.source, r.id, null, start, end, dur, null, r.offsetMin ?? 0, r.sport ?? 'running', null, r.category ?? 'ENDURANCE',
        r.distanceM ?? null, null, r.avgHr ?? null, null, null, null, null, null, null, r.rpe ?? null, {}, raw, false, false, 0.5, null, null, now,
      ]);
      ws.push([wo.id, r.id, r.source, r.id, k === 0 ? null : 1, null]);
      if (k === 0) {
        w.push([
          wo.id, r.athlete, null, start, end, dur, r.offsetMin ?? 0, r.sport ?? 'running', r.category ?? 'ENDURANCE', r.distanceM ?? null, null,
          r.avgHr ?? null, null, null, null, null, null, null, r.rpe ?? null, r.source, {}, raw, false, false, 0.5, null, wo.records.length,
        ]);
      }
    }
  }
  return { sw, w, ws };
}

async function loadWorkouts(wh: Warehouse, workouts: { id: string; records: Rec[] }[]): Promise<void> {
  const { sw, w, ws } = workoutRows(workouts);
  await wh.appendRows('source_workouts', sw);
  await wh.appendRows('workouts', w);
  await wh.appendRows('workout_sources', ws);
}

async function loadInjuryRows(wh: Warehouse, injuries: InjuryRecord[]): Promise<void> {
  await wh.appendRows('injuries', injuries.map((i) => [i.athlete_id, i.date, i.area ?? 'calf', i.severity ?? null, null, 'test']));
}

describe('addInjury', () => {
  let wh: Warehouse;
  beforeAll(async () => {
    wh = await Warehouse.open(':memory:');
  });
  afterAll(() => wh.close());

  it('stores a manual injury, normalised, and replaces it when entered again', async () => {
    const first = await addInjury(wh, { athleteId: 'me', date: '2024-03-02', area: ' Calf ', severity: 'Moderate', notes: 'tight after hills' }, { today: '2024-03-05' });
    expect(first).toEqual({ athlete_id: 'me', date: '2024-03-02', area: 'calf', severity: 'moderate', notes: 'tight after hills', source: 'manual', replaced: false });
    const again = await addInjury(wh, { athleteId: 'me', date: '2024-03-02', area: 'calf', severity: 'severe' }, { today: '2024-03-05' });
    expect(again.replaced).toBe(true);
    const rows = await wh.all('SELECT * FROM injuries ORDER BY area');
    expect(rows).toEqual([{ athlete_id: 'me', date: '2024-03-02', area: 'calf', severity: 'severe', notes: null, source: 'manual' }]);
    // Today itself is accepted; a different area is a second injury.
    await addInjury(wh, { athleteId: 'me', date: '2024-03-05', area: 'knee' }, { today: '2024-03-05' });
    expect(await wh.all('SELECT area, severity FROM injuries ORDER BY area')).toEqual([
      { area: 'calf', severity: 'severe' },
      { area: 'knee', severity: null },
    ]);
  });

  it('refuses bad input, naming the field', async () => {
    const opts = { today: '2024-03-05' };
    await expect(addInjury(wh, { athleteId: 'me', date: '2024-02-30', area: 'calf' }, opts)).rejects.toThrow(/injury date: "2024-02-30" is not a valid YYYY-MM-DD date/);
    await expect(addInjury(wh, { athleteId: 'me', date: '5/3/2024', area: 'calf' }, opts)).rejects.toThrow(/injury date/);
    await expect(addInjury(wh, { athleteId: 'me', date: '2024-03-06', area: 'calf' }, opts)).rejects.toThrow(/injury date: 2024-03-06 is in the future \(today is 2024-03-05\)/);
    await expect(addInjury(wh, { athleteId: 'me', date: '2024-03-01', area: '  ' }, opts)).rejects.toThrow(/injury area: must not be empty/);
    await expect(addInjury(wh, { athleteId: '', date: '2024-03-01', area: 'calf' }, opts)).rejects.toThrow(/injury athlete/);
    await expect(addInjury(wh, { athleteId: 'me', date: '2024-03-01', area: 'calf', severity: 'ouch' }, opts)).rejects.toThrow(
      /injury severity: "ouch" is not one of minor, moderate, severe/,
    );
    // Without `today`, the bound is the date in UTC+14: tomorrow in UTC is refused at 09:00 UTC.
    await expect(addInjury(wh, { athleteId: 'me', date: '2024-03-06', area: 'calf' }, { now: new Date('2024-03-05T09:00:00Z') })).rejects.toThrow(/future/);
    await addInjury(wh, { athleteId: 'me', date: '2024-03-06', area: 'shin' }, { now: new Date('2024-03-05T11:00:00Z') });
    expect((await wh.all<{ n: number }>("SELECT count(*) AS n FROM injuries WHERE area = 'shin'"))[0]!.n).toBe(1);
  });
});

describe('loadDailyRows: data lineage', () => {
  let wh: Warehouse;
  let rows: DailyRow[];
  beforeAll(async () => {
    wh = await Warehouse.open(':memory:');
    const days = [1, 2, 3, 4, 5].map((n) => ({ ...day('me', `2024-03-0${n}`, 50), sleep_h: n === 1 ? 7.5 : null }));
    await wh.appendRows('daily_metrics', [
      ...days.slice(0, 4).map((d) => metricsRow(d, 'strava')),
      metricsRow(days[4]!, 'whoop'),
      metricsRow(day('other', '2024-03-01', 10), 'garmin'),
    ]);
    await loadWorkouts(wh, [
      // 20:00 UTC at UTC+10 is the next local day: lands on 03-01.
      { id: 'w1', records: [{ id: 'g1', athlete: 'me', start: '2024-02-29T20:00:00Z', offsetMin: 600, source: 'garmin' }] },
      { id: 'w2', records: [{ id: 's2', athlete: 'me', start: '2024-03-02T06:00:00Z', source: 'strava', via: 'strava_api' }] },
      {
        id: 'w3',
        records: [
          { id: 's3e', athlete: 'me', start: '2024-03-03T06:00:00Z', source: 'strava' },
          { id: 's3a', athlete: 'me', start: '2024-03-03T06:00:10Z', source: 'strava', via: 'strava_api' },
        ],
      },
      {
        id: 'w4',
        records: [
          { id: 'g4', athlete: 'me', start: '2024-03-04T06:00:00Z', source: 'garmin' },
          { id: 's4a', athlete: 'me', start: '2024-03-04T06:00:05Z', source: 'strava', via: 'strava_api' },
        ],
      },
    ]);
    rows = await loadDailyRows(wh, 'me');
  });
  afterAll(() => wh.close());

  it('tags Strava API records as strava_api, per local day', () => {
    expect(rows.map((r) => [r.date, r.sources])).toEqual([
      ['2024-03-01', ['garmin']],
      ['2024-03-02', ['strava_api']],
      ['2024-03-03', ['strava', 'strava_api']],
      ['2024-03-04', ['garmin', 'strava_api']],
      // No workouts in the warehouse: daily_metrics' own list.
      ['2024-03-05', ['whoop']],
    ]);
    expect(rows[0]).toMatchObject({ athlete_id: 'me', load: 50, sessions: 1, sleep_h: 7.5, acwr_ewma: null });
    expect(rows[1]!.sleep_h).toBeNull();
  });

  it('lets filterTrainable drop the Strava-API-only days', () => {
    const t = filterTrainable(rows);
    expect(t.days.map((d) => d.date)).toEqual(['2024-03-01', '2024-03-04', '2024-03-05']);
    expect(t.dropped).toBe(2);
  });

  it('reads every athlete without an id', async () => {
    const all = await loadDailyRows(wh);
    expect(all.map((r) => `${r.athlete_id} ${r.date}`)).toEqual([
      'me 2024-03-01', 'me 2024-03-02', 'me 2024-03-03', 'me 2024-03-04', 'me 2024-03-05', 'other 2024-03-01',
    ]);
    expect(all[5]!.sources).toEqual(['garmin']);
  });
});

describe('cohortDayFeatures', () => {
  const w = (date: string, o: Partial<CohortWorkout>): CohortWorkout => ({
    date, sport: 'running', sport_category: 'ENDURANCE', duration_s: 3600, distance_m: null, avg_hr: null, perceived_exertion: null, ...o,
  });
  const workouts = [
    w('2024-03-07', { distance_m: 10_000, avg_hr: 170, perceived_exertion: 6 }),
    w('2024-03-07', { sport: 'strength_training', sport_category: 'STRENGTH', duration_s: 1800, perceived_exertion: 8 }),
    w('2024-03-06', { sport: 'trail_running', distance_m: 5_000, avg_hr: 175 }),
    w('2024-03-05', { sport: 'cycling', duration_s: 5400, distance_m: 40_000, avg_hr: 150 }),
    w('2024-03-04', { sport: 'treadmill_running', distance_m: 8_000, avg_hr: 120 }),
  ];
  const days = ['2024-03-04', '2024-03-05', '2024-03-06', '2024-03-07', '2024-03-08'].map((date) => ({ date }));
  const f = cohortDayFeatures(days, workouts, { maxHr: 190 });
  const at = (row: number, name: string): number => f.raw[row]![f.featureNames.indexOf(name)]!;

  it('maps each day of the 7-day window to the cohort fields, latest day in block .6', () => {
    expect(f.featureNames).toEqual(cohortFeatureColumns('day'));
    expect(f.dates).toEqual(['2024-03-04', '2024-03-05', '2024-03-06', '2024-03-07', '2024-03-08']);
    expect(f.raw.every((r) => r.length === 70)).toBe(true);
    // 03-07 as the latest day of its own window: a 10 km run at 170/190 = 89 % HRmax (Z3-4) and a strength session.
    expect(f.raw[3]!.slice(60, 70)).toEqual([2, 10, 10, 0, 0, 1, 0, 0.7, 0.5, 0.5]);
    // The same day is block .5 of 03-08's window; 03-08 itself is a rest day.
    expect(f.raw[4]!.slice(50, 60)).toEqual(f.raw[3]!.slice(60, 70));
    expect(f.raw[4]!.slice(60, 70)).toEqual([0, 0, 0, 0, 0, 0, 0, -0.01, -0.01, -0.01]);
    // 03-06: trail run at 92 % HRmax is Z5; no RPE recorded → 0.5.
    expect(at(2, 'total km.6')).toBe(5);
    expect(at(2, 'km Z5-T1-T2.6')).toBe(5);
    expect(at(2, 'perceived exertion.6')).toBe(0.5);
    // 03-05: cycling is alternative training, 1.5 h, no running km.
    expect(at(1, 'hours alternative.6')).toBe(1.5);
    expect(at(1, 'total km.6')).toBe(0);
    // 03-04: treadmill run at 63 % HRmax counts as km but in neither zone; days before the history are rest days.
    expect(at(0, 'total km.6')).toBe(8);
    expect(at(0, 'km Z3-4.6')).toBe(0);
    expect(at(0, 'nr. sessions')).toBe(0);
    expect(at(0, 'perceived recovery')).toBe(-0.01);
  });

  it('z-scores per athlete against windows not followed by an injury', () => {
    const col = f.featureNames.indexOf('total km.6');
    const xs = f.X.map((r) => r[col]!);
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    expect(mean).toBeCloseTo(0, 12);
    const raw = f.raw.map((r) => r[col]!);
    const sd = Math.sqrt(raw.reduce((s, v) => s + (v - 4.6) ** 2, 0) / raw.length);
    expect(xs[0]).toBeCloseTo((8 - 4.6) / sd, 12);
    // With an injury on 03-08, 03-07's window leaves the reference.
    const g = cohortDayFeatures(days, workouts, { maxHr: 190, injuries: ['2024-03-08'] });
    const refMean = [8, 0, 5, 0].reduce((s, v) => s + v, 0) / 4;
    const refSd = Math.sqrt([8, 0, 5, 0].reduce((s, v) => s + (v - refMean) ** 2, 0) / 4);
    expect(g.X[3]![col]).toBeCloseTo((10 - refMean) / refSd, 12);
    // Without HRmax the zone columns are 0.
    expect(cohortDayFeatures(days, workouts).raw[3]![f.featureNames.indexOf('km Z3-4.6')]).toBe(0);
    expect(() => cohortDayFeatures([{ date: '2024-13-01' }], [])).toThrow(/days\[0\]\.date: "2024-13-01"/);
  });
});

describe('train, predict and the cohort fallback', () => {
  let wh: Warehouse;
  let dir: string;
  let csvPath: string;
  const data = squad(1, 420, 3);
  const fewData = squad(1, 200, 4);
  // Two weeks fetched through the Strava API only: dropped from training.
  const apiDays = new Set(Array.from({ length: 14 }, (_, k) => dateOf(100 + k)));
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mlrun-'));
    wh = await Warehouse.open(':memory:');
    const runner = data.days;
    const few = fewData.days.map((d) => ({ ...d, athlete_id: 'newbie' }));
    await wh.appendRows('daily_metrics', [
      ...runner.map((d) => metricsRow(d, apiDays.has(d.date) ? 'strava' : 'garmin')),
      ...few.map((d) => metricsRow(d, 'garmin')),
    ]);
    await loadWorkouts(wh, [
      ...[...apiDays].map((date, k) => ({
        id: `api${k}`,
        records: [{ id: `sa${k}`, athlete: 'ath0', start: `${date}T07:00:00Z`, source: 'strava', via: 'strava_api' }],
      })),
      ...few
        .filter((d) => d.load > 0)
        .map((d, k) => ({
          id: `n${k}`,
          records: [{ id: `nr${k}`, athlete: 'newbie', start: `${d.date}T07:00:00Z`, source: 'garmin', distanceM: d.load * 150, avgHr: 140 + d.load / 5, rpe: 5 }],
        })),
    ]);
    await loadInjuryRows(wh, data.injuries);
    await loadInjuryRows(wh, fewData.injuries.slice(0, 2).map((i) => ({ ...i, athlete_id: 'newbie' })));
    await wh.appendRows('athlete_profile', [['newbie', 50, 190, null, 'female', [], new Date()]]);
    csvPath = join(dir, 'day_approach_maskedID_timeseries.csv');
    writeFileSync(csvPath, cohortCsv(20, 100).text);
  });
  afterAll(() => {
    wh.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('trains an athlete model, evaluates it forward in time and saves it with its lineage', async () => {
    const s = await trainAthleteModel(wh, { athleteId: 'ath0', modelDir: dir, seed: 5, forest: small, nFolds: 3, now: new Date('2024-05-01T00:00:00Z') });
    if (s.status !== 'trained') throw new Error(`expected trained, got ${JSON.stringify(s)}`);
    expect(s.days).toBe(420);
    expect(s.droppedStravaApiDays).toBe(14);
    expect(s.sources).toEqual(['garmin']);
    expect(s.injuryEvents).toBe(data.injuries.length);
    expect(s.trainedAt).toBe('2024-05-01T00:00:00.000Z');
    expect(s.samples.positives).toBeGreaterThanOrEqual(data.injuries.length);
    expect(s.samples.n).toBeLessThan(420);
    const ev = s.evaluation!;
    // The same evaluation as on the generated days without the API weeks: the warehouse round trip changes nothing.
    const set = prepareFeatures(data.days.filter((d) => !apiDays.has(d.date)), data.injuries);
    const expected = new InjuryPredictor({ ...small, seed: 5 }).evaluateTimeAware(set.X, set.y, set.rows, { nFolds: 3, featureNames: set.featureNames });
    expect(ev.rocAuc).toBe(expected.rocAuc);
    expect(ev.prAuc).toBe(expected.prAuc);
    expect(ev.folds).toHaveLength(3);
    // One athlete, 11 injuries: weak but above chance; the planted ACWR relation shows in the baseline.
    expect(ev.rocAuc).toBeGreaterThan(0.5);
    expect(ev.baseline.feature).toBe('acwr_ewma');
    expect(ev.baseline.rocAuc).toBeGreaterThan(0.65);
    expect(ev.classBalance.n).toBe(s.samples.n);
    expect(ev.importances).toHaveLength(FEATURE_NAMES.length);
    expect(s.modelPath).toBe(athleteModelPath(dir, 'ath0'));
    const saved = readModelFile(s.modelPath);
    expect(saved).toMatchObject({ format: 'athlete-injury-model/1', kind: 'athlete', athleteId: 'ath0', horizonDays: 7, sources: ['garmin'] });
    expect(saved.featureNames).toEqual([...FEATURE_NAMES]);
    expect(saved.counts).toMatchObject({ days: 420, droppedStravaApiDays: 14, injuryEvents: data.injuries.length, injuriesRecorded: data.injuries.length });
    expect((saved.evaluation as { rocAuc: number }).rocAuc).toBeCloseTo(ev.rocAuc, 12);
    expect(saved.predictor.format).toBe('injury-predictor/1');
  });

  it('reports too few injuries without throwing or saving', async () => {
    const s = await trainAthleteModel(wh, { athleteId: 'newbie', modelDir: dir, forest: small });
    expect(s).toMatchObject({ status: 'too_few_injuries', athleteId: 'newbie', injuries: 2, recorded: 2 });
    expect((s as { message: string }).message).toMatch(/newbie: 2 injuries usable for training \(2 recorded; need 5\)/);
    expect(existsSync(athleteModelPath(dir, 'newbie'))).toBe(false);
    expect(await trainAthleteModel(wh, { athleteId: 'nobody', modelDir: dir })).toMatchObject({ status: 'no_data' });
  });

  it('writes the athlete model’s risk for the latest days, with top features, replacing on a re-run', async () => {
    const r = await predictRisk(wh, { athleteId: 'ath0', modelDir: dir, now: new Date('2024-05-02T00:00:00Z') });
    if (r.status !== 'ok') throw new Error(r.message);
    expect(r.model).toBe('athlete');
    expect(r.latestDate).toBe(dateOf(419));
    expect(r.predictions.map((p) => p.date)).toEqual(Array.from({ length: 7 }, (_, k) => dateOf(413 + k)));
    await predictRisk(wh, { athleteId: 'ath0', modelDir: dir, now: new Date('2024-05-02T00:00:00Z') });
    const rows = await wh.all<{ date: string; horizon_days: number; risk: number; model: string; top_features: string; computed_at: Date }>(
      "SELECT * FROM predictions WHERE athlete_id = 'ath0' ORDER BY date",
    );
    expect(rows).toHaveLength(7);
    rows.forEach((row, k) => {
      expect(row.date).toBe(dateOf(413 + k));
      expect(row.horizon_days).toBe(7);
      expect(row.model).toBe('athlete');
      expect(row.risk).toBeCloseTo(r.predictions[k]!.risk, 12);
      expect(row.risk).toBeGreaterThanOrEqual(0);
      expect(row.risk).toBeLessThanOrEqual(1);
      expect(row.computed_at.toISOString()).toBe('2024-05-02T00:00:00.000Z');
      const top = JSON.parse(row.top_features) as { name: string; value: number; contribution: number }[];
      expect(top).toEqual(r.predictions[k]!.top_features);
      for (const t of top) expect(FEATURE_NAMES).toContain(t.name);
    });
    expect(r.predictions.some((p) => p.top_features.length > 0)).toBe(true);
  });

  it('says so when there is no model at all', async () => {
    const r = await predictRisk(wh, { athleteId: 'newbie', modelDir: dir });
    expect(r.status).toBe('no_model');
    expect((r as { message: string }).message).toMatch(/run `athlete train`.*`athlete ml evaluate --cohort PATH --save`/);
  });

  it('evaluates the cohort file, saves a cohort model, and predicts from it for an athlete without their own', async () => {
    const res = await evaluateCohortFile(csvPath, {
      repeats: 2,
      seed: 3,
      bags: 3,
      samplesPerClass: 120,
      forest: { nEstimators: 10, maxDepth: 5 },
      save: dir,
      now: new Date('2024-05-01T00:00:00Z'),
    });
    expect(res.approach).toBe('day');
    expect(res.rows).toBe(2000);
    expect(res.athletes).toBe(20);
    expect(res.skipped).toBe(0);
    expect(res.testAthletes).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(res.testRows).toBe(1000);
    expect(res.repeats).toHaveLength(2);
    expect(res.meanRocAuc).toBeCloseTo((res.repeats[0]!.rocAuc + res.repeats[1]!.rocAuc) / 2, 12);
    expect(res.meanRocAuc).toBeGreaterThan(0.7);
    expect(res.seconds.evaluate).toBeGreaterThan(0);
    expect(res.savedModel).toBe(cohortModelPath(dir));
    const saved = readModelFile(cohortModelPath(dir));
    expect(saved).toMatchObject({ kind: 'cohort', athleteId: null, horizonDays: 1, counts: { rows: 2000, athletes: 20, positives: res.positives } });
    expect(saved.featureNames).toEqual(cohortFeatureColumns('day'));
    expect(saved.featureMapping).toMatch(/block "\.6" = the latest day/);
    // The undersampling correction uses the file's true class ratio.
    expect(saved.predictor.negativeRate).toBeCloseTo((1 / 3) * (res.positives / (2000 - res.positives)), 12);

    const r = await predictRisk(wh, { athleteId: 'newbie', modelDir: dir, days: 3, now: new Date('2024-05-02T00:00:00Z') });
    if (r.status !== 'ok') throw new Error(r.message);
    expect(r.model).toBe('cohort');
    expect(r.horizonDays).toBe(1);
    expect(r.predictions.map((p) => p.date)).toEqual([dateOf(197), dateOf(198), dateOf(199)]);
    const rows = await wh.all<{ model: string; horizon_days: number; risk: number; top_features: string }>(
      "SELECT model, horizon_days, risk, top_features FROM predictions WHERE athlete_id = 'newbie' ORDER BY date",
    );
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row).toMatchObject({ model: 'cohort', horizon_days: 1 });
      expect(row.risk).toBeGreaterThanOrEqual(0);
      expect(row.risk).toBeLessThanOrEqual(1);
      for (const t of JSON.parse(row.top_features) as { name: string }[]) expect(cohortFeatureColumns('day')).toContain(t.name);
    }
    // The athlete with a model of their own still gets it; forcing the cohort works too.
    expect((await predictRisk(wh, { athleteId: 'ath0', modelDir: dir, days: 1 })).status === 'ok').toBe(true);
    const forced = await predictRisk(wh, { athleteId: 'ath0', modelDir: dir, days: 1, model: 'cohort' });
    expect(forced).toMatchObject({ status: 'ok', model: 'cohort' });
    const kinds = await wh.all<{ model: string }>(`SELECT model FROM predictions WHERE athlete_id = 'ath0' AND date = '${dateOf(419)}' ORDER BY model`);
    expect(kinds.map((k) => k.model)).toEqual(['athlete', 'cohort']);
  });

  it('refuses unreadable cohort files and a week-file save, naming the file', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'a,b,c\n1,2,3\n');
    await expect(evaluateCohortFile(bad)).rejects.toThrow(/bad\.csv: not a runners' cohort file/);
    const broken = join(dir, 'broken.csv');
    writeFileSync(broken, readFileSync(csvPath, 'utf8').replace(',injury,', ',injured,'));
    await expect(evaluateCohortFile(broken)).rejects.toThrow(/broken\.csv: not a day-approach cohort file: 1 expected column\(s\) missing: "injury"/);
    await expect(evaluateCohortFile(join(dir, 'missing.csv'))).rejects.toThrow(/missing\.csv: cannot read the cohort file/);
    const week = join(dir, 'week.csv');
    writeFileSync(week, `${[...cohortFeatureColumns('week'), 'Athlete ID', 'injury', 'Date'].map((c) => (c.includes(',') ? `"${c}"` : c)).join(',')}\n`);
    await expect(evaluateCohortFile(week, { save: dir })).rejects.toThrow(/week\.csv: --save needs the day-approach file/);
  });
});
