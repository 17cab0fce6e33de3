/**
 * Loading the demo athlete: its export files are generated once per seed and
 * imported like any user's files, with its injury log.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Warehouse } from '../core/warehouse.ts';
import { importPaths } from '../ingest/importer.ts';
import { loadInjuries } from '../ingest/injury_log.ts';
import { writeState, type SourceSyncResult } from '../ingest/sync.ts';
import { DEFAULT_DEMO_DIR } from './files.ts';
import { DEMO_VERSION, generateDemo, type DemoOptions } from './generate.ts';

/** The demo athlete's sources: folder under the demo data dir, and the source it is. */
const DEMO_SOURCES: [folder: string, source: string][] = [
  ['garmin', 'garmin'],
  ['strava_export', 'strava'],
  ['whoop_export', 'whoop'],
  ['oura_export', 'oura'],
  ['vesync', 'vesync'],
];

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

