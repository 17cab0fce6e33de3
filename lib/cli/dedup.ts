/** `athlete dedup`: rebuild the deduplicated workouts, explain a merge, or measure against ground truth. */
import { join } from 'node:path';
import type { Warehouse } from '../core/warehouse.ts';
import { rebuildCanonical, resolveWorkoutId, updateCanonical } from '../core/dedup/rebuild.ts';
import { evaluateAgainstTruth } from '../core/dedup/truth.ts';
import { runAnalysis } from '../analysis/run.ts';
import { DEFAULT_DEMO_DIR } from '../demo/files.ts';
import { squadSettings, withWarehouse, type Command, type Context } from './context.ts';
import { formatTable } from './output.ts';

const TIERS: Record<string, string> = { '1': 'same external id', '2': 'time + sport + distance', '3': 'time + sport + GPS route' };

/** Why each of a workout's records was joined to it, and which source supplied each field. */
async function explainWorkout(wh: Warehouse, id: string, ctx: Context): Promise<number> {
  const resolved = await resolveWorkoutId(wh, id);
  if (!resolved) {
    ctx.err(`no workout ${id} (nor an alias of one)`);
    return 1;
  }
  if (resolved !== id) ctx.out(`${id} was superseded by ${resolved}`);
  const [w] = await wh.all<Record<string, unknown>>('SELECT * EXCLUDE (raw_data) FROM workouts WHERE workout_id = ?', [resolved]);
  const members = await wh.all<Record<string, unknown>>(
    `SELECT ws.source, ws.external_id, ws.match_tier, ws.match_info, sw.start_time, sw.duration_s, sw.distance_m, sw.sport
     FROM workout_sources ws JOIN source_workouts sw USING (record_id) WHERE ws.workout_id = ? ORDER BY ws.match_tier NULLS FIRST, ws.source`,
    [resolved],
  );
  ctx.out(`workout ${resolved}: ${String(w!.sport)} at ${(w!.start_time as Date).toISOString()}, ${members.length} source record(s)`);
  for (const m of members) {
    const info = m.match_info ? (JSON.parse(String(m.match_info)) as Record<string, unknown>) : {};
    const why =
      m.match_tier === null
        ? 'base record (highest precedence)'
        : `tier ${String(m.match_tier)} (${TIERS[String(m.match_tier)]}) with ${String(info.with ?? '?')}` +
          [
            info.key ? ` key ${String(info.key)}` : '',
            typeof info.start_gap_s === 'number' ? `, start gap ${info.start_gap_s.toFixed(0)} s` : '',
            typeof info.distance_diff === 'number' ? `, distance gap ${(info.distance_diff * 100).toFixed(1)} %` : '',
            typeof info.route_m === 'number' ? `, route distance ${info.route_m.toFixed(0)} m` : '',
          ].join('');
    ctx.out(`  ${String(m.source)}:${String(m.external_id)}  ${why}`);
  }
  const provenance = w!.provenance ? (JSON.parse(String(w!.provenance)) as Record<string, string>) : {};
  ctx.out('fields and the source that supplied them:');
  ctx.out(formatTable(['field', 'value', 'source'], Object.entries(provenance).map(([field, source]) => ({ field, value: w![field], source }))));
  return 0;
}

/** The dedup command. */
export const command: Command = {
  options: { explain: 'value', evaluate: 'flag', truth: 'value', full: 'flag' },
  help: `Without options: brings the deduplicated workouts and daily biometrics up to date with
the source records stored since the last run (also done after each sync and import when
AUTO_DEDUPLICATE is on), and the analysis with them.
  --full          deduplicate every stored source record again and recompute the analysis
  --explain ID    why the workout's records were joined (tier, time gap, distance gap, route
                  distance) and which source supplied each field; old ids resolve through aliases
  --evaluate      precision and recall of duplicate links against a ground-truth file
  --truth PATH    ground truth (default: the demo athlete's ground_truth.json)`,
  async run({ options }, ctx) {
    return withWarehouse(ctx, async (wh) => {
      if (typeof options.explain === 'string') return explainWorkout(wh, options.explain, ctx);
      if (options.evaluate) {
        const path = typeof options.truth === 'string' ? options.truth : join(ctx.config.DEMO_DATA_DIR ?? DEFAULT_DEMO_DIR, 'ground_truth.json');
        const e = await evaluateAgainstTruth(wh, path);
        ctx.out(`pairwise duplicate links against ${path}:`);
        ctx.out(`  precision ${e.precision.toFixed(4)}  recall ${e.recall.toFixed(4)}  (true links ${e.tp}, false links ${e.fp}, missed links ${e.fn})`);
        ctx.out(`  near-miss pairs kept apart: ${e.nearMissesApart} of ${e.nearMisses}`);
        return 0;
      }
      const squad = await squadSettings(wh, ctx.config);
      const full = options.full === true;
      const dedupOptions = { homeTimeZone: squad.homeTimeZone, homeTimeZones: squad.homeTimeZones };
      const r = full ? await rebuildCanonical(wh, dedupOptions) : await updateCanonical(wh, dedupOptions);
      await runAnalysis(wh, squad.settings, squad.perAthlete, { incremental: !full });
      const links = `links by tier: exact id ${r.stats.links.tier1}, time+distance ${r.stats.links.tier2}, route ${r.stats.links.tier3}`;
      const scope = r.scope < r.sourceRecords ? `${r.scope} record(s) deduplicated again, ${links} among them` : links;
      ctx.out(`${r.sourceRecords} source records -> ${r.workouts} workouts (${r.merged} merged; ${scope})`);
      ctx.out(`${r.biometricDays} reconciled biometric day-values; ${r.aliases} superseded workout id(s) kept as aliases`);
      await wh.checkpoint();
      return 0;
    }, typeof options.explain === 'string' || options.evaluate ? 'read' : 'write');
  },
};
