/**
 * The predecessor's SQLite warehouse in each of its three shapes (see
 * FORMATS: single-user early, single-user later, multi-tenant): workouts,
 * biometrics, profile values and Strava tokens; everything else it held is
 * listed as left out.
 */
import { SECRET_KEY } from '../../core/redact.ts';
import { leftOut } from './left_out.ts';
import type { ProfileValue } from './metrics.ts';
import { emptyRead, type LegacyRead } from './read.ts';
import { jsonValue, mapLegacyBiometricRow, mapLegacyWorkoutRow, numberOf, type RowOrigin, type RowResult } from './rows.ts';
import { SqliteFile } from './sqlite.ts';
import { tokensFromDataSources } from './tokens.ts';

/** The shape of its warehouse. */
export type LegacyDbShape = 'single-user early' | 'single-user later' | 'multi-tenant';

/** What the database held, besides the records. */
export interface LegacyDbInfo {
  shape: LegacyDbShape;
  /** Rows per table. */
  tables: Record<string, number>;
  /** The predecessor's athlete ids and the athlete id each was given (multi-tenant). */
  athletes: { oldId: string; name: string | null; athleteId: string }[];
}

/** Tables read for records. */
const RECORD_TABLES = new Set(['workouts', 'biometrics']);
/** Tables read for tokens or profiles, and its bookkeeping: not records, left out as such. */
const BOOKKEEPING = new Set(['sync_status', 'data_sources', 'sources', 'users', 'athletes', 'athlete_profiles', 'schema_version', 'alembic_version']);

/** Which of the three shapes `db` has. */
export function legacyDbShape(db: SqliteFile): LegacyDbShape {
  const workouts = db.columns('workouts');
  if (db.tables().includes('athletes') && workouts.includes('athlete_id')) return 'multi-tenant';
  return workouts.includes('calories') || db.tables().includes('biometrics') ? 'single-user later' : 'single-user early';
}

/** A lower-case athlete id from a name: letters, digits, dot, dash and underscore. */
function slug(name: string): string {
  return name.trim().toLowerCase().normalize('NFKD').replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '');
}

/**
 * The athlete ids of a multi-tenant database: one athlete becomes `athleteId`
 * (the configured one); several keep apart, each named after its name (or its old id).
 */
function athleteIds(db: SqliteFile, athleteId: string): LegacyDbInfo['athletes'] {
  const ids = new Map<string, string | null>();
  for (const a of db.rows('athletes')) ids.set(String(a.id ?? a.athlete_id), a.name == null ? null : String(a.name));
  for (const t of ['workouts', 'biometrics']) {
    if (!db.columns(t).includes('athlete_id')) continue;
    for (const r of db.rows(t)) if (r.athlete_id != null && !ids.has(String(r.athlete_id))) ids.set(String(r.athlete_id), null);
  }
  if (ids.size <= 1) return [...ids].map(([oldId, name]) => ({ oldId, name, athleteId }));
  const taken = new Set<string>();
  return [...ids].map(([oldId, name]) => {
    let id = slug(name ?? '') || `athlete_${slug(oldId)}`;
    while (taken.has(id)) id = `${id}_${slug(oldId)}`;
    taken.add(id);
    return { oldId, name, athleteId: id };
  });
}

function add(read: LegacyRead, r: RowResult): void {
  if (r.workout) read.result.workouts.push(r.workout);
  if (r.reading) read.result.biometrics.push(r.reading);
  if (r.profile) read.profile.push(r.profile);
  if (r.error) read.result.errors.push(r.error);
  read.leftOut.push(...r.leftOut);
}

/**
 * Read the predecessor's SQLite warehouse. Each file's records get external
 * ids of their own (`<file name>#<old id>`), so provenance names the file;
 * the same activity elsewhere joins them by its Strava id.
 */
