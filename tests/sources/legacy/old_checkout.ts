/**
 * Builds a checkout of the earlier Python version in a folder, in one of the
 * three shapes of its SQLite warehouse, with the columns FORMATS.md lists.
 * The same activities appear in its JSON, CSV, database and export; it holds
 * placeholder calories, zero weights, profile snapshots, account statistics
 * and planted secrets, so a test can check every rule of the migration.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import initSqlJs from 'sql.js';

/** The three shapes of its warehouse. */
export type Shape = 'early' | 'later' | 'multi';

/** Secrets planted in the checkout: none may reach the warehouse, a log, the summary or import_errors. */
export const PLANTED = {
  envRefresh: 'planted-env-refresh-7f3a9c2e51',
  envClientSecret: 'planted-client-secret-90ab77e1',
  dbRefresh: 'planted-db-refresh-4410c8d2aa',
  dbAccess: 'planted-db-access-e5b1f09c33',
  vesyncToken: 'planted-vesync-token-13ce55',
  vesyncPassword: 'planted-vesync-password-ee81',
  whoopKey: 'planted-whoop-key-5d0c2b',
  encrypted: 'planted-encrypted-blob-77aa01',
  passwordHash: 'planted-password-hash-b2c4e6',
} as const;

/** Its placeholder calories: `int(elapsed_time / 60 * 8)`. */
export const placeholder = (elapsedS: number) => Math.trunc((elapsedS / 60) * 8);

interface Activity {
  id: number;
  name: string;
  type: string;
  start: string;
  offsetS: number;
  elapsed: number;
  distance: number;
  calories?: number;
  polyline?: string;
}

/**
 * A: in the JSON, the CSV, the database and the export. B: JSON and CSV. C: JSON only.
 * D: CSV only. E: database only (placeholder calories). F: database only, with Strava's own calories.
 */
export const ACTIVITIES: Record<'A' | 'B' | 'C' | 'D' | 'E' | 'F', Activity> = {
  A: { id: 9100000001, name: 'Lunch Run', type: 'Run', start: '2024-05-06T10:00:00Z', offsetS: 7200, elapsed: 3030, distance: 10012.4, polyline: 'abc' },
  B: { id: 9100000002, name: 'Evening Ride', type: 'Ride', start: '2024-05-08T16:30:00Z', offsetS: 7200, elapsed: 5400, distance: 40211 },
  C: { id: 9100000003, name: 'Swim', type: 'Swim', start: '2024-05-10T05:00:00Z', offsetS: 7200, elapsed: 2400, distance: 2000 },
  D: { id: 9100000004, name: 'Hike', type: 'Hike', start: '2024-05-12T07:00:00Z', offsetS: 7200, elapsed: 7200, distance: 12000 },
  E: { id: 9100000005, name: 'Tempo', type: 'Run', start: '2024-04-20T06:00:00Z', offsetS: 7200, elapsed: 2700, distance: 9000 },
  F: { id: 9100000006, name: 'Long Ride', type: 'Ride', start: '2024-04-21T07:00:00Z', offsetS: 7200, elapsed: 10800, distance: 90000, calories: 2100 },
};

/** The Garmin-source row of its database (not Strava data): the day of 2024-04-25. */
export const GARMIN_ROW = { id: 'garmin-555', start: '2024-04-25T17:00:00+00:00', duration: 3600, distance: 8000, calories: 610 };

function summary(a: Activity): Record<string, unknown> {
  const local = new Date(Date.parse(a.start) + a.offsetS * 1000).toISOString().replace('.000', '');
  return {
    id: a.id, name: a.name, distance: a.distance, moving_time: a.elapsed - 30, elapsed_time: a.elapsed, total_elevation_gain: 50,
    type: a.type, sport_type: a.type, start_date: a.start.replace('.000', ''), start_date_local: local,
    timezone: '(GMT+01:00) Europe/Zurich', utc_offset: a.offsetS, average_heartrate: 140, max_heartrate: 170,
    external_id: `garmin_ping_${a.id - 9000000000}`, map: { summary_polyline: a.polyline ?? '' },
    ...(a.calories != null ? { calories: a.calories } : {}),
  };
}

