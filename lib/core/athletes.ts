/**
 * The squad: athletes registered in the warehouse (display name, birth year,
 * sex, maximum and resting heart rate, home time zone), and removing one
 * athlete's rows from every table in one transaction.
 */
import { checkAthleteId } from './athlete_id.ts';
import { isTimeZone } from './time_zone.ts';
import type { SqlRunner, Warehouse } from './warehouse.ts';

/** A registered athlete; null fields are not known. */
export interface Athlete {
  athlete_id: string;
  display_name: string | null;
  birth_year: number | null;
  sex: 'male' | 'female' | null;
  /** bpm */
  max_hr: number | null;
  /** bpm */
  resting_hr: number | null;
  /** IANA time zone, e.g. Europe/Zurich. */
  home_time_zone: string | null;
}

/** What `athletes add` may set; fields left out keep their stored value. */
export type AthleteInput = Partial<Omit<Athlete, 'athlete_id'>> & { athlete_id: string };

/** An athlete as listed: registered or only present in the data, with what the warehouse holds of them. */
export interface AthleteListing extends Athlete {
  registered: boolean;
  workouts: number;
  /** Last local day with a workout or a biometric value, YYYY-MM-DD. */
  last_data: string | null;
}

function checkRange(field: string, v: number | null | undefined, lo: number, hi: number, unit: string): void {
  if (v === null || v === undefined) return;
  if (!Number.isFinite(v) || v < lo || v > hi) throw new RangeError(`athlete ${field}: ${v} is outside ${lo}–${hi}${unit}`);
}

/** Check every given field of `input`; a RangeError names the first bad field. Same bounds as the ATHLETE_* settings. */
export function checkAthlete(input: AthleteInput, thisYear = new Date().getUTCFullYear()): AthleteInput {
  checkAthleteId(input.athlete_id);
  const name = input.display_name;
  if (name !== undefined && name !== null && (name.trim() === '' || name.length > 80 || /\p{Cc}/u.test(name))) {
    throw new RangeError('athlete display_name: 1 to 80 printable characters');
  }
  if (input.birth_year !== undefined && input.birth_year !== null && !Number.isInteger(input.birth_year)) {
    throw new RangeError(`athlete birth_year: ${input.birth_year} is not a whole year`);
  }
  checkRange('birth_year', input.birth_year, 1900, thisYear, '');
  if (input.sex !== undefined && input.sex !== null && input.sex !== 'male' && input.sex !== 'female') {
    throw new RangeError(`athlete sex: ${JSON.stringify(input.sex)} is not male or female`);
  }
  checkRange('max_hr', input.max_hr, 100, 240, ' bpm');
  checkRange('resting_hr', input.resting_hr, 25, 110, ' bpm');
  if (input.max_hr != null && input.resting_hr != null && input.resting_hr >= input.max_hr) {
    throw new RangeError(`athlete resting_hr: ${input.resting_hr} bpm is not below max_hr ${input.max_hr} bpm`);
  }
  if (input.home_time_zone != null && !isTimeZone(input.home_time_zone)) {
    throw new RangeError(`athlete home_time_zone: ${JSON.stringify(input.home_time_zone)} is not an IANA time zone such as Europe/Zurich`);
  }
  return { ...input, display_name: name?.trim() ?? name };
}

const COLUMNS = ['athlete_id', 'display_name', 'birth_year', 'sex', 'max_hr', 'resting_hr', 'home_time_zone'] as const;

/** The registered athlete `id`, or null. */
export async function getAthlete(db: SqlRunner, id: string): Promise<Athlete | null> {
  const [row] = await db.all<Athlete>(`SELECT ${COLUMNS.join(', ')} FROM athletes WHERE athlete_id = ?`, [id]);
  return row ?? null;
}

/** Every registered athlete, by id. */
export async function registeredAthletes(db: SqlRunner): Promise<Athlete[]> {
  return db.all<Athlete>(`SELECT ${COLUMNS.join(', ')} FROM athletes ORDER BY athlete_id`);
}

/**
 * Register an athlete, or update the given fields of a registered one
 * (fields left out keep their value). Validated by `checkAthlete`.
 */
export async function saveAthlete(wh: Warehouse, input: AthleteInput, now = new Date()): Promise<{ athlete: Athlete; created: boolean }> {
  const checked = checkAthlete(input);
  const before = await getAthlete(wh, checked.athlete_id);
  const athlete: Athlete = {
    athlete_id: checked.athlete_id,
    display_name: checked.display_name !== undefined ? checked.display_name : (before?.display_name ?? null),
    birth_year: checked.birth_year !== undefined ? checked.birth_year : (before?.birth_year ?? null),
    sex: checked.sex !== undefined ? checked.sex : (before?.sex ?? null),
    max_hr: checked.max_hr !== undefined ? checked.max_hr : (before?.max_hr ?? null),
    resting_hr: checked.resting_hr !== undefined ? checked.resting_hr : (before?.resting_hr ?? null),
    home_time_zone: checked.home_time_zone !== undefined ? checked.home_time_zone : (before?.home_time_zone ?? null),
  };
  checkAthlete(athlete);
  await wh.run(
    `INSERT INTO athletes (${COLUMNS.join(', ')}, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (athlete_id) DO UPDATE SET display_name = excluded.display_name, birth_year = excluded.birth_year, sex = excluded.sex,
       max_hr = excluded.max_hr, resting_hr = excluded.resting_hr, home_time_zone = excluded.home_time_zone, updated_at = excluded.updated_at`,
    [...COLUMNS.map((c) => athlete[c]), now, now],
  );
  return { athlete, created: before === null };
}

