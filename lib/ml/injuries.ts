/**
 * The injury log: recording an injury as the athlete enters it (the labels the
 * injury model learns from) and reading the log back.
 */
import { dayNumber } from '../analysis/daily.ts';
import type { SqlRunner, Warehouse } from '../core/warehouse.ts';
import type { InjuryRecord } from './features.ts';

/** Accepted severities; anything else belongs in the notes. */
export const INJURY_SEVERITIES = ['minor', 'moderate', 'severe'] as const;
export type InjurySeverity = (typeof INJURY_SEVERITIES)[number];

/** An injury as the user enters it. */
export interface InjuryInput {
  athleteId: string;
  /** Local date the injury began, YYYY-MM-DD. */
  date: string;
  /** Body area, e.g. "calf"; stored trimmed and lower-case. */
  area: string;
  /** minor | moderate | severe (any case); free text goes in `notes`. */
  severity?: string | null;
  notes?: string | null;
  /** First day back at full training (return to play), YYYY-MM-DD, when known. */
  endDate?: string | null;
}

/** The stored injury row. */
export interface InjuryRow {
  athlete_id: string;
  date: string;
  area: string;
  severity: InjurySeverity | null;
  notes: string | null;
  source: 'manual';
  end_date: string | null;
  /** True when a row for the same athlete, date and area was already there and was replaced. */
  replaced: boolean;
}

/** The latest calendar date anywhere on Earth now (UTC+14), so an athlete's "today" is never refused. */
function latestLocalToday(now: Date): string {
  return new Date(now.getTime() + 14 * 3_600_000).toISOString().slice(0, 10);
}

/** A valid end date (return to play) of an injury that began on `date`, or null; throws naming the field. */
function endDateOf(date: string, endDate: string | null | undefined): string | null {
  const end = endDate?.trim() || null;
  if (end === null) return null;
  dayNumber(end, 'injury end date');
  if (end <= date) throw new RangeError(`injury end date: ${end} is not after the injury began (${date})`);
  return end;
}

/**
 * Record an injury (source 'manual'). Validates: athlete id and area
 * non-empty; date a real YYYY-MM-DD no later than today (in the
 * easternmost time zone, or `options.today`); severity one of
 * minor|moderate|severe; end date (return to play), when given, after the
 * start (it may be ahead: an expected return). Throws a RangeError naming the
 * field otherwise. Idempotent: the same athlete, date and area replace the
 * earlier row.
 */
export async function addInjury(wh: Warehouse, input: InjuryInput, options: { today?: string; now?: Date } = {}): Promise<InjuryRow> {
  const athleteId = input.athleteId?.trim() ?? '';
  if (!athleteId) throw new RangeError('injury athlete: must not be empty');
  const date = input.date?.trim() ?? '';
  dayNumber(date, 'injury date');
  const today = options.today ?? latestLocalToday(options.now ?? new Date());
  if (date > today) throw new RangeError(`injury date: ${date} is in the future (today is ${today})`);
  const area = input.area?.trim().toLowerCase() ?? '';
  if (!area) throw new RangeError('injury area: must not be empty (e.g. "calf", "knee", "achilles")');
  let severity: InjurySeverity | null = null;
  const sev = input.severity?.trim().toLowerCase();
  if (sev) {
    if (!(INJURY_SEVERITIES as readonly string[]).includes(sev)) {
      throw new RangeError(`injury severity: "${input.severity}" is not one of ${INJURY_SEVERITIES.join(', ')} (put free text in the notes)`);
    }
    severity = sev as InjurySeverity;
  }
  const notes = input.notes?.trim() || null;
  const endDate = endDateOf(date, input.endDate);
  const before = await wh.all<{ n: number }>('SELECT count(*) AS n FROM injuries WHERE athlete_id = ? AND date = ? AND area = ?', [athleteId, date, area]);
  await wh.run('INSERT OR REPLACE INTO injuries (athlete_id, date, area, severity, notes, source, end_date) VALUES (?, ?, ?, ?, ?, ?, ?)', [
    athleteId,
    date,
    area,
    severity,
    notes,
    'manual',
    endDate,
  ]);
  return { athlete_id: athleteId, date, area, severity, notes, source: 'manual', end_date: endDate, replaced: (before[0]?.n ?? 0) > 0 };
}

/**
 * Record the end (return to play) of an injury already logged for the
 * athlete on `date` in `area`. Throws a RangeError naming the field when the
 * injury is not in the log or the end is not after its start.
 */
export async function setInjuryEnd(wh: Warehouse, athleteId: string, date: string, area: string, endDate: string): Promise<void> {
  dayNumber(date, 'injury date');
  const key = area.trim().toLowerCase();
  const end = endDateOf(date, endDate);
  const found = await wh.all<{ n: number }>('SELECT count(*) AS n FROM injuries WHERE athlete_id = ? AND date = ? AND area = ?', [athleteId, date, key]);
  if (Number(found[0]?.n ?? 0) === 0) throw new RangeError(`injury: no injury of ${athleteId} on ${date} in area "${key}" (see athlete injuries list)`);
  await wh.run('UPDATE injuries SET end_date = ? WHERE athlete_id = ? AND date = ? AND area = ?', [end, athleteId, date, key]);
}

/** Injuries from the warehouse, oldest first. */
export async function loadInjuries(wh: SqlRunner, athleteId?: string): Promise<InjuryRecord[]> {
  const where = athleteId === undefined ? '' : 'WHERE athlete_id = ?';
  return wh.all<InjuryRecord>(
    `SELECT athlete_id, CAST(date AS VARCHAR) AS date, area, severity, CAST(end_date AS VARCHAR) AS end_date FROM injuries ${where} ORDER BY athlete_id, date, area`,
    athleteId === undefined ? [] : [athleteId],
  );
}