/** The activities.csv row of an activity, as the predecessor wrote it (local time, miles, elapsed minutes). */
function csvRow(a: Activity): string {
  const local = new Date(Date.parse(a.start) + a.offsetS * 1000).toISOString().slice(0, 19).replace('T', ' ');
  const miles = (a.distance / 1609.34).toFixed(2);
  return `${local},${a.name},${a.type},${miles},${(a.elapsed / 60).toFixed(1)},8:00 per mile`;
}

/** Its Strava connector's workouts row: start_time is start_date with +00:00, duration elapsed_time, calories the placeholder when Strava gave none. */
function stravaRow(a: Activity): Record<string, unknown> {
  return {
    workout_id: String(a.id),
    start_time: a.start.replace('Z', '+00:00'),
    end_time: new Date(Date.parse(a.start) + a.elapsed * 1000).toISOString().replace('Z', '+00:00'),
    sport: a.type,
    sport_category: 'endurance',
    distance: a.distance,
    duration: a.elapsed,
    calories: a.calories ?? placeholder(a.elapsed),
    heart_rate_avg: 140,
    heart_rate_max: 170,
    source: 'strava',
    external_ids: JSON.stringify({ strava: String(a.id) }),
    raw_data: JSON.stringify(summary(a)),
    created_at: '2024-06-01T08:00:00',
  };
}

/** Biometric rows of its single-user later shape: (date, metric_type, value, unit, source). */
export const BIOMETRICS: [string, string, number, string | null, string][] = [
  ['2024-05-01', 'weight', 0, 'kg', 'vesync'],
  ['2024-05-02', 'weight', 72.4, 'kg', 'vesync'],
  ['2024-05-02', 'resting_heart_rate', 51, 'bpm', 'garmin'],
  ['2024-06-01', 'weight', 73, 'kg', 'strava'],
  ['2024-06-01', 'height', 181, 'cm', 'strava'],
  ['2024-06-01', 'followers', 42, null, 'strava'],
  ['2024-06-01', 'recent_run_distance', 123456, 'm', 'strava'],
  ['2024-06-01', 'recent_run_calories', 4321, 'kcal', 'strava'],
  ['2024-06-01', 'all_run_totals_distance', 9876543, 'm', 'strava'],
  ['2024-06-01', 'heart_rate_zones_1', 120, 'bpm', 'strava'],
];

type Db = InstanceType<Awaited<ReturnType<typeof initSqlJs>>['Database']>;

