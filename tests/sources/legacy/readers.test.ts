import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import initSqlJs from 'sql.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLegacyDb } from '../../../lib/sources/legacy/db.ts';
import { exportJsonRows, legacyExportTable } from '../../../lib/sources/legacy/exports.ts';
import { findLegacyFiles } from '../../../lib/sources/legacy/find.ts';
import { classifyLegacyMetric } from '../../../lib/sources/legacy/metrics.ts';
import { legacySourceName, mapLegacyWorkoutRow, placeholderCalories } from '../../../lib/sources/legacy/rows.ts';
import { isSqliteFile, SqliteFile } from '../../../lib/sources/legacy/sqlite.ts';
import { tokensFromDataSources } from '../../../lib/sources/legacy/tokens.ts';
import { placeCollectorTime, readVesyncJson } from '../../../lib/sources/legacy/vesync.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'legacy-readers-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function sqliteBytes(sql: string[]): Promise<Uint8Array> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  for (const s of sql) db.run(s);
  const bytes = db.export();
  db.close();
  return bytes;
}

describe('SqliteFile', () => {
  it('lists tables and columns and reads rows by column name', async () => {
    const bytes = await sqliteBytes(['CREATE TABLE "odd ""name""" (a INTEGER, b TEXT)', `INSERT INTO "odd ""name""" VALUES (1, 'x'), (2, NULL)`]);
    expect(isSqliteFile(bytes)).toBe(true);
    const db = await SqliteFile.open(bytes);
    expect(db.tables()).toEqual(['odd "name"']);
    expect(db.columns('odd "name"')).toEqual(['a', 'b']);
    expect([...db.rows('odd "name"')]).toEqual([{ a: 1, b: 'x' }, { a: 2, b: null }]);
    expect(db.count('odd "name"')).toBe(2);
    expect([...db.rows('missing')]).toEqual([]);
    db.close();
  });

  it('refuses bytes that are not a SQLite database, saying so', async () => {
    await expect(SqliteFile.open(new TextEncoder().encode('date,name\n'))).rejects.toThrow(/not a SQLite 3 database/);
  });
});

describe('readLegacyDb, multi-tenant shape with a squad', () => {
  it('keeps each athlete apart, named after the name the earlier version had', async () => {
    const bytes = await sqliteBytes([
      'CREATE TABLE athletes (id TEXT, user_id TEXT, name TEXT, profile_data TEXT)',
      'CREATE TABLE workouts (workout_id TEXT, athlete_id TEXT, source_id TEXT, start_time TEXT, duration INTEGER, sport TEXT, data_source TEXT)',
      `INSERT INTO athletes VALUES ('a1', 'u1', 'Sam Runner', '{"max_hr": 190}'), ('a2', 'u1', 'Alex', NULL)`,
      `INSERT INTO workouts VALUES ('w1', 'a1', NULL, '2024-01-01T08:00:00+00:00', 600, 'running', 'garmin'), ('w2', 'a2', NULL, '2024-01-02T08:00:00+00:00', 600, 'cycling', 'garmin')`,
    ]);
    const { read, info } = await readLegacyDb(bytes, 'old.db', { athleteId: 'me', fileName: 'old.db' });
    expect(info.shape).toBe('multi-tenant');
    expect(info.athletes).toEqual([
      { oldId: 'a1', name: 'Sam Runner', athleteId: 'sam_runner' },
      { oldId: 'a2', name: 'Alex', athleteId: 'alex' },
    ]);
    expect(read.result.workouts.map((w) => [w.external_id, w.athlete_id, w.source])).toEqual([
      ['old.db#w1', 'sam_runner', 'garmin_legacy'],
      ['old.db#w2', 'alex', 'garmin_legacy'],
    ]);
    expect(read.profile).toMatchObject([{ athlete_id: 'sam_runner', key: 'max_hr', value: 190, source: 'legacy' }]);
  });
});

describe("the earlier version's biometric names", () => {
  it('converts to the stored unit, keeps Strava snapshots as profile values and leaves out what is not a biometric', () => {
    expect(classifyLegacyMetric('weight', 160, 'lbs', 'vesync')).toEqual({ kind: 'reading', metric: 'weight', value: 160 * 0.45359237, unit: 'kg' });
    expect(classifyLegacyMetric('sleep_hours', 7.5, 'hours', 'garmin')).toEqual({ kind: 'reading', metric: 'sleep_duration', value: 27000, unit: 's' });
    expect(classifyLegacyMetric('sleep_duration', 420, null, 'vesync')).toMatchObject({ kind: 'left_out', why: 'no_unit' });
    expect(classifyLegacyMetric('Resting_Heart_Rate', 50, null, 'garmin')).toEqual({ kind: 'reading', metric: 'resting_hr', value: 50, unit: 'bpm' });
    expect(classifyLegacyMetric('weight', 73, 'kg', 'strava')).toEqual({ kind: 'profile', key: 'weight', value: 73, unit: 'kg' });
    expect(classifyLegacyMetric('height', 181, null, 'garmin')).toEqual({ kind: 'profile', key: 'height', value: 181, unit: 'cm' });
    expect(classifyLegacyMetric('weight', 0, 'kg', 'vesync')).toMatchObject({ kind: 'left_out', why: 'zero_weight' });
    for (const name of ['followers', 'recent_run_distance', 'ytd_ride_totals', 'all_run_totals_count', 'heart_rate_zones_3']) {
      expect(classifyLegacyMetric(name, 1, null, 'strava'), name).toMatchObject({ kind: 'left_out', why: 'not_biometric' });
    }
    expect(classifyLegacyMetric('mood', 3, null, 'manual')).toMatchObject({ kind: 'left_out', why: 'unknown_metric' });
  });
});

