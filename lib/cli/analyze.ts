/** `athlete analyze`: training load, ACWR, fitness/fatigue and recovery status; or one plugin's analysis. */
import { runAnalysis } from '../analysis/run.ts';
import { pluginsFromEnv } from '../plugins/registry.ts';
import { runPluginsOnWarehouse } from '../plugins/run.ts';
import { UsageError, choiceOption } from './args.ts';
import { squadSettings, withWarehouse, type Command, type Context } from './context.ts';
import { formatJson } from './output.ts';

function fmt(v: number | null, digits = 1): string {
  return v === null ? '-' : v.toFixed(digits);
}

async function runOnePlugin(name: string, ctx: Context): Promise<number> {
  const { plugins } = await pluginsFromEnv(ctx.env);
  if (!plugins.some((p) => p.name === name)) throw new UsageError(`no plugin named ${name} (installed: ${plugins.map((p) => p.name).join(', ')})`);
  if (!ctx.config.ENABLE_PLUGINS) {
    ctx.err('plugins are disabled (ENABLE_PLUGINS=false)');
    return 1;
  }
  return withWarehouse(ctx, async (wh) => {
    const r = await runPluginsOnWarehouse(wh, plugins, { enablePlugins: true, enableGps: ctx.config.ENABLE_GPS_ANALYSIS, only: [name] });
    const s = r.byPlugin[name]!;
    ctx.out(`${name}: analysed ${s.ok} workout(s), ${s.error} failed, ${s.skipped} skipped`);
    for (const e of s.errors.slice(0, 5)) ctx.err(`  ${e}`);
    return s.error > 0 && s.ok === 0 ? 1 : 0;
  });
}

/** The analyze command. */
export const command: Command = {
  options: { format: 'value', plugin: 'value', full: 'flag' },
  help: `Computes each workout's training load and the daily series (ACWR as rolling
averages and EWMA, CTL/ATL/TSB, monotony and strain, sleep, HRV and resting-HR status)
into workout_loads and daily_metrics, and prints the latest day. ATHLETE_MAX_HR,
ATHLETE_REST_HR, ATHLETE_FTP_W and ATHLETE_SEX refine the load; a registered athlete's
own sex and heart rates (athlete athletes add) come first; missing values are
estimated from the data. Only days from the earliest one whose data changed are
recomputed (all of an athlete's when their profile changed); the result is the same.
  --full          recompute every day of every athlete
  --plugin NAME   run only this analysis plugin over the workouts (see athlete plugins list)`,
  async run({ options }, ctx) {
    const format = choiceOption(options.format, 'format', ['table', 'json'] as const, 'table');
    if (typeof options.plugin === 'string') return runOnePlugin(options.plugin, ctx);
    return withWarehouse(ctx, async (wh) => {
      const squad = await squadSettings(wh, ctx.config);
      const r = await runAnalysis(wh, squad.settings, squad.perAthlete, { incremental: options.full !== true });
      if (format === 'json') {
        ctx.out(formatJson([{ ...r }]));
        return 0;
      }
      ctx.out(`analysed ${r.workouts} workouts over ${r.days} athlete-days`);
      for (const l of r.latest) {
        ctx.out(`\n${l.athlete_id}, latest day ${l.date}:`);
        ctx.out(`  ACWR (EWMA)     ${fmt(l.acwr_ewma, 2)}  ${l.acwr_band ?? 'not enough history'}`);
        ctx.out(`  fitness/fatigue CTL ${fmt(l.ctl)}  ATL ${fmt(l.atl)}  form (TSB) ${fmt(l.tsb)}`);
        ctx.out(`  HRV (RMSSD)     ${fmt(l.hrv_rmssd)} ms  ${l.hrv_status ?? 'no baseline yet'}`);
        ctx.out(`  resting HR      ${fmt(l.resting_hr, 0)} bpm  ${l.rhr_status ?? 'no baseline yet'}`);
        ctx.out(`  sleep           ${l.sleep_s === null ? '-' : (l.sleep_s / 3600).toFixed(1)} h`);
      }
      return 0;
    });
  },
};
