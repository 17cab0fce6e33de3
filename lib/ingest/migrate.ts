/**
 * Migrating from the earlier Python version: find everything it kept, read it
 * through the legacy readers, store it like any import (one transaction), put
 * its Strava token in the token store, and say what was found, taken and left
 * out. Every left-out item is also an import_errors row. Running it again
 * changes nothing: records, errors and profile values are keyed by hashes.
 */
import { readFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { stableHash } from '../core/ids.ts';
import { emptyResult, mergeResults, type ParseResult, type SourceWorkoutInput } from '../core/models.ts';
import { registerSecret, SECRET_KEY } from '../core/redact.ts';
import { isTimeZone } from '../core/time_zone.ts';
import type { Warehouse } from '../core/warehouse.ts';
import { EARLIER_KEY_ALIASES } from '../core/earlier_keys.ts';
import type { TokenStore } from '../sources/http/token_store.ts';
import { readLegacyDb, type LegacyDbInfo } from '../sources/legacy/db.ts';
import { parseLegacyActivitiesCsv, parseLegacyStravaJson } from '../sources/legacy/export.ts';
import { exportCsvRows, exportJsonRows, readLegacyExportRows } from '../sources/legacy/exports.ts';
import { findLegacyFiles, type LegacyFiles } from '../sources/legacy/find.ts';
import { SOURCE as LEGACY_SOURCE } from '../sources/legacy/index.ts';
import { leftOut, LEFT_OUT_REASONS, type LeftOutKind } from '../sources/legacy/left_out.ts';
import { matchLegacyCsvToJson } from '../sources/legacy/map.ts';
import type { ProfileValue } from '../sources/legacy/metrics.ts';
import { emptyRead, type LegacyRead } from '../sources/legacy/read.ts';
import type { LegacyRow } from '../sources/legacy/rows.ts';
import { tokenFromEnv, type LegacyToken } from '../sources/legacy/tokens.ts';
import { COLLECTOR_DEFAULT_TIME_ZONE, readVesyncJson, readVesyncSummaryCsv } from '../sources/legacy/vesync.ts';
import { logger } from '../core/log.ts';
import { storeApart } from './store_apart.ts';

const log = logger('migrate');

/** Options of a migration. */
export interface MigrateOptions {
  /** This version's athlete id for the earlier version's (single) athlete. */
  athleteId: string;
  /** Where the Strava token goes. */
  tokenStore: TokenStore;
}

/** One file found, and what it held. */
export interface FoundFile {
  /** Path relative to the earlier version's folder. */
  file: string;
  what: string;
  workouts: number;
  readings: number;
  profileValues: number;
  leftOut: number;
  /** Records that could not be read (named in import_errors). */
  unreadable: number;
}

/** What happened to the Strava token. */
export type TokenOutcome = 'stored' | 'already stored' | 'kept the login already in the token store' | 'none found';

/** What a migration found, took and left out. Holds no secret. */
export interface MigrationSummary {
  root: string;
  files: FoundFile[];
  database: (LegacyDbInfo & { file: string }) | null;
  /** Records stored (after validation). */
  workouts: number;
  readings: number;
  profileValues: number;
  /** Left-out items by kind: count and the reason printed for them. */
  leftOut: { kind: LeftOutKind; count: number; reason: string }[];
  /** Records that could not be read. */
  unreadable: number;
  /** Rows written to import_errors (left out plus unreadable). */
  errorRows: number;
  token: { outcome: TokenOutcome; from?: string };
  /** What to do about its settings: one line each, never a value. */
  settings: string[];
  /** Activities taken per athlete (each counted once across files), with their first and last day. */
  history: { athleteId: string; workouts: number; first: string | null; last: string | null }[];
}

const text = (path: string) => readFileSync(path, 'utf8');

function rel(root: string, path: string): string {
  return relative(root, path).split('\\').join('/') || basename(path);
}

/** Strava activities placed in UTC with an offset, one per Strava id (the JSON's first), for matching the CSV. */
function stravaCandidates(reads: readonly LegacyRead[]): SourceWorkoutInput[] {
  const seen = new Set<string>();
  const out: SourceWorkoutInput[] = [];
  for (const r of reads) {
    for (const w of r.result.workouts) {
      const id = w.external_ids?.strava;
      if (!id || w.utc_offset_min == null || seen.has(id)) continue;
      seen.add(id);
      out.push(w);
    }
  }
  return out;
}

/** Read every file found, each as its own LegacyRead, in a fixed order. */
async function readAll(wh: Warehouse, found: LegacyFiles, opts: MigrateOptions): Promise<{ reads: [FoundFile, LegacyRead][]; db: MigrationSummary['database']; settings: string[] }> {
  const root = found.root;
  const reads: [FoundFile, LegacyRead][] = [];
  const settings: string[] = [];
  const entry = (path: string, what: string): FoundFile => ({ file: rel(root, path), what, workouts: 0, readings: 0, profileValues: 0, leftOut: 0, unreadable: 0 });
  const guard = async (f: FoundFile, path: string, fn: () => Promise<LegacyRead> | LegacyRead) => {
    let r: LegacyRead;
    try {
      r = await fn();
    } catch (e) {
      r = emptyRead();
      r.result.errors.push({ input: path, reason: `could not be read: ${(e as Error).message}` });
    }
    reads.push([f, r]);
  };

  if (found.stravaJson) {
    const p = found.stravaJson;
    await guard(entry(p, 'Strava activities (JSON, from Strava\'s API)'), p, () => ({ ...emptyRead(), result: parseLegacyStravaJson(text(p), p, { athleteId: opts.athleteId }) }));
  }
  const db: { info: MigrationSummary['database'] } = { info: null };
  if (found.database) {
    const p = found.database;
    const f = entry(p, 'SQLite warehouse');
    await guard(f, p, async () => {
      const { read, info } = await readLegacyDb(readFileSync(p), p, { athleteId: opts.athleteId, fileName: basename(p) });
      db.info = { ...info, file: rel(root, p) };
      f.what = `SQLite warehouse (${info.shape})`;
      return read;
    });
  }
  for (const x of found.exports) {
    await guard(entry(x.path, `export of its ${x.table} table (${x.format})`), x.path, async () => {
      const rows: LegacyRow[] =
        x.format === 'csv'
          ? exportCsvRows(text(x.path))
          : x.format === 'json'
            ? exportJsonRows(text(x.path))
            : (await wh.all<LegacyRow>('SELECT * FROM read_parquet(?)', [x.path])).map((r) =>
                Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v])),
              );
      return readLegacyExportRows(rows, x.table, x.path, { athleteId: opts.athleteId, fileName: basename(x.path) });
    });
  }
  const zone = found.env.VESYNC_TIMEZONE ?? found.env.VESYNC_TIME_ZONE;
  const timeZone = zone && isTimeZone(zone) ? zone : COLLECTOR_DEFAULT_TIME_ZONE;
  if (found.vesyncJson.length || found.vesyncCsv.length) {
    settings.push(`VeSync times without a zone were read in ${timeZone} (${zone ? (zone === timeZone ? 'its VESYNC_TIMEZONE' : `its VESYNC_TIMEZONE ${JSON.stringify(zone)} is no time zone; the collector's default`) : "the collector's default"})`);
  }
  for (const p of found.vesyncJson) await guard(entry(p, 'VeSync collector data (JSON)'), p, () => readVesyncJson(text(p), p, timeZone));
  for (const p of found.vesyncCsv) await guard(entry(p, 'VeSync collector summary (CSV)'), p, () => readVesyncSummaryCsv(text(p), p, timeZone));

  if (found.activitiesCsv) {
    const p = found.activitiesCsv;
    const candidates = stravaCandidates(reads.map(([, r]) => r));
    await guard(entry(p, 'activities (CSV, from Strava\'s API)'), p, () => {
      const csv = parseLegacyActivitiesCsv(text(p), p, { athleteId: opts.athleteId });
      // Rows of an activity found elsewhere carry its Strava id, so dedup joins them (and provenance names this file).
      const { pairs, unmatched } = matchLegacyCsvToJson(csv.rows, candidates);
      return { ...emptyRead(), result: { ...csv.result, workouts: [...pairs.map((m) => m.linked), ...unmatched] } };
    });
  }
  for (const p of found.other) {
    const r = emptyRead();
    r.leftOut.push(leftOut('unknown_file', { input: p }));
    reads.push([entry(p, 'not read'), r]);
  }
  return { reads, db: db.info, settings };
}

