import { describe, expect, it } from 'vitest';
import { applyPlatt, fitPlatt } from '../../lib/ml/calibration.ts';
import { cohortFeatureColumns, drawEvenly, evaluateCohort, readCohortCsv, zScoreByAthlete } from '../../lib/ml/cohort.ts';
import { rocAuc } from '../../lib/ml/evaluate.ts';
import { seededRandom } from '../../lib/core/random.ts';
import { cohortCsv, plantedCohort } from './synthetic.ts';

describe('cohort columns', () => {
  it('day: 10 features × 7 blocks, week: 22 × 3 + 3 ratios', () => {
    const day = cohortFeatureColumns('day');
    expect(day).toHaveLength(70);
    expect(day.slice(0, 2)).toEqual(['nr. sessions', 'total km']);
    expect(day[10]).toBe('nr. sessions.1');
    expect(day[69]).toBe('perceived recovery.6');
    const week = cohortFeatureColumns('week');
    expect(week).toHaveLength(69);
    expect(week[22]).toBe('nr. sessions.1');
    expect(week[5]).toBe('nr. tough sessions (effort in Z5, T1 or T2)');
    expect(week.slice(-3)).toEqual(['rel total kms week 0_1', 'rel total kms week 0_2', 'rel total kms week 1_2']);
  });
});

describe('readCohortCsv', () => {
  it('reads the published layout, quoted header cells included', () => {
    const { text, header } = cohortCsv(3, 5);
    expect(header).toHaveLength(73);
    const data = readCohortCsv(text, 'day');
    expect(data.errors).toEqual([]);
    expect(data.rows).toHaveLength(15);
    const firstLine = text.split('\n')[1]!.split(',').map(Number);
    expect(data.rows[0]!.features).toEqual(firstLine.slice(0, 70));
    expect(data.rows[14]).toMatchObject({ athleteId: 2, date: 4 });
  });
  it('reads a week file with its 72 columns, a comma inside a quoted name', () => {
    const cols = [...cohortFeatureColumns('week'), 'Athlete ID', 'injury', 'Date'];
    expect(cols).toHaveLength(72);
    const head = cols.map((c) => (c.includes(',') ? `"${c}"` : c)).join(',');
    const row = [...cols.slice(0, 69).map((_, i) => i / 10), 7, 1, 300].join(',');
    const data = readCohortCsv(`${head}\n${row}\n`, 'week');
    expect(data.errors).toEqual([]);
    expect(data.rows[0]).toMatchObject({ athleteId: 7, injury: 1, date: 300 });
    expect(data.rows[0]!.features[5]).toBeCloseTo(0.5, 12);
    expect(data.rows[0]!.features[68]).toBeCloseTo(6.8, 12);
  });
  it('names missing columns in one error and returns no rows', () => {
    const { text } = cohortCsv(1, 2);
    const broken = text.replace('total km.3,', 'total kilometres.3,').replace(',injury,', ',injured,');
    const data = readCohortCsv(broken, 'day', 'day.csv');
    expect(data.rows).toEqual([]);
    expect(data.errors).toHaveLength(1);
    expect(data.errors[0]).toMatchObject({ input: 'day.csv', record: 'header', field: 'total km.3, injury' });
    expect(data.errors[0]!.reason).toMatch(/2 expected column\(s\) missing: "total km.3", "injury"/);
    // A week file read as a day file says so.
    expect(readCohortCsv(text, 'week').errors[0]!.reason).toMatch(/not a week-approach cohort file/);
  });
  it('reports a bad cell by line and column, and keeps the other rows', () => {
    const { text } = cohortCsv(1, 3);
    const lines = text.split('\n');
    const cells = lines[2]!.split(',');
    cells[11] = 'n/a';
    lines[2] = cells.join(',');
    const data = readCohortCsv(lines.join('\n'), 'day', 'day.csv');
    expect(data.rows).toHaveLength(2);
    expect(data.errors).toEqual([{ input: 'day.csv', record: 'line 3', field: 'total km.1', reason: '"n/a" is not a number' }]);
  });
});