function insert(db: Db, table: string, row: Record<string, unknown>): void {
  const cols = Object.keys(row);
  db.run(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`, cols.map((c) => row[c] as string | number | null));
}

const STRAVA_DB: (keyof typeof ACTIVITIES)[] = ['A', 'E', 'F'];

async function database(shape: Shape): Promise<Uint8Array> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  if (shape === 'early') {
    db.run(`CREATE TABLE workouts (workout_id TEXT PRIMARY KEY, start_time TEXT, sport TEXT, sport_category TEXT, distance REAL,
      duration INTEGER, source TEXT, external_ids TEXT, raw_data TEXT, created_at TEXT)`);
    for (const k of STRAVA_DB) {
      const { end_time: _e, calories: _c, heart_rate_avg: _h, heart_rate_max: _m, ...row } = stravaRow(ACTIVITIES[k]);
      insert(db, 'workouts', row);
    }
  } else if (shape === 'later') {
    db.run(`CREATE TABLE workouts (workout_id TEXT PRIMARY KEY, start_time TEXT, end_time TEXT, sport TEXT, sport_category TEXT,
      distance REAL, duration INTEGER, calories INTEGER, heart_rate_avg REAL, heart_rate_max REAL, elevation_gain REAL, power_avg REAL,
      cadence_avg REAL, training_load REAL, perceived_exertion REAL, has_gps BOOLEAN, route_hash TEXT, gps_data TEXT, source TEXT,
      external_ids TEXT, raw_data TEXT, data_quality_score REAL, ml_features_extracted BOOLEAN, plugin_data TEXT, created_at TEXT)`);
    db.run(`CREATE TABLE biometrics (id INTEGER PRIMARY KEY AUTOINCREMENT, date TEXT, metric_type TEXT, value REAL, unit TEXT, source TEXT,
      confidence REAL, external_id TEXT, UNIQUE(date, metric_type, source))`);
    db.run('CREATE TABLE sync_status (source TEXT, last_sync TEXT, status TEXT, error_message TEXT, sync_count INTEGER, last_error TEXT)');
    db.run(`CREATE TABLE data_sources (name TEXT, enabled BOOLEAN, priority INTEGER, sync_interval_hours INTEGER, last_sync TEXT,
      auth_token TEXT, refresh_token TEXT, expires_at INTEGER)`);
    for (const k of STRAVA_DB) insert(db, 'workouts', { ...stravaRow(ACTIVITIES[k]), training_load: 88, has_gps: 1 });
    insert(db, 'workouts', {
      workout_id: GARMIN_ROW.id, start_time: GARMIN_ROW.start, end_time: null, sport: 'running', sport_category: 'endurance',
      distance: GARMIN_ROW.distance, duration: GARMIN_ROW.duration, calories: GARMIN_ROW.calories, heart_rate_avg: 150, source: 'garmin',
      external_ids: JSON.stringify({ garmin: '555' }), raw_data: JSON.stringify({ activityId: 555, activityName: 'Track' }), has_gps: 0,
    });
    for (const [date, metric_type, value, unit, source] of BIOMETRICS) insert(db, 'biometrics', { date, metric_type, value, unit, source, confidence: 1 });
    insert(db, 'sync_status', { source: 'strava', last_sync: '2024-06-01T08:00:00', status: 'success', sync_count: 40 });
    insert(db, 'data_sources', { name: 'strava', enabled: 1, priority: 1, auth_token: PLANTED.dbAccess, refresh_token: PLANTED.dbRefresh, expires_at: 1717250000 });
    insert(db, 'data_sources', { name: 'vesync', enabled: 1, priority: 2, auth_token: PLANTED.vesyncToken, refresh_token: null, expires_at: null });
  } else {
    db.run('CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT, password_hash TEXT, created_at TEXT)');
    db.run('CREATE TABLE athletes (id TEXT PRIMARY KEY, user_id TEXT, name TEXT, profile_data TEXT, created_at TEXT)');
    db.run(`CREATE TABLE sources (id TEXT PRIMARY KEY, athlete_id TEXT, provider TEXT, oauth_tokens_encrypted TEXT, refresh_token_encrypted TEXT,
      last_sync TEXT)`);
    db.run(`CREATE TABLE workouts (workout_id TEXT PRIMARY KEY, athlete_id TEXT, source_id TEXT, start_time TEXT, end_time TEXT, sport TEXT,
      sport_category TEXT, distance REAL, duration INTEGER, calories INTEGER, heart_rate_avg REAL, heart_rate_max REAL, elevation_gain REAL,
      average_speed REAL, max_speed REAL, average_cadence REAL, external_ids TEXT, location_data TEXT, data_source TEXT, raw_data TEXT,
      created_at TEXT)`);
    db.run(`CREATE TABLE biometrics (reading_id TEXT PRIMARY KEY, athlete_id TEXT, source_id TEXT, timestamp TEXT, metric TEXT, value REAL,
      unit TEXT, original_unit TEXT, confidence REAL, data_source TEXT, device_id TEXT, raw_data TEXT)`);
    insert(db, 'users', { id: 'u1', email: 'runner@example.org', password_hash: PLANTED.passwordHash });
    insert(db, 'athletes', { id: 'a1', user_id: 'u1', name: 'Sam Runner', profile_data: JSON.stringify({ weight_kg: 74, height_cm: 181, age: 35, gender: 'male', api_token: PLANTED.encrypted }) });
    insert(db, 'sources', { id: 's1', athlete_id: 'a1', provider: 'strava', oauth_tokens_encrypted: PLANTED.encrypted, refresh_token_encrypted: PLANTED.encrypted });
    insert(db, 'sources', { id: 's2', athlete_id: 'a1', provider: 'vesync' });
    for (const k of STRAVA_DB) {
      const { source: _s, training_load: _t, ...row } = stravaRow(ACTIVITIES[k]);
      insert(db, 'workouts', { ...row, athlete_id: 'a1', source_id: 's1', data_source: 'strava' });
    }
    BIOMETRICS.forEach(([date, metric, value, unit, source], i) =>
      insert(db, 'biometrics', {
        reading_id: `r${i}`, athlete_id: 'a1', source_id: source === 'strava' ? 's1' : 's2', timestamp: `${date}T07:00:00`, metric, value, unit,
        original_unit: unit, confidence: 1, data_source: source,
      }),
    );
  }
  const bytes = db.export();
  db.close();
  return bytes;
}

/** Write an old checkout of `shape` into `root` (which must exist). */
export async function writeOldCheckout(root: string, shape: Shape): Promise<void> {
  const data = join(root, 'data');
  mkdirSync(join(data, 'raw'), { recursive: true });
  mkdirSync(join(data, 'processed'), { recursive: true });
  writeFileSync(
    join(root, '.env'),
    [
      'STRAVA_CLIENT_ID=12345',
      `STRAVA_CLIENT_SECRET=${PLANTED.envClientSecret}`,
      `STRAVA_REFRESH_TOKEN=${PLANTED.envRefresh}`,
      'VESYNC_USERNAME=runner@example.org',
      `VESYNC_PASSWORD=${PLANTED.vesyncPassword}`,
      'VESYNC_TIMEZONE=Europe/Zurich',
      `WHOOP_API_KEY=${PLANTED.whoopKey}`,
      'DATABASE_PATH=data/athlete_performance.db',
      'LOG_FILE=athlete.log',
      '',
    ].join('\n'),
  );
  const { A, B, C, D } = ACTIVITIES;
  writeFileSync(join(data, 'strava_activities.json'), JSON.stringify([A, B, C].map(summary), null, 2));
  writeFileSync(join(data, 'activities.csv'), ['date,name,type,distance_miles,duration_min,pace_per_mile', ...[A, B, D].map(csvRow)].join('\n') + '\n');
  writeFileSync(join(data, 'athlete_performance.db'), await database(shape));
  const exported = stravaRow(A);
  const cols = Object.keys(exported);
  const cell = (v: unknown) => (typeof v === 'string' && /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : String(v ?? ''));
  writeFileSync(join(data, 'export_20240601_workouts.csv'), `${cols.join(',')}\n${cols.map((c) => cell(exported[c])).join(',')}\n`);
  writeFileSync(
    join(data, 'raw', 'vesync_data_20240601_070000.json'),
    JSON.stringify({
      collection_timestamp: '2024-06-01T07:00:00',
      devices: { dev1: { device_id: 'dev1', device_name: 'Scale', device_type: 'ESF24', model: 'ESF24', connection_status: 'online', is_on: null } },
      scale_data: [
        { device_id: 'dev1', timestamp: '2024-05-30T07:10:00', weight: 0.0, body_fat: 0.0, muscle_mass: 0.0, water_percentage: 0.0 },
        { device_id: 'dev1', timestamp: '2024-05-31T07:10:00', weight: 72.1, body_fat: 15.2, muscle_mass: 58.3, water_percentage: 55.1 },
      ],
      sleep_data: [{ device_id: 'dev1', timestamp: '2024-05-31T06:00:00', sleep_duration: 420 }],
      environmental_data: [{ device_id: 'dev2', timestamp: '2024-05-31T06:00:00', air_quality: 12, humidity: 40, temperature: 21 }],
    }),
  );
  writeFileSync(
    join(data, 'processed', 'vesync_summary_20240601.csv'),
    [
      'data_type,device_id,device_name,device_type,connection_status,timestamp,weight,body_fat,muscle_mass,water_percentage',
      'device_info,dev1,Scale,ESF24,online,2024-06-01T07:00:00,,,,',
      'scale_measurement,dev1,,,,2024-05-30T07:10:00,0.0,0.0,0.0,0.0',
      'scale_measurement,dev1,,,,2024-05-31T07:10:00,72.1,15.2,58.3,55.1',
    ].join('\n') + '\n',
  );
  writeFileSync(join(data, 'notes.txt'), 'my notes\n');
}