/** Lines about its `.env`: which keys to carry, under which name. Values are never shown. */
function settingsAdvice(found: LegacyFiles): string[] {
  const out: string[] = [];
  if (found.envProblem) out.push(`its .env could not be read: ${found.envProblem}`);
  if (!found.envFile) return out;
  const env = found.env;
  for (const [k, v] of Object.entries(env)) if (SECRET_KEY.test(k)) registerSecret(v);
  const present = (k: string) => env[k] !== undefined && env[k] !== '';
  const same = ['STRAVA_CLIENT_ID', 'STRAVA_CLIENT_SECRET', 'GARMIN_PASSWORD', 'VESYNC_PASSWORD', 'LOG_LEVEL'].filter(present);
  if (same.length) out.push(`copy to this version's .env under the same names: ${same.join(', ')}${same.includes('STRAVA_CLIENT_ID') ? ' (the Strava token works only with its own app)' : ''}`);
  const renamed = Object.entries(EARLIER_KEY_ALIASES).filter(([old]) => present(old) && old !== 'DATABASE_PATH');
  if (renamed.length) out.push(`renamed keys (the old names still work, with a warning): ${renamed.map(([o, n]) => `${o} -> ${n}`).join(', ')}`);
  if (present('DATABASE_PATH') || present('DATABASE_URL')) out.push('its DATABASE_PATH / DATABASE_URL named its own database: leave DATABASE_URL unset here (or name a DuckDB file)');
  if (present('WHOOP_API_KEY')) out.push("WHOOP_API_KEY is not used: WHOOP's API uses OAuth, version 2 (set WHOOP_CLIENT_ID and WHOOP_CLIENT_SECRET, then run athlete auth whoop)");
  if (['GARMIN_ACCESS_TOKEN', 'GARMIN_REFRESH_TOKEN', 'GARMIN_CLIENT_ID'].some(present)) out.push('its Garmin tokens are not carried over: connect with athlete auth garmin (or --token-file)');
  return out;
}

