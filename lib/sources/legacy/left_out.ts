/** What a migration does not carry over, and why: reported with counts and kept in import_errors. */
import type { ImportError } from '../../core/models.ts';

/** Kinds of things left out, each with the sentence the summary prints for it. */
export const LEFT_OUT_REASONS = {
  placeholder_calories: "calories the earlier version invented (elapsed minutes x 8, no calories in Strava's record): stored as unknown",
  zero_weight: 'a zero weight is the collector\'s placeholder, not a weigh-in',
  not_biometric: 'not a biometric (an account statistic or setting of the Strava profile)',
  unknown_metric: 'a metric this version has no type for',
  no_unit: 'no unit recorded and none can be assumed',
  unreadable: 'could not be read',
  device_info: 'a device listing, not a measurement',
  sleep_session: "a VeSync sleep session: the collector recorded no units for its durations",
  environment: 'a room reading (air quality, humidity, temperature), not a biometric',
  water_percentage: 'body water percentage: this version has no such metric',
  bookkeeping: "the earlier version's own bookkeeping (sync status, accounts, settings)",
  other_token: 'a saved login of a source this version connects in its own way: connect it with athlete auth',
  encrypted_token: "a token encrypted with the earlier version's key, which this version cannot read: connect again with athlete auth",
  unknown_table: 'a table this version does not know',
  unknown_file: 'not a file the earlier version wrote',
} as const;

/** A kind of left-out item. */
export type LeftOutKind = keyof typeof LEFT_OUT_REASONS;

/** One item left out: where it is, and why. */
export interface LeftOut extends ImportError {
  kind: LeftOutKind;
}

/** A left-out item whose reason is its kind's sentence, with `detail` after it. */
export function leftOut(kind: LeftOutKind, where: { input: string; record?: string; field?: string }, detail?: string): LeftOut {
  return { kind, ...where, reason: `left out by the migration: ${LEFT_OUT_REASONS[kind]}${detail ? ` (${detail})` : ''}` };
}