/** Every athlete: the registered ones and those only present in the data, with their workouts and last day of data. */
export async function listAthletes(db: SqlRunner): Promise<AthleteListing[]> {
  const rows = await db.all<Athlete & { registered: boolean; workouts: number; last_data: string | null }>(
    `WITH present AS (
       SELECT athlete_id, max(d) AS last_data FROM (
         SELECT athlete_id, CAST(start_time + to_minutes(coalesce(utc_offset_min, 0)) AS DATE) AS d FROM source_workouts
         UNION ALL SELECT athlete_id, date FROM source_biometrics) GROUP BY athlete_id),
     counts AS (SELECT athlete_id, count(*) AS workouts FROM workouts GROUP BY athlete_id)
     SELECT coalesce(a.athlete_id, p.athlete_id) AS athlete_id, a.display_name, a.birth_year, a.sex, a.max_hr, a.resting_hr,
            a.home_time_zone, a.athlete_id IS NOT NULL AS registered, coalesce(c.workouts, 0) AS workouts, p.last_data
     FROM athletes a FULL JOIN present p USING (athlete_id) LEFT JOIN counts c ON c.athlete_id = coalesce(a.athlete_id, p.athlete_id)
     ORDER BY 1`,
  );
  return rows;
}

/** Whether `id` is registered or has records in the warehouse. */
export async function athleteKnown(db: SqlRunner, id: string): Promise<boolean> {
  const [r] = await db.all<{ n: number }>(
    `SELECT (SELECT count(*) FROM athletes WHERE athlete_id = ?)
          + (SELECT count(*) FROM (SELECT 1 FROM source_workouts WHERE athlete_id = ? LIMIT 1))
          + (SELECT count(*) FROM (SELECT 1 FROM source_biometrics WHERE athlete_id = ? LIMIT 1))
          + (SELECT count(*) FROM (SELECT 1 FROM injuries WHERE athlete_id = ? LIMIT 1)) AS n`,
    [id, id, id, id],
  );
  return (r?.n ?? 0) > 0;
}

/**
 * Rows that belong to an athlete through another table, deleted before the
 * tables they point at. `?` is the athlete id.
 */
const DEPENDENT_ROWS: readonly [table: string, where: string][] = [
  ['stream_points', 'stream_id IN (SELECT stream_id FROM streams WHERE record_id IN (SELECT record_id FROM source_workouts WHERE athlete_id = ?))'],
  ['streams', 'record_id IN (SELECT record_id FROM source_workouts WHERE athlete_id = ?)'],
  ['workout_sources', 'workout_id IN (SELECT workout_id FROM workouts WHERE athlete_id = ?)'],
  ['workout_aliases', 'workout_id IN (SELECT workout_id FROM workouts WHERE athlete_id = ?)'],
  ['plugin_results', 'workout_id IN (SELECT workout_id FROM workouts WHERE athlete_id = ?)'],
  ['pending_records', 'record_id IN (SELECT record_id FROM source_workouts WHERE athlete_id = ?)'],
  ['pending_plugins', 'workout_id IN (SELECT workout_id FROM workouts WHERE athlete_id = ?)'],
];

/** Tables of the main schema with an athlete_id column (views left out). */
async function athleteTables(db: SqlRunner): Promise<string[]> {
  const rows = await db.all<{ table_name: string }>(
    `SELECT c.table_name FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
     WHERE c.table_schema = 'main' AND t.table_type = 'BASE TABLE' AND c.column_name = 'athlete_id' ORDER BY c.table_name`,
  );
  return rows.map((r) => r.table_name);
}

/**
 * Delete every row of athlete `id` from every table: those with an
 * athlete_id column (found in the schema, so tables added later are
 * included) and those reached through them (streams and their points, the
 * links of workouts to source records, aliases, plugin results, pending
 * work). Runs in the
 * caller's transaction; returns the rows deleted per table (tables with none
 * left out). Import errors name input files, not athletes, and stay.
 */
export async function deleteAthleteRows(wh: Warehouse, id: string): Promise<Record<string, number>> {
  const deleted: Record<string, number> = {};
  const count = async (table: string, where: string): Promise<void> => {
    const r = await wh.connection.run(`DELETE FROM ${table} WHERE ${where}`, [id]);
    if (r.rowsChanged > 0) deleted[table] = (deleted[table] ?? 0) + r.rowsChanged;
  };
  const tables = new Set((await wh.all<{ table_name: string }>("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'")).map((r) => r.table_name));
  for (const [table, where] of DEPENDENT_ROWS) if (tables.has(table)) await count(table, where);
  // After the dependent rows: they are found through workouts and source_workouts.
  for (const table of await athleteTables(wh)) await count(table, 'athlete_id = ?');
  return deleted;
}

/** Remove athlete `id` (registration and every row of theirs) in one transaction; the rows deleted per table. */
export async function removeAthlete(wh: Warehouse, id: string): Promise<Record<string, number>> {
  checkAthleteId(id);
  return wh.transaction(() => deleteAthleteRows(wh, id));
}

/** What removing athlete `id` would delete, per table, without deleting it (the deletion is rolled back). */
export async function previewRemoval(wh: Warehouse, id: string): Promise<Record<string, number>> {
  checkAthleteId(id);
  await wh.run('BEGIN TRANSACTION');
  try {
    return await deleteAthleteRows(wh, id);
  } finally {
    await wh.run('ROLLBACK');
  }
}
