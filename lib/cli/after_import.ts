/** What `athlete sync` and `athlete import` do once new data is stored. */
import type { Warehouse } from '../core/warehouse.ts';
import { updateCanonical } from '../core/dedup/rebuild.ts';
import { runAnalysis } from '../analysis/run.ts';
import { pluginsFromEnv } from '../plugins/registry.ts';
import { runPluginsOnWarehouse } from '../plugins/run.ts';
import { squadSettings, type Context } from './context.ts';

/**
 * After new data: bring the canonical tables (AUTO_DEDUPLICATE) and the
 * analysis built on them up to date, incrementally: only what the stored
 * changes touch is deduplicated, analysed and given to the plugins again.
 */
export async function dedupAfter(wh: Warehouse, ctx: Context): Promise<void> {
  if (!ctx.config.AUTO_DEDUPLICATE) return;
  const squad = await squadSettings(wh, ctx.config);
  const r = await updateCanonical(wh, { homeTimeZone: squad.homeTimeZone, homeTimeZones: squad.homeTimeZones });
  const totals = `${r.sourceRecords} source records -> ${r.workouts} workouts (${r.merged} merged), ${r.biometricDays} biometric day-values`;
  if (r.scope === 0 && r.changedRows === 0) ctx.out(`deduplicated: nothing new (${totals})`);
  else ctx.out(`deduplicated: ${totals}${r.scope < r.sourceRecords ? `; ${r.scope} record(s) deduplicated again` : ''}`);
  await runAnalysis(wh, squad.settings, squad.perAthlete, { incremental: true });
  if (ctx.config.ENABLE_PLUGINS) {
    const { plugins } = await pluginsFromEnv(ctx.env);
    const r = await runPluginsOnWarehouse(wh, plugins, { enablePlugins: true, enableGps: ctx.config.ENABLE_GPS_ANALYSIS, incremental: true });
    const ok = Object.entries(r.byPlugin).filter(([, v]) => v.ok + v.error > 0).map(([k, v]) => `${k} ${v.ok}${v.error ? ` (${v.error} failed)` : ''}`);
    if (ok.length) ctx.out(`plugins: ${ok.join(', ')}`);
  }
}