/** Put the Strava token in the token store unless a login is already there. */
async function storeToken(tokens: readonly LegacyToken[], store: TokenStore): Promise<MigrationSummary['token']> {
  // Its database kept the latest tokens it saved; its .env held the one it started from.
  const token = tokens.find((t) => !t.from.includes('STRAVA_REFRESH_TOKEN')) ?? tokens[0];
  if (!token) return { outcome: 'none found' };
  const existing = await store.get('strava');
  if (existing?.refresh_token === token.refresh_token) return { outcome: 'already stored', from: token.from };
  if (existing?.refresh_token || existing?.access_token) return { outcome: 'kept the login already in the token store', from: token.from };
  await store.set('strava', {
    refresh_token: token.refresh_token,
    ...(token.access_token && token.expires_at ? { access_token: token.access_token, expires_at: token.expires_at } : {}),
  });
  return { outcome: 'stored', from: token.from };
}

const PROFILE_COLUMNS = ['profile_id', 'athlete_id', 'source', 'key', 'as_of', 'value', 'text', 'unit', 'input'] as const;

async function storeProfile(wh: Warehouse, values: readonly ProfileValue[]): Promise<void> {
  if (!values.length) return;
  const rows = new Map<string, unknown[]>();
  for (const v of values) {
    const id = stableHash(v.athlete_id, v.source, v.key, v.as_of ?? '');
    rows.set(id, [id, v.athlete_id, v.source, v.key, v.as_of, v.value, v.text, v.unit, v.input]);
  }
  await wh.run('CREATE OR REPLACE TEMP TABLE stage_profile_values AS SELECT * FROM profile_values LIMIT 0');
  await wh.appendRows('stage_profile_values', [...rows.values()]);
  const updates = PROFILE_COLUMNS.filter((c) => c !== 'profile_id').map((c) => `${c} = excluded.${c}`);
  await wh.run(`INSERT INTO profile_values SELECT * FROM stage_profile_values ON CONFLICT (profile_id) DO UPDATE SET ${updates.join(', ')}`);
}

/** Activities taken per athlete (one per Strava id, however many files hold it), with their first and last local day. */
function historyOf(workouts: readonly SourceWorkoutInput[], athleteId: string): MigrationSummary['history'] {
  const by = new Map<string, { keys: Set<string>; first: string | null; last: string | null }>([[athleteId, { keys: new Set(), first: null, last: null }]]);
  for (const w of workouts) {
    const id = w.athlete_id ?? athleteId;
    const h = by.get(id) ?? { keys: new Set<string>(), first: null, last: null };
    const day = new Date(new Date(w.start_time).getTime() + (w.utc_offset_min ?? 0) * 60_000).toISOString().slice(0, 10);
    h.keys.add(w.external_ids?.strava ? `strava:${w.external_ids.strava}` : `${w.source}:${w.external_id}`);
    if (h.first === null || day < h.first) h.first = day;
    if (h.last === null || day > h.last) h.last = day;
    by.set(id, h);
  }
  return [...by]
    .map(([id, h]) => ({ athleteId: id, workouts: h.keys.size, first: h.first, last: h.last }))
    .filter((h) => h.workouts > 0 || h.athleteId === athleteId);
}