describe("the earlier version's workouts rows", () => {
  const origin = { input: 'db#workouts', record: 'workouts row 1', athleteId: 'me', idPrefix: 'athlete_performance.db#' };

  it('computes the placeholder as its Python did: int(elapsed_time / 60 * 8)', () => {
    expect([placeholderCalories(3030), placeholderCalories(3061), placeholderCalories(59)]).toEqual([404, 408, 7]);
    expect(legacySourceName('Strava')).toBe('strava_legacy');
    expect(legacySourceName('Garmin Connect')).toBe('garmin_connect_legacy');
  });

  it("keeps calories Strava's own record has, even when they equal the placeholder", () => {
    const raw = { id: 7, elapsed_time: 3030, start_date: '2024-05-06T10:00:00Z', utc_offset: 0, type: 'Run', calories: 404 };
    const r = mapLegacyWorkoutRow({ workout_id: '7', source: 'strava', calories: 404, duration: 3030, raw_data: JSON.stringify(raw) }, origin);
    expect(r.workout).toMatchObject({ source: 'strava_legacy', external_id: 'athlete_performance.db#7', calories_kcal: 404, external_ids: { strava: '7' } });
    expect(r.leftOut).toEqual([]);
  });

  it('maps a row of another source by its columns, naive times as UTC, without Strava lineage', () => {
    const r = mapLegacyWorkoutRow(
      { workout_id: 'g1', source: 'garmin', start_time: '2024-04-25 17:00:00', duration: 3600, distance: 8000, sport: 'running', calories: 480, training_load: 90 },
      origin,
    );
    expect(r.leftOut.map((l) => l.kind)).toEqual(['placeholder_calories']);
    expect(r.workout).toMatchObject({ source: 'garmin_legacy', sport: 'running', distance_m: 8000, duration_s: 3600 });
    // Its training_load was its own computation, not a measurement: kept in raw_data only.
    expect(r.workout!.training_load ?? null).toBeNull();
    expect(r.workout!.calories_kcal ?? null).toBeNull();
    expect(r.workout!.start_time).toEqual(new Date('2024-04-25T17:00:00Z'));
    expect((r.workout!.raw_data as { via?: string; legacy_row: Record<string, unknown> }).via).toBeUndefined();
    expect((r.workout!.raw_data as { legacy_row: Record<string, unknown> }).legacy_row).toMatchObject({ training_load: 90 });
    expect((r.workout!.raw_data as { legacy_row: Record<string, unknown> }).legacy_row).not.toHaveProperty('calories');
  });

  it('names the record and field of an unreadable row', () => {
    expect(mapLegacyWorkoutRow({ workout_id: 'x', source: 'garmin', start_time: 'yesterday' }, origin).error).toEqual({
      input: 'db#workouts', record: 'workouts row 1', field: 'start_time', reason: 'start_time "yesterday" is not a date and time',
    });
  });
});

describe('VeSync collector times', () => {
  it('reads zone-less times as wall time in the collector zone, across DST', () => {
    expect(placeCollectorTime('2024-07-01T07:10:00', 'Europe/Zurich')).toEqual({ day: '2024-07-01', time: new Date('2024-07-01T05:10:00Z') });
    expect(placeCollectorTime('2024-01-15 07:10:00', 'Europe/Zurich')).toEqual({ day: '2024-01-15', time: new Date('2024-01-15T06:10:00Z') });
    expect(placeCollectorTime('2024-03-31T01:30:00', 'America/Denver')).toEqual({ day: '2024-03-31', time: new Date('2024-03-31T07:30:00Z') });
    expect(placeCollectorTime(1719817800, 'America/Denver')).toEqual({ day: '2024-07-01', time: new Date('2024-07-01T07:10:00Z') });
    expect(placeCollectorTime('1719817800000', 'UTC')).toEqual({ day: '2024-07-01', time: new Date('2024-07-01T07:10:00Z') });
    expect(placeCollectorTime('2024-07-01T23:30:00Z', 'Europe/Zurich')).toEqual({ day: '2024-07-02', time: new Date('2024-07-01T23:30:00Z') });
    expect(placeCollectorTime('last week', 'UTC')).toBeNull();
  });

  it('turns scale rows into readings and lists the rest', () => {
    const r = readVesyncJson(
      JSON.stringify({ devices: { d: {} }, scale_data: [{ timestamp: 'soon', weight: 70 }, { timestamp: '2024-07-01T07:00:00', weight: 70.5, body_fat: 0, muscle_mass: 55 }] }),
      'v.json',
      'UTC',
    );
    expect(r.result.biometrics.map((b) => [b.metric_type, b.value, b.source, b.date])).toEqual([
      ['weight', 70.5, 'vesync_legacy', '2024-07-01'],
      ['muscle_mass', 55, 'vesync_legacy', '2024-07-01'],
    ]);
    expect(r.result.errors).toEqual([{ input: 'v.json', record: 'scale_data 1', field: 'timestamp', reason: 'timestamp "soon" is not a date and time' }]);
    expect(r.leftOut.map((l) => [l.kind, l.record])).toEqual([['device_info', 'device d']]);
  });
});

