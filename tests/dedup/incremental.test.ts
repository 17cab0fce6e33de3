/**
 * Incremental work equals a full rebuild: random batches of new, changed and
 * re-sent records (two athletes, four sources, shared ids, copies, tracks,
 * backfilled days, biometrics) go into two warehouses; one is brought up to
 * date incrementally after each batch (updateCanonical, analysis from the
 * earliest changed day, plugins on marked workouts), the other rebuilt in
 * full. Every canonical and analysis table must be the same after every batch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAnalysis } from '../../lib/analysis/run.ts';
import { rebuildCanonical, updateCanonical } from '../../lib/core/dedup/rebuild.ts';
import { emptyResult, type BiometricReadingInput, type ParseResult, type SourceWorkoutInput, type WorkoutStream } from '../../lib/core/models.ts';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { storeResult } from '../../lib/ingest/store.ts';
import { BUILTIN_PLUGINS } from '../../lib/plugins/registry.ts';
import { runPluginsOnWarehouse } from '../../lib/plugins/run.ts';
import { seededRandom as rng } from '../../lib/core/random.ts';


const SOURCES = ['garmin', 'strava', 'whoop', 'oura'] as const;
const SPORTS = ['running', 'cycling', 'walking', 'strength_training'] as const;
const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1, 6);

interface Activity {
  athlete: string;
  a: number;
  start: number;
  durationS: number;
  sport: (typeof SPORTS)[number];
  distance: number | null;
  lat0: number;
}

/** A record of `activity` as `source` gives it; `variant` perturbs it (a source revising its record). */
function record(act: Activity, source: string, variant: number, r: () => number): SourceWorkoutInput {
  const jitter = source === 'garmin' ? 0 : Math.round((r() - 0.5) * 120) * 1000;
  const ids: Record<string, string> = { [source]: `${source}-${act.a}` };
  if (source === 'strava' && r() < 0.5) ids.garmin = `garmin-${act.a}`;
  // An upload stamped in the wrong time zone: hours off, joined only by the id it carries (tier 1).
  const zoneError = ids.garmin && r() < 0.5 ? 2 * 3_600_000 : 0;
  const start = act.start + jitter + zoneError + variant * 1000;
  return {
    athlete_id: act.athlete,
    source,
    external_id: `${source}-${act.a}`,
    name: `${act.sport} ${act.a}`,
    start_time: new Date(start),
    end_time: new Date(start + act.durationS * 1000),
    duration_s: act.durationS,
    utc_offset_min: r() < 0.9 ? 60 : null,
    sport: act.sport,
    sport_category: act.sport === 'strength_training' ? 'STRENGTH' : 'ENDURANCE',
    distance_m: act.distance === null ? null : act.distance * (1 + (r() - 0.5) * 0.04) + variant,
    avg_hr: 120 + Math.floor(r() * 40),
    max_hr: 160 + Math.floor(r() * 30),
    calories_kcal: Math.round(act.durationS / 6),
    external_ids: ids,
    input: `${source}.json`,
  };
}

/** A GPS track along a line north from the activity's start, one point every 10 s. */
function track(act: Activity, source: string, shiftM: number): WorkoutStream {
  const n = Math.max(2, Math.floor(act.durationS / 10));
  const time = new Float64Array(n);
  const lat = new Float64Array(n);
  const lon = new Float64Array(n);
  const hr = new Float64Array(n);
  const speed = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    time[i] = act.start + i * 10_000;
    lat[i] = act.lat0 + (i * 30 + shiftM) / 111_000;
    lon[i] = 8.5;
    hr[i] = 130 + (i % 20);
    speed[i] = 3;
  }
  return { source, external_id: `${source}-${act.a}`, time, channels: { lat, lon, hr, speed_mps: speed } };
}

