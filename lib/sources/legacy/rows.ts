/**
 * Rows of the predecessor's warehouse tables (`workouts`, `biometrics`), as
 * its SQLite file and its export files hold them, to canonical records. Rows
 * its Strava connector wrote carry the SummaryActivity in `raw_data`: they are
 * mapped by Strava's map.ts, as the API's are, and keep the Strava-API lineage.
 */
import { rejectionOf, SourceWorkout, type BiometricReadingInput, type ImportError, type SourceWorkoutInput } from '../../core/models.ts';
import { redact } from '../../core/redact.ts';
import { mapSport } from '../../core/sports.ts';
import { mapStravaActivity, StravaActivity } from '../strava/map.ts';
import { withUtcOffset } from './export.ts';
import { leftOut, type LeftOut } from './left_out.ts';
import { VIA_STRAVA_API } from './lineage.ts';
import { classifyLegacyMetric, type ProfileValue } from './metrics.ts';

/** A row by column name, values as SQLite, CSV or JSON gave them. */
export type LegacyRow = Record<string, unknown>;

/** Where a row sits and whom it belongs to. */
export interface RowOrigin {
  /** The file (and table) it was read from. */
  input: string;
  /** e.g. `workouts row 12`. */
  record: string;
  /** This version's athlete id for the row. */
  athleteId: string;
  /** Prefix of the external ids of this file's records, so each file's copy is a record of its own (named in provenance). */
  idPrefix: string;
  /** The predecessor's source name of a row whose table names it by `source_id` (multi-tenant shape). */
  providerOf?: (sourceId: unknown) => string | undefined;
}

/** What one row gave. */
export interface RowResult {
  workout?: SourceWorkoutInput;
  reading?: BiometricReadingInput;
  profile?: ProfileValue;
  leftOut: LeftOut[];
  error?: ImportError;
}

/** The placeholder the predecessor stored when Strava gave no calories: `int(elapsed_time / 60 * 8)`. */
export function placeholderCalories(elapsedS: number): number {
  return Math.trunc((elapsedS / 60) * 8);
}

/** This version's source name for the predecessor's rows of `oldSource` (`strava` → `strava_legacy`). */
export function legacySourceName(oldSource: string): string {
  const slug = oldSource.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'unknown';
  return `${/^[a-z]/.test(slug) ? slug : `s_${slug}`}_legacy`;
}

/** JSON text (or an already parsed value) as a value; undefined when absent or unreadable. */
export function jsonValue(v: unknown): unknown {
  if (v == null || v === '') return undefined;
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

const text = (v: unknown): string | null => (v == null || v === '' ? null : String(v));

/** A number from a SQLite value or a CSV cell; null when empty or not a number. */
export function numberOf(v: unknown): number | null {
  if (v == null || v === '') return null;
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  return Number.isFinite(n) ? n : null;
}

const truthy = (v: unknown): boolean => v === true || v === 1 || (typeof v === 'string' && /^(1|true|t|yes)$/i.test(v.trim()));

/** An instant written with a zone (`Z`, `+00:00`); naive text is UTC, as its Strava rows were. */
function instant(v: unknown): Date | null {
  const s = text(v);
  if (!s) return null;
  const iso = s.trim().replace(' ', 'T');
  const withZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(iso) ? iso : `${iso}Z`;
  const t = Date.parse(withZone);
  return Number.isFinite(t) ? new Date(t) : null;
}

function oldSourceOf(row: LegacyRow, origin: RowOrigin): string {
  return text(row.source) ?? text(row.data_source) ?? origin.providerOf?.(row.source_id) ?? 'unknown';
}

function idsOf(v: unknown): Record<string, string> {
  const parsed = jsonValue(v);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(parsed)) if (x != null && x !== '' && typeof x !== 'object') out[k] = String(x);
  return out;
}

/** The row's columns besides the payload, for raw_data. */
function columnsOf(row: LegacyRow): Record<string, unknown> {
  const { raw_data: _raw, ...rest } = row;
  return rest;
}

/**
 * Map one row of its `workouts` (any of its three shapes, or an export of
 * it). Placeholder calories become unknown (and are listed); its own
 * `training_load` (computed by it, not measured) stays in raw_data only.
 */
