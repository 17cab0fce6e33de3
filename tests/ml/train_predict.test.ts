import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { cohortFeatureColumns } from '../../lib/ml/cohort.ts';
import { evaluateCohortFile } from '../../lib/ml/cohort_file.ts';
import { FEATURE_NAMES, prepareFeatures } from '../../lib/ml/features.ts';
import { athleteModelPath, cohortModelPath, readModelFile } from '../../lib/ml/model_file.ts';
import { predictRisk } from '../../lib/ml/predict.ts';
import { InjuryPredictor } from '../../lib/ml/predictor.ts';
import { trainAthleteModel } from '../../lib/ml/train.ts';
import { cohortCsv, dateOf, squad } from './synthetic.ts';
import { loadInjuryRows, loadWorkouts, metricsRow } from './warehouse_rows.ts';

const small = { bags: 3, boosting: { nEstimators: 40, learningRate: 0.1, maxDepth: 3 } };

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
        .filter((d) => (d.load ?? 0) > 0)
        .map((d, k) => ({
          id: `n${k}`,
          records: [{ id: `nr${k}`, athlete: 'newbie', start: `${d.date}T07:00:00Z`, source: 'garmin', distanceM: d.load! * 150, avgHr: 140 + d.load! / 5, rpe: 5 }],
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
    const s = await trainAthleteModel(wh, { athleteId: 'ath0', modelDir: dir, seed: 5, predictor: small, nFolds: 3, now: new Date('2024-05-01T00:00:00Z') });
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
    // One athlete, 11 injuries: the planted ACWR relation shows in the baseline, and the model, learning from a
    // handful of injuries, does not beat it: the evaluation says so.
    expect(ev.rocAuc).toBeGreaterThanOrEqual(0);
    expect(ev.rocAuc).toBeLessThanOrEqual(1);
    expect(ev.baseline.feature).toBe('acwr_ewma');
    expect(ev.baseline.rocAuc).toBeGreaterThan(0.65);
    expect(ev.beatsBaseline).toBe(false);
    expect(ev.classBalance.n).toBe(s.samples.n);
    expect(ev.importances).toHaveLength(FEATURE_NAMES.length);
    // Fold by fold, the baseline beside the model; the pooled scores with bootstrap intervals around them.
    for (const f of ev.folds) expect(f.baseline.rocAuc === f.baseline.rocAuc || f.testPositives === 0).toBe(true);
    expect(ev.folds.reduce((n, f) => n + f.testRows, 0)).toBe(ev.scores.length);
    expect(ev.bootstrap!.rocAuc.low).toBeLessThanOrEqual(ev.rocAuc);
    expect(ev.bootstrap!.rocAuc.high).toBeGreaterThanOrEqual(ev.rocAuc);
    expect(ev.bootstrap!.replicates).toBeGreaterThan(900);
    expect(ev.beatsBaseline).toBe(ev.bootstrap!.rocAucGain.low > 0 && ev.prAuc >= ev.baseline.prAuc);
    // The risk is calibrated on those out-of-fold scores.
    expect(s.calibration).toBe('platt_forward_chaining');
    expect(ev.platt).not.toBeNull();
    const [stored] = await wh.all<Record<string, unknown>>("SELECT * FROM model_evaluations WHERE athlete_id = 'ath0' AND model = 'athlete'");
    expect(stored).toMatchObject({ status: 'trained', injury_events: data.injuries.length, min_injuries: 8, baseline_feature: 'acwr_ewma', calibration: 'platt_forward_chaining' });
    expect(stored!.roc_auc).toBeCloseTo(ev.rocAuc, 12);
    expect(stored!.roc_auc_low).toBeCloseTo(ev.bootstrap!.rocAuc.low, 12);
    expect(stored!.beats_baseline).toBe(ev.beatsBaseline);
    expect((JSON.parse(stored!.report as string) as { folds: unknown[] }).folds).toHaveLength(3);
    expect(s.modelPath).toBe(athleteModelPath(dir, 'ath0'));
    const saved = readModelFile(s.modelPath);
    expect(saved).toMatchObject({ format: 'athlete-injury-model/1', kind: 'athlete', athleteId: 'ath0', horizonDays: 7, sources: ['garmin'] });
    expect(saved.featureNames).toEqual([...FEATURE_NAMES]);
    expect(saved.counts).toMatchObject({ days: 420, droppedStravaApiDays: 14, injuryEvents: data.injuries.length, injuriesRecorded: data.injuries.length });
    expect((saved.evaluation as { rocAuc: number }).rocAuc).toBeCloseTo(ev.rocAuc, 12);
    expect(saved.predictor.format).toBe('injury-predictor/2');
  });

  it('reports too few injuries without throwing or saving', async () => {
    const s = await trainAthleteModel(wh, { athleteId: 'newbie', modelDir: dir, predictor: small });
    expect(s).toMatchObject({ status: 'too_few_injuries', athleteId: 'newbie', injuries: 2, recorded: 2 });
    expect((s as { message: string }).message).toMatch(/newbie: 2 injuries usable for training \(2 recorded\); a personal model needs 8/);
    expect(existsSync(athleteModelPath(dir, 'newbie'))).toBe(false);
    const [stored] = await wh.all<Record<string, unknown>>("SELECT status, message, roc_auc FROM model_evaluations WHERE athlete_id = 'newbie'");
    expect(stored).toMatchObject({ status: 'too_few_injuries', message: (s as { message: string }).message, roc_auc: null });
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
    // The reason `athlete train` stored, and the ACWR band to go by instead.
    expect((r as { message: string }).message).toMatch(/a personal model needs 8.*`athlete ml evaluate --cohort PATH --save`/s);
    expect((r as { fallback: unknown }).fallback).toMatchObject({ date: dateOf(199) });
  });

  it('evaluates the cohort file, saves a cohort model, and predicts from it for an athlete without their own', async () => {
    const res = await evaluateCohortFile(csvPath, {
      repeats: 2,
      seed: 3,
      bags: 3,
      samplesPerClass: 120,
      boosting: { nEstimators: 40, learningRate: 0.1 },
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
    // Calibrated on athletes held out from its training: a probability of an injury the next day.
    expect(saved.predictor.calibration).toBe('platt_calibration_athletes');
    expect(saved.predictor.platt).not.toBeNull();

    const r = await predictRisk(wh, { athleteId: 'newbie', modelDir: dir, days: 3, now: new Date('2024-05-02T00:00:00Z') });
    if (r.status !== 'ok') throw new Error(r.message);
    expect(r.model).toBe('cohort');
    expect(r.horizonDays).toBe(1);
    expect(r.meaning).toMatch(/^\d+(\.\d)? %: the probability that an injury starts on the day after \d{4}-\d\d-\d\d, by the runners' cohort model .*calibrated \(Platt\) on runners held out/);
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