/** Random batches: each adds activities (some days in the past), revises and re-sends records, and reports biometrics. */
function batches(seed: number, count: number): ParseResult[] {
  const r = rng(seed);
  const acts: Activity[] = [];
  const sent: { act: Activity; source: string }[] = [];
  const out: ParseResult[] = [];
  for (let b = 0; b < count; b++) {
    const batch = emptyResult();
    const fresh = b === 0 ? 40 : 3 + Math.floor(r() * 8);
    for (let k = 0; k < fresh; k++) {
      // Mostly the latest days, sometimes a backfill weeks back, sometimes a second session the same day.
      const dayOffset = b === 0 ? Math.floor(r() * 60) : r() < 0.2 ? Math.floor(r() * 50) : 60 + b * 2 + Math.floor(r() * 2);
      const sport = SPORTS[Math.floor(r() * SPORTS.length)]!;
      // Now and then a long one (a hike) that overlaps the day's other sessions.
      const durationS = r() < 0.1 ? 5 * 3600 : 1200 + Math.floor(r() * 4000);
      const act: Activity = {
        athlete: r() < 0.8 ? 'me' : 'coach',
        a: acts.length,
        start: T0 + dayOffset * DAY + Math.floor(r() * 10) * 3_600_000,
        durationS,
        sport,
        distance: sport === 'strength_training' ? null : durationS * (sport === 'cycling' ? 7 : 2.8),
        lat0: 47 + r() * 0.5,
      };
      acts.push(act);
      const copies = 1 + Math.floor(r() * 3);
      const first = Math.floor(r() * SOURCES.length);
      for (let c = 0; c < copies; c++) {
        const source = SOURCES[(first + c) % SOURCES.length]!;
        batch.workouts.push(record(act, source, 0, r));
        if (sport !== 'strength_training' && (source === 'garmin' || source === 'strava') && r() < 0.7) batch.streams.push(track(act, source, c * 5));
        sent.push({ act, source });
      }
    }
    // Re-sent records: some unchanged, some revised (distance, start, or a different track).
    for (let k = 0; b > 0 && k < 4; k++) {
      const { act, source } = sent[Math.floor(r() * sent.length)]!;
      const variant = r() < 0.5 ? 0 : 1 + Math.floor(r() * 30);
      batch.workouts.push(record(act, source, variant, rng(seed * 1000 + act.a)));
      if (variant > 15 && act.sport !== 'strength_training') batch.streams.push(track(act, source, variant));
    }
    // A watch's copy arriving late: the workout's base record, hence its id, changes (the old id becomes an alias).
    const stravaOnly = acts.filter((act) => sent.some((x) => x.act === act && x.source === 'strava') && !sent.some((x) => x.act === act && x.source === 'garmin'));
    for (let k = 0; b > 0 && k < 3 && stravaOnly.length; k++) {
      const act = stravaOnly[Math.floor(r() * stravaOnly.length)]!;
      if (sent.some((x) => x.act === act && x.source === 'garmin')) continue;
      batch.workouts.push(record(act, 'garmin', 0, r));
      sent.push({ act, source: 'garmin' });
    }
    const readings: BiometricReadingInput[] = [];
    for (let k = 0; k < 10; k++) {
      const day = new Date(T0 + (b === 0 ? Math.floor(r() * 60) : 55 + b * 2 + Math.floor(r() * 4)) * DAY).toISOString().slice(0, 10);
      const athlete = r() < 0.8 ? 'me' : 'coach';
      const source = r() < 0.5 ? 'oura' : 'whoop';
      readings.push({ athlete_id: athlete, date: day, metric_type: 'resting_hr', value: 45 + Math.floor(r() * 10), unit: 'bpm', source, input: `${source}.json` });
      readings.push({ athlete_id: athlete, date: day, metric_type: 'hrv_rmssd', value: 40 + Math.floor(r() * 40), unit: 'ms', source, input: `${source}.json` });
      readings.push({ athlete_id: athlete, date: day, metric_type: 'sleep_duration', value: 6 * 3600 + Math.floor(r() * 7200), unit: 's', source, input: `${source}.json` });
    }
    batch.biometrics = readings;
    out.push(batch);
  }
  return out;
}

/** Every canonical and analysis table, sorted, without computation times. */
async function snapshot(wh: Warehouse): Promise<Record<string, unknown[]>> {
  const q = (sql: string) => wh.all(sql);
  return {
    workouts: await q('SELECT * FROM workouts ORDER BY workout_id'),
    workout_sources: await q('SELECT * FROM workout_sources ORDER BY workout_id, record_id'),
    workout_aliases: await q('SELECT old_id, workout_id FROM workout_aliases ORDER BY old_id'),
    biometrics: await q('SELECT * FROM biometrics ORDER BY athlete_id, date, metric_type'),
    workout_loads: await q('SELECT * FROM workout_loads ORDER BY workout_id'),
    daily_metrics: await q('SELECT * FROM daily_metrics ORDER BY athlete_id, date'),
    athlete_profile: await q('SELECT * EXCLUDE (computed_at) FROM athlete_profile ORDER BY athlete_id'),
    plugin_results: await q('SELECT * EXCLUDE (computed_at) FROM plugin_results ORDER BY workout_id, plugin'),
  };
}

