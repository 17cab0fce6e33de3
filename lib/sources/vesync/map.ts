/**
 * The one mapping from VeSync scale weigh-ins to canonical readings. The shape
 * is the fat-scale endpoint's record; export.ts puts each scale CSV row into
 * it, so a weigh-in gives the same readings whichever way it arrived.
 */
import { z } from 'zod';
import { SOURCE } from './index.ts';
import { METRIC_UNITS, type BiometricReadingInput, type MetricType } from '../../core/models.ts';
import { redact } from '../../core/redact.ts';
import { localDay, zoneOffset } from '../base.ts';

type Maybe<T> = T | null | undefined;
const amount = z.number().finite().nonnegative().nullish();

/** One weigh-in as the fat-scale endpoint returns it. */
export const VesyncWeighIn = z.object({
  timestamp: z.number().finite(),
  weigh_kg: amount,
  weightG: amount,
  bodyFat: amount,
  body_fat: amount,
});

/** A weigh-in as the mapping reads it: the endpoint's record, or a scale CSV row in its shape. */
export interface WeighInRecord {
  weigh_kg?: Maybe<number>;
  weightG?: Maybe<number>;
  bodyFat?: Maybe<number>;
  body_fat?: Maybe<number>;
  /** The CSV's BMI; the endpoint's answers carry none. */
  bmi?: Maybe<number>;
  /** The CSV's muscle mass in kg; the endpoint's answers carry none. */
  muscle_kg?: Maybe<number>;
}

/** Where a weigh-in's readings sit: the local day, and the instant when it is known. */
export interface Placement {
  day: string;
  time: Date | null;
}

/** What a reading keeps of where it came from: the source name and the payload it was read from. */
export interface Origin {
  source: string;
  raw_data: unknown;
}

/** The origin of a record fetched from the API: its payload, secrets removed. */
export function apiOrigin(raw: unknown): Origin {
  return { source: SOURCE, raw_data: redact(raw) };
}

/**
 * An endpoint timestamp (seconds, though some answers use milliseconds) placed on the
 * local day of the account's IANA zone; the CSV states its local day itself.
 */
export function placeTimestamp(timestamp: number, timeZone: string): Placement & { time: Date } {
  const time = new Date(timestamp > 1e11 ? timestamp : timestamp * 1000);
  return { day: localDay(time, zoneOffset(timeZone, time)), time };
}

/** The weigh-in's values by metric; a zero is the scale's placeholder, never a reading, so it is absent. */
function values(w: WeighInRecord): [MetricType, number][] {
  const kg = w.weigh_kg ?? (w.weightG != null ? w.weightG / 1000 : null);
  const all: [MetricType, Maybe<number>][] = [
    ['weight', kg],
    ['body_fat_pct', w.bodyFat ?? w.body_fat],
    ['bmi', w.bmi],
    ['muscle_mass', w.muscle_kg],
  ];
  return all.filter((e): e is [MetricType, number] => e[1] != null && e[1] !== 0);
}

/** Whether a weigh-in holds any reading (not only placeholder zeros or blanks). */
export function holdsReading(w: WeighInRecord): boolean {
  return values(w).length > 0;
}

/** Readings of one weigh-in: weight (kg), body fat %, BMI and muscle mass (kg). */
export function weighInReadings(w: WeighInRecord, at: Placement, o: Origin): BiometricReadingInput[] {
  return values(w).map(([metric, value]) => ({
    date: at.day, time: at.time, metric_type: metric, value, unit: METRIC_UNITS[metric], source: o.source, raw_data: o.raw_data,
  }));
}
