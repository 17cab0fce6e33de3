import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../../lib/ingest/detect.ts';
import { parseHrv4TrainingCsv } from '../../../lib/sources/hrv4training/export.ts';
import { sourceDescriptor } from '../../../lib/sources/registry.ts';

// The shape of the app's export: a space after each comma of the header, `-` where nothing was measured.
const CSV = [
  'date, HR, AVNN, SDNN, rMSSD, pNN50, LF, HF, HRV4T_Recovery_Points, sleep_time, trainingRPE',
  '2025-12-10 00:01:00 +0000, 52, 1154, 71.2, 68.4, 41, 1200, 900, 7.6, 7.5, 6',
  '2025-12-11 00:01:00 +0000, -, -, -, -, -, -, -, -, 8, -',
  '2025-12-12 00:01:00 +0000, 49, 1220, 80.1, 74.9, 45, 1300, 1000, 8.1, 7, 3',
].join('\n');
const enc = (s: string) => new TextEncoder().encode(s);

describe('HRV4Training CSV export', () => {
  it('reads each measured day as rMSSD, SDNN and resting HR on that local day', () => {
    const r = parseHrv4TrainingCsv(CSV, 'MyMeasurements_Android.csv', { athleteId: 'ann' });
    expect(r.errors).toEqual([]);
    expect(r.biometrics.map((b) => [b.date, b.metric_type, b.value, b.unit])).toEqual([
      ['2025-12-10', 'hrv_rmssd', 68.4, 'ms'],
      ['2025-12-10', 'hrv_sdnn', 71.2, 'ms'],
      ['2025-12-10', 'resting_hr', 52, 'bpm'],
      ['2025-12-12', 'hrv_rmssd', 74.9, 'ms'],
      ['2025-12-12', 'hrv_sdnn', 80.1, 'ms'],
      ['2025-12-12', 'resting_hr', 49, 'bpm'],
    ]);
    expect(r.biometrics.every((b) => b.source === 'hrv4training' && b.athlete_id === 'ann' && b.time === null)).toBe(true);
  });

  it('takes the orthostatic test’s lying values when the plain ones are absent, and an older timestamp_measurement column', () => {
    const r = parseHrv4TrainingCsv('timestamp_measurement,HR_lying,rMSSD_lying\n2020-10-01 07:12:33,55,61.5\n', 'ortho.csv');
    expect(r.biometrics.map((b) => [b.date, b.metric_type, b.value])).toEqual([
      ['2020-10-01', 'hrv_rmssd', 61.5],
      ['2020-10-01', 'resting_hr', 55],
    ]);
  });

  it('names the file, row and column of a bad cell and keeps the rest of the row', () => {
    const r = parseHrv4TrainingCsv('date,HR,rMSSD\n2025-01-02,fifty,60\nyesterday,50,60\n', 'h.csv');
    expect(r.errors).toEqual([
      { input: 'h.csv', record: 'row 1 (line 2)', field: 'HR', reason: 'not a number: "fifty" (value left absent)' },
      { input: 'h.csv', record: 'row 2 (line 3)', field: 'date', reason: 'not a date: "yesterday" (row skipped)' },
    ]);
    expect(r.biometrics.map((b) => b.metric_type)).toEqual(['hrv_rmssd']);
    expect(parseHrv4TrainingCsv('day,x\n1,2\n', 'x.csv').errors[0]!.reason).toMatch(/not an HRV4Training export/);
  });

  it('is detected from its header and registered as a source', () => {
    expect(detectFormat('MyMeasurements.csv', enc(CSV))).toBe('hrv4training_csv');
    expect(detectFormat('x.csv', enc('date,HR,rMSSD\n2025-01-02,50,60\n'))).toBe('hrv4training_csv');
    expect(sourceDescriptor('hrv4training')?.exportFormats).toEqual(['hrv4training_csv']);
  });
});