export async function readLegacyDb(bytes: Uint8Array, input: string, opts: { athleteId: string; fileName: string }): Promise<{ read: LegacyRead; info: LegacyDbInfo }> {
  const db = await SqliteFile.open(bytes);
  try {
    const read = emptyRead();
    const tables = Object.fromEntries(db.tables().map((t) => [t, db.count(t)]));
    const shape = legacyDbShape(db);
    const athletes = shape === 'multi-tenant' ? athleteIds(db, opts.athleteId) : [];
    const byOldAthlete = new Map(athletes.map((a) => [a.oldId, a.athleteId]));
    const providers = new Map<string, string>();
    for (const s of db.rows('sources')) if (s.id != null && s.provider != null) providers.set(String(s.id), String(s.provider));
    const origin = (table: string, i: number, athlete: unknown): RowOrigin => ({
      input: `${input}#${table}`,
      record: `${table} row ${i + 1}`,
      athleteId: (athlete != null && byOldAthlete.get(String(athlete))) || opts.athleteId,
      idPrefix: `${opts.fileName}#`,
      providerOf: (id) => (id == null ? undefined : providers.get(String(id))),
    });

    let i = 0;
    for (const row of db.rows('workouts')) add(read, mapLegacyWorkoutRow(row, origin('workouts', i++, row.athlete_id)));
    i = 0;
    for (const row of db.rows('biometrics')) add(read, mapLegacyBiometricRow(row, origin('biometrics', i++, row.athlete_id)));

    for (const a of db.rows('athletes')) {
      const athleteId = byOldAthlete.get(String(a.id ?? a.athlete_id)) ?? opts.athleteId;
      read.profile.push(...profileOf(jsonValue(a.profile_data), athleteId, `${input}#athletes`));
    }
    for (const p of db.rows('athlete_profiles')) {
      const athleteId = byOldAthlete.get(String(p.athlete_id)) ?? opts.athleteId;
      const { athlete_id: _id, updated_at: _u, created_at: _c, ...values } = p;
      read.profile.push(...profileOf(values, athleteId, `${input}#athlete_profiles`));
    }

    const tokens = tokensFromDataSources(db.rows('data_sources'), `${input}#data_sources`);
    read.tokens.push(...tokens.tokens);
    read.leftOut.push(...tokens.leftOut);
    let k = 0;
    for (const s of db.rows('sources')) {
      k++;
      if (s.oauth_tokens_encrypted != null || s.refresh_token_encrypted != null) {
        read.leftOut.push(leftOut('encrypted_token', { input: `${input}#sources`, record: `sources row ${k}`, field: 'oauth_tokens_encrypted' }, String(s.provider ?? 'unknown provider')));
      }
    }
    for (const [table, rows] of Object.entries(tables)) {
      if (RECORD_TABLES.has(table) || rows === 0 || table.startsWith('sqlite_')) continue;
      const kind = BOOKKEEPING.has(table) ? 'bookkeeping' : 'unknown_table';
      const kept =
        table === 'athletes' || table === 'athlete_profiles' ? '; profile values taken, the rest left out' : table === 'data_sources' ? '; its Strava token taken, the rest left out' : '';
      read.leftOut.push(leftOut(kind, { input: `${input}#${table}`, record: `table ${table}` }, `${rows} row(s)${kept}`));
    }
    return { read, info: { shape, tables, athletes } };
  } finally {
    db.close();
  }
}

/** Source name of the profile values the athlete entered in the earlier version. */
const PROFILE_SOURCE = 'legacy';

/** Profile values from a profile object (its athletes' `profile_data`): numbers, and texts such as gender; never a secret. */
function profileOf(profile: unknown, athleteId: string, input: string): ProfileValue[] {
  if (!profile || typeof profile !== 'object' || Array.isArray(profile)) return [];
  const out: ProfileValue[] = [];
  for (const [key, v] of Object.entries(profile)) {
    if (v == null || v === '' || typeof v === 'object' || SECRET_KEY.test(key)) continue;
    const value = typeof v === 'number' || typeof v === 'string' ? numberOf(v) : null;
    const unit = /_kg$/.test(key) ? 'kg' : /_cm$/.test(key) ? 'cm' : null;
    out.push({
      athlete_id: athleteId,
      key: key.replace(/_(kg|cm)$/, ''),
      value,
      text: value === null ? String(v) : null,
      unit,
      as_of: null,
      source: PROFILE_SOURCE,
      input,
    });
  }
  return out;
}
