/**
 * Running the analysis plugins over the warehouse's workouts: reads each
 * workout's best stream (the member record with the most samples), runs the
 * plugins, and stores their results in plugin_results (re-running replaces).
 * Incremental runs look only at the workouts deduplication marked in
 * pending_plugins (new or changed workouts, changed streams).
 */
import type { Warehouse } from '../core/warehouse.ts';
import type { AnalysisPlugin, PluginStreams, PluginWorkout } from './base.ts';
import { runPlugins, type RunOptions } from './registry.ts';

/** Counts of one run, per plugin. */
export interface PluginRunSummary {
  workouts: number;
  byPlugin: Record<string, { ok: number; error: number; skipped: number; errors: string[] }>;
}

const CHANNELS = ['lat', 'lon', 'speed_mps', 'hr', 'cadence', 'altitude_m', 'distance_m', 'power_w'] as const;

async function loadStreams(wh: Warehouse, recordId: string): Promise<PluginStreams> {
  const rows = await wh.all<Record<string, number | Date | null>>(
    `SELECT time, ${CHANNELS.join(', ')} FROM workout_streams WHERE record_id = ? ORDER BY time`,
    [recordId],
  );
  const s: PluginStreams = { time: new Float64Array(rows.length) };
  for (const c of CHANNELS) {
    if (!rows.some((r) => r[c] !== null)) continue;
    const col = new Float64Array(rows.length);
    rows.forEach((r, i) => (col[i] = (r[c] as number | null) ?? NaN));
    s[c] = col;
  }
  rows.forEach((r, i) => (s.time[i] = (r.time as Date).getTime()));
  return s;
}

/**
 * Run `plugins` on every canonical workout (or those in `workoutIds`) and
 * store ok and error outcomes. One plugin failing never stops the others.
 */
export async function runPluginsOnWarehouse(
  wh: Warehouse,
  plugins: readonly AnalysisPlugin[],
  opts: RunOptions & {
    workoutIds?: readonly string[];
    /** Only the workouts marked in pending_plugins, whose marks are then cleared. */
    incremental?: boolean;
  },
): Promise<PluginRunSummary> {
  const ids = opts.incremental
    ? (await wh.all<{ workout_id: string }>('SELECT workout_id FROM pending_plugins')).map((r) => r.workout_id).filter((id) => !opts.workoutIds || opts.workoutIds.includes(id))
    : opts.workoutIds;
  // Each workout's best stream is looked up only for the workouts asked for.
  if (ids?.length === 0) return { workouts: 0, byPlugin: Object.fromEntries(plugins.map((p) => [p.name, { ok: 0, error: 0, skipped: 0, errors: [] }])) };
  const workouts = await wh.all<PluginWorkout & { record_id: string | null }>(
    `SELECT w.workout_id, w.sport, w.sport_category, w.start_time, w.duration_s, w.has_gps, w.utc_offset_min,
            (SELECT s.record_id FROM workout_sources s JOIN workout_streams p USING (record_id)
             WHERE s.workout_id = w.workout_id GROUP BY s.record_id
             ORDER BY count(p.lat) DESC, count(*) DESC, s.record_id LIMIT 1) AS record_id
     FROM workouts w ${ids ? 'WHERE w.workout_id IN (SELECT unnest(?::VARCHAR[]))' : ''} ORDER BY w.start_time, w.workout_id`,
    ids ? [ids] : [],
  );
  const wanted = ids ? new Set(ids) : null;
  const summary: PluginRunSummary = { workouts: 0, byPlugin: {} };
  for (const p of plugins) summary.byPlugin[p.name] = { ok: 0, error: 0, skipped: 0, errors: [] };
  const rows: unknown[][] = [];
  const now = new Date();
  for (const w of workouts) {
    if (wanted && !wanted.has(w.workout_id)) continue;
    // Ask first without streams so workouts no plugin wants are not read.
    const applicable = plugins.filter((p) => (!opts.only || opts.only.includes(p.name)) && safeCan(p, w));
    if (applicable.length === 0 || !w.record_id) continue;
    summary.workouts++;
    const streams = await loadStreams(wh, w.record_id);
    for (const run of await runPlugins(applicable, w, streams, opts)) {
      const s = summary.byPlugin[run.plugin]!;
      s[run.status]++;
      if (run.status === 'skipped') continue;
      if (run.status === 'error') s.errors.push(`${w.workout_id}: ${run.error ?? ''}`);
      rows.push([w.workout_id, run.plugin, run.version, run.status, run.result?.metrics ?? null, run.result?.figures ?? null, run.error ?? null, now]);
    }
  }
  await wh.transaction(async () => {
    // A run over every workout replaces the selected plugins' results: none outlive a workout that changed.
    if (!wanted) {
      for (const p of plugins) if (!opts.only || opts.only.includes(p.name)) await wh.run('DELETE FROM plugin_results WHERE plugin = ?', [p.name]);
    } else if (opts.incremental) {
      // A workout looked at again keeps only this run's results: a plugin that no longer applies leaves none.
      for (const p of plugins) {
        if (!opts.only || opts.only.includes(p.name)) {
          await wh.run('DELETE FROM plugin_results WHERE plugin = ? AND workout_id IN (SELECT unnest(?::VARCHAR[]))', [p.name, [...wanted]]);
        }
      }
    }
    await wh.run('CREATE OR REPLACE TEMP TABLE stage_plugin_results AS SELECT * FROM plugin_results LIMIT 0');
    await wh.appendRows('stage_plugin_results', rows);
    await wh.run(
      `INSERT INTO plugin_results SELECT * FROM stage_plugin_results ON CONFLICT (workout_id, plugin) DO UPDATE SET
         plugin_version = excluded.plugin_version, status = excluded.status, metrics = excluded.metrics,
         figures = excluded.figures, error = excluded.error, computed_at = excluded.computed_at`,
    );
    if (opts.incremental && ids?.length) await wh.run('DELETE FROM pending_plugins WHERE workout_id IN (SELECT unnest(?::VARCHAR[]))', [ids]);
  });
  return summary;
}

function safeCan(p: AnalysisPlugin, w: PluginWorkout): boolean {
  try {
    return p.canAnalyze(w);
  } catch {
    // runPlugins records the error when it calls canAnalyze again.
    return true;
  }
}
