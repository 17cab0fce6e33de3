/**
 * HRV4Training's daily morning measurement, by the app's own column names, to
 * canonical readings: `rMSSD` (ms) as hrv_rmssd, `SDNN` (ms) as hrv_sdnn and
 * `HR` (bpm, measured lying or sitting at rest on waking) as resting_hr. The
 * orthostatic test's `_lying` values stand in when the plain ones are absent.
 */
import type { BiometricReadingInput, MetricType } from '../../core/models.ts';
import { METRIC_UNITS } from '../../core/models.ts';

/** One day's measurement as the app exports it (values absent when the cell is `-` or empty). */
export interface Hrv4tMeasurement {
  /** Local day, YYYY-MM-DD. */
  day: string;
  rMSSD?: number;
  SDNN?: number;
  HR?: number;
  HRV4T_Recovery_Points?: number;
}

const METRICS: readonly [keyof Hrv4tMeasurement, MetricType][] = [
  ['rMSSD', 'hrv_rmssd'],
  ['SDNN', 'hrv_sdnn'],
  ['HR', 'resting_hr'],
];

/** The readings of one measurement; `origin` gives source, athlete, input and raw data. */
export function hrv4tReadings(m: Hrv4tMeasurement, origin: { source: string; athleteId: string; input: string; raw: unknown }): BiometricReadingInput[] {
  const out: BiometricReadingInput[] = [];
  for (const [column, metric] of METRICS) {
    const value = m[column];
    if (typeof value !== 'number') continue;
    out.push({
      athlete_id: origin.athleteId,
      date: m.day,
      // The export's clock is the day's stamp, not when the measurement was taken.
      time: null,
      metric_type: metric,
      value,
      unit: METRIC_UNITS[metric],
      source: origin.source,
      confidence: 1,
      raw_data: origin.raw,
      input: origin.input,
    });
  }
  return out;
}