const SETTINGS = { sex: 'male' as const };
const PLUGIN_OPTS = { enablePlugins: true, enableGps: true };

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'incremental-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('incremental deduplication, analysis and plugins', () => {
  for (const seed of [1, 2, 5]) {
    it(`equal a full rebuild after every one of 8 random batches (seed ${seed})`, { timeout: 240_000 }, async () => {
      const inc = await Warehouse.open(join(dir, `inc-${seed}.duckdb`));
      const full = await Warehouse.open(join(dir, `full-${seed}.duckdb`));
      try {
        let scoped = 0;
        const looked = { inc: 0, full: 0 };
        for (const [b, batch] of batches(seed, 8).entries()) {
          await storeResult(inc, batch, { athleteId: 'me' });
          const u = await updateCanonical(inc);
          await runAnalysis(inc, SETTINGS, {}, { incremental: true });
          const pi = await runPluginsOnWarehouse(inc, BUILTIN_PLUGINS, { ...PLUGIN_OPTS, incremental: true });

          await storeResult(full, batch, { athleteId: 'me' });
          const f = await rebuildCanonical(full);
          await runAnalysis(full, SETTINGS);
          const pf = await runPluginsOnWarehouse(full, BUILTIN_PLUGINS, PLUGIN_OPTS);
          if (b > 0) [looked.inc, looked.full] = [looked.inc + pi.workouts, looked.full + pf.workouts];

          expect(u.workouts, `batch ${b}`).toBe(f.workouts);
          if (b > 0 && u.scope < f.sourceRecords) scoped++;
          const [a, e] = [await snapshot(inc), await snapshot(full)];
          for (const table of Object.keys(e)) expect(a[table], `${table} after batch ${b}`).toEqual(e[table]);
          expect(await inc.all('SELECT * FROM pending_records UNION ALL SELECT athlete_id FROM pending_analysis UNION ALL SELECT workout_id FROM pending_plugins')).toEqual([]);
        }
        // The updates really were partial, and the tables hold what they should.
        expect(scoped).toBeGreaterThanOrEqual(5);
        expect(looked.inc).toBeGreaterThan(0);
        expect(looked.inc).toBeLessThan(looked.full / 2);
        const [counts] = await inc.all<Record<string, number>>(
          `SELECT (SELECT count(*) FROM workout_aliases) AS aliases, (SELECT count(*) FROM plugin_results) AS plugins,
                  (SELECT count(*) FROM daily_metrics) AS days, (SELECT count(*) FROM workout_sources WHERE match_tier = 1) AS tier1,
                  (SELECT count(*) FROM workouts WHERE source_count > 1) AS merged`,
        );
        expect(counts).toMatchObject({ aliases: expect.any(Number), plugins: expect.any(Number), days: expect.any(Number) });
        for (const k of ['aliases', 'plugins', 'days', 'tier1', 'merged']) expect(counts![k], k).toBeGreaterThan(0);
      } finally {
        inc.close();
        full.close();
      }
    });
  }

  it('changes nothing when the same batch is loaded again', async () => {
    const wh = await Warehouse.open(join(dir, 'again.duckdb'));
    try {
      const [batch] = batches(3, 1);
      await storeResult(wh, batch!, { athleteId: 'me' });
      await updateCanonical(wh);
      await runAnalysis(wh, SETTINGS, {}, { incremental: true });
      const before = await snapshot(wh);
      const s = await storeResult(wh, batch!, { athleteId: 'me' });
      expect(s.points).toBe(0);
      expect(await wh.all('SELECT * FROM pending_records')).toEqual([]);
      const u = await updateCanonical(wh);
      expect(u).toMatchObject({ scope: 0, changedRows: 0 });
      expect(await wh.all('SELECT * FROM pending_analysis')).toEqual([]);
      await runAnalysis(wh, SETTINGS, {}, { incremental: true });
      expect(await snapshot(wh)).toEqual(before);
    } finally {
      wh.close();
    }
  });
});
