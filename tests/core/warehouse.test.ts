import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse, databasePath, DEFAULT_DATABASE } from '../../lib/core/warehouse.ts';
import { storeResult } from '../../lib/ingest/store.ts';
import type { ParseResult } from '../../lib/core/models.ts';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'wh-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function sample(): ParseResult {
  return {
    workouts: [
      {
        source: 'garmin', external_id: '3900-1709614800', start_time: new Date('2024-03-05T05:00:00Z'), end_time: new Date('2024-03-05T06:00:00Z'),
        duration_s: 3600, sport: 'running', sport_category: 'ENDURANCE', distance_m: 10_012.5, avg_hr: 151, max_hr: 176, utc_offset_min: 60,
        external_ids: { fit: '3900-1709614800' }, raw_data: { device: 'fr965', refresh_token: 'do-not-store' }, has_gps: true, input: 'garmin/1.fit',
      },
      {
        source: 'garmin', external_id: 'bad', start_time: new Date('2024-03-06T05:00:00Z'), end_time: new Date('2024-03-06T06:00:00Z'),
        duration_s: 3600, sport: 'running', sport_category: 'ENDURANCE', avg_hr: 400, input: 'garmin/2.fit',
      },
    ],
    biometrics: [
      { date: '2024-03-05', metric_type: 'hrv_rmssd', value: 64.5, unit: 'ms', source: 'whoop', input: 'whoop/physiological_cycles.csv' },
      { date: '2024-03-05', metric_type: 'weight', value: 0, unit: 'kg', source: 'vesync', input: 'vesync/weights.csv' },
    ],
    streams: [
      {
        source: 'garmin', external_id: '3900-1709614800',
        time: new Float64Array([Date.parse('2024-03-05T05:00:00Z'), Date.parse('2024-03-05T05:00:01Z'), Date.parse('2024-03-05T05:00:02Z')]),
        channels: { lat: new Float64Array([47.37, 47.3701, NaN]), lon: new Float64Array([8.54, 8.5401, NaN]), hr: new Float64Array([120, 121, 122]) },
      },
    ],
    errors: [{ input: 'garmin/3.fit', reason: 'truncated at byte 100 of 200: kept 0 records' }],
  };
}

describe('databasePath', () => {
  it('accepts a plain path, duckdb:// URLs and :memory:', () => {
    expect(databasePath(undefined)).toBe(DEFAULT_DATABASE);
    expect(databasePath('duckdb:///tmp/x.duckdb')).toBe('/tmp/x.duckdb');
    expect(databasePath('/tmp/y.duckdb')).toBe('/tmp/y.duckdb');
    expect(databasePath(':memory:')).toBe(':memory:');
    expect(() => databasePath('postgres://host/db')).toThrow(/only DuckDB files/);
  });
});

