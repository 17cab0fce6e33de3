/**
 * Loading the demo athlete: its export files are generated once per seed and
 * imported like any user's files, with its injury log.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WAREHOUSE_DIR, type SqlRunner, type Warehouse } from '../core/warehouse.ts';
import { importPaths } from '../ingest/importer.ts';
import { loadInjuries } from '../ingest/injury_log.ts';
import { writeState, type SourceSyncResult } from '../ingest/sync.ts';
import { DEMO_VERSION, generateDemo, type DemoOptions } from './generate.ts';

/** The demo athlete's sources: folder under the demo data dir, and the source it is. */
const DEMO_SOURCES: [folder: string, source: string][] = [
  ['garmin', 'garmin'],
  ['strava_export', 'strava'],
  ['whoop_export', 'whoop'],
  ['oura_export', 'oura'],
  ['vesync', 'vesync'],
];

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

/**
 * Load the demo athlete: generate its export files if they are not there (or
 * were made with another seed), import each source's folder, and its injury log.
 */
export async function syncDemo(
  wh: Warehouse,
  opts: {
    athleteId: string;
    dir?: string;
    seed?: number;
    days?: number;
    /** A demo squad member's last day and own profile (see `squad.ts`). */
    simulation?: Pick<DemoOptions, 'endDate' | 'variation'>;
    onProgress?: (source: string, done: number, total: number) => void;
  },
): Promise<SourceSyncResult[]> {
  const dir = opts.dir ?? DEFAULT_DEMO_DIR;
  const wanted = { version: DEMO_VERSION, seed: opts.seed ?? 42, days: opts.days ?? 730, ...opts.simulation };
  const marker = join(dir, 'demo.json');
  const current = existsSync(marker) ? (JSON.parse(readFileSync(marker, 'utf8')) as Partial<typeof wanted>) : null;
  if (JSON.stringify(current) !== JSON.stringify(wanted)) {
    rmSync(dir, { recursive: true, force: true });
    await forgetInputsUnder(wh, dir, opts.athleteId);
    await generateDemo(dir, { seed: wanted.seed, days: wanted.days, ...opts.simulation });
    writeFileSync(marker, JSON.stringify(wanted) + '\n');
  }
  const results: SourceSyncResult[] = [];
  for (const [folder, source] of DEMO_SOURCES) {
    const path = join(dir, folder);
    if (!existsSync(path)) continue;
    const s = await importPaths(wh, [path], { athleteId: opts.athleteId, source, onProgress: (d, t) => opts.onProgress?.(source, d, t) });
    const status = s.errors > 0 ? 'warning' : 'success';
    const message = s.errors > 0 ? `${s.errors} problem(s) recorded in import_errors` : null;
    await writeState(wh, source, opts.athleteId, status, { complete_until: new Date(0).toISOString() }, message, s.workouts + s.biometrics);
    results.push({ source, status, workouts: s.workouts, biometrics: s.biometrics, errors: s.errors, message: message ?? undefined });
  }
  await loadInjuries(wh, join(dir, 'injuries.csv'), opts.athleteId, 'demo');
  return results;
}

/** Remove every stored record read from files under `dir`, and the athlete's demo injuries (a regenerated demo replaces the old one). */
async function forgetInputsUnder(wh: Warehouse, dir: string, athleteId: string): Promise<void> {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  await wh.transaction(async () => {
    const gone = 'SELECT stream_id FROM streams WHERE record_id IN (SELECT record_id FROM source_workouts WHERE starts_with(input, ?))';
    await wh.run(`DELETE FROM stream_points WHERE stream_id IN (${gone})`, [prefix]);
    await wh.run(`DELETE FROM streams WHERE stream_id IN (${gone})`, [prefix]);
    await wh.run('DELETE FROM source_workouts WHERE starts_with(input, ?)', [prefix]);
    await wh.run('DELETE FROM source_biometrics WHERE starts_with(input, ?)', [prefix]);
    await wh.run('DELETE FROM import_errors WHERE starts_with(input, ?)', [prefix]);
    await wh.run("DELETE FROM injuries WHERE source = 'demo' AND athlete_id = ?", [athleteId]);
  });
}