/** One sync_metadata row per athlete saying which history was migrated (the report's data-quality section lists it); unchanged on a re-run. */
async function recordHistory(wh: Warehouse, summary: MigrationSummary, now: Date): Promise<void> {
  const files = summary.files.filter((f) => f.workouts + f.readings + f.profileValues > 0).map((f) => basename(f.file));
  for (const h of summary.history) {
    // What matters first: the report clips long messages.
    const message =
      `earlier version's history: ${h.workouts} workouts ${h.first ?? '-'}..${h.last ?? '-'}, ${summary.readings} readings, ` +
      `${summary.profileValues} profile values; ${summary.errorRows} items left out or unreadable (import_errors); ` +
      `from ${files.join(', ') || 'no file'} in ${summary.root}`;
    await wh.run(
      `INSERT INTO sync_metadata (source, athlete_id, last_sync, sync_status, cursor, message, records) VALUES (?, ?, ?, 'migrated', NULL, ?, ?)
       ON CONFLICT (source, athlete_id) DO UPDATE SET last_sync = excluded.last_sync, sync_status = excluded.sync_status, message = excluded.message, records = excluded.records
       WHERE sync_metadata.message IS DISTINCT FROM excluded.message OR sync_metadata.records IS DISTINCT FROM excluded.records`,
      [LEGACY_SOURCE, h.athleteId, now, message, h.workouts],
    );
  }
}

/**
 * Migrate the earlier version's files under `path` (its folder or its data/
 * folder) into the warehouse. The canonical tables are not rebuilt here: the
 * caller runs the normal dedup and analysis afterwards.
 */
export async function migrateLegacy(wh: Warehouse, path: string, opts: MigrateOptions): Promise<MigrationSummary> {
  const found = findLegacyFiles(path);
  const settings = settingsAdvice(found);
  const { reads, db, settings: notes } = await readAll(wh, found, opts);
  settings.push(...notes);
  if (found.databaseProblem) settings.push(`database: ${found.databaseProblem}`);

  const all: ParseResult = emptyResult();
  const profile: ProfileValue[] = [];
  const tokens: LegacyToken[] = [];
  const byKind = new Map<LeftOutKind, number>();
  for (const [f, r] of reads) {
    f.workouts = r.result.workouts.length;
    f.readings = r.result.biometrics.length;
    f.profileValues = r.profile.length;
    f.leftOut = r.leftOut.length;
    f.unreadable = r.result.errors.length;
    mergeResults(all, r.result);
    profile.push(...r.profile);
    tokens.push(...r.tokens);
    for (const x of r.leftOut) {
      byKind.set(x.kind, (byKind.get(x.kind) ?? 0) + 1);
      all.errors.push({ input: x.input, record: x.record, field: x.field, reason: x.reason });
    }
  }
  const envToken = found.envFile ? tokenFromEnv(found.env, rel(found.root, found.envFile)) : undefined;
  if (envToken) tokens.push(envToken);

  const now = new Date();
  const stored = await storeApart(wh, all, { athleteId: opts.athleteId, now, alsoInTransaction: () => storeProfile(wh, profile) });
  const history = historyOf(all.workouts, opts.athleteId);
  const summary: MigrationSummary = {
    root: found.root,
    files: reads.map(([f]) => f),
    database: db,
    workouts: stored.workouts,
    readings: stored.biometrics,
    profileValues: new Set(profile.map((v) => stableHash(v.athlete_id, v.source, v.key, v.as_of ?? ''))).size,
    leftOut: [...byKind].map(([kind, count]) => ({ kind, count, reason: LEFT_OUT_REASONS[kind] })).sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind)),
    unreadable: all.errors.length - [...byKind.values()].reduce((a, b) => a + b, 0) + stored.invalid,
    errorRows: stored.errors,
    token: await storeToken(tokens.map((t) => ({ ...t, from: t.from.split(`${found.root}/`).join('') })), opts.tokenStore),
    settings,
    history,
  };
  await recordHistory(wh, summary, now);
  log.info('migrated the earlier version', {
    root: summary.root,
    files: summary.files.length,
    workouts: summary.workouts,
    readings: summary.readings,
    left_out: summary.errorRows,
    token: summary.token.outcome,
  });
  return summary;
}
