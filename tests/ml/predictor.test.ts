import { beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_NAMES, prepareFeatures } from '../../lib/ml/features.ts';
import type { FeatureSet } from '../../lib/ml/features.ts';
import { filterTrainable, InjuryPredictor, TooFewInjuriesError } from '../../lib/ml/predictor.ts';
import { dateOf, day, squad } from './synthetic.ts';

const small = { bags: 3, boosting: { nEstimators: 60, learningRate: 0.1, maxDepth: 3 }, seed: 5 };
const col = (name: string): number => FEATURE_NAMES.indexOf(name);

describe('InjuryPredictor on a squad with a planted ACWR → injury relation', () => {
  const data = squad();
  let set: FeatureSet;
  let model: InjuryPredictor;
  beforeAll(() => {
    model = new InjuryPredictor(small);
    set = model.fit(data.days, data.injuries, { trainedAt: '2024-05-01T00:00:00Z' });
  });

  it('records what it was trained on', () => {
    const meta = model.metadata;
    expect(set.injuryEvents).toBe(data.injuries.length);
    expect(meta.injuryEvents).toBe(data.injuries.length);
    expect(meta.trainedAt).toBe('2024-05-01T00:00:00Z');
    expect(meta.sources).toEqual(['garmin']);
    expect(meta.featureNames).toEqual([...FEATURE_NAMES]);
    expect(meta.samples.n).toBe(set.y.length);
    expect(meta.samples.positives).toBe(set.y.filter((v) => v === 1).length);
    expect(meta.horizonDays).toBe(7);
  });

  it('beats chance forward in time, and reports the ACWR baseline beside it', () => {
    const report = new InjuryPredictor(small).evaluateTimeAware(set.X, set.y, set.rows, { nFolds: 3, featureNames: set.featureNames });
    expect(report.folds.length).toBe(3);
    for (const f of report.folds) expect(f.trainEnd < f.testStart).toBe(true);
    expect(report.rocAuc).toBeGreaterThan(0.65);
    expect(report.prAuc).toBeGreaterThan(report.classBalance.prevalence);
    expect(report.baseline.feature).toBe('acwr_ewma');
    expect(report.baseline.rocAuc).toBeGreaterThan(0.6);
    expect(report.classBalance.n).toBe(set.y.length);
    expect(report.importances).toHaveLength(FEATURE_NAMES.length);
    const top4 = report.importances.slice(0, 4).map((i) => i.name);
    expect(top4.some((n) => ['acwr_ewma', 'acwr_rolling', 'load_change_wow', 'acute_load_7d', 'tsb'].includes(n))).toBe(true);
  });

  it('predicts a higher risk for a load spike and names the features behind it', () => {
    const typical = model.metadata.medians.slice();
    const spike = typical.slice();
    spike[col('acwr_ewma')] = 1.8;
    spike[col('acwr_rolling')] = 1.8;
    spike[col('load_change_wow')] = 1.2;
    spike[col('acute_load_7d')] = typical[col('acute_load_7d')]! * 1.8;
    const calm = model.predict(typical);
    const hot = model.predict(spike);
    expect(hot.risk).toBeGreaterThan(calm.risk);
    expect(hot.risk).toBeGreaterThan(0);
    expect(hot.risk).toBeLessThanOrEqual(1);
    expect(hot.topFeatures.length).toBeGreaterThan(0);
    expect(hot.topFeatures.length).toBeLessThanOrEqual(5);
    const names = hot.topFeatures.map((f) => f.name);
    expect(names.some((n) => ['acwr_ewma', 'acwr_rolling', 'load_change_wow', 'acute_load_7d'].includes(n))).toBe(true);
    const sizes = hot.topFeatures.map((f) => Math.abs(f.contribution));
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    // A contribution is the change when that feature goes back to its median.
    expect(hot.topFeatures[0]!.value).toBe(spike[col(hot.topFeatures[0]!.name)]);
    expect(() => model.predict([1, 2])).toThrow(/2 values but the model has 20 features/);
  });

  it('saves and loads as JSON with identical predictions', () => {
    const json = JSON.parse(JSON.stringify(model.toJSON()));
    expect(json.format).toBe('injury-predictor/2');
    expect(json.featureNames).toEqual([...FEATURE_NAMES]);
    expect(json.sources).toEqual(['garmin']);
    const back = InjuryPredictor.fromJSON(json);
    expect(back.predict(set.X[100]!)).toEqual(model.predict(set.X[100]!));
    expect(back.metadata).toEqual(model.metadata);
    expect(() => InjuryPredictor.fromJSON({ format: 'other' } as never)).toThrow(/not an injury model/);
    expect(() => new InjuryPredictor().predict([])).toThrow(/not trained/);
  });
});

describe('too few injuries', () => {
  it('refuses with the fall-back message', () => {
    const data = squad(2, 200, 3);
    const few = data.injuries.slice(0, 3);
    const set = prepareFeatures(data.days, few);
    expect(set.injuryEvents).toBe(3);
    const model = new InjuryPredictor(small);
    let caught: unknown;
    try {
      model.train(set.X, set.y, { featureNames: set.featureNames, injuryEvents: set.injuryEvents });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(TooFewInjuriesError);
    expect((caught as Error).message).toBe('too few injuries to learn from: 3 (a personal model needs 8); falling back to the cohort model');
    expect((caught as TooFewInjuriesError).injuries).toBe(3);
    expect(() => model.train([[1], [2]], [1, 1], { featureNames: ['x'], injuryEvents: 9 })).toThrow(/need both injury-free \(0\) and pre-injury \(1\) days/);
  });
});

describe('filterTrainable (data lineage)', () => {
  const days = [
    day('a', dateOf(0), 10, ['garmin']),
    day('a', dateOf(1), 10, ['strava_api']),
    day('a', dateOf(2), 10, ['strava', 'strava_api']),
    day('a', dateOf(3), 10, ['garmin', 'strava_api']),
    day('a', dateOf(4), 10, ['strava']),
    day('a', dateOf(5), 0, []),
  ];

  it('drops Strava-API-only days by default and lists the sources kept', () => {
    const t = filterTrainable(days);
    expect(t.dropped).toBe(2);
    expect(t.days.map((d) => d.date)).toEqual([dateOf(0), dateOf(3), dateOf(4), dateOf(5)]);
    expect(t.sources).toEqual(['garmin', 'strava', 'strava_api']);
  });

  it('keeps everything when allowed', () => {
    const t = filterTrainable(days, { allowStravaApi: true });
    expect(t.dropped).toBe(0);
    expect(t.days).toHaveLength(6);
  });

  it('records no Strava-API source in a model trained on filtered data', () => {
    const data = squad(3, 300, 9);
    // Tag one athlete's days as fetched through the Strava API.
    const tagged = data.days.map((d) => (d.athlete_id === 'ath0' ? { ...d, sources: ['strava_api'] } : d));
    const model = new InjuryPredictor(small);
    const set = model.fit(tagged, data.injuries, { trainedAt: '2024-05-01T00:00:00Z' });
    expect(set.rows.some((r) => r.athlete_id === 'ath0')).toBe(false);
    expect(model.metadata.sources).toEqual(['garmin']);
    expect(model.metadata.samples.n).toBe(set.y.length);
  });
});
