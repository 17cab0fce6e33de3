/**
 * Running the analysis plugins over the warehouse's workouts: reads each
 * workout's best stream (the member record with the most samples), runs the
 * plugins, and stores their results in plugin_results (re-running replaces).
 * Incremental runs look only at the workouts deduplication marked in
 * pending_plugins (new or changed workouts, changed streams).
 */
import { duckdbApi } from '../core/duckdb.ts';
import type { Warehouse } from '../core/warehouse.ts';
import type { AnalysisPlugin, PluginStreams, PluginWorkout } from './base.ts';
import { runPlugins, type RunOptions } from './registry.ts';

/** Counts of one run, per plugin. */
export interface PluginRunSummary {
  workouts: number;
  byPlugin: Record<string, { ok: number; error: number; skipped: number; errors: string[] }>;
}

const CHANNELS = ['lat', 'lon', 'speed_mps', 'hr', 'cadence', 'altitude_m', 'distance_m', 'power_w'] as const;

/** Samples read in one query at most: about 8 MB of columns, and a few queries where one per stream took milliseconds each. */
const BATCH_SAMPLES = 100_000;

/**
 * The streams of several records in one query, as typed-array views of its
 * columns; channels with no value at all in a stream are left out of it. One
 * query per stream cost a few milliseconds each, most of a first sync's
 * plugin step.
 */
async function loadStreams(wh: Warehouse, streamIds: readonly number[]): Promise<Map<number, PluginStreams>> {
  const [id, time, ...channels] = (await wh.columns(
    `SELECT stream_id::DOUBLE, epoch_ms(time)::DOUBLE, ${CHANNELS.map((c) => `${c}::DOUBLE`).join(', ')}
     FROM stream_points WHERE stream_id IN (SELECT unnest($1::INTEGER[])) ORDER BY stream_id, time`,
    [duckdbApi.listValue([...streamIds])],
    [duckdbApi.LIST(duckdbApi.INTEGER)],
  )) as Float64Array[];
  const out = new Map<number, PluginStreams>();
  for (let from = 0; from < id!.length; ) {
    let to = from + 1;
    while (to < id!.length && id![to] === id![from]) to++;
    const s: PluginStreams = { time: time!.subarray(from, to) };
    CHANNELS.forEach((c, k) => {
      const col = channels[k]!.subarray(from, to);
      // NULL reads as NaN, the only value not equal to itself.
      if (col.some((v) => v === v)) s[c] = col;
    });
    out.set(id![from]!, s);
    from = to;
  }
  return out;
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
  const workouts = await wh.all<PluginWorkout & { stream_id: number | null; points: number | null }>(
    `SELECT q.* EXCLUDE (record_id), st.stream_id, st.points FROM (
       SELECT w.workout_id, w.sport, w.sport_category, w.start_time, w.duration_s, w.has_gps, w.utc_offset_min,
              (SELECT s.record_id FROM workout_sources s JOIN workout_streams p USING (record_id)
               WHERE s.workout_id = w.workout_id GROUP BY s.record_id
               ORDER BY count(p.lat) DESC, count(*) DESC, s.record_id LIMIT 1) AS record_id
       FROM workouts w ${ids ? 'WHERE w.workout_id IN (SELECT unnest(?::VARCHAR[]))' : ''}) q
     LEFT JOIN streams st USING (record_id) ORDER BY q.start_time, q.workout_id`,
    ids ? [ids] : [],
  );
  const wanted = ids ? new Set(ids) : null;
  const summary: PluginRunSummary = { workouts: 0, byPlugin: {} };
  for (const p of plugins) summary.byPlugin[p.name] = { ok: 0, error: 0, skipped: 0, errors: [] };
  const rows: unknown[][] = [];
  const now = new Date();
  // The workouts some plugin wants, with their best stream, read in batches of streams.
  const todo: { w: PluginWorkout; applicable: AnalysisPlugin[]; stream: number; points: number }[] = [];
  for (const w of workouts) {
    if (wanted && !wanted.has(w.workout_id)) continue;
    // Ask first without streams so workouts no plugin wants are not read.
    const applicable = plugins.filter((p) => (!opts.only || opts.only.includes(p.name)) && safeCan(p, w));
    if (applicable.length === 0 || w.stream_id === null) continue;
    todo.push({ w, applicable, stream: w.stream_id, points: w.points ?? 0 });
  }
  for (let from = 0; from < todo.length; ) {
    let to = from;
    for (let samples = 0; to < todo.length && (to === from || samples + todo[to]!.points <= BATCH_SAMPLES); to++) samples += todo[to]!.points;
    const batch = todo.slice(from, to);
    const streams = await loadStreams(wh, batch.map((t) => t.stream));
    for (const { w, applicable, stream } of batch) {
      summary.workouts++;
      for (const run of await runPlugins(applicable, w, streams.get(stream) ?? { time: new Float64Array(0) }, opts)) {
        const s = summary.byPlugin[run.plugin]!;
        s[run.status]++;
        if (run.status === 'skipped') continue;
        if (run.status === 'error') s.errors.push(`${w.workout_id}: ${run.error ?? ''}`);
        rows.push([w.workout_id, run.plugin, run.version, run.status, run.result?.metrics ?? null, run.result?.figures ?? null, run.error ?? null, now]);
      }
    }
    from = to;
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