describe('warehouse', () => {
  it('applies migrations once and records them', async () => {
    const path = join(tmp(), 'a.duckdb');
    const wh = await Warehouse.open(path);
    const versions = (await wh.all<{ version: number }>('SELECT version FROM schema_migrations ORDER BY 1')).map((r) => r.version);
    expect(versions.length).toBeGreaterThanOrEqual(2);
    expect(await wh.migrate()).toEqual([]);
    wh.close();
    const again = await Warehouse.open(`duckdb://${path}`);
    expect((await again.all('SELECT version FROM schema_migrations')).length).toBe(versions.length);
    again.close();
    expect(existsSync(path)).toBe(true);
  });

  it('round-trips records: values, units, streams, errors; secrets removed; invalid rows reported', async () => {
    const wh = await Warehouse.open(join(tmp(), 'b.duckdb'));
    const s = await storeResult(wh, sample(), { athleteId: 'me' });
    // The gate stores the workout with an impossible average HR without it, and leaves out the zero weight.
    expect(s).toMatchObject({ workouts: 2, biometrics: 1, points: 3 });
    expect(await wh.all("SELECT avg_hr, max_hr FROM source_workouts WHERE external_id = 'bad'")).toEqual([{ avg_hr: null, max_hr: null }]);
    const [w] = await wh.all<Record<string, unknown>>("SELECT * FROM source_workouts WHERE external_id = '3900-1709614800'");
    expect(w).toMatchObject({ source: 'garmin', external_id: '3900-1709614800', distance_m: 10_012.5, avg_hr: 151, utc_offset_min: 60, has_gps: true, athlete_id: 'me' });
    expect((w!.start_time as Date).toISOString()).toBe('2024-03-05T05:00:00.000Z');
    expect(JSON.parse(w!.external_ids as string)).toEqual({ fit: '3900-1709614800' });
    expect(w!.raw_data as string).not.toContain('do-not-store');
    const pts = await wh.all<{ time: Date; lat: number | null; hr: number }>('SELECT time, lat, hr FROM workout_streams ORDER BY time');
    expect(pts.map((p) => p.hr)).toEqual([120, 121, 122]);
    expect(pts[2]!.lat).toBeNull();
    expect(pts[1]!.time.toISOString()).toBe('2024-03-05T05:00:01.000Z');
    const [b] = await wh.all('SELECT date, metric_type, value, unit FROM source_biometrics');
    expect(b).toEqual({ date: '2024-03-05', metric_type: 'hrv_rmssd', value: 64.5, unit: 'ms' });
    const errs = await wh.all<{ input: string; record: string | null; field: string | null; reason: string }>('SELECT input, record, field, reason FROM import_errors ORDER BY input, reason');
    expect(errs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ input: 'garmin/2.fit', record: 'workout bad', field: 'avg_hr', reason: expect.stringContaining('implausible avg_hr 400 bpm') }),
        expect.objectContaining({ input: 'vesync/weights.csv', field: 'value', reason: expect.stringContaining('implausible value 0 kg') }),
        expect.objectContaining({ input: 'garmin/3.fit', reason: expect.stringContaining('truncated') }),
      ]),
    );
    wh.close();
  });

  it('storing the same records twice changes nothing', async () => {
    const wh = await Warehouse.open(join(tmp(), 'c.duckdb'));
    await storeResult(wh, sample(), { athleteId: 'me' });
    const snapshot = async () =>
      JSON.stringify(
        await Promise.all(
          ['source_workouts', 'workout_streams', 'source_biometrics', 'import_errors'].map((t) =>
            wh.all(`SELECT * EXCLUDE (${t === 'workout_streams' ? 'record_id' : t === 'import_errors' ? 'occurred_at' : 'ingested_at'}) FROM ${t} ORDER BY ALL`),
          ),
        ),
      );
    const first = await snapshot();
    await storeResult(wh, sample(), { athleteId: 'me' });
    expect(await snapshot()).toBe(first);
    wh.close();
  });

  it("one reading keyed twice (same source, day, metric and value, timed and untimed) is kept once, timed, in either order", async () => {
    const reading = (source: string, value: number, time?: string) => ({
      date: '2024-03-05', metric_type: 'resting_hr' as const, value, unit: 'bpm', source, input: `${source}.json`, ...(time ? { time: new Date(time) } : {}),
    });
    const batch = (...biometrics: ReturnType<typeof reading>[]): ParseResult => ({ workouts: [], biometrics, streams: [], errors: [] });
    const rows = (wh: Warehouse) =>
      wh.all<{ source: string; timed: boolean; value: number }>('SELECT source, time IS NOT NULL AS timed, value FROM source_biometrics ORDER BY source, value');
    const expected = [
      { source: 'garmin', timed: true, value: 48 },
      { source: 'garmin', timed: false, value: 51 },
      { source: 'oura', timed: false, value: 48 },
    ];
    // Untimed first (a warehouse synced by an earlier mapping), then timed; and the other way round.
    const a = await Warehouse.open(join(tmp(), 'e1.duckdb'));
    await storeResult(a, batch(reading('garmin', 48), reading('oura', 48)), { athleteId: 'me' });
    await storeResult(a, batch(reading('garmin', 48, '2024-03-05T06:10:00Z'), reading('garmin', 51)), { athleteId: 'me' });
    expect(await rows(a)).toEqual(expected);
    a.close();
    const b = await Warehouse.open(join(tmp(), 'e2.duckdb'));
    await storeResult(b, batch(reading('garmin', 48, '2024-03-05T06:10:00Z'), reading('oura', 48)), { athleteId: 'me' });
    await storeResult(b, batch(reading('garmin', 48), reading('garmin', 51)), { athleteId: 'me' });
    expect(await rows(b)).toEqual(expected);
    b.close();
  });

  it('a failure inside a batch leaves nothing of it behind', async () => {
    const wh = await Warehouse.open(join(tmp(), 'd.duckdb'));
    await expect(
      storeResult(wh, sample(), { athleteId: 'me', alsoInTransaction: async () => { throw new Error('crash after the rows'); } }),
    ).rejects.toThrow('crash after the rows');
    for (const t of ['source_workouts', 'workout_streams', 'source_biometrics', 'import_errors']) {
      expect(await wh.all(`SELECT * FROM ${t}`)).toEqual([]);
    }
    wh.close();
  });

  it('appends and reads whole columns of every supported type, NULLs included, across data chunks', async () => {
    const wh = await Warehouse.open(join(tmp(), 'columns.duckdb'));
    await wh.run('CREATE TABLE c (d DOUBLE, i INTEGER, b BOOLEAN, t TIMESTAMP, s VARCHAR, j JSON, e DOUBLE)');
    // Three data chunks' worth (a chunk holds 2,048 rows), each column with NULLs in its own places;
    // e's only in the first chunk, so one chunk filled again after NULLs must hold none.
    const n = 5000;
    const rows = Array.from({ length: n }, (_, k) => ({
      d: k % 7 === 0 ? null : k / 3,
      i: k % 11 === 0 ? null : k - 2500,
      b: k % 13 === 0 ? null : k % 2 === 0,
      t: k % 17 === 0 ? null : Date.UTC(2024, 0, 1) + k * 61_001,
      s: k % 19 === 0 ? null : `row ${k} é ${'x'.repeat(k % 30)}`,
      j: k % 23 === 0 ? null : JSON.stringify({ k }),
      e: k < 2048 && k % 5 === 0 ? null : k,
    }));
    const col = <K extends keyof (typeof rows)[number]>(key: K) => rows.map((r) => r[key]);
    await wh.appendColumns('c', [col('d'), Float64Array.from(rows, (r) => r.i ?? NaN), col('b'), col('t'), col('s'), col('j'), col('e')]);
    const back = await wh.all<{ d: number | null; i: number | null; b: boolean | null; t: Date | null; s: string | null; j: string | null; e: number | null }>(
      'SELECT * FROM c',
    );
    expect(back.map((r) => ({ ...r, t: r.t === null ? null : r.t.getTime() }))).toEqual(rows);
    const [d, t, s] = await wh.columns('SELECT d, epoch_ms(t)::DOUBLE, s FROM c ORDER BY i NULLS FIRST, d');
    const expected = await wh.all<{ d: number | null; t: number | null; s: string | null }>(
      'SELECT d, epoch_ms(t)::DOUBLE AS t, s FROM c ORDER BY i NULLS FIRST, d',
    );
    expect(d).toBeInstanceOf(Float64Array);
    expect(Array.from(d as Float64Array, (x) => (Number.isNaN(x) ? null : x))).toEqual(expected.map((r) => r.d));
    expect(Array.from(t as Float64Array, (x) => (Number.isNaN(x) ? null : x))).toEqual(expected.map((r) => r.t));
    expect(s).toEqual(expected.map((r) => r.s));
    await expect(wh.columns('SELECT i FROM c')).rejects.toThrow(/column i is neither DOUBLE nor VARCHAR/);
    await expect(wh.appendColumns('c', [col('d')])).rejects.toThrow(/c: has 7 columns, 1 given/);
    wh.close();
  });

  it('appends rows across data chunks, a refilled chunk keeping none of the NULLs or values before it', async () => {
    const wh = await Warehouse.open(join(tmp(), 'rows.duckdb'));
    await wh.run('CREATE TABLE r (day DATE, t TIMESTAMP, s VARCHAR, d DOUBLE, j JSON)');
    // 5,000 rows: three chunks; s and d have NULLs in the first chunk only, and the last chunk is shorter.
    const n = 5000;
    const rows = Array.from({ length: n }, (_, k) => [
      new Date(Date.UTC(2024, 0, 1) + (k % 400) * 86_400_000),
      new Date(Date.UTC(2024, 0, 1) + k * 61_001),
      k < 2048 && k % 3 === 0 ? null : `row ${k} ${'y'.repeat(k % 20)}`,
      k < 2048 && k % 5 === 0 ? null : k / 4,
      { k },
    ]);
    await wh.appendRows('r', rows);
    const back = await wh.all<{ day: string; t: Date; s: string | null; d: number | null; j: string }>('SELECT * FROM r ORDER BY t');
    expect(back).toHaveLength(n);
    back.forEach((r, k) => {
      const [day, t, s, d, j] = rows[k]!;
      expect(r.day).toBe((day as Date).toISOString().slice(0, 10));
      expect(r.t.getTime()).toBe((t as Date).getTime());
      expect([r.s, r.d, JSON.parse(r.j)]).toEqual([s, d, j]);
    });
    wh.close();
  });
});
