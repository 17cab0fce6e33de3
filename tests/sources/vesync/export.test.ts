import { describe, expect, it } from 'vitest';
import { parseScaleCsv } from '../../../lib/sources/vesync/export.ts';

describe('parseScaleCsv', () => {
  it('reads kg readings with a timezone, skipping placeholder zeros', () => {
    const text = [
      'Time,Weight(kg),Body Fat(%),BMI,Muscle Mass(kg),Timezone',
      '2024-01-15 07:02:11,72.35,18.4,22.1,55.2,+01:00',
      '2024-01-16 00:30:00,0.0,0,0,0,+01:00',
      '2024-01-17 06:45:00,72.1,,,,-05:00',
      '2024-01-18 06:45:00,,,,,+01:00',
    ].join('\n');
    const r = parseScaleCsv(text, 'scale.csv');
    expect(r.errors).toEqual([]);
    expect(r.biometrics.map((b) => [b.date, b.metric_type, b.value, b.unit])).toEqual([
      ['2024-01-15', 'weight', 72.35, 'kg'],
      ['2024-01-15', 'body_fat_pct', 18.4, '%'],
      ['2024-01-15', 'bmi', 22.1, 'kg/m2'],
      ['2024-01-15', 'muscle_mass', 55.2, 'kg'],
      ['2024-01-17', 'weight', 72.1, 'kg'],
    ]);
    expect(r.biometrics[0]).toMatchObject({ source: 'vesync', time: new Date('2024-01-15T06:02:11Z'), input: 'scale.csv' });
    expect(r.biometrics[4]!.time).toEqual(new Date('2024-01-17T11:45:00Z'));
    expect(r.biometrics[0]!.raw_data).toMatchObject({ row: 1, utc_offset_min: 60, zero_weights_skipped: 1 });
  });

  it('converts pounds exactly and reads a Date column without a zone', () => {
    const text = 'Date,Weight(lb),Body Fat(%),BMI,Muscle Mass(lb)\n2023-12-31 23:59:00,160.0,20.5,23.4,120\n';
    const r = parseScaleCsv(text, 'lb.csv', { source: 'etekcity', athleteId: 'ann' });
    expect(r.errors).toEqual([]);
    const weight = r.biometrics.find((b) => b.metric_type === 'weight')!;
    expect(weight.value).toBe(160 * 0.45359237);
    expect(weight.value).toBeCloseTo(72.5747792, 7);
    expect(weight).toMatchObject({ date: '2023-12-31', time: null, source: 'etekcity', athlete_id: 'ann' });
    expect(r.biometrics.find((b) => b.metric_type === 'muscle_mass')!.value).toBe(120 * 0.45359237);
  });

  it('reports bad cells by row and column and keeps the other rows', () => {
    const text = 'Time,Weight(kg),Body Fat(%),BMI,Muscle Mass(kg)\n2024-01-15 07:00:00,heavy,18,22,55\n2024-13-01 07:00:00,70,,,\n2024-01-17 07:00:00,71,,,\n';
    const r = parseScaleCsv(text, 'scale.csv');
    expect(r.errors).toEqual([
      { input: 'scale.csv', record: 'row 1', field: 'Weight(kg)', reason: 'not a number (got "heavy")' },
      { input: 'scale.csv', record: 'row 2', field: 'Time', reason: 'not a valid calendar date-time (got "2024-13-01 07:00:00")' },
    ]);
    expect(r.biometrics.map((b) => [b.date, b.metric_type, b.value])).toEqual([
      ['2024-01-15', 'body_fat_pct', 18],
      ['2024-01-15', 'bmi', 22],
      ['2024-01-15', 'muscle_mass', 55],
      ['2024-01-17', 'weight', 71],
    ]);
  });

  it('rejects a file that is not a scale CSV with one clear error', () => {
    const r = parseScaleCsv('when,kg\n2024-01-01,70\n', 'other.csv');
    expect(r.biometrics).toEqual([]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ input: 'other.csv', field: 'Time' });
  });
});

describe('parseScaleCsv: negative amounts', () => {
  it('reports a negative value by row and column and keeps the rest of the row', () => {
    const r = parseScaleCsv('Time,Weight(kg),Body Fat(%)\n2024-01-15 07:00:00,70.5,-3\n', 'scale.csv');
    expect(r.errors).toEqual([{ input: 'scale.csv', record: 'row 1', field: 'Body Fat(%)', reason: 'a negative amount (got "-3")' }]);
    expect(r.biometrics.map((b) => [b.metric_type, b.value])).toEqual([['weight', 70.5]]);
  });
});
