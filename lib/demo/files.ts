/**
 * Where the demo athlete's files are, and what they say of the athlete:
 * kept apart from loading them (sync.ts), so a command that only needs the
 * folder or the name does not load the importer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WAREHOUSE_DIR, type SqlRunner } from '../core/warehouse.ts';

/** Default folder of the demo athlete's files. */
export const DEFAULT_DEMO_DIR = join(WAREHOUSE_DIR, 'demo');

/**
 * The demo athlete's name (from athlete.json, the profile its files were
 * generated with in `dir`) when every source workout of athlete `athleteId`
 * was read from those files; undefined otherwise, or when there are none.
 */
export async function demoAthleteName(db: SqlRunner, athleteId: string, dir = DEFAULT_DEMO_DIR): Promise<string | undefined> {
  let profile: { name?: unknown };
  try {
    profile = JSON.parse(readFileSync(join(dir, 'athlete.json'), 'utf8')) as typeof profile;
  } catch {
    return undefined;
  }
  if (typeof profile.name !== 'string' || !profile.name.trim()) return undefined;
  // The demo's files are recorded under the folder as sync was given it, as forgetInputsUnder finds them.
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const [rows] = await db.all<{ demo: number; other: number }>(
    `SELECT count(*) FILTER (WHERE starts_with(input, ?)) AS demo, count(*) FILTER (WHERE input IS NULL OR NOT starts_with(input, ?)) AS other
     FROM source_workouts WHERE athlete_id = ?`,
    [prefix, prefix, athleteId],
  );
  return rows && Number(rows.demo) > 0 && Number(rows.other) === 0 ? profile.name.trim() : undefined;
}