describe('its exports and tokens', () => {
  it('reads pandas JSON in both orients and names the table from the file name', () => {
    expect(exportJsonRows('{"workout_id":{"0":"a","1":"b"},"duration":{"0":60,"1":120}}')).toEqual([{ workout_id: 'a', duration: 60 }, { workout_id: 'b', duration: 120 }]);
    expect(exportJsonRows('[{"workout_id":"a"}]')).toEqual([{ workout_id: 'a' }]);
    expect([legacyExportTable('export_20240601_workouts.parquet'), legacyExportTable('export_x_biometrics.json'), legacyExportTable('notes.csv')]).toEqual(['workouts', 'biometrics', undefined]);
  });

  it("takes the Strava token of data_sources and lists other sources' logins by name only", () => {
    const r = tokensFromDataSources(
      [
        { name: 'Strava', auth_token: 'acc-123456', refresh_token: 'ref-123456', expires_at: '2024-06-01T12:00:00Z' },
        { name: 'vesync', auth_token: 'tok-999999', refresh_token: null },
        { name: 'garmin', auth_token: null, refresh_token: null },
      ],
      'db#data_sources',
    );
    expect(r.tokens).toEqual([{ source: 'strava', refresh_token: 'ref-123456', access_token: 'acc-123456', expires_at: 1717243200, from: 'db#data_sources (row 1)' }]);
    expect(r.leftOut).toHaveLength(1);
    expect(JSON.stringify(r.leftOut)).not.toContain('tok-999999');
    expect(r.leftOut[0]).toMatchObject({ kind: 'other_token', record: 'data_sources row 2' });
  });
});

describe('findLegacyFiles', () => {
  it('finds the same files from the checkout or its data/ folder, and the database its settings name', async () => {
    const root = join(dir, 'checkout');
    mkdirSync(join(root, 'data', 'raw'), { recursive: true });
    mkdirSync(join(root, 'db'));
    writeFileSync(join(root, '.env'), 'DATABASE_URL=sqlite:///db/old.db\n');
    writeFileSync(join(root, 'db', 'old.db'), await sqliteBytes(['CREATE TABLE workouts (workout_id TEXT)']));
    writeFileSync(join(root, 'data', 'strava_activities.json'), '[]');
    writeFileSync(join(root, 'data', 'raw', 'vesync_data_20240601_070000.json'), '{}');
    writeFileSync(join(root, 'data', 'export_1_biometrics.csv'), 'date\n');
    writeFileSync(join(root, 'data', 'readme.md'), '#');
    const a = findLegacyFiles(root);
    const b = findLegacyFiles(join(root, 'data'));
    expect(b).toEqual(a);
    expect(a).toMatchObject({
      root,
      database: join(root, 'db', 'old.db'),
      stravaJson: join(root, 'data', 'strava_activities.json'),
      vesyncJson: [join(root, 'data', 'raw', 'vesync_data_20240601_070000.json')],
      exports: [{ path: join(root, 'data', 'export_1_biometrics.csv'), table: 'biometrics', format: 'csv' }],
      other: [join(root, 'data', 'readme.md')],
    });
  });

  it('says why a PostgreSQL database is not read, and refuses a folder without its files', () => {
    const root = join(dir, 'pg');
    mkdirSync(join(root, 'data'), { recursive: true });
    writeFileSync(join(root, '.env'), 'DATABASE_URL=postgresql://me@db/athletes\n');
    expect(() => findLegacyFiles(root)).toThrow(/none of the earlier version's files found.*PostgreSQL/);
    writeFileSync(join(root, 'data', 'activities.csv'), 'date,name,type,distance_miles,duration_min,pace_per_mile\n');
    expect(findLegacyFiles(root).databaseProblem).toMatch(/PostgreSQL server, which this version cannot read/);
    expect(() => findLegacyFiles(join(dir, 'nowhere'))).toThrow(/nowhere: no such folder/);
  });
});
