/**
 * The one mapping from Withings measure groups to canonical readings, used by
 * api.ts (there is no export reader yet).
 */
import { z } from 'zod';
import { SOURCE } from './index.ts';
import { METRIC_UNITS, type BiometricReadingInput, type MetricType } from '../../core/models.ts';
import { redact } from '../../core/redact.ts';
import { localDay, parseRaw, zoneOffset } from '../base.ts';

/** Withings `meastype` codes this connector keeps, with the metric they become. */
export const MEASURE_TYPES: Record<number, MetricType> = { 1: 'weight', 6: 'body_fat_pct', 76: 'muscle_mass' };

const Group = z.looseObject({
  grpid: z.number(),
  date: z.number(),
  category: z.number().nullish(),
  measures: z.array(z.looseObject({ value: z.number(), type: z.number(), unit: z.number().int() })),
});

/** Readings of one measure group: value = value × 10^unit (Withings API reference, "Measure - Getmeas"). */
export function withingsReadings(raw: unknown, timeZone = 'UTC'): BiometricReadingInput[] {
  const g = parseRaw(Group, raw, 'withings measure group');
  // Category 2 is a user objective, not a measurement.
  if (g.category === 2) return [];
  const t = new Date(g.date * 1000);
  const day = localDay(t, zoneOffset(timeZone, t));
  const r = redact(raw);
  return g.measures.flatMap((m) => {
    const metric = MEASURE_TYPES[m.type];
    // Divide by an exact power of ten for negative units: 7180 / 100 is 71.8, 7180 * 0.01 may not be.
    const value = m.unit < 0 ? m.value / 10 ** -m.unit : m.value * 10 ** m.unit;
    if (!metric || !Number.isFinite(value) || (metric === 'weight' && value <= 0)) return [];
    return [{ date: day, time: t, metric_type: metric, value, unit: METRIC_UNITS[metric], source: SOURCE, raw_data: r }];
  });
}