export function mapLegacyWorkoutRow(row: LegacyRow, origin: RowOrigin): RowResult {
  const out: RowResult = { leftOut: [] };
  const oldSource = oldSourceOf(row, origin);
  const isStrava = oldSource.toLowerCase() === 'strava';
  const source = legacySourceName(oldSource);
  const oldId = text(row.workout_id) ?? text(row.id);
  if (!oldId) {
    out.error = { input: origin.input, record: origin.record, field: 'workout_id', reason: 'the row has no workout_id' };
    return out;
  }
  const raw = jsonValue(row.raw_data);
  const legacy = redact(columnsOf(row));
  const activity = isStrava ? StravaActivity.safeParse(raw) : undefined;
  let w: SourceWorkoutInput;
  let rawCalories: unknown;
  if (activity?.success) {
    w = mapStravaActivity(withUtcOffset(activity.data), {
      source,
      athleteId: origin.athleteId,
      input: origin.input,
      rawData: { ...(redact(raw) as object), via: VIA_STRAVA_API, legacy_row: legacy },
    });
    rawCalories = activity.data.calories;
  } else {
    const start = instant(row.start_time);
    if (!start) {
      out.error = { input: origin.input, record: origin.record, field: 'start_time', reason: `start_time ${JSON.stringify(row.start_time ?? null)} is not a date and time` };
      return out;
    }
    const duration = numberOf(row.duration) ?? 0;
    const end = instant(row.end_time) ?? new Date(start.getTime() + duration * 1000);
    const { sport, category } = mapSport(text(row.sport));
    const payload = raw && typeof raw === 'object' ? (redact(raw) as object) : raw === undefined ? {} : { value: redact(raw) };
    w = {
      athlete_id: origin.athleteId,
      source,
      external_id: oldId,
      name: text((raw as { name?: unknown } | undefined)?.name),
      start_time: start,
      end_time: end,
      duration_s: duration || Math.max(0, (end.getTime() - start.getTime()) / 1000),
      sport,
      source_sport: text(row.sport),
      sport_category: category,
      distance_m: numberOf(row.distance),
      avg_hr: numberOf(row.heart_rate_avg),
      max_hr: numberOf(row.heart_rate_max),
      elevation_gain_m: numberOf(row.elevation_gain),
      avg_power_w: numberOf(row.power_avg),
      avg_cadence: numberOf(row.cadence_avg) ?? numberOf(row.average_cadence),
      perceived_exertion: numberOf(row.perceived_exertion),
      has_gps: truthy(row.has_gps) || jsonValue(row.gps_data) != null || jsonValue(row.location_data) != null,
      raw_data: { ...payload, ...(isStrava ? { via: VIA_STRAVA_API } : {}), legacy_row: legacy },
      input: origin.input,
    };
    rawCalories = (raw as { calories?: unknown } | undefined)?.calories;
  }
  const ids = { ...idsOf(row.external_ids), ...w.external_ids };
  if (isStrava) ids.strava ??= oldId;
  w.external_ids = ids;
  w.external_id = `${origin.idPrefix}${oldId}`;
  const calories = numberOf(row.calories);
  if (w.calories_kcal == null && calories != null) {
    if (numberOf(rawCalories) == null && calories === placeholderCalories(w.duration_s)) {
      // Not kept in raw_data either: an invented number must not resurface from there.
      delete legacy.calories;
      out.leftOut.push(leftOut('placeholder_calories', { input: origin.input, record: origin.record, field: 'calories' }, `${calories} kcal for ${w.duration_s} s`));
    } else {
      w.calories_kcal = calories;
    }
  }
  const problem = rejectionOf(SourceWorkout, w, origin.input, origin.record);
  if (problem) out.error = problem;
  else out.workout = w;
  return out;
}

/** The local day a biometric row is for, and its instant when the text gives a zone. */
function placement(v: unknown): { day: string; time: Date | null } | null {
  const s = text(v)?.trim();
  const day = s && /^\d{4}-\d{2}-\d{2}/.exec(s)?.[0];
  if (!s || !day) return null;
  return { day, time: /[T ]\d{2}:\d{2}.*(Z|[+-]\d{2}:?\d{2})$/i.test(s) ? instant(s) : null };
}

/**
 * Map one row of its `biometrics`: a reading (zero weights and values that
 * are not biometrics left out), or, for Strava's profile snapshots, a profile value.
 */
export function mapLegacyBiometricRow(row: LegacyRow, origin: RowOrigin): RowResult {
  const out: RowResult = { leftOut: [] };
  const where = { input: origin.input, record: origin.record };
  const name = text(row.metric_type) ?? text(row.metric);
  const value = numberOf(row.value);
  const at = placement(row.date ?? row.timestamp);
  if (!name || value === null || !at) {
    const field = !name ? 'metric_type' : value === null ? 'value' : row.date !== undefined ? 'date' : 'timestamp';
    out.error = { ...where, field, reason: `${field} is missing or unreadable` };
    return out;
  }
  const oldSource = oldSourceOf(row, origin);
  const c = classifyLegacyMetric(name, value, text(row.unit) ?? text(row.original_unit), oldSource);
  const source = legacySourceName(oldSource);
  if (c.kind === 'left_out') {
    out.leftOut.push(leftOut(c.why, { ...where, field: name }, c.detail));
    return out;
  }
  if (c.kind === 'profile') {
    out.profile = { athlete_id: origin.athleteId, key: c.key, value: c.value, text: null, unit: c.unit, as_of: at.day, source, input: origin.input };
    return out;
  }
  const confidence = numberOf(row.confidence);
  const isStrava = oldSource.toLowerCase() === 'strava';
  out.reading = {
    athlete_id: origin.athleteId,
    date: at.day,
    time: at.time,
    metric_type: c.metric,
    value: c.value,
    unit: c.unit,
    source,
    confidence: confidence != null && confidence >= 0 && confidence <= 1 ? confidence : 1,
    raw_data: { ...(isStrava ? { via: VIA_STRAVA_API } : {}), legacy_row: redact(columnsOf(row)), raw: redact(jsonValue(row.raw_data) ?? null) },
    input: origin.input,
  };
  return out;
}