describe('zScoreByAthlete and Platt', () => {
  it('centres and scales on the athlete’s non-injury rows', () => {
    const rows = [
      { athleteId: 1, injury: 0 as const, date: 0, features: [2] },
      { athleteId: 1, injury: 0 as const, date: 1, features: [4] },
      { athleteId: 1, injury: 1 as const, date: 2, features: [10] },
      { athleteId: 2, injury: 0 as const, date: 0, features: [5] },
    ];
    // Athlete 1: mean 3, population SD 1 → 10 becomes 7; athlete 2: SD 0 → centring only.
    expect(zScoreByAthlete(rows)).toEqual([[-1], [1], [7], [0]]);
  });
  it('fits a logistic curve increasing in the score', () => {
    const scores = [0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9, 0.35, 0.65];
    const labels = [0, 0, 0, 0, 1, 1, 1, 1, 1, 0];
    const platt = fitPlatt(scores, labels);
    expect(platt.a).toBeGreaterThan(0);
    expect(applyPlatt(platt, 0.9)).toBeGreaterThan(0.7);
    expect(applyPlatt(platt, 0.1)).toBeLessThan(0.3);
    expect(applyPlatt(platt, 0.5)).toBeCloseTo(0.5, 1);
  });
});

describe('drawEvenly', () => {
  it('takes the same number of rows from every athlete, the remainder one more from some, with replacement', () => {
    const groups = [[0, 1], [2], [3, 4, 5]];
    const idx = drawEvenly(groups, 8, seededRandom(5));
    expect(idx).toHaveLength(8);
    const per = groups.map((g) => idx.filter((i) => g.includes(i)).length).sort();
    // 8 = 3 × 2 + 2: two athletes give 3 rows, one gives 2.
    expect(per).toEqual([2, 3, 3]);
  });
});

describe('evaluateCohort', () => {
  it('holds out the highest ids whole, calibrates and picks its threshold on the calibration athletes only', () => {
    const data = readCohortCsv(cohortCsv(20, 100).text, 'day');
    const result = evaluateCohort(data.rows, { repeats: 2, seed: 3, bags: 3, samplesPerClass: 120, boosting: { nEstimators: 60, learningRate: 0.1 } });
    expect(result.testAthletes).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(result.trainAthletes).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(result.trainAthletes.some((id) => result.testAthletes.includes(id))).toBe(false);
    expect(result.testRows).toBe(1000);
    expect(result.testScores).toHaveLength(1000);
    expect(result.repeats).toHaveLength(2);
    for (const r of result.repeats) {
      expect(r.calibrationAthletes.every((id) => result.trainAthletes.includes(id))).toBe(true);
      // The threshold comes from the calibration athletes: on the test athletes recall and specificity need not meet.
      expect(r.recall).toBeGreaterThan(0.4);
      expect(r.specificity).toBeGreaterThan(0.4);
    }
    expect(result.meanRocAuc).toBeGreaterThan(0.7);
  });

  it('comes near the planted ceiling on a cohort of the published shape (one repeat, 3 bags of 1,024 per class)', () => {
    const cohort = plantedCohort({ seed: 7 });
    const result = evaluateCohort(cohort.rows, { repeats: 1, seed: 1, bags: 3, samplesPerClass: 1024 });
    const test = cohort.rows.flatMap((r, i) => (result.testAthletes.includes(r.athleteId) ? [i] : []));
    const ceiling = rocAuc(test.map((i) => cohort.rows[i]!.injury), test.map((i) => cohort.truth[i]!));
    expect(result.testRows).toBe(test.length);
    expect(result.meanRocAuc).toBeGreaterThan(ceiling - 0.05);
    expect(result.meanRocAuc).toBeLessThan(ceiling + 0.03);
  }, 600_000);

  it('refuses a cohort too small to hold out ten athletes', () => {
    const data = readCohortCsv(cohortCsv(8, 5).text, 'day');
    expect(() => evaluateCohort(data.rows)).toThrow(/8 athletes; need more than 11/);
  });
});
