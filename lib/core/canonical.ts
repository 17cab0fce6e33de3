/**
 * Rebuilding the canonical tables (`workouts`, `workout_sources`,
 * `workout_aliases`, `biometrics`) from the source rows with the dedup
 * engine. One transaction: readers see the old tables or the new ones.
 */
import type { Warehouse } from './warehouse.ts';
import type { DedupRecord, DedupOptions, DedupStats } from './dedup_types.ts';
import { deduplicate, aliasChanges, reconcileBiometrics } from './dedup.ts';
import type { MetricType, SportCategory } from './models.ts';

/** What a rebuild produced. */
export interface RebuildSummary {
  sourceRecords: number;
  workouts: number;
  merged: number;
  aliases: number;
  biometricDays: number;
  stats: DedupStats;
}

const ROUTE_POINTS = 200;

interface SourceRow {
  record_id: string;
  athlete_id: string;
  source: string;
  external_id: string;
  name: string | null;
  start_time: Date;
  end_time: Date;
  duration_s: number;
  moving_time_s: number | null;
  utc_offset_min: number | null;
  sport: string;
  source_sport: string | null;
  sport_category: SportCategory;
  distance_m: number | null;
  calories_kcal: number | null;
  avg_hr: number | null;
  max_hr: number | null;
  elevation_gain_m: number | null;
  avg_power_w: number | null;
  max_power_w: number | null;
  avg_cadence: number | null;
  training_load: number | null;
  perceived_exertion: number | null;
  external_ids: string | null;
  has_gps: boolean;
  has_power: boolean;
  data_quality_score: number;
  parent_external_id: string | null;
  input: string | null;
}

/** Read every source record with a downsampled route for those that have GPS. */
export async function loadDedupRecords(wh: Warehouse): Promise<DedupRecord[]> {
  const rows = await wh.all<SourceRow>('SELECT * EXCLUDE (raw_data, ingested_at) FROM source_workouts ORDER BY record_id');
  const routes = await wh.all<{ record_id: string; lat: number[]; lon: number[] }>(
    `SELECT record_id, list(lat ORDER BY time) AS lat, list(lon ORDER BY time) AS lon
     FROM (SELECT record_id, time, lat, lon,
                  row_number() OVER (PARTITION BY record_id ORDER BY time) AS rn,
                  count(*) OVER (PARTITION BY record_id) AS n
           FROM workout_streams WHERE lat IS NOT NULL AND lon IS NOT NULL)
     WHERE (rn - 1) % greatest(1, n // ?) = 0
     GROUP BY record_id`,
    [ROUTE_POINTS],
  );
  const byId = new Map(routes.map((r) => [r.record_id, r]));
  return rows.map((r) => {
    const route = byId.get(r.record_id);
    return {
      ...r,
      external_ids: r.external_ids ? (JSON.parse(r.external_ids) as Record<string, string>) : {},
      raw_data: null,
      route: route ? { lat: Float64Array.from(route.lat), lon: Float64Array.from(route.lon) } : undefined,
    };
  });
}

/** Re-run deduplication and biometric reconciliation over all source rows. */
export async function rebuildCanonical(wh: Warehouse, opts: DedupOptions = {}): Promise<RebuildSummary> {
  const records = await loadDedupRecords(wh);
  const result = deduplicate(records, opts);

  const previous = await wh.all<{ workout_id: string; record_ids: string[] }>(
    'SELECT workout_id, list(record_id ORDER BY record_id) AS record_ids FROM workout_sources GROUP BY workout_id',
  );
  const current = new Map<string, string[]>();
  for (const m of result.members) {
    const list = current.get(m.workout_id) ?? [];
    list.push(m.record_id);
    current.set(m.workout_id, list);
  }
  const aliases = aliasChanges(previous, [...current].map(([workout_id, record_ids]) => ({ workout_id, record_ids })));

  const readings = await wh.all<{ athlete_id: string; date: string; metric_type: MetricType; value: number; unit: string; source: string; confidence: number }>(
    'SELECT athlete_id, date, metric_type, value, unit, source, confidence FROM source_biometrics ORDER BY reading_id',
  );
  const daily = reconcileBiometrics(readings);

  await wh.transaction(async () => {
    await wh.run('DELETE FROM workouts');
    await wh.run('DELETE FROM workout_sources');
    await wh.appendRows(
      'workouts',
      result.workouts.map((w) => [
        w.workout_id, w.athlete_id, w.name, w.start_time, w.end_time, w.duration_s, w.utc_offset_min, w.sport, w.sport_category,
        w.distance_m, w.calories_kcal, w.avg_hr, w.max_hr, w.elevation_gain_m, w.avg_power_w, w.max_power_w, w.avg_cadence,
        w.training_load, w.perceived_exertion, w.source, w.external_ids, w.raw_data ?? null, w.has_gps, w.has_power,
        w.data_quality_score, w.provenance, current.get(w.workout_id)?.length ?? 1,
      ]),
    );
    await wh.appendRows(
      'workout_sources',
      result.members.map((m) => [m.workout_id, m.record_id, m.source, m.external_id, m.match_tier, m.match_info]),
    );
    const now = new Date();
    for (const [oldId, newId] of Object.entries(aliases)) {
      // Earlier aliases that pointed at a superseded id follow it to the new one.
      await wh.run('UPDATE workout_aliases SET workout_id = ? WHERE workout_id = ?', [newId, oldId]);
      await wh.run(
        'INSERT INTO workout_aliases VALUES (?, ?, ?) ON CONFLICT (old_id) DO UPDATE SET workout_id = excluded.workout_id',
        [oldId, newId, now],
      );
    }
    await wh.run('DELETE FROM workout_aliases WHERE old_id IN (SELECT workout_id FROM workouts)');
    // Plugin results follow their workout to its new id; those of workouts that are gone go too.
    await wh.run(
      `INSERT INTO plugin_results SELECT a.workout_id, p.* EXCLUDE (workout_id) FROM plugin_results p
       JOIN workout_aliases a ON p.workout_id = a.old_id ON CONFLICT DO NOTHING`,
    );
    await wh.run('DELETE FROM plugin_results WHERE workout_id NOT IN (SELECT workout_id FROM workouts)');
    await wh.run('DELETE FROM biometrics');
    await wh.appendRows(
      'biometrics',
      daily.map((b) => [b.athlete_id, b.date, b.metric_type, b.value, b.unit, b.source, b.confidence, b.source_count]),
    );
  });

  return {
    sourceRecords: records.length,
    workouts: result.workouts.length,
    merged: records.length - result.workouts.length,
    aliases: Object.keys(aliases).length,
    biometricDays: daily.length,
    stats: result.stats,
  };
}

/** The current id of a workout id that may have been superseded by a rebuild. */
export async function resolveWorkoutId(wh: Warehouse, id: string): Promise<string | null> {
  const rows = await wh.all<{ workout_id: string }>(
    `SELECT workout_id FROM workouts WHERE workout_id = ?
     UNION ALL SELECT workout_id FROM workout_aliases WHERE old_id = ?`,
    [id, id],
  );
  return rows[0]?.workout_id ?? null;
}
