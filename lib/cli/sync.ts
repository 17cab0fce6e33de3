/** `athlete sync`: pull new data from every configured source, or load the demo athlete. */
import { syncConnector, type SourceSyncResult } from '../ingest/sync.ts';
import { syncDemoSquad } from '../demo/squad.ts';
import { allConnectors, sourceDescriptor } from '../sources/registry.ts';
import { UsageError, intOption } from './args.ts';
import { dedupAfter } from './after_import.ts';
import { withWarehouse, type Command } from './context.ts';
import { progressBar } from './output.ts';

function syncLine(r: SourceSyncResult): string {
  const counts = `${r.workouts} workouts, ${r.biometrics} biometrics`;
  switch (r.status) {
    case 'success':
      return `  ${r.source.padEnd(10)} ok        ${counts}`;
    case 'warning':
      return `  ${r.source.padEnd(10)} warning   ${counts}: ${r.message ?? ''}`;
    case 'rate_limited':
      return `  ${r.source.padEnd(10)} rate-limited, retry after ${r.retry_after ?? '?'} s (${counts} stored)`;
    case 'skipped':
      return `  ${r.source.padEnd(10)} skipped   ${r.message ?? ''}`;
    default:
      return `  ${r.source.padEnd(10)} error     ${r.message ?? ''}`;
  }
}

/** The sync command; exit 75 when every source that ran was only rate-limited. */
export const command: Command = {
  options: { days: 'value', source: 'value', demo: 'flag' },
  help: `Syncs each source configured in .env (see .env.example). Incremental: each source
resumes from its saved cursor; re-running changes nothing. A source without credentials
is skipped with a note. With no source configured, or with --demo, loads the demo athlete
(DEMO_ATHLETES=N: a demo squad of N athletes, registered as the demo athlete, demo-02, ...).
  --days N        how far back to look on a first sync (default SYNC_DAYS, 30)
  --source a,b    only these sources`,
  async run({ options }, ctx) {
    const days = intOption(options.days, 'days', ctx.config.SYNC_DAYS);
    const only = typeof options.source === 'string' ? options.source.split(',').map((s) => s.trim()).filter(Boolean) : null;
    const all = await allConnectors(ctx.env);
    const configured = all.filter((c) => c.isConfigured());
    const skipped = all
      .filter((c) => !c.isConfigured())
      .map((c) => ({ source: c.source, reason: `not configured: no credentials or saved token (see ${sourceDescriptor(c.source)!.envVars.map((v) => v.name).filter((n) => !n.endsWith('_BASE_URL'))[0] ?? '.env.example'})` }));
    const chosen = configured.filter((c) => !only || only.includes(c.source));
    return withWarehouse(ctx, async (wh) => {
      const results: SourceSyncResult[] = [];
      if (options.demo || (configured.length === 0 && !only)) {
        ctx.out(`no source configured: loading the demo athlete${options.demo ? '' : ' (configure sources in .env to sync your own data)'}`);
        const bar = progressBar('demo');
        results.push(...(await syncDemoSquad(wh, {
          athleteId: ctx.config.ATHLETE_ID,
          athletes: ctx.config.DEMO_ATHLETES,
          dir: ctx.config.DEMO_DATA_DIR,
          seed: ctx.config.DEMO_SEED,
          days: ctx.config.DEMO_DAYS,
          onProgress: (s, d, t) => bar.update(d, t, s),
        })));
        bar.end();
      } else {
        for (const s of skipped) if (!only || only.includes(s.source)) results.push({ source: s.source, status: 'skipped', workouts: 0, biometrics: 0, errors: 0, message: s.reason });
        for (const name of only ?? []) {
          if (!chosen.some((c) => c.source === name) && !skipped.some((s) => s.source === name)) throw new UsageError(`unknown source ${name}`);
        }
        for (const c of chosen) {
          ctx.err(`syncing ${c.source}...`);
          results.push(await syncConnector(wh, c, { athleteId: ctx.config.ATHLETE_ID, days }));
        }
      }
      ctx.out('sync results:');
      for (const r of results) ctx.out(syncLine(r));
      await dedupAfter(wh, ctx);
      await wh.checkpoint();
      if (results.some((r) => r.status === 'error')) return 1;
      if (results.length && results.every((r) => r.status === 'rate_limited' || r.status === 'skipped') && results.some((r) => r.status === 'rate_limited')) return 75;
      return 0;
    });
  },
};
